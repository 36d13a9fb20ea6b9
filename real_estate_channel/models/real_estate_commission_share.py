from odoo import fields, models


class RealEstateCommissionShare(models.Model):
    """A channel can be the beneficiary of a share (CH-9)."""

    _inherit = "real.estate.commission.share"

    channel_id = fields.Many2one("res.partner", index="btree_not_null")

    def _beneficiaries(self):
        return [*super()._beneficiaries(), self.channel_id]

    def _api_values(self):
        values = super()._api_values()
        values["channel_id"] = self.channel_id.id or False
        return values

    def _compute_beneficiary(self):
        result = super()._compute_beneficiary()
        for share in self.filtered("channel_id"):
            share.beneficiary = share.channel_id.name
        return result
