from dataclasses import dataclass, field
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.real_estate_attribution.tools import identity, records

#: Report states that hold a claim on the customer (one per customer and office).
CLAIM_STATES = ("valid", "visited")
#: Report states of a customer who came (CH-6's visit rate, a deal the report brought).
VISITED_STATES = ("visited", "confirmed", "won")
#: Protection kinds held by a channel.
CHANNEL_KINDS = ("channel", "accompanied", "in_house")
#: The customer file's fields a report's decision reads (CH-5, CH-6, CH-10): a submit reads the file with
#: these only; a field read beyond them costs one more query.
REPORT_LEAD_FIELDS = (
    "name",
    "active",
    "type",
    "team_id",
    "user_id",
    "stage_id",
    "customer_mobile",
    "protection_id",
    "household_id",
    "is_staff_relative",
    "won_percent",
)

#: A customer's earlier reports' fields the rules read (ID-2's comparison, CH-2 to CH-6, CH-11): they are read with
#: these only; a field read beyond them costs one more query.
CLAIM_REPORT_FIELDS = (
    "name",
    "team_id",
    "channel_id",
    "agent_id",
    "lead_id",
    "state",
    "reported_at",
    "valid_until",
    "customer_mobile",
    "masked_prefix",
    "masked_suffix",
    "customer_surname",
)


@dataclass
class ReportClaim:
    """A channel report to decide (报备), already validated."""

    team: object
    channel: object
    agent: object
    at: datetime
    customer_name: str
    phone: str
    expected_visit: datetime
    identity: str = ""
    masked: tuple = ()
    surname: str = ""
    product: str = "home"
    referrer_phone: str = ""
    extra: dict = field(default_factory=dict)
    #: the customer's reports in the office, read once under the claim's lock (``_claim_reports``)
    reports: object = None

    @property
    def key(self):
        """Key of the claim in the one-claim-per-customer index."""
        if self.identity:
            return self.identity
        if self.masked:
            return "masked:%s:%s:%s" % (self.masked[0], self.masked[1], self.surname)
        return ""

    @property
    def lock_key(self):
        return report_lock_key(self.identity, self.masked)


def report_lock_key(customer_identity, masked=()):
    """Full and masked reports of one mainland customer, and their visits, share this lock (CH-2, CH-11)."""
    if customer_identity and identity.is_mainland(customer_identity):
        digits = identity.national_digits(customer_identity)
        return "report:%s:%s" % (digits[:3], digits[-4:])
    if masked:
        return "report:%s:%s" % masked
    return "report:%s" % customer_identity


