from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RealEstateHousehold(models.Model):
    """A household (家庭) whose direct relatives count as one customer (ID-3)."""

    _name = "real.estate.household"
    _description = "Customer Household"
    _inherit = ["mail.thread", "real.estate.api.values"]

    name = fields.Char(required=True, tracking=True)
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)])
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    member_ids = fields.One2many("real.estate.household.member", "household_id", string="Members")
    note = fields.Text(string="Evidence", help="Marriage or household certificate, call records (DI-2).")

    @api.constrains("member_ids", "team_id")
    def _check_members_office(self):
        for household in self:
            strangers = household.member_ids.lead_id.filtered(lambda lead, h=household: lead.team_id != h.team_id)
            if strangers:
                raise ValidationError(
                    self.env._(
                        "Household members must be customers of %(office)s: %(names)s.",
                        office=household.team_id.name,
                        names=", ".join(strangers.mapped("name")),
                    )
                )
