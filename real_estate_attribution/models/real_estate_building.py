from odoo import api, fields, models


class RealEstateBuilding(models.Model):
    """A building (楼栋) of a sales office's project: its units make the 销控表 (UC-1)."""

    _name = "real.estate.building"
    _inherit = ["real.estate.api.values"]
    _description = "Building"
    _order = "team_id, sequence, name, id"

    name = fields.Char(required=True, help="As the office names it, e.g. 1栋.")
    sequence = fields.Integer(default=10)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Office",
        required=True,
        index=True,
        domain=[("is_sales_office", "=", True)],
        default=lambda self: self.env.user.crm_team_ids.filtered("is_sales_office")[:1],
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    active = fields.Boolean(default=True)
    unit_ids = fields.One2many("real.estate.unit", "building_id", string="Units")
    unit_count = fields.Integer(compute="_compute_unit_counts")
    available_count = fields.Integer(string="Available Units", compute="_compute_unit_counts")

    _sql_constraints = [
        ("office_name_unique", "UNIQUE(team_id, name)", "A building's name is unique in its sales office."),
    ]

    @api.depends("unit_ids.state")
    def _compute_unit_counts(self):
        groups = self.env["real.estate.unit"]._read_group(
            [("building_id", "in", self.ids)], ["building_id", "state"], ["__count"]
        )
        counts = {}
        for building, state, count in groups:
            total, available = counts.get(building.id, (0, 0))
            counts[building.id] = (total + count, available + (count if state == "available" else 0))
        for building in self:
            building.unit_count, building.available_count = counts.get(building.id, (0, 0))

    def action_view_grid(self):
        """The building's 销控表."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("real_estate_attribution.action_real_estate_unit_grid")
        action["context"] = {"building_id": self.id, "team_id": self.team_id.id}
        return action