class RuleChannel(models.AbstractModel):
    """Rule family CH: channel reports (渠道报备), CH-1 to CH-18."""

    _name = "real.estate.rule.channel"
    _description = "Ownership Rules: Channels (CH)"

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------
    @api.model
    @api.private
    def submit_report(self, claim):
        """Decide a report at submission and record it (CH-1 to CH-6, CH-10, CH-11, CH-12, CH-14)."""
        self.env["real.estate.lock"]._acquire(claim.team, claim.lock_key)
        self._materialize_lapses(self._claim_reports(claim), claim.at)
        state, reason, params, lead = self._decide_report(claim)
        # the report is its own record of the submission: no creation note, no follower, no tracking of its
        # first state; its later changes are tracked
        Report = (
            self.env["real.estate.report"]
            .sudo()
            .with_context(attribution_engine=True, mail_create_nolog=True, mail_create_nosubscribe=True)
        )
        # the office's company is the report's: its defaults need not read the user's current company
        report = (
            Report.with_context(tracking_disable=True)
            .with_company(records.office_company(claim.team))
            .create(
                {
                    "team_id": claim.team.id,
                    "channel_id": claim.channel.id,
                    "agent_id": claim.agent.id or False,
                    "customer_name": claim.customer_name,
                    "phone": claim.phone,
                    "customer_mobile": claim.identity or False,
                    "masked_prefix": claim.masked[0] if claim.masked else False,
                    "masked_suffix": claim.masked[1] if claim.masked else False,
                    "claim_key": claim.key or False,
                    "expected_visit": claim.expected_visit,
                    "reported_at": claim.at,
                    "valid_until": self._report_valid_until(claim) if state == "valid" else False,
                    "product": claim.product,
                    "referrer_phone": claim.referrer_phone,
                    "lead_id": lead.id if lead else False,
                    "state": state,
                    "reason_code": reason or False,
                    "reason_params": self._jsonable(params),
                }
            )
        )
        return report.with_env(Report.env)

    @api.model
    def _decide_report(self, claim):
        """``(state, reason code, params, lead)`` of a report, first failing check first."""
        checks = (
            self._check_report_agreement,
            self._check_report_phone,
            self._check_report_product,
            self._check_report_lead_time,
            self._check_report_employee,
            self._check_report_customer,
            self._check_report_conflict,
            self._check_report_repeat,
            self._check_report_referrer,
        )
        lead = self._report_lead(claim)
        for check in checks:
            refusal = check(claim, lead)
            if refusal:
                reason, params = refusal
                return "rejected", reason, params, lead
        return "valid", "", {"until": self._report_valid_until(claim), "tz": claim.team.office_tz}, lead

    @api.model
    def _report_lead(self, claim):
        """The customer file a report points at (ID-1 full number, ID-2 masked one)."""
        if claim.identity:
            return self._find_customer(claim.team, claim.identity, REPORT_LEAD_FIELDS)
        if claim.masked:
            masked = "%s****%s" % claim.masked
            return self._masked_candidates(claim.team, masked, claim.customer_name)[:1]
        return self.env["crm.lead"]

    @api.model
    def _channel_standing(self, channel, team, at, agent=None):
        """CH-10, CH-13: a channel claims a customer only under an agreement covering the office and in force at
        that moment, through an agent not barred from the project. Returns the refusal (reason, params), or None
        when the channel stands."""
        agreement = channel._channel_agreement(team)
        if not agreement:
            return "out_of_scope", {"channel": channel.name, "office": team.name}
        if not agreement._is_in_force(self._office_date(team, at)):
            return "channel_suspended", {"channel": channel.name}
        if agent and agent in agreement.sudo().barred_agent_ids:
            return "agent_barred", {"agent": agent.name, "channel": channel.name}
        return None

    @api.model
    def _check_channel_standing(self, channel, team, at, agent=None):
        """The same, for claims made in person (accompanied visits, confirmation signatures): refused at once."""
        refusal = self._channel_standing(channel, team, at, agent=agent)
        if refusal:
            raise ValidationError(self._explain("report." + refusal[0], refusal[1]))

    @api.model
    def _check_report_agreement(self, claim, lead):
        """CH-13, CH-10: a suspended channel, or an office outside the agreement, cannot report."""
        return self._channel_standing(claim.channel, claim.team, claim.at, agent=claim.agent)

    @api.model
    def _check_report_phone(self, claim, lead):
        """ID-2: full or masked, as the office requires (a mistyped number never gets here)."""
        mode = claim.team.report_phone_mode
        if claim.masked and mode == "full":
            return "masked_not_allowed", {"phone": claim.phone}
        if claim.identity and mode == "masked":
            return "full_not_allowed", {}
        return None

    @api.model
    def _check_report_product(self, claim, lead):
        """CH-10: parking-space purchases are not channel business."""
        return ("parking", {}) if claim.product == "parking" else None

    @api.model
    def _check_report_lead_time(self, claim, lead):
        """CH-1: at least the office's lead time before the expected arrival; never after it."""
        minutes = claim.team.report_lead_minutes
        if claim.expected_visit < claim.at + timedelta(minutes=minutes):
            return "too_late", {"minutes": minutes, "expected": claim.expected_visit, "tz": claim.team.office_tz}
        return None

    @api.model
    def _check_report_employee(self, claim, lead):
        """CH-10: employees and their direct relatives are not channel customers."""
        household = self._household_leads(lead) if lead else lead
        if household and any(household.mapped("is_staff_relative")):
            return "employee", {}
        if claim.identity and self._is_staff_number(claim.team, claim.identity):
            return "employee", {}
        return None

    @api.model
    def _is_staff_number(self, team, number):
        """CH-10: is ``number`` (E.164) the mobile number of one of the office company's employees (internal
        users)?

        Their contacts' numbers are free text: one query keeps those whose digits (full-width ones read as
        digits) contain the number's national digits, and only those are normalized and compared, so that a
        staff of thousands is not parsed for every report."""
        query = SQL(
            """SELECT n.number FROM res_users u JOIN res_partner p ON p.id = u.partner_id,
                      unnest(ARRAY[p.phone, p.mobile]) AS n(number)
                WHERE u.active AND u.share IS NOT TRUE
                  AND strpos(regexp_replace(translate(n.number, %(wide)s, %(ascii)s), '[^0-9]', '', 'g'),
                             %(national)s) > 0""",
            wide=identity.FULL_WIDTH_DIGITS,
            ascii="0123456789",
            national=identity.national_number(number),
        )
        self.env["res.partner"].flush_model(["phone", "mobile"])
        self.env["res.users"].flush_model(["active", "share", "partner_id", "company_ids"])
        if team.company_id:
            query = SQL(
                "%s AND u.id IN (SELECT user_id FROM res_company_users_rel WHERE cid = %s)", query, team.company_id.id
            )
        for (candidate,) in self.env.execute_query(query):
            try:
                if identity.normalize_phone(candidate, team.phone_region) == number:
                    return True
            except identity.InvalidPhone:
                continue
        return False

    @api.model
    def _check_report_customer(self, claim, lead):
        """CH-2, CH-10: a customer already in the office's system is not the channel's.

        Repeat purchases, customers held by another party (household included,
        ID-3) and customers with a visit or call before the report are refused;
        not a customer whose channel protection ended (CH-18).
        """
        if not lead:
            return None
        verdict = self._attribute_lead(lead, claim.at)
        if verdict.state == "converted" or lead._is_won():
            return "repeat_purchase", {}
        if verdict.state in ("active", "household"):
            if verdict.owner_channel == claim.channel:
                return None  # CH-8: the channel's own customer, brought again
            return "protected_by_other", {}
        if verdict.state == "expired" and lead.protection_id.holder_channel_id:
            return None  # CH-18: a channel's protection ended: the channel that reports them again may win the deal
        if self._household_leads(lead).visit_ids:
            return "already_customer", {}
        return None

    @api.model
    def _check_report_conflict(self, claim, lead):
        """CH-2, CH-4, CH-11: an earlier report in force wins; entry time decides."""
        earlier = self._reports_in_force(self._claim_reports(claim), claim.at)
        if not earlier:
            return None
        first = earlier[0]
        if first.channel_id == claim.channel:
            return "duplicate_report", {"report": first.name}
        return "protected_by_other", {}

    @api.model
    def _check_report_repeat(self, claim, lead):
        """CH-6: one channel reports one customer a limited number of times."""
        reports = self._claim_reports(claim)
        cap = claim.team.report_repeat_cap
        if len(reports.filtered(lambda r: r.channel_id == claim.channel)) >= cap:
            return "repeat_limit", {"cap": cap}
        return None

    @api.model
    def _check_report_referrer(self, claim, lead):
        """CH-14: a new customer brought by an old one belongs to the old customer's owner."""
        if not claim.referrer_phone:
            return None
        referrer_identity = identity.normalize_phone(claim.referrer_phone, claim.team.phone_region)
        referrer = self._find_customer(claim.team, referrer_identity)
        if not referrer:
            return None
        until = self._old_customer_until(referrer, claim.at)
        if not until:
            return None  # no longer old: the referral is decided as anyone's (CH-14)
        verdict = self._attribute_lead(referrer, claim.at)
        if verdict.state in ("active", "converted", "household") and verdict.owner_channel != claim.channel:
            return "old_customer_referral", {"old_until": fields.Datetime.to_string(until), "tz": claim.team.office_tz}
        return None

    @api.model
    def _report_valid_until(self, claim):
        """CH-3: end of the expected visit's day, or a number of hours or days after the report; CH-16: before the
        first opening, until the office's number of days after the opening day (inclusive)."""
        team = claim.team
        opening = team.launch_date
        if opening and self._office_date(team, claim.at) < opening:
            return self._office_day_start(team, opening + timedelta(days=team.preopening_validity_days + 1))
        if team.report_validity_mode == "hours":
            return claim.at + timedelta(hours=team.report_validity_amount)
        if team.report_validity_mode == "days":
            return claim.at + timedelta(days=team.report_validity_amount)
        return self._office_day_start(team, self._office_date(team, claim.expected_visit) + timedelta(days=1))

    # ------------------------------------------------------------------
    # Reports of a customer
    # ------------------------------------------------------------------
    @api.model
    def _reports_of(self, team, full, masked, surname):
        """Every report of one customer in the office: full or masked (ID-2) match, found by the number's
        indexed match key (first three and last four digits), then compared."""
        Report = self.env["real.estate.report"].sudo()
        key = identity.number_match_key(full, *(masked or (None, None)))
        if not key:
            return Report
        # the candidates are read in the query that finds them, with what the claim's rules read of them
        candidates = Report.search_fetch(
            [("team_id", "=", team.id), ("match_key", "=", key), ("state", "!=", "rejected")],
            CLAIM_REPORT_FIELDS,
        )
        return candidates.filtered(lambda r: r._matches(full, masked, surname))

    # ------------------------------------------------------------------
    # CH-18: a deposit without any report, claimed within the window
    # ------------------------------------------------------------------
    @api.model
    def _check_deposit_claim(self, vals):
        """CH-18: a channel in standing claims, with its formal report or evidence, a customer whose deposit was
        made under no channel's claim, within the office's window after the deposit; later, the claim is void.

        Returns the claim's values, completed with the deposit it names and the moment of filing.
        """
        now = fields.Datetime.now()
        team = self.env["crm.team"].sudo().browse(vals["team_id"])
        channel = self.env["res.partner"].sudo().browse(vals["channel_id"])
        agent = self.env["res.partner"].sudo().browse(vals.get("agent_id") or [])
        if not channel.channel_kind or (agent and agent.channel_id != channel):
            raise ValidationError(self.env._("Choose a channel and one of its agents (CH-18)."))
        self._check_channel_standing(channel, team, now, agent=agent or None)
        phone = self._normalize_identity(team, vals.get("phone") or "")
        deposit = self._claimable_deposit(team, phone)
        deadline = deposit.subscribed_at + timedelta(days=team.deposit_claim_days)
        if now > deadline:
            raise ValidationError(
                self._explain("claim.void", {"until": deadline, "days": team.deposit_claim_days, "tz": team.office_tz})
            )
        if self._attribute_lead(deposit.lead_id, deposit.subscribed_at).owner_channel:
            raise ValidationError(self._explain("claim.under_channel", {}))
        self._check_claim_evidence(vals, channel, deposit.lead_id, phone)
        Claim = self.env["real.estate.deposit.claim"].sudo()
        if Claim.search_count(
            [
                ("subscription_id", "=", deposit.id),
                ("channel_id", "=", channel.id),
                ("state", "in", ("submitted", "accepted")),
            ]
        ):
            raise ValidationError(self.env._("%(channel)s already claimed this deposit (CH-18).", channel=channel.name))
        vals.update(
            {
                "phone": phone,
                "subscription_id": deposit.id,
                "deadline": deadline,
                "claimed_at": now,
                "claimed_by": self.env.uid,
                "state": "submitted",
            }
        )
        return vals

    @api.model
    def _claimable_deposit(self, team, phone):
        """CH-18: the customer's live deposit in the office (an agent learns nothing else about the customer)."""
        lead = self._find_customer(team, phone)
        deposit = (
            self.env["real.estate.subscription"]
            .sudo()
            .search(
                [("lead_id", "=", lead.id), ("state", "in", ("to_approve", "subscribed", "signed"))],
                order="subscribed_at desc, id desc",
                limit=1,
            )
            if lead
            else None
        )
        if not deposit or not deposit.subscribed_at:
            raise ValidationError(self._explain("claim.no_deposit", {"office": team.name}))
        return deposit

    @api.model
    def _check_claim_evidence(self, vals, channel, lead, phone):
        """CH-18: a formal report of this channel for this customer, or evidence (a description or files)."""
        report = self.env["real.estate.report"].sudo().browse(vals.get("report_id") or [])
        if report and (report.channel_id != channel or (report.lead_id != lead and report.customer_mobile != phone)):
            raise ValidationError(self.env._("The formal report must be the channel's report of this customer."))
        files = [
            record_id
            for command in vals.get("attachment_ids") or []
            for record_id in (command[2] if command[0] == 6 else [command[1]] if command[0] == 4 else [])
        ]
        if not (report or (vals.get("evidence") or "").strip() or files):
            raise ValidationError(self._explain("claim.no_evidence", {}))

    @api.model
    def _materialize_lapses(self, reports, at):
        """CH-3: reports past their validity are recorded as lapsed before a new claim meets the index."""
        lapsed = reports.filtered(lambda r: r.state == "valid" and r._state_at(at) == "lapsed")
        if lapsed:
            lapsed.write({"state": "lapsed"})
            lapsed.flush_recordset(["state"])

    @api.model
    def _claims_in_force(self, team, full, masked, surname, at):
        """CH-4, CH-11: reports holding the customer at ``at``, earliest entry first."""
        return self._reports_in_force(self._reports_of(team, full, masked, surname), at)

    @api.model
    def _reports_in_force(self, reports, at):
        """CH-4, CH-11: those of ``reports`` holding the customer at ``at``, earliest entry first."""
        return reports.filtered(lambda r: r._state_at(at) in CLAIM_STATES).sorted(lambda r: (r.reported_at, r.id))

    @api.model
    def _claim_reports(self, claim):
        """The claimed customer's reports in the office (ID-2), read once per claim."""
        if claim.reports is None:
            claim.reports = self._reports_of(claim.team, claim.identity, claim.masked, claim.surname)
        return claim.reports

    @api.model
    def _winning_report(self, team, full, surname, at):
        """CH-5: the report a visit belongs to.

        Within validity the first reporter wins. When channels conflict (two
        or more reported the customer) and every report has lapsed, the most
        recent one that was valid wins. Otherwise the visit is natural (an
        empty recordset): a single lapsed report claims nothing (CH-3).
        """
        reports = self._reports_of(team, full, (), surname).filtered(lambda r: r.state != "confirmed")
        in_force = reports.filtered(lambda r: r._state_at(at) in CLAIM_STATES).sorted(lambda r: (r.reported_at, r.id))
        if in_force:
            return in_force[:1]
        lapsed = reports.filtered(lambda r: r._state_at(at) == "lapsed" and r.valid_until)
        if len(lapsed.channel_id) < 2:
            return lapsed.browse()
        return lapsed.sorted(lambda r: (r.reported_at, r.id), reverse=True)[:1]
