import re

from lxml import etree

from odoo.tests import TransactionCase, tagged

#: Settings of the office that set no rule of RULES.md (the office itself, its day and its money).
NOT_RULES = {"is_sales_office", "office_tz", "office_currency_id"}


@tagged("post_install", "-at_install")
class TestOfficeForm(TransactionCase):
    """The Sales Office Rules tab: a newcomer reads, for each setting, which rule it sets and the rulebook's
    default (issue 11: every PR, RO, CH and CS setting on the office form, grouped by family)."""

    def rule_settings(self):
        arch = etree.fromstring(self.env["crm.team"].get_view(view_type="form")["arch"])
        [page] = arch.xpath("//page[@name='sales_office_rules']")
        groups = {group.get("name"): [f.get("name") for f in group.iter("field")] for group in page.iter("group")}
        return groups, [f.get("name") for f in page.iter("field") if f.get("name") not in NOT_RULES]

    def test_every_setting_names_its_rule_and_the_rulebook_default(self):
        groups, names = self.rule_settings()
        for family in (
            "rules_identity",
            "rules_protection",
            "rules_rotation",
            "rules_splits",
            "rules_channel",
            "rules_grading",
            "rules_discipline",
            "rules_units",
        ):
            self.assertTrue(groups.get(family), "the %s group is on the tab" % family)
        described = self.env["crm.team"].fields_get(names, ["help", "string"])
        for name in names:
            help_text = described[name].get("help") or ""
            self.assertRegex(help_text, r"^[A-Z]{2}-\d+", "%s says which rule it sets" % name)
            if self.env["crm.team"]._fields[name].default:
                self.assertIn("Rulebook default: ", help_text, name)
        self.assertIn("Rulebook default: 60.", described["visit_protection_days"]["help"])
        self.assertIn("Rulebook default: 3.", described["deposit_claim_days"]["help"])
        self.assertIn("Rulebook default: Yes.", described["in_house_whole_period"]["help"])
        self.assertIn("Rulebook default: In the Visit Rotation.", described["call_rotation"]["help"])

    def test_the_families_group_their_rules(self):
        """Each family's group holds its own rules' settings (a CH setting under Channels, …)."""
        groups, _names = self.rule_settings()
        described = self.env["crm.team"].fields_get(attributes=["help"])
        prefixes = {
            "rules_identity": "ID",
            "rules_protection": "PR",
            "rules_rotation": "RO",
            "rules_splits": "CS",
            "rules_channel": ("CH", "ID-2"),  # ID-2: the numbers channel reports carry
            "rules_grading": "GR",
            "rules_discipline": "DS",
            "rules_units": "UC",
        }
        for group, prefix in prefixes.items():
            for name in set(groups[group]) - NOT_RULES:
                rules = re.findall(r"[A-Z]{2}-\d+", (described[name].get("help") or "").split(":")[0])
                self.assertTrue(
                    any(rule.startswith(prefix) for rule in rules), "%s (%s) sits under %s" % (name, rules, group)
                )
