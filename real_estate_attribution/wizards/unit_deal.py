from odoo import api, fields, models

from ..models.real_estate_reservation import HANDED_OVER

DEAL_STEPS = [
    ("reserve", "Request Hold"),
    ("confirm", "Confirm Hold"),
    ("subscribe", "Record Deposit"),
    ("sign", "Sign the Contract"),
    ("cancel", "Cancel"),
    ("double_sale", "Unit Sold Twice (CS-8)"),
]


class RealEstateUnitDeal(models.TransientModel):
    """One step of a unit's deal, from the unit's form or the 销控表: it calls the API (``real.estate.unit``
    ``reserve``, ``subscribe``, ``sign``, ``cancel``), so that the screen and integrators meet the same rules."""

    _name = "real.estate.unit.deal"
    _inherit = ["real.estate.api.ids"]
    _description = "Unit Deal Step"

    unit_id = fields.Many2one("real.estate.unit", required=True, readonly=True)
    team_id = fields.Many2one(related="unit_id.team_id")
    currency_id = fields.Many2one(related="unit_id.currency_id")
    step = fields.Selection(DEAL_STEPS, string="Deal Step", required=True, readonly=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Customer",
        domain="[('team_id', '=', team_id), ('type', '=', 'opportunity')]",
        help="The customer the unit is held for, or who pays the deposit.",
    )
    reservation_id = fields.Many2one(related="unit_id.reservation_id")
    reserved_lead_id = fields.Many2one(related="unit_id.reservation_id.lead_id", string="Held for")
    handed_over = fields.Selection(HANDED_OVER, help="UC-2: what the customer handed over to hold the unit.")
    amount = fields.Monetary(string="Deposit", currency_field="currency_id")
    deposit_minimum = fields.Monetary(related="unit_id.team_id.deposit_minimum", currency_field="currency_id")
    payment_ref = fields.Char(string="Payment Reference")
    contract_amount = fields.Monetary(currency_field="currency_id")
    contract_ref = fields.Char(string="Contract Number")
    list_price = fields.Monetary(related="unit_id.list_price", currency_field="currency_id")
    reason = fields.Char()
    note = fields.Text()
    lost_lead_id = fields.Many2one(
        "crm.lead",
        string="Lost Customer",
        domain="[('team_id', '=', team_id)]",
        help="CS-8: the customer another consultant lost because the unit was sold twice.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        unit = self.env["real.estate.unit"].browse(values.get("unit_id") or [])
        if unit and values.get("step") == "sign" and "contract_amount" in fields_list:
            values.setdefault("contract_amount", unit.list_price)
        return values

    def action_apply(self):
        self.ensure_one()
        Unit = self.env["real.estate.unit"]
        unit = self.unit_id
        if self.step == "reserve":
            Unit.reserve({"unit_id": unit.id, "lead_id": self.lead_id.id, "note": self.note or ""})
        elif self.step == "confirm":
            Unit.confirm_hold({"unit_id": unit.id, "handed_over": self.handed_over or False})
        elif self.step == "subscribe":
            Unit.subscribe(
                {
                    "unit_id": unit.id,
                    "lead_id": self.lead_id.id or False,
                    "amount": self.amount,
                    "payment_ref": self.payment_ref or "",
                }
            )
        elif self.step == "sign":
            Unit.sign(
                {"unit_id": unit.id, "contract_amount": self.contract_amount, "contract_ref": self.contract_ref or ""}
            )
        elif self.step == "cancel":
            Unit.cancel({"unit_id": unit.id, "reason": self.reason or ""})
        elif self.step == "double_sale":
            return self.env["real.estate.ownership.engine"]._open_double_sale(unit, self.lost_lead_id)
        return {"type": "ir.actions.act_window_close"}
