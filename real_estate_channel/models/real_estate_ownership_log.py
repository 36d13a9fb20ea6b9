from odoo import api, fields, models


class RealEstateOwnershipLog(models.Model):
    _inherit = "real.estate.ownership.log"

    old_channel_id = fields.Many2one("res.partner", string="Channel Before")
    new_channel_id = fields.Many2one("res.partner", string="Channel After")
    source = fields.Selection(
        selection_add=[
            ("confirmation", "Visit Confirmation"),
            ("report", "Channel Report"),
            ("claim", "Claim on a Deposit"),
        ],
        ondelete={"confirmation": "cascade", "report": "cascade", "claim": "cascade"},
    )

    @api.model
    def _chain_extension_columns(self):
        return [*super()._chain_extension_columns(), "old_channel_id", "new_channel_id"]

    def _owner_label(self, side):
        label = super()._owner_label(side)
        channel = self.old_channel_id if side == "old" else self.new_channel_id
        return "%s / %s" % (channel.name, label) if channel else label
