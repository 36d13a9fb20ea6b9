from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class RealEstateUnitBulkCreate(models.TransientModel):
    """UC-1: a building's units at once: floors from and to, units per floor, numbered floor * 100 + position
    (1201 is the first unit of the 12th floor)."""

    _name = "real.estate.unit.bulk.create"
    _inherit = ["real.estate.api.ids"]
    _description = "Create a Building's Units"

    building_id = fields.Many2one("real.estate.building", required=True)
    currency_id = fields.Many2one(related="building_id.team_id.office_currency_id")
    floor_from = fields.Integer(string="From Floor", required=True, default=1)
    floor_to = fields.Integer(string="To Floor", required=True, default=18)
    units_per_floor = fields.Integer(required=True, default=4)
    layout = fields.Char(help="户型, e.g. 3室2厅2卫.")
    area = fields.Float(string="Area (m²)", digits=(16, 2))
    list_price = fields.Monetary(string="List Price (first floor)", currency_field="currency_id")
    price_step = fields.Monetary(
        string="Price Step per Floor", currency_field="currency_id", help="Added to the list price on each floor up."
    )

    @api.constrains("floor_from", "floor_to", "units_per_floor")
    def _check_counts(self):
        for wizard in self:
            if wizard.floor_to < wizard.floor_from or not 0 < wizard.units_per_floor <= 99:
                raise ValidationError(
                    self.env._("The last floor cannot be below the first, and each floor has 1 to 99 units.")
                )
            if wizard.floor_to - wizard.floor_from + 1 > 200:
                raise ValidationError(self.env._("A building has at most 200 floors."))

    def _unit_values(self):
        self.ensure_one()
        existing = set(self.building_id.unit_ids.mapped("number"))
        values = []
        for floor in range(self.floor_from, self.floor_to + 1):
            for position in range(1, self.units_per_floor + 1):
                number = "%d%02d" % (floor, position)
                if number in existing:
                    continue
                values.append(
                    {
                        "building_id": self.building_id.id,
                        "number": number,
                        "floor": floor,
                        "position": position,
                        "layout": self.layout or False,
                        "area": self.area,
                        "list_price": self.list_price + self.price_step * (floor - self.floor_from),
                    }
                )
        return values

    def action_create(self):
        values = self._unit_values()
        if not values:
            raise UserError(self.env._("Every unit of these floors already exists."))
        units = self.env["real.estate.unit"].create(values)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Units"),
            "res_model": "real.estate.unit",
            "view_mode": "list,form",
            "domain": [("id", "in", units.ids)],
        }
