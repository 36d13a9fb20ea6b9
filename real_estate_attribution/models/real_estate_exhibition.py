from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RealEstateExhibition(models.Model):
    """An exhibition period (展销期) of an office: its customers are shared (CS-7)."""

    _name = "real.estate.exhibition"
    _inherit = ["real.estate.api.values"]
    _description = "Exhibition Period"
    _order = "date_from desc"

    name = fields.Char(required=True)
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)])
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    closer_percent = fields.Float(
        string="Closer's Share (%)", default=40.0, digits=(5, 2), help="CS-7: the rest is shared by the others."
    )

    @api.constrains("date_from", "date_to", "closer_percent")
    def _check_period(self):
        for exhibition in self:
            if exhibition.date_to < exhibition.date_from or not 0 < exhibition.closer_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The exhibition %(name)s needs an end after its start and a share between 0 and 100.",
                        name=exhibition.name,
                    )
                )
