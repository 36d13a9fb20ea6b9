from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.real_estate_attribution.tools import identity, records
from odoo.addons.real_estate_attribution.tools.engine import check_engine_create

from .rule_channel import CLAIM_STATES, VISITED_STATES, ReportClaim

#: The channel's and the agent's fields a submit reads: they are read with these only.
CHANNEL_FIELDS = ("name", "active", "company_id", "parent_id", "channel_kind", "channel_id")

#: Why a report was refused or voided (CH-1 to CH-14, ID-2), as the office and the agent read it.
REASON_CODES = [
    ("too_late", "Reported Too Late (CH-1)"),
    ("already_customer", "Already a Customer (CH-2)"),
    ("protected_by_other", "Held by Another Party (CH-2, CH-4)"),
    ("duplicate_report", "Already Reported by the Channel"),
    ("repeat_limit", "Report Limit Reached (CH-6)"),
    ("flagged", "Flagged Day (CH-6)"),
    ("masked_not_allowed", "Full Number Required (ID-2)"),
    ("full_not_allowed", "Masked Number Required (ID-2)"),
    ("invalid_phone", "Invalid Mobile Number"),
    ("employee", "Employee or Relative (CH-10)"),
    ("repeat_purchase", "Repeat Purchase (CH-10)"),
    ("parking", "Parking Space (CH-10)"),
    ("out_of_scope", "Outside the Agreement (CH-10)"),
    ("channel_suspended", "Cooperation Suspended (CH-13)"),
    ("agent_barred", "Agent Barred from the Project (CH-13)"),
    ("accompanied_by_other", "Brought in Person by a Canvasser (CH-12)"),
    ("old_customer_referral", "Old Customer's Referral (CH-14)"),
]
#: The furthest ahead an expected arrival may lie (days).
MAX_PLANNED_DAYS = 366
REPORT_STATES = [
    ("submitted", "Submitted"),
    ("valid", "Valid"),
    ("rejected", "Rejected"),
    ("visited", "Visited"),
    ("confirmed", "Confirmed"),
    ("lapsed", "Lapsed"),
    ("won", "Won"),
]


