from odoo import fields, models

TURN_EVENTS = [
    ("turn", "Regular Turn"),
    ("makeup", "Make-up Turn"),
    ("skipped", "Skipped, Make-up Owed"),
    ("lost", "Turn Lost"),
    ("out_of_turn", "Received out of Turn"),
    ("designated", "Named by the Visitor"),
    ("returning", "Own Returning Customer"),
    ("helper", "Helper Reception"),
    ("service", "Deposit or Signing Only"),
    ("researcher", "Market Researcher"),
    ("call", "Call without Registration"),
]


class RealEstateRotationTurn(models.Model):
    """The rotation ledger: every reception and every turn passed over (RO-1 to RO-6)."""

    _name = "real.estate.rotation.turn"
    _inherit = ["real.estate.api.values"]
    _description = "Rotation Ledger Entry"
    _order = "at desc, id desc"

    roster_id = fields.Many2one("real.estate.roster", required=True, ondelete="cascade", index=True)
    team_id = fields.Many2one(related="roster_id.team_id", store=True, precompute=True)
    user_id = fields.Many2one("res.users", string="Consultant", required=True)
    visit_id = fields.Many2one("real.estate.visit", ondelete="set null")
    at = fields.Datetime(string="Time", required=True)
    event = fields.Selection(TURN_EVENTS, required=True)
    rule = fields.Char(required=True)
