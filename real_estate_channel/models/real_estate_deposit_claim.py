from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import LazyTranslate

from odoo.addons.real_estate_attribution.tools.engine import as_system, engine_writes
from odoo.addons.real_estate_attribution.tools.i18n import both_languages_plain

_lt = LazyTranslate(__name__)

CLAIM_STATES = [
    ("submitted", "Awaiting Decision"),
    ("accepted", "Accepted"),
    ("refused", "Refused"),
]


class RealEstateDepositClaim(models.Model):
    """A channel's claim on a customer who paid a deposit without any report (CH-18).

    The channel files it within the office's window after the deposit (3 days by default), with its formal
    report or evidence; later, the claim is void and cannot be filed. The site manager of the office decides:
    an accepted claim makes the customer, and the deal, the channel's; the receiving consultant stays.
    """

    _name = "real.estate.deposit.claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.private.number", "real.estate.api.values"]
    _description = "Channel Claim on a Deposit"
    _order = "claimed_at desc, id desc"
    _private_number_fields = ("phone",)

    name = fields.Char(default="/", readonly=True, copy=False)
    team_id = fields.Many2one(
        "crm.team", string="Sales Office", required=True, index=True, domain=[("is_sales_office", "=", True)]
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    channel_id = fields.Many2one("res.partner", required=True, index=True, domain=[("channel_kind", "!=", False)])
    agent_id = fields.Many2one("res.partner", domain="[('parent_id', '=', channel_id)]")
    customer_name = fields.Char(required=True)
    phone = fields.Char(string="Mobile", required=True, help="The customer's full mobile number.")
    subscription_id = fields.Many2one(
        "real.estate.subscription", string="Deposit", readonly=True, index=True, ondelete="cascade"
    )
    lead_id = fields.Many2one(related="subscription_id.lead_id", string="Customer", store=True)
    deposit_at = fields.Datetime(related="subscription_id.subscribed_at", string="Deposit Recorded")
    report_id = fields.Many2one(
        "real.estate.report",
        string="Formal Report",
        domain="[('channel_id', '=', channel_id)]",
        help="CH-18: the channel's report of this customer, if it has one.",
    )
    evidence = fields.Text(help="CH-18: what shows the customer is the channel's (chat records, visit photos…).")
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence Files")
    claimed_at = fields.Datetime(string="Claimed On", readonly=True, index=True)
    claimed_by = fields.Many2one("res.users", readonly=True)
    deadline = fields.Datetime(
        string="Claim Window Ends",
        readonly=True,
        help="CH-18: the deposit plus the office's claim window; a later claim is void.",
    )
    state = fields.Selection(CLAIM_STATES, default="submitted", required=True, readonly=True, tracking=True)
    decided_by = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    decision_note = fields.Text(readonly=True)

    def _private_number_holder(self):
        """ID-2: the consultant holding the customer reads the number, as on the customer."""
        return self.lead_id._private_number_holder()

    @api.model_create_multi
    def create(self, vals_list):
        """CH-18: the rules find the deposit, check the window, the standing and the evidence, then file."""
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        engine = self.env["real.estate.ownership.engine"]
        prepared = []
        for vals in vals_list:
            if not self.env.su:
                self._check_api_values(vals)
                self._check_api_required(vals)
                self._check_caller_values(vals)
            self._check_filer(vals)
            prepared.append(engine._check_deposit_claim(dict(vals)))
        claims = super(RealEstateDepositClaim, self.sudo().with_context(attribution_engine=True)).create(prepared)
        for claim in claims:
            claim.name = self.env["ir.sequence"].sudo().next_by_code("real.estate.deposit.claim") or "/"
            claim.attachment_ids.sudo().write({"res_model": self._name, "res_id": claim.id})
            claim._schedule_decision()
        return claims.with_env(self.env)

    def write(self, vals):
        """A filed claim is decided with its buttons; its facts are not edited."""
        self.check_access("write")
        if not engine_writes(self.env):
            raise UserError(
                self.env._("A claim is decided with its buttons (CH-18); add evidence in its chatter instead.")
            )
        return super().write(vals)

    @api.model
    def _check_caller_values(self, vals):
        """What the rules record (the deposit, the window, the decision) is not given; evidence files are the
        caller's own uploads, not yet attached to anything."""
        recorded = set(vals) & {
            "subscription_id",
            "deadline",
            "claimed_at",
            "claimed_by",
            "state",
            "decided_by",
            "decided_at",
            "decision_note",
            "name",
        }
        if recorded:
            raise ValidationError(
                self.env._("%(fields)s: recorded by the rules (CH-18).", fields=", ".join(sorted(recorded)))
            )
        ids = set()
        for command in vals.get("attachment_ids") or []:
            if command[0] == 6:
                ids.update(command[2])
            elif command[0] == 4:
                ids.add(command[1])
            else:
                raise ValidationError(self.env._("Evidence Files: attach your uploaded files."))
        files = self.env["ir.attachment"].sudo().browse(sorted(ids)).exists()
        if len(files) != len(ids) or any(f.create_uid != self.env.user or f.res_id for f in files):
            raise ValidationError(self.env._("Evidence Files: attach your uploaded files."))

    @api.model
    def _check_filer(self, vals):
        """CH-18: the channel's own agent files in the portal; in the back end, a channel or site manager."""
        user = self.env.user
        if self.env.su or user.has_group("real_estate_channel.group_channel_manager"):
            return
        if user.has_group("real_estate_attribution.group_site_manager"):
            return
        partner = user.partner_id.sudo()
        if not partner.channel_id or vals.get("channel_id") != partner.channel_id.id:
            raise AccessError(self.env._("Only an agent of the channel claims its customers (CH-18)."))
        vals["agent_id"] = partner.id

    def _schedule_decision(self):
        """The office's site manager decides, before the claim window ends."""
        manager = self.team_id.user_id
        if manager:
            as_system(self).activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.to_date(self.deadline) or fields.Date.today(),
                summary=both_languages_plain(self.env, _lt("Decide the channel's claim on a deposit (CH-18)")),
                user_id=manager.id,
            )

    def _check_judge(self):
        """CH-18, DI-3: the office's site manager decides; not the consultant holding the customer."""
        user = self.env.user
        if not user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("The site manager decides a channel's claim on a deposit (CH-18)."))
        for claim in self:
            if claim.state != "submitted":
                raise UserError(self.env._("This claim is already decided."))
            if claim.sudo().lead_id._private_number_holder() == user:
                raise AccessError(self.env._("You hold this customer: another manager decides the claim (DI-3)."))

    def action_accept(self):
        """CH-18: the customer and the deal become the channel's."""
        self._check_judge()
        engine = self.env["real.estate.ownership.engine"].sudo()
        for claim in self:
            engine.accept_deposit_claim(claim.sudo(), fields.Datetime.now(), self.env.user)
        return True

    def action_refuse(self):
        """CH-18: the evidence does not hold: the customer stays as they are."""
        self._check_judge()
        for claim in self:
            claim.sudo().with_context(attribution_engine=True).write(
                {"state": "refused", "decided_by": self.env.user.id, "decided_at": fields.Datetime.now()}
            )
            claim.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        return True
