from datetime import datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, mute_logger

from ..models.real_estate_ownership_log import GENESIS
from .common import T0, AttributionCase


class TestOwnershipAudit(AttributionCase):
    """Ownership changes only through the engine, each one audited (who, when, rule, before, after)."""

    def test_consultants_cannot_set_the_owner_by_hand(self):
        """DI-3: the owner of a sales-office customer is never typed in; even managers go through the rules."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])
        for user in (self.li, self.manager):
            with self.assertRaisesRegex(UserError, "decided by the sales-office rules"):
                lead.with_user(user).write({"user_id": self.wang.id})
        other = self.env["crm.team"].create({"name": "Elsewhere"})
        with self.assertRaisesRegex(UserError, "decided by the sales-office rules"):
            lead.with_user(self.manager).write({"team_id": other.id})
        lead.with_user(self.li).write({"description": "喜欢三房", "user_id": self.li.id})  # unchanged owner
        self.assertEqual(lead.user_id, self.li)

    def test_the_engine_flag_in_a_callers_context_is_not_trusted(self):
        """DI-3: a context key any XML-RPC caller can set does not unlock the engine's writes."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])
        owner = lead.user_id
        flagged = {"attribution_engine": True, "attribution_engine_followup": True}
        with self.assertRaisesRegex(UserError, "decided by the sales-office rules"):
            lead.with_user(owner).with_context(**flagged).write({"user_id": self.chen.id})
        with self.assertRaisesRegex(UserError, "Receive Visitor"):
            self.Visit.with_user(owner).with_context(**flagged).create({"team_id": self.team.id, "kind": "visit"})
        with freeze_time(T0 + timedelta(days=1)):
            followup = (
                self.env["real.estate.followup"]
                .with_user(owner)
                .with_context(**flagged)
                .create({"lead_id": lead.id, "note": "电话回访"})
            )
        self.assertEqual(followup.protection_id, lead.protection_id, "the engine decided the follow-up")
        self.assertEqual(lead.user_id, owner)

    def test_id1_only_a_manager_corrects_a_received_customers_mobile(self):
        """ID-1: a consultant cannot move a claim by rewriting the number; a site manager corrects it."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])
        owner = lead.user_id
        with self.assertRaisesRegex(UserError, "ask a site manager"):
            lead.with_user(owner).write({"phone": "13700001111"})
        lead.with_user(owner).write({"phone": "+86 138 1234 5678"})  # the same number, written differently
        lead.with_user(self.manager).write({"phone": "13700001111"})
        self.assertEqual(lead.customer_mobile, "+8613700001111")

    def test_leads_typed_in_have_no_owner_until_registered(self):
        """RO-1, ID-1: consultants register customers at the reception desk, never by New, Duplicate or an
        import; a site manager may file a relative known by name and number only, owned by nobody until a
        visit or call is registered; a mistyped number is refused wherever it is typed."""
        Lead = self.env["crm.lead"]
        values = {"name": "赵六", "team_id": self.team.id, "phone": "13600001234", "user_id": self.li.id}
        with self.assertRaisesRegex(UserError, "registered at the reception desk"):
            Lead.with_user(self.li).create(values)
        imported = Lead.with_user(self.li).load(
            ["name", "team_id/.id", "phone"], [["赵七", str(self.team.id), "13600005678"]]
        )
        self.assertFalse(imported["ids"])
        self.assertIn("registered at the reception desk", imported["messages"][0]["message"])
        registered = Lead.browse(self.register()["lead_id"])
        with self.assertRaisesRegex(UserError, "cannot be duplicated"):
            registered.with_user(registered.user_id).copy()
        with self.assertRaisesRegex(ValidationError, "abc is not a valid mobile number"):
            Lead.with_user(self.manager).create(dict(values, phone="abc"))
        with self.assertRaisesRegex(ValidationError, "xyz is not a valid mobile number"):
            registered.with_user(self.manager).write({"phone": "xyz"})
        lead = Lead.with_user(self.manager).create(values)
        self.assertFalse(lead.user_id)
        self.assertFalse(lead.protection_id)
        result = self.register(phone="13600001234", customer_name="赵六")
        self.assertEqual(result["lead_id"], lead.id)
        self.assertEqual(lead.user_id.id, result["owner_user_id"])

    def test_visits_and_protections_are_written_by_the_engine_only(self):
        with self.assertRaisesRegex(UserError, "Receive Visitor"):
            self.Visit.with_user(self.li).create({"team_id": self.team.id, "kind": "visit"})
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])
        with self.assertRaises(AccessError):
            lead.protection_id.with_user(self.li).write({"holder_user_id": self.wang.id})
        with self.assertRaises(AccessError):
            lead.ownership_log_ids.with_user(self.manager).unlink()

    def test_every_assignment_is_logged_with_who_when_rule_before_after(self):
        result = self.register(user=self.li)
        lead = self.env["crm.lead"].browse(result["lead_id"])
        log = lead.ownership_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.event, "assign")
        self.assertEqual(log.rule, "RO-1")
        self.assertEqual(log.date, T0)
        self.assertEqual(log.author_id, self.li)
        self.assertFalse(log.old_user_id)
        self.assertEqual(log.new_user_id.id, result["owner_user_id"])
        self.assertEqual(log.visit_id.id, result["visit_id"])
        self.assertIn("RO-1", log.explanation)
        message = lead.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("real_estate_attribution.mt_ownership_change")
        )
        self.assertEqual(len(message), 1)
        self.assertIn("RO-1", message.body)

    def test_followups_are_logged_as_renewals(self):
        result = self.register()
        self.follow_up(result["lead_id"], self.li, self.days(5))
        renewals = self.env["real.estate.ownership.log"].search(
            [("lead_id", "=", result["lead_id"]), ("event", "=", "renew")]
        )
        self.assertEqual(renewals.rule, "PR-1")
        self.assertEqual(renewals.date, self.days(5))

    def test_won_customer_stays_with_the_holder(self):
        """A deal converts the protection; the holder keeps the customer after the window."""
        result = self.register()
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.sign_deal(lead, at=self.days(3))
        self.assertEqual(lead.protection_id.state, "converted")
        attribution = self.attribution(lead.id, self.days(200))
        self.assertEqual(attribution["owner_user_id"], self.li.id)
        self.assertEqual(attribution["protection_state"], "converted")
        self.assertEqual(lead.ownership_log_ids.filtered(lambda log: log.event == "convert").new_user_id, self.li)

    def test_manager_releases_a_protection_with_a_reason(self):
        result = self.register()
        lead = self.env["crm.lead"].browse(result["lead_id"])
        with self.assertRaises(AccessError):
            self.env["real.estate.protection.release"].with_user(self.li).create(
                {"protection_id": lead.protection_id.id, "reason": "mine"}
            )
        with freeze_time(self.days(2)):
            self.env["real.estate.protection.release"].with_user(self.manager).create(
                {"protection_id": lead.protection_id.id, "reason": "客户投诉要求换顾问"}
            ).action_release()
        self.assertEqual(lead.protection_id.state, "released")
        self.assertTrue(lead.in_public_pool)
        self.assertFalse(lead.user_id)
        log = lead.ownership_log_ids.filtered(lambda log: log.event == "release")
        self.assertEqual(log.author_id, self.manager)
        self.assertEqual(log.rule, "PR-3")
        self.assertIn("客户投诉要求换顾问", log.explanation)
        self.assertEqual(self.attribution(lead.id, self.days(2, 1))["rule"], "PR-3")

    def test_new_customer_file_opened_for_its_holder(self):
        """ID-1, PR-1: a new customer's file is opened held by its owner and the protection only links to it:
        stock CRM's assignment runs once, with the file's creation. The holder follows the customer, and the
        audit says nobody held the file before."""
        self.make_roster([self.li, self.wang])
        answer = self.register(phone="13812340001", customer_name="赵敏")
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertEqual(lead.user_id.id, answer["owner_user_id"])
        self.assertEqual(lead.protection_id.holder_user_id, lead.user_id)
        self.assertFalse(lead.in_public_pool)
        self.assertIn(lead.user_id.partner_id, lead.message_partner_ids)
        log = self.env["real.estate.ownership.log"].search([("lead_id", "=", lead.id)])
        self.assertEqual(log.mapped("event"), ["assign"])
        self.assertFalse(log.old_user_id)
        self.assertEqual(log.new_user_id, lead.user_id)


class TestOfficeSettings(AttributionCase):
    def test_defaults_follow_the_rulebook(self):
        """ID-3, ID-4, PR-1, PR-2, PR-3, PR-5, RO-2, RO-4, RO-5, RO-6: defaults of RULES.md."""
        team = self.env["crm.team"].create({"name": "New Office", "is_sales_office": True})
        self.assertEqual(
            {
                name: team[name]
                for name in (
                    "visit_protection_days",
                    "call_protection_days",
                    "followup_lapse_days",
                    "household_includes_siblings",
                    "researcher_to_last",
                    "former_consultant_reclaims",
                    "require_three_questions",
                    "absent_loses_turn",
                    "designation_counts_as_turn",
                    "service_visit_consumes_turn",
                    "phone_region",
                    "office_tz",
                )
            },
            {
                "visit_protection_days": 60,
                "call_protection_days": 30,
                "followup_lapse_days": 30,
                "household_includes_siblings": False,
                "researcher_to_last": True,
                "former_consultant_reclaims": True,
                "require_three_questions": True,
                "absent_loses_turn": True,
                "designation_counts_as_turn": False,
                "service_visit_consumes_turn": False,
                "phone_region": "CN",
                "office_tz": "Asia/Shanghai",
            },
        )

    def test_periods_must_be_positive(self):
        """PR-1 settings: a protection period of zero days is refused by the database."""
        with self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.team.visit_protection_days = 0
            self.team.flush_recordset()


class TestConsultantPrivacy(AttributionCase):
    def test_consultants_see_their_own_records_only(self):
        """A consultant reads the visits, protections and history of their own customers only."""
        self.make_roster([self.li, self.wang])
        mine = self.walk_in(1)
        theirs = self.walk_in(2)
        Visit = self.Visit.with_user(self.li)
        self.assertEqual(Visit.search([]).ids, [mine["visit_id"]])
        self.assertEqual(
            self.env["real.estate.protection"].with_user(self.li).search([]).lead_id.ids, [mine["lead_id"]]
        )
        self.assertNotIn(
            theirs["lead_id"], self.env["real.estate.ownership.log"].with_user(self.li).search([]).lead_id.ids
        )
        self.assertEqual(len(self.Visit.with_user(self.manager).search([("team_id", "=", self.team.id)])), 2)


class TestOwnershipLogChain(AttributionCase):
    """The ownership log is tamper-evident: each entry's hash chains it to the previous entry of its office."""

    def setUp(self):
        super().setUp()
        self.Log = self.env["real.estate.ownership.log"]
        for n in range(4):
            self.register(at=T0 + timedelta(minutes=n), customer_name="链%s" % n, phone="1391234000%s" % n)
        self.Log._seal([self.team.id])

    def test_verify_holds_on_an_untouched_log(self):
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertTrue(result["ok"], result["message"])
        self.assertEqual(result["checked"], self.Log.search_count([("team_id", "=", self.team.id)]))
        self.assertFalse(result["first_bad_id"])
        entries = self.Log.search([("team_id", "=", self.team.id)], order="seal_seq")
        self.assertEqual(entries.mapped("seal_seq"), list(range(1, len(entries) + 1)))
        self.assertEqual(entries[1:].mapped("prev_hash"), entries[:-1].mapped("entry_hash"))

    def test_verify_points_at_an_entry_edited_with_sql(self):
        entries = self.Log.search([("team_id", "=", self.team.id)], order="seal_seq")
        victim = entries[2]
        self.env.cr.execute(
            "UPDATE real_estate_ownership_log SET new_user_id = %s WHERE id = %s", [self.wang.id, victim.id]
        )
        self.env.invalidate_all()
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertFalse(result["ok"])
        self.assertEqual((result["first_bad_id"], result["first_bad_position"]), (victim.id, victim.seal_seq))
        self.assertIn(str(victim.id), result["message"])

    def test_verify_points_at_a_deleted_or_rechained_entry(self):
        entries = self.Log.search([("team_id", "=", self.team.id)], order="seal_seq")
        self.env.cr.execute("DELETE FROM real_estate_ownership_log WHERE id = %s", [entries[1].id])
        self.env.invalidate_all()
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertEqual(result["first_bad_id"], entries[2].id, "the entry after the gap no longer links")

    def test_later_entries_extend_the_chain_and_only_managers_verify(self):
        before = self.Log.search_count([("team_id", "=", self.team.id)])
        self.register(at=T0 + timedelta(hours=1), customer_name="链后", phone="13912349999")
        self.assertEqual(self.Log._seal([self.team.id]), 1)
        self.assertTrue(self.Log.with_user(self.manager).verify(self.team.id)["ok"])
        self.assertEqual(self.Log.search_count([("seal_seq", "!=", False), ("team_id", "=", self.team.id)]), before + 1)
        with self.assertRaises(AccessError):
            self.Log.with_user(self.li).verify(self.team.id)
        with self.assertRaises(UserError):
            self.Log.with_user(self.manager).verify(999999)