class RealEstateReport(models.Model):
    """A channel's report of a customer (报备), decided at submission by the ownership engine."""

    _name = "real.estate.report"
    _description = "Channel Report"
    _inherit = ["mail.thread", "real.estate.private.number", "real.estate.api.values"]
    _order = "reported_at desc, id desc"
    _private_number_fields = ("phone", "customer_mobile", "referrer_phone", "claim_key", "match_key")

    name = fields.Char(default="/", readonly=True, copy=False)
    # indexed with the report time (real_estate_report_team_day, init)
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, readonly=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True, precompute=True)
    channel_id = fields.Many2one("res.partner", required=True, index=True, readonly=True)
    channel_kind = fields.Selection(related="channel_id.channel_kind", store=True, precompute=True)
    agent_id = fields.Many2one("res.partner", readonly=True)
    customer_name = fields.Char(required=True, readonly=True)
    customer_surname = fields.Char(compute="_compute_customer_surname", store=True, precompute=True)
    # full numbers are for the office's staff: agents read them through the portal pages only (ID-2)
    phone = fields.Char(string="Reported Number", readonly=True, groups="base.group_user")
    customer_mobile = fields.Char(string="Full Number", readonly=True, index=True, groups="base.group_user")
    masked_prefix = fields.Char(readonly=True)
    masked_suffix = fields.Char(readonly=True)
    phone_masked = fields.Char(string="Masked Number", compute="_compute_phone_masked")
    match_key = fields.Char(
        compute="_compute_match_key",
        store=True,
        precompute=True,
        index=True,
        groups="base.group_user",
        help="ID-2: the number's first three and last four digits (or the full number abroad), shared by the full "
        "and the masked reports of one customer: one indexed lookup finds them all.",
    )
    claim_key = fields.Char(
        readonly=True, groups="base.group_user", help="The customer's key in the one-claim-per-customer index."
    )
    expected_visit = fields.Datetime(required=True, readonly=True)
    reported_at = fields.Datetime(
        string="Entered", required=True, readonly=True, index=True, help="CH-11: entry time in the system."
    )
    valid_until = fields.Datetime(readonly=True)
    product = fields.Selection([("home", "Home"), ("parking", "Parking Space")], default="home", readonly=True)
    referrer_phone = fields.Char(string="Brought by (Old Customer)", readonly=True, groups="base.group_user")
    state = fields.Selection(
        REPORT_STATES, default="submitted", required=True, readonly=True, index=True, tracking=True
    )
    effective_state = fields.Selection(REPORT_STATES, compute="_compute_effective_state")
    deal_state = fields.Selection(
        [("subscribed", "Subscribed"), ("signed", "Signed")],
        string="Deal",
        compute="_compute_deal_state",
        help="UC-4, UC-5: how far the reported customer's deal went; a channel sees its own customers' deals only.",
    )
    reason_code = fields.Selection(REASON_CODES, string="Reason", readonly=True, index=True)
    reason_params = fields.Json(readonly=True)
    message = fields.Text(compute="_compute_message")
    # the office's records: agents see their report, never whose customer file it matched
    lead_id = fields.Many2one("crm.lead", string="Customer", readonly=True, index=True, groups="base.group_user")
    visit_id = fields.Many2one("real.estate.visit", readonly=True, groups="base.group_user")
    confirmation_id = fields.Many2one("real.estate.visit.confirmation", readonly=True)
    protection_id = fields.Many2one("real.estate.protection", readonly=True, groups="base.group_user")
    is_accompanied = fields.Boolean(string="Accompanied Visit", readonly=True, help="CH-12: brought in person.")
    # analysis measures: averaged they give rates
    valid_rate = fields.Float(
        compute="_compute_rates", store=True, precompute=True, aggregator="avg", string="Valid Rate (%)"
    )
    visit_rate = fields.Float(
        compute="_compute_rates", store=True, precompute=True, aggregator="avg", string="Visit Rate (%)"
    )
    deal_count = fields.Integer(compute="_compute_rates", store=True, precompute=True, aggregator="sum", string="Deals")

    def init(self):
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS real_estate_report_one_claim
                ON real_estate_report (team_id, claim_key)
             WHERE state IN %s
            """,
            [CLAIM_STATES],
        )
        # an office's reports (its lookups lead with the office), and those of a day: CH-6's daily review
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS real_estate_report_team_day ON real_estate_report (team_id, reported_at)"
        )

    def _private_number_holder(self):
        """ID-2: in the office, the consultant holding the customer reads the reported number."""
        return self.lead_id._private_number_holder()

    @api.depends("customer_name")
    def _compute_customer_surname(self):
        for report in self:
            report.customer_surname = identity.surname(report.customer_name)

    @api.depends("customer_mobile", "masked_prefix", "masked_suffix")
    def _compute_phone_masked(self):
        for report in self:
            if report.customer_mobile:
                report.phone_masked = identity.mask_phone(report.customer_mobile)
            elif report.masked_prefix:
                report.phone_masked = "%s%s%s" % (report.masked_prefix, identity.MASK, report.masked_suffix)
            else:
                report.phone_masked = ""

    @api.depends("customer_mobile", "masked_prefix", "masked_suffix")
    def _compute_match_key(self):
        for report in self:
            report.match_key = identity.number_match_key(
                report.customer_mobile, report.masked_prefix, report.masked_suffix
            )

    @api.depends("state", "valid_until")
    def _compute_effective_state(self):
        now = fields.Datetime.now()
        for report in self:
            report.effective_state = report._state_at(now)

    @api.depends("state")
    def _compute_deal_state(self):
        """The deal of a customer the report brought (visited, confirmed or won), never another's."""
        for report in self:
            deals = report.sudo().lead_id.subscription_ids.filtered(lambda deal: deal.state in ("subscribed", "signed"))
            brought = report.state in VISITED_STATES
            signed = "signed" in deals.mapped("state")
            report.deal_state = ("signed" if signed else "subscribed") if brought and deals else False

    @api.depends_context("lang")
    @api.depends("reason_code", "reason_params", "state")
    def _compute_message(self):
        engine = self.env["real.estate.ownership.engine"]
        for report in self:
            report.message = engine._report_message(report.sudo())

    @api.depends("state")
    def _compute_rates(self):
        for report in self:
            report.valid_rate = 0.0 if report.state in ("rejected", "submitted") else 100.0
            report.visit_rate = 100.0 if report.state in VISITED_STATES else 0.0
            report.deal_count = 1 if report.state == "won" else 0

    def _state_at(self, at):
        """CH-3: a valid report past its validity reads as lapsed before the cron runs."""
        self.ensure_one()
        if self.state == "valid" and self.valid_until and self.valid_until <= at:
            return "lapsed"
        return self.state

    def _matches(self, full, masked, surname):
        """ID-2: does this report name the customer given by a full or a masked number and a surname?"""
        self.ensure_one()
        if full:
            if self.customer_mobile:
                return self.customer_mobile == full
            return (
                identity.masked_matches(self.masked_prefix, self.masked_suffix, full)
                and self.customer_surname == surname
            )
        prefix, suffix = masked
        if self.customer_mobile:
            return identity.masked_matches(prefix, suffix, self.customer_mobile) and self.customer_surname == surname
        return (self.masked_prefix, self.masked_suffix) == (prefix, suffix) and self.customer_surname == surname

    def _is_contested(self):
        """CH-6: another party claims the same customer (another channel, or the office itself)."""
        self.ensure_one()
        engine = self.env["real.estate.ownership.engine"]
        masked = (self.masked_prefix, self.masked_suffix) if self.masked_prefix else ()
        others = engine._reports_of(self.team_id, self.customer_mobile, masked, self.customer_surname)
        if (others - self).filtered(lambda r: r.channel_id != self.channel_id):
            return True
        held = self.lead_id.protection_ids.filtered(lambda p: p.holder_channel_id != self.channel_id)
        return bool(held) or self.reason_code == "protected_by_other"

    @api.model_create_multi
    def create(self, vals_list):
        check_engine_create(
            self, self.env._("Reports are submitted with the report form, the portal or the API (submit).")
        )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # the engine makes reports in their office's company (stock's next_by_code: the user's)
                vals["name"] = records.next_number(self, "real.estate.report", self.env.company) or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # XML-RPC API
    # ------------------------------------------------------------------
    @api.model
    def submit(self, vals):
        """Submit a report and return the decision at once.

        ``vals``: ``team_id``, ``channel_id``, ``customer_name``, ``phone``
        (full or masked), ``expected_visit`` and optionally ``agent_id``,
        ``at`` (import group only), ``product``, ``referrer_phone``. Returns
        ``{report_id, state, reason_code, message, valid_until}``.
        """
        user = self.env.user
        if not (
            user.has_group("real_estate_attribution.group_consultant")
            or (self._is_outside_user() and user.partner_id.channel_id)
        ):
            raise AccessError(
                self.env._("Reports are submitted by a channel's agents or the office's consultants (CH-1).")
            )
        claim = self._prepare_claim(vals)
        report = self.env["real.estate.ownership.engine"].submit_report(claim)
        return report.with_env(self.env)._api_result()

    @api.model
    def _is_outside_user(self):
        """A portal agent (a share user). Told by the user's groups, which Odoo caches, rather than by reading
        the user's record: a ``submit`` of the office's own staff then never reads it."""
        return not self.env.user.has_group("base.group_user")

    def _api_result(self):
        self.ensure_one()
        report = self.sudo()
        return {
            "report_id": report.id,
            "state": report.state,
            "reason_code": report.reason_code or False,
            "message": report.with_context(lang=self.env.lang).message,
            "valid_until": fields.Datetime.to_string(report.valid_until) if report.valid_until else False,
        }

    @api.model
    def _submit_keys(self):
        return {
            "team_id",
            "channel_id",
            "agent_id",
            "customer_name",
            "phone",
            "expected_visit",
            "at",
            "product",
            "referrer_phone",
        }

    @api.model
    def _prepare_claim(self, vals):
        """Check the structure of ``submit`` input; business refusals become rejected reports."""
        Visit = self.env["real.estate.visit"]
        if not isinstance(vals, dict):
            raise ValidationError(self.env._("submit expects one dictionary of values."))
        unknown = sorted(set(vals) - self._submit_keys())
        if unknown:
            raise ValidationError(self.env._("Unknown keys: %(keys)s.", keys=", ".join(map(str, unknown))))
        # portal agents cannot read sales offices; CH-10 refuses offices outside their agreements
        team = (Visit.sudo() if self._is_outside_user() else Visit)._api_team(
            vals.get("team_id"), self.env["crm.team"]._report_fields()
        )
        channel, agent = self._api_channel_and_agent(vals)
        name = Visit._api_text(vals, "customer_name")
        if not name:
            raise ValidationError(self.env._("The customer's name is required."))
        phone = Visit._api_text(vals, "phone")
        at = Visit._api_at(vals.get("at"))
        expected_visit = self._api_datetime(vals.get("expected_visit"), "expected_visit")
        self._check_expected_visit(expected_visit, at)
        claim = ReportClaim(
            team=team,
            channel=channel,
            agent=agent,
            at=at,
            customer_name=name,
            phone=phone,
            expected_visit=expected_visit,
            surname=identity.surname(name),
            product=Visit._api_choice(vals, "product", {"home": 1, "parking": 1}, "home"),
            referrer_phone=Visit._api_text(vals, "referrer_phone"),
        )
        masked = identity.parse_masked(phone)
        if masked:
            claim.masked = masked
        else:
            claim.identity = self._api_phone(team, phone)
        if claim.referrer_phone:
            self._api_phone(team, claim.referrer_phone)
        return claim

    @api.model
    def _api_phone(self, team, phone):
        """ID-1, ID-2: a mistyped number is bad input, refused with nothing written: no report is numbered
        for a typo."""
        try:
            return identity.normalize_phone(phone, team.phone_region)
        except identity.InvalidPhone:
            raise ValidationError(
                self.env._(
                    "%(phone)s is not a mobile number: give the 11 digits, or the masked form 138****5678 (ID-1, "
                    "ID-2).",
                    phone=phone or "''",
                )
            ) from None

    @api.model
    def _check_expected_visit(self, expected_visit, at):
        """CH-1: a report comes before the arrival; an arrival already past is a typo, refused with nothing
        written. A year ahead is the furthest a visit is planned."""
        if expected_visit < at:
            raise ValidationError(
                self.env._(
                    "The expected arrival (%(expected)s UTC) is already past: a report comes before the customer "
                    "arrives (CH-1).",
                    expected=fields.Datetime.to_string(expected_visit),
                )
            )
        if expected_visit > at + timedelta(days=MAX_PLANNED_DAYS):
            raise ValidationError(
                self.env._(
                    "The expected arrival (%(expected)s UTC) is more than a year ahead: check the date.",
                    expected=fields.Datetime.to_string(expected_visit),
                )
            )

    @api.model
    def _api_channel_and_agent(self, vals):
        """The reporting channel and agent; portal agents always report for their own channel."""
        Partner = self.env["res.partner"].sudo()
        user = self.env.user
        if self._is_outside_user():
            agent = user.partner_id
            channel = agent.sudo().channel_id
            if not channel:
                raise AccessError(self.env._("Only agents of a channel may submit reports."))
            if vals.get("channel_id") not in (None, False, channel.id):
                raise AccessError(self.env._("An agent reports for their own channel only."))
            return channel, agent
        channel_id, agent_id = vals.get("channel_id"), vals.get("agent_id")
        if not isinstance(channel_id, int) or isinstance(channel_id, bool):
            raise ValidationError(self.env._("channel_id must be the integer id of a channel."))
        agent_given = isinstance(agent_id, int) and not isinstance(agent_id, bool)
        # the channel and the agent are read in one query
        found = records.existing(Partner, [channel_id, agent_id] if agent_given else channel_id, CHANNEL_FIELDS)
        channel = found.filtered(lambda partner: partner.id == channel_id)
        if not channel or not channel.channel_kind:
            raise UserError(self.env._("Unknown channel: %(id)s.", id=channel_id))
        agent = Partner
        if agent_id:
            if not agent_given:
                raise ValidationError(self.env._("agent_id must be the integer id of an agent."))
            agent = found.filtered(lambda partner: partner.id == agent_id)
            if not agent or agent.channel_id != channel:
                raise ValidationError(
                    self.env._("Agent %(id)s does not work for %(channel)s.", id=agent_id, channel=channel.name)
                )
        return channel, agent

    @api.model
    def _api_datetime(self, value, key):
        try:
            return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
        except (AttributeError, ValueError):
            raise ValidationError(
                self.env._("%(key)s must be a UTC time written YYYY-MM-DD HH:MM:SS.", key=key)
            ) from None

    # ------------------------------------------------------------------
    @api.model
    def _cron_lapse(self):
        """CH-3, CH-7: valid reports past their validity, and visits never confirmed, lapse."""
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        valid = self.sudo().search([("state", "=", "valid"), ("valid_until", "<=", now)])
        valid.write({"state": "lapsed"})
        engine._lapse_unconfirmed(now)
        return len(valid)
