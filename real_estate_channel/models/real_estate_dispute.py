from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RealEstateDispute(models.Model):
    """Channels claim customers too; their agents are parties and never decide (DI-3)."""

    _inherit = "real.estate.dispute"

    claimant_channel_id = fields.Many2one(
        "res.partner",
        domain=[("channel_kind", "!=", False)],
        tracking=True,
        help="A channel that claims the customer (instead of a consultant).",
    )
    channel_before_id = fields.Many2one("res.partner", string="Channel when Claimed", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        for vals in vals_list:
            if vals.get("claimant_channel_id"):
                vals["claimant_user_id"] = False
        disputes = super().create(vals_list)
        for dispute in disputes.sudo():
            dispute.channel_before_id = dispute.lead_id.protection_id.holder_channel_id
        return disputes

    @api.constrains("claimant_user_id", "claimant_channel_id")
    def _check_claimant(self):
        for dispute in self:
            if bool(dispute.claimant_user_id) == bool(dispute.claimant_channel_id):
                raise ValidationError(self.env._("A dispute has one claimant: a consultant or a channel."))

    def _claim_fields(self):
        return super()._claim_fields() | {"claimant_channel_id"}

    def _claims_in_own_name(self, vals):
        """An agent claims for their own channel only."""
        channel = vals.get("claimant_channel_id")
        if channel:
            return channel == self.env.user.partner_id.channel_id.id
        return super()._claims_in_own_name(vals)

    def _protected_fields(self):
        return super()._protected_fields() | {"claimant_channel_id", "channel_before_id"}

    def _is_party(self, user):
        return super()._is_party(user) or bool(
            self.claimant_channel_id and user.partner_id.channel_id == self.claimant_channel_id
        )

    def _parties(self):
        return super()._parties() | self.claimant_channel_id | self.channel_before_id


class RealEstateDisputeShare(models.Model):
    _inherit = "real.estate.dispute.share"

    channel_id = fields.Many2one("res.partner", domain=[("channel_kind", "!=", False)])