class TestOwnershipLogChainInRanges(AttributionCase):
    """DI-3: the chain is sealed and verified a range of entries at a time (memory flat whatever the log's
    size); the ranges change nothing in the hashes nor in the answers."""

    def setUp(self):
        super().setUp()
        self.Log = self.env["real.estate.ownership.log"]
        self.env["ir.config_parameter"].sudo().set_param("real_estate_attribution.audit_chain_range_size", 3)
        for n in range(11):  # one entry each: four ranges of three
            self.walk_in(n, at=T0 + timedelta(minutes=n))
        self.sealed = self.Log._seal([self.team.id])
        self.entries = self.Log.search([("team_id", "=", self.team.id)], order="seal_seq")

    def expected_links(self):
        """The chain as one pass over every entry in the order written computes it."""
        head, links = GENESIS, []
        for entry_id, _seq, _prev, _hash, payload in sorted(self.Log._chain_rows(SQL("team_id = %s", self.team.id))):
            entry_hash = self.Log._chain_hash(entry_id, head, payload)
            links.append((entry_id, len(links) + 1, head, entry_hash))
            head = entry_hash
        return links

    def test_di3_sealing_in_chunks_links_across_their_boundaries(self):
        self.assertEqual(self.sealed, 11, "four chunks of three, the last one short")
        self.assertEqual(self.sealed, len(self.entries))
        actual = [(e.id, e.seal_seq, e.prev_hash, e.entry_hash) for e in self.entries]
        self.assertEqual(actual, self.expected_links())
        self.walk_in(50, at=T0 + timedelta(hours=1))
        self.walk_in(51, at=T0 + timedelta(hours=2))
        self.assertEqual(self.Log._seal([self.team.id]), 2, "only the new entries, linked to the chain's head")
        self.env.invalidate_all()
        entries = self.Log.search([("team_id", "=", self.team.id)], order="seal_seq")
        self.assertEqual([(e.id, e.seal_seq, e.prev_hash, e.entry_hash) for e in entries], self.expected_links())

    def test_di3_verify_counts_an_intact_chain_over_several_ranges(self):
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertTrue(result["ok"], result["message"])
        self.assertGreater(len(self.entries), 3 * 2)
        self.assertEqual(result["checked"], len(self.entries))
        self.assertIn(str(len(self.entries)), result["message"])

    def test_di3_verify_finds_a_change_in_a_later_range_at_its_position(self):
        victim = self.entries[7]  # position 8: the third range of three
        self.env.cr.execute("UPDATE real_estate_ownership_log SET reason = 'edited' WHERE id = %s", [victim.id])
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertFalse(result["ok"])
        self.assertEqual((result["first_bad_id"], result["first_bad_position"]), (victim.id, 8))
        self.assertEqual(result["checked"], 7)

    def test_di3_verify_finds_a_gap_at_a_range_boundary(self):
        gone, after = self.entries[3], self.entries[4]  # position 4 opens the second range
        self.env.cr.execute("DELETE FROM real_estate_ownership_log WHERE id = %s", [gone.id])
        self.env.invalidate_all()
        result = self.Log.with_user(self.manager).verify(self.team.id)
        self.assertEqual((result["first_bad_id"], result["first_bad_position"], result["checked"]), (after.id, 5, 3))


