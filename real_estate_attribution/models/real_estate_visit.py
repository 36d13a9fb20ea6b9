from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import identity, records
from ..tools.engine import check_engine_create
from .ownership_engine import Contact
from .real_estate_api_values import FIRST_YEAR

VISIT_KINDS = [("visit", "Visit"), ("call", "Call")]
VISIT_PURPOSES = [
    ("customer", "Customer"),
    ("deposit_sign", "Deposit or Signing Only"),
    ("passerby", "Passer-by Asking the Way"),
    ("salesperson", "Salesperson"),
    ("job_seeker", "Job Seeker"),
    ("looking_for_someone", "Asking for Someone"),
    ("market_research", "Market Researcher"),
]
VISIT_SOURCES = [
    ("natural", "Natural"),
    ("channel", "Channel"),
    ("referral", "Referral"),
    ("company", "Company"),
    ("employee", "Employee"),
]
FIRST_VISIT_ANSWERS = [("yes", "First Visit"), ("no", "Came Before"), ("unknown", "Not Said")]
#: Seconds an ``at`` may lie ahead of the server clock (clock skew of the caller).
FUTURE_TOLERANCE = timedelta(seconds=60)


class RealEstateVisit(models.Model):
    """A visit to the sales office or a call (来访 / 来电), with its decision."""

    _name = "real.estate.visit"
    _inherit = ["real.estate.private.number", "real.estate.api.values"]
    _description = "Visit or Call"
    _private_number_fields = ("phone", "customer_mobile")
    _order = "visit_at desc, id desc"

    name = fields.Char(compute="_compute_name")
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, index=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True, precompute=True)
    lead_id = fields.Many2one("crm.lead", string="Customer", index=True, ondelete="set null")
    kind = fields.Selection(VISIT_KINDS, required=True, default="visit")
    purpose = fields.Selection(VISIT_PURPOSES, required=True, default="customer")
    source = fields.Selection(VISIT_SOURCES, required=True, default="natural")
    visit_at = fields.Datetime(string="Time", required=True, default=fields.Datetime.now, index=True)
    customer_name = fields.Char()
    phone = fields.Char()
    customer_mobile = fields.Char(string="Normalised Mobile")
    phone_masked = fields.Char(string="Masked Phone", compute="_compute_phone_masked")
    consultant_id = fields.Many2one("res.users", string="Received By")
    owner_user_id = fields.Many2one("res.users", string="Credited Owner")
    is_helper = fields.Boolean(
        string="Helper Reception", help="Received on behalf of the owner (RO-3, RO-6): no turn, no credit."
    )
    designated_user_id = fields.Many2one("res.users", string="Named Before Reception")
    questions_asked = fields.Boolean(string="Three Questions Asked", default=True)
    answer_first_visit = fields.Selection(FIRST_VISIT_ANSWERS, string="First Visit?", default="unknown")
    answer_named_user_id = fields.Many2one("res.users", string="Consultant Who Contacted Them")
    answer_heard_from = fields.Char(string="Heard of Us From")
    on_the_way = fields.Boolean(string="Calling on the Way", help="PR-4: the caller said they were coming now.")
    party_ref = fields.Char(string="Visiting Group", help="CS-1: visitors of one group share this reference.")
    assisting_user_id = fields.Many2one("res.users", string="Assisting Consultant", help="CS-6: helped an intern.")
    switched_to_user_id = fields.Many2one(
        "res.users", string="Switched to", help="CS-10: the consultant the visitor insisted on mid-reception."
    )
    switch_instigated = fields.Boolean(help="CS-10: the designated consultant instigated the switch.")
    company_mode = fields.Selection(
        [
            ("consultant", "Consultant Follows Through"),
            ("company", "Company Closes"),
            ("non_sales", "Handled by Non-sales Staff"),
        ],
        help="CS-11: who handles a company customer.",
    )
    referral_id = fields.Many2one("real.estate.referral", string="Employee Referral", readonly=True)
    referrer_lead_id = fields.Many2one("crm.lead", string="Brought by", readonly=True, help="CS-13: the old customer.")
    protection_id = fields.Many2one("real.estate.protection", ondelete="set null")
    rule = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    explanation_params = fields.Json(readonly=True)
    explanation = fields.Text(compute="_compute_explanation")

    def _private_number_holder(self):
        return self.lead_id._private_number_holder() if self.lead_id else self.owner_user_id

    @api.depends("customer_name", "kind", "visit_at")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for visit in self:
            visit.name = "%s · %s · %s" % (
                visit.customer_name or "-",
                kinds.get(visit.kind, ""),
                fields.Datetime.to_string(visit.visit_at),
            )

    @api.depends("customer_mobile")
    def _compute_phone_masked(self):
        for visit in self:
            visit.phone_masked = identity.mask_phone(visit.customer_mobile)

    @api.depends_context("lang")
    @api.depends("reason", "explanation_params")
    def _compute_explanation(self):
        engine = self.env["real.estate.ownership.engine"]
        for visit in self:
            params = dict(visit.explanation_params or {}, rule=visit.rule)
            visit.explanation = engine._explain(visit.reason, params) if visit.reason else ""

    @api.model_create_multi
    def create(self, vals_list):
        """Visits are decided by the engine: use :meth:`register` or the reception desk."""
        check_engine_create(
            self, self.env._("Register visits and calls with the reception desk (Receive Visitor) or the API.")
        )
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # XML-RPC API
    # ------------------------------------------------------------------
    @api.model
    def register(self, vals):
        """Register a visit or call and return its ownership decision.

        ``vals``: ``team_id``, ``customer_name``, ``phone``, ``kind``
        (``visit`` or ``call``) and optionally ``consultant_id``,
        ``designated_user_id`` (RO-4), ``at`` (import group only) and the
        answers to the three questions (PR-5). Returns ``{visit_id, lead_id,
        owner_user_id, owner_channel_id, protected_until, rule, explanation}``.
        """
        if not self.env.user.has_group("real_estate_attribution.group_consultant"):
            raise AccessError(self.env._("Visits and calls are registered by the office's consultants (RO-1)."))
        contact = self._prepare_contact(vals)
        visit = self.env["real.estate.ownership.engine"].register_contact(contact)
        return visit._api_result()

    def _api_result(self):
        self.ensure_one()
        owner = self.owner_user_id
        protection = self.protection_id
        return {
            "visit_id": self.id,
            "lead_id": self.lead_id.id or False,
            "owner_user_id": owner.id or False,
            "owner_channel_id": False,
            "protected_until": fields.Datetime.to_string(protection.end)
            if owner and protection and protection.state == "active"
            else False,
            "rule": self.rule,
            "explanation": self.explanation,
        }

    @api.model
    def _register_keys(self):
        """Keys accepted by :meth:`register`; other addons add theirs."""
        return {
            "team_id",
            "customer_name",
            "phone",
            "kind",
            "consultant_id",
            "designated_user_id",
            "at",
            "purpose",
            "source",
            "questions_asked",
            "first_visit",
            "named_user_id",
            "heard_from",
            "on_the_way",
            "party_ref",
            "assisting_user_id",
            "switched_to_user_id",
            "switch_instigated",
            "company_mode",
            "referrer_phone",
            "named_user_ids",
            "refuses_consultant",
            "refuse_reason",
        }

    @api.model
    def _prepare_contact(self, vals):
        """Validate ``register`` input completely before anything is written."""
        if not isinstance(vals, dict):
            raise ValidationError(self.env._("register expects one dictionary of values."))
        unknown = sorted(set(vals) - self._register_keys())
        if unknown:
            raise ValidationError(self.env._("Unknown keys: %(keys)s.", keys=", ".join(map(str, unknown))))
        team = self._api_team(vals.get("team_id"))
        kind = self._api_choice(vals, "kind", dict(VISIT_KINDS), "visit")
        purpose = self._api_choice(vals, "purpose", dict(VISIT_PURPOSES), "customer")
        source = self._api_choice(vals, "source", dict(VISIT_SOURCES), "natural")
        first_visit = self._api_choice(vals, "first_visit", dict(FIRST_VISIT_ANSWERS), "unknown")
        name = self._api_text(vals, "customer_name")
        phone = self._api_text(vals, "phone")
        engine = self.env["real.estate.ownership.engine"]
        is_customer = engine._is_customer_purpose(purpose)
        anonymous_call = kind == "call" and not phone
        if is_customer and not anonymous_call and not name:
            raise ValidationError(self.env._("The customer's name is required."))
        if is_customer and kind == "visit" and not phone:
            raise ValidationError(self.env._("The customer's mobile number is required for a visit."))
        customer_identity = engine._normalize_identity(team, phone) if phone else ""
        referrer_phone = self._api_text(vals, "referrer_phone")
        history = {
            "party_ref": self._api_text(vals, "party_ref"),
            "assisting_user_id": self._api_member(team, vals, "assisting_user_id").id,
            "switched_to_user_id": self._api_member(team, vals, "switched_to_user_id").id,
            "switch_instigated": self._api_bool(vals, "switch_instigated", False),
            "company_mode": self._api_choice(
                vals, "company_mode", dict(self._fields["company_mode"].selection), "consultant"
            )
            if source == "company"
            else False,
        }
        contact = Contact(
            team=team,
            kind=kind,
            at=self._api_at(vals.get("at")),
            customer_name=name,
            identity=customer_identity if is_customer else "",
            phone=phone,
            purpose=purpose,
            source=source,
            consultant=self._api_receiver(team, vals),
            designated=self._api_member(team, vals, "designated_user_id"),
            named=self._api_member(team, vals, "named_user_id"),
            questions_asked=self._api_bool(vals, "questions_asked", True),
            first_visit=first_visit,
            heard_from=self._api_text(vals, "heard_from"),
            on_the_way=self._api_bool(vals, "on_the_way", False),
        )
        contact.extra["history"] = history
        contact.extra["named_several"] = self._api_members(team, vals, "named_user_ids")
        if self._api_bool(vals, "refuses_consultant", False):
            if not self._may_name_receiver():
                raise AccessError(
                    self.env._(
                        "Only the reception desk (site manager) re-assigns a customer who refuses their consultant "
                        "(RO-8)."
                    )
                )
            contact.extra["refuses"] = True
            contact.extra["refuse_reason"] = self._api_text(vals, "refuse_reason")
        if referrer_phone:
            contact.extra["referrer_identity"] = engine._normalize_identity(team, referrer_phone)
        return contact

    @api.model
    def _api_team(self, team_id, field_names=None):
        """The sales office an API call names, read with ``field_names`` (by default, all it prefetches)."""
        if not isinstance(team_id, int) or isinstance(team_id, bool):
            raise ValidationError(self.env._("team_id must be the integer id of a sales office."))
        team = records.existing(self.env["crm.team"], team_id, field_names)
        if not team or not team.is_sales_office:
            raise UserError(self.env._("Unknown sales office: %(id)s.", id=team_id))
        return team

    @api.model
    def _api_choice(self, vals, key, choices, default):
        value = vals.get(key) or default
        if not isinstance(value, str) or value not in choices:
            raise ValidationError(
                self.env._("%(key)s must be one of: %(choices)s.", key=key, choices=", ".join(choices))
            )
        return value

    @api.model
    def _api_text(self, vals, key):
        value = vals.get(key) or ""
        if not isinstance(value, str):
            raise ValidationError(self.env._("%(key)s must be a text.", key=key))
        return value.strip()

    @api.model
    def _api_bool(self, vals, key, default):
        value = vals.get(key, default)
        if not isinstance(value, bool):
            raise ValidationError(self.env._("%(key)s must be true or false.", key=key))
        return value

    @api.model
    def _api_receiver(self, team, vals):
        """RO-1: the rotation decides who receives a walk-in. Only the reception desk (site manager), the
        data-import group and integrators name the receiving consultant."""
        consultant = self._api_member(team, vals, "consultant_id")
        if consultant and not self._may_name_receiver():
            raise AccessError(
                self.env._(
                    "Only the reception desk (site manager), data imports and integrators name the receiving "
                    "consultant: a walk-in goes to the consultant whose turn it is (RO-1)."
                )
            )
        return consultant

    @api.model
    def _may_name_receiver(self):
        user = self.env.user
        return self.env.su or any(
            user.has_group(group)
            for group in (
                "real_estate_attribution.group_site_manager",
                "real_estate_attribution.group_data_import",
                "real_estate_attribution.group_integrator",
            )
        )

    @api.model
    def _api_member(self, team, vals, key):
        user_id = vals.get(key) or False
        if not user_id:
            return self.env["res.users"]
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise ValidationError(self.env._("%(key)s must be the integer id of a user.", key=key))
        user = self.env["res.users"].browse(user_id).exists()
        if not user or user not in team.member_ids:
            raise ValidationError(
                self.env._(
                    "%(key)s: user %(id)s is not a consultant of %(office)s.", key=key, id=user_id, office=team.name
                )
            )
        return user

    @api.model
    def _api_members(self, team, vals, key):
        """RO-9: consultants the visitor named, in the order named."""
        user_ids = vals.get(key) or []
        if not isinstance(user_ids, list) or len(user_ids) > 20:
            raise ValidationError(self.env._("%(key)s must be a list of user ids.", key=key))
        users = self.env["res.users"]
        for user_id in user_ids:
            users |= self._api_member(team, {key: user_id}, key)
        return users

    @api.model
    def _api_at(self, value):
        """``at`` replays history: import group only, UTC, never in the future."""
        now = fields.Datetime.now()
        if value in (None, False, ""):
            return now
        if not self.env.user.has_group("real_estate_attribution.group_data_import"):
            raise AccessError(self.env._("Only members of the group Attribution Data Import may pass a time (at)."))
        if not isinstance(value, str):
            raise ValidationError(self.env._("at must be a UTC time written YYYY-MM-DD HH:MM:SS."))
        try:
            at = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValidationError(self.env._("at must be a UTC time written YYYY-MM-DD HH:MM:SS.")) from None
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError(self.env._("at (%(at)s UTC) lies in the future.", at=fields.Datetime.to_string(at)))
        if at.year < FIRST_YEAR:
            raise ValidationError(
                self.env._("at (%(at)s UTC) lies before %(year)s: check the date.", at=value, year=FIRST_YEAR)
            )
        return at
