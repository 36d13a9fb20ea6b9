from odoo import fields, models


class RealEstateProtection(models.Model):
    """Channel protections (CH-8) and accompanied visits (CH-12) are held by a channel."""

    _inherit = "real.estate.protection"

    kind = fields.Selection(
        selection_add=[
            ("channel", "Channel Visit"),
            ("accompanied", "Accompanied Visit"),
            ("in_house", "In-house Channel (Sales Period)"),
        ],
        ondelete={"channel": "cascade", "accompanied": "cascade", "in_house": "cascade"},
    )
    origin = fields.Selection(selection_add=[("claim", "Claim on a Deposit (CH-18)")], ondelete={"claim": "cascade"})
    holder_channel_id = fields.Many2one("res.partner", string="Holding Channel", index="btree_not_null")
    report_id = fields.Many2one("real.estate.report", ondelete="set null")
    reconfirm_count = fields.Integer(string="Re-confirmations", default=0)

    def _refresh_end(self):
        """Channel periods are fixed at confirmation (CH-8): settings changes apply to new ones only."""
        return super(RealEstateProtection, self.filtered(lambda p: not p.holder_channel_id))._refresh_end()