class TestExpiryAudit(AttributionCase):
    """PR-3, GR-1: the set-based expiry keeps the audit whole: one log row per protection with the facts of
    the explanation, call-backs gone with the owner, and an office chain that seals and verifies."""

    def callbacks(self, leads):
        activity_type = self.env.ref("real_estate_attribution.mail_activity_type_callback")
        return self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("activity_type_id", "=", activity_type.id)]
        )

    def test_pr3_gr1_expiry_drops_call_backs_logs_the_facts_and_extends_the_chain(self):
        leads = self.env["crm.lead"].browse(
            [self.walk_in(n, at=T0 + timedelta(minutes=n))["lead_id"] for n in range(3)]
        )
        self.register(at=self.days(20), phone="13900000002", customer_name="客户2")  # renewed: stays
        Log = self.env["real.estate.ownership.log"]
        Log._seal([self.team.id])
        self.assertEqual(len(self.callbacks(leads)), 3)
        with freeze_time(self.days(31)):
            self.assertEqual(self.env["real.estate.protection"]._cron_expire(batch_size=1), 2)
        expired, kept = leads[:2], leads[2]
        self.assertFalse(self.callbacks(expired), "GR-1: no owner, no call-back")
        self.assertEqual(len(self.callbacks(kept)), 1)
        logs = Log.search([("lead_id", "in", leads.ids), ("event", "=", "expire")], order="id")
        self.assertEqual(logs.lead_id, expired)
        engine = self.env["real.estate.ownership.engine"]
        for log in logs:
            facts = {
                key: fields.Datetime.to_string(value) if isinstance(value, datetime) else value
                for key, value in engine._protection_params(log.protection_id).items()
            }
            self.assertEqual({key: log.explanation_params[key] for key in facts}, facts)
            self.assertEqual(log.protection_id.state, "expired")
        self.assertEqual(Log._seal([self.team.id]), 2)
        result = Log._verify_chain(self.team)
        self.assertTrue(result["ok"], result["message"])
        self.assertEqual(result["checked"], Log.search_count([("team_id", "=", self.team.id)]))
