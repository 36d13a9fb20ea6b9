from odoo import api, fields, models


class RealEstateCustomerRecord(models.AbstractModel):
    """A record kept on an office customer (follow-up, credit share, grade request or review).

    Its office is the customer's, stored when the record is made. An office
    customer never changes office (ownership fields move by the engine only),
    so the office is not a related field: stock CRM's reassignments of other
    teams' leads trigger no recomputation here.
    """

    _name = "real.estate.customer.record"
    _description = "Record of an Office Customer"

    team_id = fields.Many2one("crm.team", string="Sales Office", compute="_compute_team_id", store=True, index=True)

    @api.depends("lead_id")
    def _compute_team_id(self):
        for record in self:
            record.team_id = record.lead_id.team_id
