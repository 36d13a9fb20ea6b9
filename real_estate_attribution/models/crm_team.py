import re

import phonenumbers
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import identity

#: A setting's help starts with the rules it sets ("CH-3: ..."); the office form adds the rulebook's default.
RULE_SETTING_HELP = re.compile(r"^[A-Z]{2}-\d+(?:, [A-Z]{2}-\d+)*:")


class CrmTeam(models.Model):
    """A sales team flagged as a sales office (案场) carries the office's rules.

    Every parameter of the ID, PR and RO rule families lives here, with the
    defaults of RULES.md, so that each office can tune its own rulebook.
    """

    _name = "crm.team"
    _inherit = ["crm.team", "real.estate.api.ids"]

    is_sales_office = fields.Boolean(
        string="Sales Office",
        help="Apply the sales-office attribution rules (案场判客) to this team's customers.",
    )
    office_tz = fields.Selection(
        _tz_get,
        string="Office Timezone",
        default="Asia/Shanghai",
        required=True,
        help="Timezone of the office: it decides the day of the duty roster.",
    )
    # ID family
    phone_region = fields.Char(
        string="Default Phone Region",
        default=identity.MAINLAND_REGION,
        required=True,
        help="ID-1: region used to read numbers written without a country code.",
    )
    household_includes_siblings = fields.Boolean(
        string="Siblings Count as Household",
        default=False,
        help="ID-3: when set, brothers and sisters count as one customer with the household.",
    )
    researcher_to_last = fields.Boolean(
        string="Market Researchers to Last in Rotation",
        default=True,
        help="ID-4: a confirmed market researcher is received by the last consultant in the rotation.",
    )
    # PR family
    visit_protection_days = fields.Integer(
        string="Visit Protection (days)",
        default=60,
        help="PR-1: a visit registration protects the customer this many days from the last follow-up.",
    )
    call_protection_days = fields.Integer(
        string="Call Protection (days)",
        default=30,
        help="PR-1: a call registration protects the customer this many days from the last follow-up.",
    )
    followup_lapse_days = fields.Integer(
        string="Follow-up Deadline (days)",
        default=30,
        help="PR-2: without a follow-up within this many days of the last contact the customer "
        "loses protection. 0 disables the rule.",
    )
    protection_counts_from = fields.Selection(
        [("moment", "From the Moment of the Registration"), ("next_day", "From the Next Day")],
        string="Protection Days Count",
        default="moment",
        required=True,
        help="PR-6: from the moment of the registration or follow-up, or from the next day (one rulebook: entered "
        "on the 1st, a 15-day protection covers the 2nd to the 16th).",
    )
    call_registration = fields.Selection(
        [("protects", "A Call Protects the Customer"), ("record", "Calls Are Records Only")],
        string="Call Registrations",
        default="protects",
        required=True,
        help="PR-7: a call registration protects the customer for the call protection period (PR-1), or is a "
        "record only that protects nobody (另一案场：来电登记内容不作为确定客户归属的依据).",
    )
    call_rotation = fields.Selection(
        [("shared", "In the Visit Rotation"), ("separate", "A Call Rotation of Its Own")],
        string="Calls Answered",
        default="shared",
        required=True,
        help="PR-7, RO-1: calls are answered in rotation like visits: in the visit rotation (a call takes the "
        "next visit turn), or in a call rotation of their own, with its own turns and make-up turns.",
    )
    former_consultant_reclaims = fields.Boolean(
        default=True,
        help="PR-3: a customer back from the public pool who names the former consultant goes back to them.",
    )
    require_three_questions = fields.Boolean(
        string="Three Questions Required",
        default=True,
        help="PR-5: the reception form insists that the three questions were asked.",
    )
    helper_closing_split = fields.Selection(
        [("owner", "All to the Registered Consultant"), ("half", "Same-Day Close Shared 50/50")],
        string="Helper Closing for an Absent Consultant",
        default="owner",
        required=True,
        help="CS-3: B absent, C helps and closes on the spot: B gets all; or (another rulebook) a helper who "
        "closes the same day shares 50/50 with B (当日成交，奖金五五分成).",
    )
    forgotten_customer_rule = fields.Selection(
        [("registration", "By the Registration"), ("recognition", "By Recognition within a Month")],
        string="Forgotten First Consultant",
        default="registration",
        required=True,
        help="CS-5: a customer who forgot the first consultant: credit follows the first registration, or "
        "is split 50/50 when the first consultant recognises them within a month after the deal.",
    )
    # GR family
    launch_date = fields.Date(
        string="First Opening (开盘)",
        help="GR-1, CH-16: the project's first opening (首开): A customers are called more often after it (GR-1); a "
        "report made before it stays valid until some days after it (CH-16).",
    )
    grade_a_calls_per_week = fields.Integer(
        string="A: Calls per Week before Launch", default=2, help="GR-1: at least this many call-backs a week."
    )
    grade_a_days_after_launch = fields.Integer(
        string="A: Days between Calls after Launch", default=2, help="GR-1: call back within this many days."
    )
    grade_b_days = fields.Integer(string="B: Days between Calls", default=5, help="GR-2: every 3 to 5 days.")
    grade_c_days = fields.Integer(string="C: Days between Calls", default=7, help="GR-3: at least weekly.")
    service_response_hours = fields.Integer(
        string="Answer Enquiries within (hours)", default=24, help="GR-5: first call-back after an enquiry."
    )
    service_assessment_days = fields.Integer(
        string="Assess Needs within (days)", default=3, help="GR-5: the customer is graded within this time."
    )
    service_weekly_days = fields.Integer(
        string="Follow Open Customers every (days)", default=7, help="GR-5: at least weekly while open."
    )
    review_stale_days = fields.Integer(
        string="Weekly Review: Days without Progress",
        default=7,
        help="GR-1, GR-2: A and B customers without a stage change this long are proposed for a downgrade.",
    )
    # RO family
    absent_loses_turn = fields.Boolean(
        string="Absence Loses the Turn",
        default=True,
        help="RO-2: a consultant absent without reason loses the turn (no make-up).",
    )
    designation_counts_as_turn = fields.Boolean(
        string="Designation Counts as Turn",
        default=False,
        help="RO-4: when set, a visitor who names a consultant consumes that consultant's turn.",
    )
    service_visit_consumes_turn = fields.Boolean(
        string="Deposit/Signing Visit Consumes Turn",
        default=False,
        help="RO-6: when set, helping a customer who only pays a deposit or signs consumes a turn.",
    )
    old_customer_days = fields.Integer(
        string="Old Customer (days)",
        default=30,
        help="CH-14, CS-13: a customer is 'old' for this many days after their deposit, or after their last visit "
        "when they have not bought; while old, the new customers they bring belong to the old customer's channel "
        "or consultant. Afterwards they are a public resource and their referrals are decided as anyone's. "
        "0: nobody is old.",
    )
    old_customer_minutes = fields.Integer(
        string="Old Customer Reception (minutes)",
        default=60,
        help="RO-5: a consultant receiving an old customer is out of the rotation this long "
        "(or until marked available); the missed turns are made up.",
    )

    office_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_office_currency_id",
        help="The currency of the office's prices, deposits and fines: its company's, else the current one's.",
    )
    # UC family
    unit_hold_hours = fields.Integer(
        string="Unit Hold (hours)",
        default=24,
        help="UC-3: a reservation not followed by a deposit within this many hours is released.",
    )
    deposit_minimum = fields.Monetary(
        string="Minimum Deposit",
        default=20000.0,
        currency_field="office_currency_id",
        help="UC-4: a deposit below this amount waits for the sales manager's approval.",
    )

    # DS family
    default_daily_base_pay = fields.Monetary(
        string="Day's Base Pay",
        currency_field="office_currency_id",
        help="DS-1: a violation is fined the day's base pay (a consultant's own pay on the office's team "
        "overrides it).",
    )
    default_monthly_base_pay = fields.Monetary(
        string="Month's Base Pay",
        currency_field="office_currency_id",
        help="DS-1: a serious violation is fined the month's base pay and a share of the month's bonus.",
    )
    default_monthly_bonus = fields.Monetary(
        string="Month's Bonus", currency_field="office_currency_id", help="DS-1, DS-2: the bonus a share is taken of."
    )
    ds1_serious_bonus_percent = fields.Float(
        string="Serious Violation: Bonus Share (%)",
        default=50.0,
        help="DS-1: in serious cases, the month's base pay and this share of the month's bonus (rulebook: 50%).",
    )
    ds2_bonus_percent = fields.Float(
        string="Provoking a Conflict: Bonus Share (%)",
        default=50.0,
        help="DS-2: dismissal and this share of the month's deal bonus (rulebook: 50%).",
    )
    ds3_fine = fields.Monetary(
        string="Three Questions / Turn: Fine",
        currency_field="office_currency_id",
        help="DS-3: a violation, the turn is lost; the office may add a fine (rulebook: none).",
    )

    _sql_constraints = [
        (
            "discipline_scale_valid",
            "CHECK(ds1_serious_bonus_percent BETWEEN 0 AND 100 AND ds2_bonus_percent BETWEEN 0 AND 100"
            " AND coalesce(default_daily_base_pay, 0) >= 0 AND coalesce(default_monthly_base_pay, 0) >= 0"
            " AND coalesce(default_monthly_bonus, 0) >= 0 AND coalesce(ds3_fine, 0) >= 0)",
            "Pay and fines cannot be negative; bonus shares lie between 0 and 100%.",
        ),
        (
            "unit_rules_positive",
            "CHECK(unit_hold_hours > 0 AND deposit_minimum >= 0)",
            "The unit hold must be positive and the minimum deposit cannot be negative.",
        ),
        (
            "protection_days_positive",
            "CHECK(visit_protection_days > 0 AND call_protection_days > 0)",
            "Protection periods must be positive.",
        ),
        (
            "grade_cadence_positive",
            "CHECK(grade_a_calls_per_week > 0 AND grade_a_days_after_launch > 0 AND grade_b_days > 0"
            " AND grade_c_days > 0 AND service_response_hours > 0 AND service_assessment_days > 0"
            " AND service_weekly_days > 0 AND review_stale_days > 0)",
            "Grade cadences and service levels must be positive.",
        ),
        (
            "followup_lapse_not_negative",
            "CHECK(followup_lapse_days >= 0 AND old_customer_minutes >= 0 AND old_customer_days >= 0)",
            "Follow-up deadline and reception minutes cannot be negative.",
        ),
    ]

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The office's rule settings tell, under the rule they set, the rulebook's default (a newcomer reads
        on the form which rule a setting changes and what the rulebook says)."""
        result = super().fields_get(allfields=allfields, attributes=attributes)
        for name, description in result.items():
            help_text = description.get("help")
            if help_text and RULE_SETTING_HELP.match(help_text) and name in self._fields:
                default = self._rulebook_default(name)
                if default:
                    description["help"] = "%s\n%s" % (
                        help_text,
                        self.env._("Rulebook default: %(value)s.", value=default),
                    )
        return result

    @api.model
    def _rulebook_default(self, name):
        """The default of a rule setting, as the form shows it (empty when it has none)."""
        field = self._fields[name]
        if not field.default:
            return ""
        value = self.default_get([name]).get(name)
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if value in (None, False, ""):
            return ""
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type in ("float", "monetary"):
            return "%g" % value
        return str(value)

    @api.depends("currency_id")
    def _compute_office_currency_id(self):
        for team in self:
            team.office_currency_id = team.currency_id or self.env.company.currency_id

    @api.model
    def _cron_report_grade_a(self):
        """GR-1: A customers are reported to the office's manager daily."""
        for team in self.search([("is_sales_office", "=", True), ("user_id", "!=", False)]):
            leads = self.env["crm.lead"].search(
                [("team_id", "=", team.id), ("grade", "=", "A"), ("stage_id.is_won", "=", False)],
                order="next_followup_at",
            )
            if not leads:
                continue
            lines = Markup("").join(
                Markup("<li>%s · %s · %s</li>") % (lead.name, lead.user_id.name or "-", lead.followup_status or "-")
                for lead in leads
            )
            team.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>") % (self.env._("A customers today (GR-1):"), lines),
                partner_ids=team.user_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _check_office_write(self, vals):
        """Site managers keep their offices' rules; the other sales teams, and which teams are offices,
        stay the sales managers'."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            return  # the access rights refuse it
        others = self.filtered(lambda team: not team.is_sales_office or "is_sales_office" in vals)
        if others:
            raise AccessError(
                self.env._("Site managers change sales offices only; %(team)s is a sales team.", team=others[0].name)
            )

    def action_verify_ownership_log(self):
        """The office's ownership log against its hash chain (tamper evidence), for the site manager."""
        self.ensure_one()
        Log = self.env["real.estate.ownership.log"]
        result = Log.verify(self.id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
                "message": result["message"],
            },
        }

    @api.constrains("phone_region")
    def _check_phone_region(self):
        for team in self:
            if team.phone_region not in phonenumbers.SUPPORTED_REGIONS:
                raise ValidationError(
                    self.env._(
                        "Unknown phone region %(region)s: use a two-letter region code such as CN.",
                        region=team.phone_region,
                    )
                )

    def write(self, vals):
        self._check_office_write(vals)
        result = super().write(vals)
        period_fields = {"visit_protection_days", "call_protection_days", "followup_lapse_days"}
        if period_fields & set(vals):
            protections = (
                self.env["real.estate.protection"]
                .sudo()
                .search([("team_id", "in", self.ids), ("state", "=", "active")])
            )
            protections._refresh_end()
        return result
