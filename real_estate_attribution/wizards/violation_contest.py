from odoo import fields, models


class RealEstateViolationContest(models.TransientModel):
    """DI-1, DS-4: the consultant says why they contest a violation; the marketing director decides."""

    _name = "real.estate.violation.contest"
    _inherit = ["real.estate.api.ids"]
    _description = "Contest a Violation"

    violation_id = fields.Many2one("real.estate.violation", required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_contest(self):
        self.ensure_one()
        self.violation_id._contest(self.reason)
        return {"type": "ir.actions.act_window_close"}
