from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, LazyTranslate

from ..tools import identity, records
from ..tools.engine import engine_writes
from ..tools.i18n import both_languages_plain
from .real_estate_customer_count import COUNTED_FIELDS, COUNTS_KEY
from .real_estate_followup import FOLLOWUP_KINDS
from .real_estate_protection import PROTECTION_STATES
from .rule_grading import GRADES

_lt = LazyTranslate(__name__)

#: Fields that say who owns a sales-office customer: only the engine writes them.
OWNERSHIP_FIELDS = ("user_id", "team_id", "protection_id", "in_public_pool")
#: Facts that decide money (CS-15, CC-1, CC-2, UC-4, UC-5): written by a unit's deal (the deposit recorded,
#: the contract signed), never typed. The signing time is the moment the contract is signed.
DEAL_FIELDS = ("unit_ref", "deposit_at", "deal_amount", "date_closed")


class CrmLead(models.Model):
    """A sales-office customer file (客户档案): identity, visits, protection, owner."""

    _name = "crm.lead"
    _inherit = ["crm.lead", "real.estate.private.number", "real.estate.api.ids"]
    _private_number_fields = ("phone", "mobile", "customer_mobile", "phone_sanitized")

    is_sales_office = fields.Boolean(related="team_id.is_sales_office")
    customer_mobile = fields.Char(
        string="Normalised Mobile",
        compute="_compute_customer_mobile",
        store=True,
        index=True,
        help="ID-1: the customer's identity in the office, the mobile number in E.164 form.",
    )
    mobile_masked = fields.Char(string="Masked Mobile", compute="_compute_mobile_masked")
    customer_surname = fields.Char(string="Surname", compute="_compute_customer_surname", store=True)
    household_member_ids = fields.One2many("real.estate.household.member", "lead_id", string="Household Links")
    household_id = fields.Many2one("real.estate.household", compute="_compute_household_id", store=True)
    visit_ids = fields.One2many("real.estate.visit", "lead_id", string="Visits and Calls")
    visit_count = fields.Integer(compute="_compute_visit_count")
    protection_ids = fields.One2many("real.estate.protection", "lead_id", string="Protections")
    followup_ids = fields.One2many("real.estate.followup", "lead_id", string="Follow-ups")
    ownership_log_ids = fields.One2many("real.estate.ownership.log", "lead_id", string="Ownership History")
    protection_id = fields.Many2one(
        "real.estate.protection", string="Current Protection", readonly=True, copy=False, index="btree_not_null"
    )
    protection_end = fields.Datetime(related="protection_id.end", string="Protected Until", store=True, readonly=True)
    in_public_pool = fields.Boolean(
        string="Public Pool", readonly=True, copy=False, help="PR-3: the protection ended; anyone may serve them."
    )
    owner_user_id = fields.Many2one(
        "res.users",
        string="Owner",
        compute="_compute_attribution",
        search="_search_owner_user_id",
        help="Consultant who owns the customer right now, as decided by the ownership engine.",
    )
    protection_state = fields.Selection(
        [("none", "Not Registered"), *PROTECTION_STATES, ("household", "Household")],
        compute="_compute_attribution",
    )
    attribution_rule = fields.Char(string="Ownership Rule", compute="_compute_attribution")
    attribution_explanation = fields.Text(string="Why", compute="_compute_attribution")
    share_ids = fields.One2many("real.estate.commission.share", "lead_id", string="Credit Split", readonly=True)
    dispute_ids = fields.One2many("real.estate.dispute", "lead_id", string="Disputes")
    agreed_split_dispute_id = fields.Many2one(
        "real.estate.dispute",
        string="Agreed Split",
        readonly=True,
        copy=False,
        help="DI-1, DI-2: a dispute decided before the deal fixed its split.",
    )
    unit_ref = fields.Char(string="Unit No.", help="CS-15: the unit (房号) the customer subscribed.")
    deposit_at = fields.Datetime(
        string="Deposit Paid", help="CS-15: when the deposit was recorded; the first to pay it gets the unit."
    )
    unit_ids = fields.One2many("real.estate.unit", "lead_id", string="Units")
    subscription_ids = fields.One2many("real.estate.subscription", "lead_id", string="Deals")
    unit_won_key = fields.Char(compute="_compute_unit_won_key", store=True, help="The unit, once the deal is won.")
    deal_locked = fields.Boolean(
        compute="_compute_deal_locked",
        help="The current user may not record this office customer's deal (unit, deposit, amount, signing).",
    )
    deal_amount = fields.Monetary(
        currency_field="company_currency",
        copy=False,
        tracking=True,
        help="CC-1, CC-2: the signed contract amount of the customer's unit; credit and channel commission rest on "
        "it. Written by the signing, never typed (the expected revenue is only a forecast).",
    )

    @api.depends_context("uid")
    @api.depends("team_id.is_sales_office")
    def _compute_deal_locked(self):
        locked = not self._may_record_deal()
        for lead in self:
            lead.deal_locked = locked and lead.is_sales_office

    def _private_number_applies(self):
        return self.is_sales_office

    def _private_number_holder(self):
        """ID-2: the consultant who holds the customer reads the full number."""
        return self.protection_id.holder_user_id if self.protection_id.state == "active" else self.user_id

    def _track_filter_for_display(self, tracking_values):
        """ID-2: a number change in the chatter is shown only to those who read the full number."""
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self.id in self._private_number_masked_ids():
            return tracking_values.filtered(lambda value: value.field_id.name not in self._private_number_fields)
        return tracking_values

    @api.depends("unit_ref", "stage_id.is_won")
    def _compute_unit_won_key(self):
        for lead in self:
            lead.unit_won_key = lead.unit_ref if lead.unit_ref and lead.stage_id.is_won else False

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_office_unit_won_unique
                    ON crm_lead (team_id, unit_won_key)
                 WHERE unit_won_key IS NOT NULL
                """
            )
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_office_customer_unique
                    ON crm_lead (team_id, customer_mobile)
                 WHERE customer_mobile IS NOT NULL
                """
            )
        )
        # The boards' cards (GR-1): a column's first cards in the customers' order, the office's
        # and a consultant's own, read from an index instead of sorting every customer of the column.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS crm_lead_board_grade
                ON crm_lead (grade, priority DESC, id DESC) WHERE active AND type = 'opportunity';
            CREATE INDEX IF NOT EXISTS crm_lead_board_owner_grade
                ON crm_lead (user_id, grade, priority DESC, id DESC) WHERE active AND type = 'opportunity';
            -- a consultant's customers are not spread over the grades as the office's are: without this
            -- the planner guesses a handful of cards, sorts a whole column and misses the index above
            CREATE STATISTICS IF NOT EXISTS crm_lead_owner_grade_stats (dependencies, mcv) ON user_id, grade
                FROM crm_lead;
            """
        )
        self.env["real.estate.customer.count"]._install()
        return result

    # ------------------------------------------------------------------
    # Counts from the counts table (real.estate.customer.count)
    # ------------------------------------------------------------------
    @api.model
    def _counts_apply(self, groupby, aggregates, having):
        """Whether a grouping can be answered from the counts: it counts, by counted columns only."""
        return (
            not having
            and set(aggregates) <= {"__count"}
            and all(spec in COUNTED_FIELDS for spec in groupby)
            and not self.env.context.get(COUNTS_KEY)
        )

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        if not self._counts_apply(groupby, aggregates, having):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        counted = self.with_context(**{COUNTS_KEY: [True]})
        rows = super(CrmLead, counted)._read_group(domain, groupby, aggregates, having, offset, limit, order)
        return [
            tuple(value.with_env(self.env) if isinstance(value, models.BaseModel) else value for value in row)
            for row in rows
        ]

    @api.model
    def search_count(self, domain, limit=None):
        if self.env.context.get(COUNTS_KEY):
            return super().search_count(domain, limit)
        query = self.with_context(**{COUNTS_KEY: [True]})._search(domain)
        if not self.env["real.estate.customer.count"]._is_counts(query):
            query.limit = limit
            return len(query)
        total = SQL("COALESCE(SUM(%s), 0)::bigint", SQL.identifier(query.table, "delta"))
        [(count,)] = self.env.execute_query(query.select(total))
        return min(count, limit) if limit else count

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # the first search of a counted grouping (its own, not those of its sub-domains) reads the counts
        pending = self.env.context.get(COUNTS_KEY)
        counted = bool(pending) and pending.pop()
        query = super()._search(domain, offset, limit, order)
        if counted:
            self.env["real.estate.customer.count"]._counts_query(query)
        return query

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec == "__count" and self.env["real.estate.customer.count"]._is_counts(query):
            return SQL("SUM(%s)::bigint", SQL.identifier(query.table, "delta"))
        return super()._read_group_select(aggregate_spec, query)

    @api.depends("phone", "team_id.is_sales_office", "team_id.phone_region")
    def _compute_customer_mobile(self):
        for lead in self:
            number = False
            if lead.team_id.is_sales_office and lead.phone:
                try:
                    number = identity.normalize_phone(lead.phone, lead.team_id.phone_region)
                except identity.InvalidPhone:
                    number = False
            lead.customer_mobile = number

    @api.depends("customer_mobile")
    def _compute_mobile_masked(self):
        for lead in self:
            lead.mobile_masked = identity.mask_phone(lead.customer_mobile)

    @api.depends("contact_name", "partner_name", "name")
    def _compute_customer_surname(self):
        for lead in self:
            lead.customer_surname = identity.surname(lead.contact_name or lead.name)

    @api.depends("household_member_ids.household_id")
    def _compute_household_id(self):
        for lead in self:
            lead.household_id = lead.household_member_ids[:1].household_id

    def _compute_visit_count(self):
        counts = dict(
            self.env["real.estate.visit"]._read_group([("lead_id", "in", self.ids)], ["lead_id"], ["__count"])
        )
        for lead in self:
            lead.visit_count = counts.get(lead, 0)

    @api.depends_context("uid", "lang")
    @api.depends("protection_id.state", "protection_id.end", "household_id")
    def _compute_attribution(self):
        office_leads = self.filtered(lambda lead: lead.team_id.is_sales_office and lead.id)
        engine = self.env["real.estate.ownership.engine"].sudo()
        verdicts = engine._attribute(office_leads.sudo())
        for lead in self:
            lead.update(lead._attribution_values(verdicts.get(lead.id), engine))

    def _attribution_values(self, verdict, engine):
        """Values of the computed ownership fields for one verdict (other addons add theirs)."""
        if not verdict:
            return {
                "owner_user_id": False,
                "protection_state": False,
                "attribution_rule": False,
                "attribution_explanation": False,
            }
        return {
            "owner_user_id": verdict.owner_user.id,
            "protection_state": verdict.state,
            "attribution_rule": verdict.rule,
            "attribution_explanation": engine._explain(verdict.reason, verdict.params),
        }

    def _search_owner_user_id(self, operator, value):
        """Leads whose own protection is in force, held by ``value`` (or by nobody)."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the owner."))
        in_force = ["&", ("protection_id.state", "=", "active"), ("protection_id.end", ">", fields.Datetime.now())]
        positive = operator in ("=", "in")
        if not value:
            return in_force if not positive else ["!", *in_force]
        ids = value if isinstance(value, (list, tuple)) else [value]
        if positive:
            return ["&", *in_force, ("protection_id.holder_user_id", "in", ids)]
        return ["|", "!", *in_force, ("protection_id.holder_user_id", "not in", ids)]

    def _raise_if_duplicate(self, team, customer_identity):
        """ID-1: one file per mobile number and office (the unique index's rule, with a clear message).

        Reads the stored files with SQL and the files not yet stored from memory: nothing is flushed, so
        the unique index never meets this file's number before the message does.
        """
        Lead = self.env["crm.lead"]
        field = Lead._fields["customer_mobile"]
        pending = (self.env.records_to_compute(field) | self.env.cache.get_dirty_records(Lead, field)) - self
        clash = pending.filtered(lambda lead: lead.team_id == team and lead.customer_mobile == customer_identity)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_lead WHERE team_id = %s AND customer_mobile = %s AND id != ALL(%s) LIMIT 1",
                team.id,
                customer_identity,
                self.ids or [0],
            )
        )
        row = self.env.cr.fetchone()
        if row or clash:
            raise ValidationError(
                self.env._(
                    "%(office)s already has a customer with the number %(phone)s: %(other)s.",
                    office=team.name,
                    phone=identity.mask_phone(customer_identity),
                    other=(self.browse(row[0]) if row else clash[:1]).sudo().name,
                )
            )

    def _precheck_identity(self, vals):
        """ID-1: a sales-office customer's mobile number is a valid number, unique in the office.

        Checked wherever it is typed (forms, imports, the API), before the database refuses it.
        """
        team = self.env["crm.team"].browse(vals.get("team_id")) if "team_id" in vals else self.team_id
        if not team.is_sales_office:
            return
        engine = self.env["real.estate.ownership.engine"]
        phone = vals["phone"] if "phone" in vals else self.phone
        if not (phone or "").strip():
            raise ValidationError(
                self.env._("The mobile number of a sales-office customer is required: it is their identity (ID-1).")
            )
        self._raise_if_duplicate(team, engine._normalize_identity(team, phone))
        if vals.get("mobile"):
            engine._normalize_identity(team, vals["mobile"])

    # ------------------------------------------------------------------
    # Ownership is written by the engine only
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        engine_made = engine_writes(self.env)
        if not engine_made:
            default_team = self.env.context.get("default_team_id")
            for vals in vals_list:
                team = self.env["crm.team"].browse(vals.get("team_id") or default_team)
                if team.is_sales_office:
                    self._check_office_file_allowed(team)
                    self.browse()._precheck_identity(dict(vals, team_id=team.id))
        leads = super().create(vals_list)
        if not engine_made:
            leads.filtered("is_sales_office")._check_office_file()
        return leads

    @api.model
    def _check_office_file_allowed(self, team):
        """ID-1, RO-1: customers of a sales office are received at the reception desk or through the API,
        which apply the rules: forms, quick-create, duplicates and imports cannot make one.

        A site manager or the data-import group may file a person known by name and number only (a
        relative for a household, ID-3; a staff relative, CH-10): nobody holds the file until the
        person comes (RO-1, PR-3).
        """
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("real_estate_attribution.group_site_manager")
            or user.has_group("real_estate_attribution.group_data_import")
        ):
            raise UserError(
                self.env._(
                    "Customers of %(office)s are registered at the reception desk (Sales Office → Receive "
                    "Visitor) or through the API, which apply the ownership rules: they cannot be created, "
                    "imported or duplicated here.",
                    office=team.name,
                )
            )

    def _check_office_file(self):
        """The files made in an office by hand, whatever set their office: allowed, checked, held by nobody."""
        for lead in self:
            lead._check_office_file_allowed(lead.team_id)
            lead._precheck_identity({})
        held = self.filtered(lambda lead: lead.user_id or lead.protection_id or lead.in_public_pool)
        if held:  # nobody holds a file made by hand: the engine clears what the form or the defaults set
            held.sudo().with_context(attribution_engine=True).write(
                {"user_id": False, "protection_id": False, "in_public_pool": False}
            )

    def copy(self, default=None):
        """ID-1: a customer file of a sales office is one person's: it is never duplicated."""
        office_leads = self.filtered("is_sales_office")
        if office_leads and not engine_writes(self.env):
            raise UserError(
                self.env._(
                    "%(customer)s cannot be duplicated: in a sales office each mobile number is one customer "
                    "(ID-1). Register a new visitor at the reception desk.",
                    customer=office_leads[0].name,
                )
            )
        return super().copy(default=default)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_office_customer(self):
        """Ownership history is kept: a sales-office customer is archived (lost), never deleted."""
        office_leads = self.filtered("is_sales_office")
        if office_leads and not self.env.su:
            raise UserError(
                self.env._(
                    "%(customer)s is a customer of a sales office: their visits and ownership history are kept. "
                    "Archive the customer (mark as lost) instead of deleting.",
                    customer=office_leads[0].name,
                )
            )

    def _merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True, max_length=5):
        """DI-2: two customer files of a sales office are one person only by a dispute decision."""
        if self.filtered("is_sales_office"):
            raise UserError(
                self.env._(
                    "Customers of a sales office are not merged: if two files are one person under two numbers, "
                    "file a dispute (DI-2) so that a manager decides who owns them."
                )
            )
        return super()._merge_opportunity(
            user_id=user_id, team_id=team_id, auto_unlink=auto_unlink, max_length=max_length
        )

    def write(self, vals):
        identities = {}
        if not engine_writes(self.env):
            self._check_ownership_write(vals)
            self._check_deal_facts_write(vals)
            identities = self._identities_before_write(vals)
        if {"phone", "mobile", "team_id"} & set(vals):
            for lead in self:
                lead._precheck_identity(vals)
        if vals.get("stage_id") and self.env["crm.stage"].browse(vals["stage_id"]).is_won:
            for lead in self.filtered("is_sales_office"):
                lead._check_unit_first_deposit()
        if "grade" in vals:
            vals = self._grade_write_values(vals)
        result = super().write(vals)
        if identities:
            self._check_identity_kept(identities)
        if vals.get("stage_id"):
            self._convert_won_protections()
        if {"grade", "user_id", "stage_id", "active"} & set(vals) and not engine_writes(self.env):
            self._sync_followup_activity()  # the engine syncs once at the end of its decisions
        return result

    def _check_ownership_write(self, vals):
        """Ownership of sales-office customers changes through the engine only (DI-3)."""
        touched = [name for name in OWNERSHIP_FIELDS if name in vals]
        if not touched:
            return
        new_team = self.env["crm.team"].browse(vals.get("team_id") or [])
        for lead in self.filtered(lambda lead: lead.team_id.is_sales_office or new_team.is_sales_office):
            for name in touched:
                current = lead[name]
                current = current.id if isinstance(current, models.BaseModel) else current
                if (vals[name] or False) != (current or False):
                    raise UserError(
                        self.env._(
                            "Ownership of %(customer)s is decided by the sales-office rules: %(field)s cannot be "
                            "changed by hand. Register a visit, or ask a manager to decide a dispute.",
                            customer=lead.name,
                            field=self._fields[name].get_description(self.env)["string"],
                        )
                    )

    def _check_deal_facts_write(self, vals):
        """CS-15, CC-1, CC-2, UC-4, UC-5: the unit, the deposit, the deal amount and the signing of an office
        customer come from the unit's deal (Record Deposit, Sign on the 销控表); nobody types them."""
        signing = vals.get("stage_id") and self.env["crm.stage"].browse(vals["stage_id"]).is_won
        if not (set(DEAL_FIELDS) & set(vals) or signing) or self._may_record_deal():
            return
        office_leads = self.filtered("is_sales_office")
        if office_leads:
            raise AccessError(
                self.env._(
                    "%(customer)s: the unit, the deposit, the deal amount and the signing come from the unit's "
                    "deal, recorded by the sales manager on the 销控表 (Record Deposit, Sign the Contract), never "
                    "typed (UC-4, "
                    "UC-5, CC-2).",
                    customer=office_leads[0].name,
                )
            )

    @api.model
    def _may_record_deal(self):
        """Only the deal flow of units (the engine) writes an office customer's deal facts."""
        return self.env.su

    def _identities_before_write(self, vals):
        """ID-1: the identities a write may change. A number typed is checked at once; a contact chosen
        may bring a number of its own, checked once written."""
        if "phone" in vals:
            self._check_identity_change(
                lambda lead: identity.normalize_phone(vals["phone"] or "", lead.team_id.phone_region)
            )
        if "partner_id" not in vals or "phone" in vals:
            return {}
        return {lead: lead.customer_mobile for lead in self.filtered("is_sales_office")}

    def _check_identity_kept(self, identities):
        for lead in identities:
            lead._check_identity_change(lambda _lead: _lead.customer_mobile, before=identities[lead])
            if lead.customer_mobile != identities[lead]:
                lead._precheck_identity({})

    def _check_identity_change(self, new_identity, before=None):
        """ID-1: the mobile number is the customer's identity in the office. Once the customer has been
        received, only a site manager corrects it (a new number would carry the claim to another person),
        however it changes: typed, or brought by the contact chosen."""
        if self.env.su or self.env.user.has_group("real_estate_attribution.group_site_manager"):
            return
        for lead in self.filtered(lambda lead: lead.is_sales_office and lead.visit_ids):
            try:
                changed = new_identity(lead) != (lead.customer_mobile if before is None else before)
            except identity.InvalidPhone:
                changed = True
            if changed:
                raise UserError(
                    self.env._(
                        "The mobile number of %(customer)s is their identity in the office (ID-1): "
                        "ask a site manager to correct it.",
                        customer=lead.name,
                    )
                )

    def action_set_won(self):
        if not self._may_record_deal():
            self._check_deal_facts_write({"date_closed": True})
        for lead in self.filtered("is_sales_office"):
            lead._check_unit_first_deposit()
        result = super().action_set_won()
        self._convert_won_protections()
        return result

    def _convert_won_protections(self):
        """A won customer's protection ends as converted; the holder keeps the customer; the split is
        computed from the history (CS-1 to CS-16)."""
        now = fields.Datetime.now()
        engine = self.env["real.estate.ownership.engine"]
        for lead in self.filtered(lambda lead: lead.is_sales_office and lead.stage_id.is_won):
            protection = lead.protection_id
            if protection and protection._state_at(now) == "active":
                engine._convert_protection(protection, now)
            if not lead.share_ids:
                engine._write_split(lead, engine._compute_split(lead.sudo()))

    def _check_unit_first_deposit(self):
        """CS-15: two customers for one unit: the first to pay the deposit gets it."""
        self.ensure_one()
        if not self.unit_ref:
            return
        other = self.sudo().search(
            [("team_id", "=", self.team_id.id), ("unit_won_key", "=", self.unit_ref), ("id", "!=", self.id)], limit=1
        )
        if other:
            raise UserError(
                self.env._(
                    "Unit %(unit)s already went to %(other)s, who paid the deposit on %(date)s (CS-15).",
                    unit=self.unit_ref,
                    other=other.name,
                    date=other.deposit_at or other.date_closed,
                )
            )
        rival = self.sudo().search(
            [
                ("team_id", "=", self.team_id.id),
                ("unit_ref", "=", self.unit_ref),
                ("id", "!=", self.id),
                ("deposit_at", "!=", False),
                ("active", "=", True),
            ],
            order="deposit_at",
            limit=1,
        )
        if rival and (not self.deposit_at or rival.deposit_at < self.deposit_at):
            raise UserError(
                self.env._(
                    "%(other)s paid the deposit for unit %(unit)s first, on %(date)s: the unit is theirs (CS-15).",
                    unit=self.unit_ref,
                    other=rival.name,
                    date=rival.deposit_at,
                )
            )

    def _check_api_ids(self, field_names=None):
        """The ids an API call names are existing customers the caller may read (clean errors, no traceback).

        One query finds them with the fields the call reads next: ``field_names`` (those the caller may read),
        else those a first read prefetches."""
        if not all(isinstance(id_, int) and not isinstance(id_, bool) and id_ > 0 for id_ in self._ids):
            raise ValidationError(self.env._("Give the customers as a list of their integer ids."))
        names = records.prefetched(self) if field_names is None else records.accessible(self, field_names)
        readable = self.with_context(active_test=False).search_fetch([("id", "in", self.ids)], names)
        if len(readable) == len(set(self._ids)):
            return
        missing = self - self.exists()
        if missing:
            raise MissingError(self.env._("No customer with the id %(ids)s.", ids=", ".join(map(str, missing.ids))))
        self.check_access("read")

    @api.readonly
    def commission_shares(self):
        """XML-RPC: the split of these deals: ``[{lead_id, shares: [{user_id, channel_id, pool, percent, rule}]}]``."""
        self._check_api_ids()
        return [
            {"lead_id": lead.id, "shares": [share._api_values() for share in lead.sudo().share_ids]} for lead in self
        ]

    # ------------------------------------------------------------------
    # API and actions
    # ------------------------------------------------------------------
    @api.readonly
    def attribution(self):
        """XML-RPC: who owns these customers now, by which rule and why.

        Returns a list of ``{lead_id, owner_user_id, owner_channel_id,
        protection_state, protected_until, rule, explanation}``.
        """
        engine = self.env["real.estate.ownership.engine"]
        # with what the rules read of a customer and of a relative: a batch's customers are each other's relatives
        self._check_api_ids(engine._relative_fields())
        verdicts = engine.sudo()._attribute(self.sudo())
        result = []
        for lead in self:
            values = engine._verdict_to_api(verdicts[lead.id])
            values["lead_id"] = lead.id
            result.append(values)
        return result

    def log_followup(self, note="", kind="call", at=None):
        """XML-RPC: log a follow-up by the current user (PR-1, PR-2); ``at`` for imports only."""
        self._check_api_ids()
        Visit = self.env["real.estate.visit"]
        moment = Visit._api_at(at)
        kind = Visit._api_choice({"kind": kind}, "kind", [key for key, _label in FOLLOWUP_KINDS], "call")
        note = Visit._api_text({"note": note}, "note")
        engine = self.env["real.estate.ownership.engine"]
        followups = self.env["real.estate.followup"]
        for lead in self:
            followups |= engine.register_followup(lead, self.env.user, moment, note=note, kind=kind)
        return followups.ids

    def action_log_followup(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Follow-up"),
            "res_model": "real.estate.followup",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("real_estate_attribution.action_real_estate_visit")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Grading and follow-up cadence (GR-1 to GR-5)
    # ------------------------------------------------------------------
    grade = fields.Selection(GRADES, tracking=True, index=True, group_expand="_read_group_grade")
    grade_request_ids = fields.One2many("real.estate.grade.request", "lead_id", string="Grade Requests")
    grade_d_pending = fields.Boolean(
        string="Grade D Requested",
        compute="_compute_grade_d_pending",
        help="GR-3: a request to grade the customer D awaits the manager's approval.",
    )
    registered_at = fields.Datetime(
        compute="_compute_contact_dates", store=True, string="Registered On", help="First visit or call."
    )
    last_contact_at = fields.Datetime(compute="_compute_contact_dates", store=True, string="Last Contact")
    last_followup_at = fields.Datetime(compute="_compute_contact_dates", store=True, string="Last Follow-up")
    next_followup_at = fields.Datetime(
        compute="_compute_next_followup_at",
        store=True,
        string="Next Follow-up",
        index=True,
        help="GR-1 to GR-3: from the grade's cadence and the last follow-up.",
    )
    followup_status = fields.Selection(
        [("overdue", "Overdue"), ("today", "Due Today"), ("planned", "Planned")],
        compute="_compute_followup_status",
        search="_search_followup_status",
    )
    response_due_at = fields.Datetime(compute="_compute_service_deadlines", store=True, string="Answer By")
    assessment_due_at = fields.Datetime(compute="_compute_service_deadlines", store=True, string="Assess By")
    graded_at = fields.Datetime(readonly=True, copy=False, string="First Graded")
    response_overdue = fields.Boolean(
        compute="_compute_service_overdue",
        search="_search_response_overdue",
        string="Answer Overdue",
        help="GR-5: not followed up within 24 hours of the enquiry.",
    )
    assessment_overdue = fields.Boolean(
        compute="_compute_service_overdue",
        search="_search_assessment_overdue",
        help="GR-5: not graded within 3 days of the enquiry.",
    )
    followup_count = fields.Integer(compute="_compute_followup_count", string="Follow-up Count")
    won_percent = fields.Float(compute="_compute_won_percent", store=True, aggregator="avg", string="Conversion (%)")

    @api.depends("grade_request_ids.state")
    def _compute_grade_d_pending(self):
        for lead in self:
            lead.grade_d_pending = any(request.state == "pending" for request in lead.grade_request_ids)

    @api.model
    def _read_group_grade(self, values, domain):
        return [grade for grade, _label in GRADES]

    @api.depends("visit_ids.visit_at", "followup_ids.at")
    def _compute_contact_dates(self):
        for lead in self:
            visits = lead.visit_ids.mapped("visit_at")
            followups = lead.followup_ids.mapped("at")
            lead.registered_at = min(visits, default=False)
            lead.last_contact_at = max(visits, default=False)
            lead.last_followup_at = max(followups, default=False)

    @api.depends(
        "grade",
        "last_followup_at",
        "last_contact_at",
        "stage_id.is_won",
        "active",
        "team_id.grade_a_calls_per_week",
        "team_id.grade_a_days_after_launch",
        "team_id.launch_date",
        "team_id.grade_b_days",
        "team_id.grade_c_days",
        "team_id.service_weekly_days",
    )
    def _compute_next_followup_at(self):
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        for lead in self:
            office = lead.team_id.is_sales_office and (lead.registered_at or lead.create_date)
            lead.next_followup_at = engine._next_followup(lead, now) if office else False

    def _today_bounds(self):
        """UTC bounds of today in the user's timezone (the office's by default)."""
        tz = pytz.timezone(self.env.user.tz or "Asia/Shanghai")
        today = datetime.now(tz).date()
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(days=1)

    @api.depends_context("uid")
    @api.depends("next_followup_at")
    def _compute_followup_status(self):
        start, end = self._today_bounds()
        for lead in self:
            due = lead.next_followup_at
            lead.followup_status = (
                False if not due else "overdue" if due < start else "today" if due < end else "planned"
            )

    def _search_followup_status(self, operator, value):
        """GR-1 to GR-3: overdue (due before today), due today, planned."""
        if operator not in ("=", "in"):
            raise UserError(self.env._("Unsupported search on the follow-up status."))
        start, end = self._today_bounds()
        domains = {
            "overdue": [("next_followup_at", "<", start)],
            "today": [("next_followup_at", ">=", start), ("next_followup_at", "<", end)],
            "planned": [("next_followup_at", ">=", end)],
        }
        wanted = [value] if isinstance(value, str) else list(value)
        return expression.OR([domains[v] for v in wanted if v in domains] or [[("id", "=", 0)]])

    @api.depends("registered_at", "team_id.service_response_hours", "team_id.service_assessment_days")
    def _compute_service_deadlines(self):
        engine = self.env["real.estate.ownership.engine"]
        for lead in self:
            if lead.team_id.is_sales_office and lead.registered_at:
                lead.response_due_at, lead.assessment_due_at = engine._service_deadlines(lead)
            else:
                lead.response_due_at = lead.assessment_due_at = False

    @api.depends("response_due_at", "assessment_due_at", "last_followup_at", "graded_at")
    def _compute_service_overdue(self):
        now = fields.Datetime.now()
        for lead in self:
            lead.response_overdue = bool(
                lead.response_due_at and not lead.last_followup_at and lead.response_due_at < now
            )
            lead.assessment_overdue = bool(
                lead.assessment_due_at and not lead.graded_at and lead.assessment_due_at < now
            )

    def _search_response_overdue(self, operator, value):
        """GR-5: enquiries not answered within 24 hours."""
        overdue = [("response_due_at", "<", fields.Datetime.now()), ("last_followup_at", "=", False)]
        return overdue if (operator == "=") == bool(value) else ["!", "&", *overdue]

    def _search_assessment_overdue(self, operator, value):
        """GR-5: needs not assessed (no grade) within 3 days."""
        overdue = [("assessment_due_at", "<", fields.Datetime.now()), ("graded_at", "=", False)]
        return overdue if (operator == "=") == bool(value) else ["!", "&", *overdue]

    @api.depends("followup_ids")
    def _compute_followup_count(self):
        for lead in self:
            lead.followup_count = len(lead.followup_ids)

    @api.depends("stage_id.is_won")
    def _compute_won_percent(self):
        for lead in self:
            lead.won_percent = 100.0 if lead.stage_id.is_won else 0.0

    def _is_won(self):
        """The customer's stage is a won one, told by the stored ``won_percent`` (the ORM keeps it from
        ``stage_id.is_won``, also when a stage's flag changes): a decision reading the file needs no read of
        its stage."""
        self.ensure_one()
        return self.won_percent == 100.0

    # ------------------------------------------------------------------
    # Grade changes (GR-3) and the call-back activity
    # ------------------------------------------------------------------
    def _grade_write_values(self, vals):
        """GR-3: moving to D needs the follow-up record and a manager's approval; first grading is recorded.
        GR-1 to GR-3: a graded customer keeps a grade (the call-back cadence follows it)."""
        if not vals["grade"] and self.filtered("grade") and not engine_writes(self.env, "grade_approved"):
            raise UserError(self.env._("A graded customer keeps a grade: choose A, B, C or D (GR-1 to GR-3)."))
        if vals["grade"] == "D" and not engine_writes(self.env, "grade_approved"):
            for lead in self.filtered(lambda lead: lead.grade != "D"):
                lead._request_grade_d()
            if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
                vals = {k: v for k, v in vals.items() if k != "grade"}  # the screen shows the pending request
            else:
                self.grade_request_ids.filtered(lambda r: r.state == "pending")._approve()
        if vals.get("grade"):
            for lead in self.filtered(lambda lead: not lead.graded_at):
                lead.graded_at = fields.Datetime.now()
        return vals

    def _request_grade_d(self, reason=""):
        """GR-3: a D request for the manager, only with a follow-up on record."""
        self.ensure_one()
        self._check_grade_d_followups()
        pending = self.grade_request_ids.filtered(lambda r: r.state == "pending")
        return pending or self.env["real.estate.grade.request"].create(
            {"lead_id": self.id, "from_grade": self.grade or False, "reason": reason}
        )

    def _check_grade_d_followups(self):
        """GR-3: D only with the follow-ups on record."""
        unfollowed = self.filtered(lambda lead: not lead.followup_ids)[:1]
        if unfollowed:
            raise UserError(
                self.env._(
                    "%(customer)s has no follow-up on record: log the follow-ups before grading D (GR-3).",
                    customer=unfollowed.name,
                )
            )

    def _sync_followup_activity(self):
        """GR-1 to GR-3: one call-back activity per customer, for the owner, on the next due date.

        Batched: one search for the existing call-backs, one unlink, one create.
        """
        leads = self.sudo().filtered("is_sales_office")
        if not leads:
            return
        activity_type = self.env.ref("real_estate_attribution.mail_activity_type_callback")
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        existing = Activity.search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("activity_type_id", "=", activity_type.id)]
        )
        by_lead = {}
        for activity in existing:
            by_lead[activity.res_id] = by_lead.get(activity.res_id, Activity.browse()) | activity
        engine = self.env["real.estate.ownership.engine"]
        model_id = self.env["ir.model"]._get_id("crm.lead")
        to_unlink, to_create = Activity.browse(), []
        for lead in leads:
            callbacks = by_lead.get(lead.id, Activity.browse())
            if not lead.next_followup_at or not lead.user_id:
                to_unlink |= callbacks
                continue
            values = {
                "date_deadline": engine._office_date(lead.team_id, lead.next_followup_at),
                "user_id": lead.user_id.id,
                "summary": both_languages_plain(self.env, _lt("Grade %(grade)s call-back", grade=lead.grade or "-")),
            }
            if callbacks:
                changed = {
                    k: v for k, v in values.items() if (callbacks[0][k].id if k == "user_id" else callbacks[0][k]) != v
                }
                if changed:
                    callbacks[0].write(changed)
                to_unlink |= callbacks[1:]
            else:
                to_create.append(dict(values, res_model_id=model_id, res_id=lead.id, activity_type_id=activity_type.id))
        to_unlink.unlink()
        Activity.create(to_create)
