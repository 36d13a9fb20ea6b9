from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.engine import engine_writes

SUBSCRIPTION_STATES = [
    ("to_approve", "Deposit to Approve"),
    ("subscribed", "Subscribed"),
    ("signed", "Signed"),
    ("cancelled", "Cancelled"),
]
#: A unit is subscribed once (UC-5, CS-15): one deal in these states per unit, by a unique partial index.
LIVE_STATES = ("to_approve", "subscribed", "signed")


class RealEstateSubscription(models.Model):
    """A deal on a unit (认购 → 签约): the deposit that subscribes it, then the signed contract (UC-4, UC-5).

    Its moments are the moments they are recorded, never typed (data imports replay history with
    ``at``). The signed contract amount is what credit splits and channel commission rest on (CC-1, CC-2).
    """

    _name = "real.estate.subscription"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.api.values"]
    _description = "Deal (Subscription and Signing)"
    _order = "subscribed_at desc, id desc"

    name = fields.Char(default="/", readonly=True, copy=False)
    unit_id = fields.Many2one("real.estate.unit", required=True, readonly=True, index=True, ondelete="restrict")
    building_id = fields.Many2one(related="unit_id.building_id", store=True)
    team_id = fields.Many2one(related="unit_id.team_id", string="Sales Office", store=True, index=True)
    company_id = fields.Many2one(related="unit_id.company_id", store=True)
    currency_id = fields.Many2one(related="unit_id.currency_id")
    area = fields.Float(related="unit_id.area", string="Area (m²)", store=True)
    lead_id = fields.Many2one(
        "crm.lead", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Consultant", readonly=True, index=True)
    reservation_id = fields.Many2one("real.estate.reservation", readonly=True)
    without_reservation = fields.Boolean(
        readonly=True, help="UC-6: the deposit was taken without a reservation confirmed by the sales manager."
    )
    state = fields.Selection(SUBSCRIPTION_STATES, required=True, readonly=True, default="subscribed", tracking=True)
    amount = fields.Monetary(string="Deposit", readonly=True, currency_field="currency_id")
    payment_ref = fields.Char(string="Payment Reference", readonly=True)
    subscribed_at = fields.Datetime(string="Deposit Recorded", readonly=True, index=True)
    recorded_by = fields.Many2one("res.users", readonly=True)
    approved_by = fields.Many2one("res.users", string="Deposit Approved by", readonly=True)
    approved_at = fields.Datetime(readonly=True)
    contract_amount = fields.Monetary(readonly=True, currency_field="currency_id", tracking=True)
    contract_ref = fields.Char(string="Contract Number", readonly=True)
    signed_at = fields.Datetime(string="Signed On", readonly=True, index=True)
    signed_by = fields.Many2one("res.users", readonly=True)
    cancelled_at = fields.Datetime(readonly=True)
    cancelled_by = fields.Many2one("res.users", readonly=True)
    cancel_reason = fields.Char(readonly=True)

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS real_estate_subscription_one_live
                    ON real_estate_subscription (unit_id)
                 WHERE state IN %s
                """,
                LIVE_STATES,
            )
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        self._check_engine()
        subscriptions = super().create(vals_list)
        for subscription in subscriptions:
            subscription.name = self.env["ir.sequence"].next_by_code("real.estate.subscription") or "/"
        return subscriptions

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        self._check_engine()
        return super().write(vals)

    @api.model
    def _check_engine(self):
        if not engine_writes(self.env):
            raise UserError(
                self.env._(
                    "Deals are recorded by the rules: the sales manager records the deposit and the signing on "
                    "the unit (UC-4, UC-5)."
                )
            )

    def _api_values(self):
        self.ensure_one()
        return {
            "subscription_id": self.id,
            "name": self.name,
            "unit_id": self.unit_id.id,
            "lead_id": self.lead_id.id,
            "user_id": self.user_id.id or False,
            "state": self.state,
            "amount": self.amount,
            "subscribed_at": fields.Datetime.to_string(self.subscribed_at) if self.subscribed_at else False,
            "without_reservation": self.without_reservation,
            "contract_amount": self.contract_amount,
            "signed_at": fields.Datetime.to_string(self.signed_at) if self.signed_at else False,
        }

    def action_approve(self):
        """UC-4: the sales manager accepts a deposit below the office's minimum."""
        self.env["real.estate.unit"]._check_controller()
        for subscription in self:
            self.env["real.estate.ownership.engine"]._approve_subscription(subscription, fields.Datetime.now())
        return True

    def action_open_unit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "real.estate.unit",
            "res_id": self.unit_id.id,
            "view_mode": "form",
        }
