from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RealEstateCommissionScheme(models.Model):
    """A tiered channel commission scheme (跳点, CC-1)."""

    _name = "real.estate.commission.scheme"
    _inherit = ["real.estate.api.values"]
    _description = "Channel Commission Scheme"

    name = fields.Char(required=True)
    tier_ids = fields.One2many("real.estate.commission.tier", "scheme_id", string="Tiers", copy=True)

    @api.constrains("tier_ids")
    def _check_tiers(self):
        for scheme in self:
            starts = scheme.tier_ids.mapped("min_units")
            if len(starts) != len(set(starts)) or (starts and min(starts) != 1):
                raise ValidationError(
                    self.env._(
                        "The tiers of %(name)s must start at 1 unit, each at a different count.", name=scheme.name
                    )
                )

    def _rate_for(self, units):
        """CC-1: the rate of the highest tier reached by ``units`` deals in the period."""
        self.ensure_one()
        reached = self.tier_ids.filtered(lambda tier: tier.min_units <= units).sorted("min_units")
        return reached[-1].rate if reached else 0.0


class RealEstateCommissionTier(models.Model):
    _name = "real.estate.commission.tier"
    _inherit = ["real.estate.api.values"]
    _description = "Channel Commission Tier"
    _order = "scheme_id, min_units"

    scheme_id = fields.Many2one("real.estate.commission.scheme", required=True, ondelete="cascade")
    min_units = fields.Integer(string="From (Units)", required=True, default=1)
    rate = fields.Float(string="Rate (%)", required=True, digits=(5, 3))

    _sql_constraints = [
        (
            "tier_positive",
            "CHECK(min_units >= 1 AND rate >= 0 AND rate <= 100)",
            "Tiers start at 1 unit; rates lie between 0 and 100%.",
        ),
    ]
