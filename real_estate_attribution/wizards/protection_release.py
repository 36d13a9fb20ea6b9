from odoo import fields, models


class ProtectionRelease(models.TransientModel):
    """A manager releases a customer to the public pool, with a reason (PR-3)."""

    _name = "real.estate.protection.release"
    _inherit = ["real.estate.api.ids"]
    _description = "Release a Protection"

    protection_id = fields.Many2one("real.estate.protection", required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_release(self):
        self.ensure_one()
        self.env["real.estate.ownership.engine"]._release_protection(
            self.protection_id, fields.Datetime.now(), self.reason, source="manual"
        )
        return {"type": "ir.actions.act_window_close"}
