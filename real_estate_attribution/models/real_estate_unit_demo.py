"""Demo units of 滨江壹号: two buildings, and their holds and deals made through the rules (demo data only).

Deals of the demo history are signed on units as a data import replays them (``at``, in time order); the
holds, deposits and requests of today are made as the people of the office make them.
"""

from datetime import timedelta

from odoo import api, fields, models

#: (building, floors, units per floor, layouts by position, area by position, price per m² on the 1st floor)
BUILDINGS = [
    ("1栋", 24, 6, ["3室2厅2卫", "2室2厅1卫", "4室2厅2卫"], [118.0, 89.0, 143.0], 21_000),
    ("2栋", 18, 8, ["2室2厅1卫", "3室2厅2卫"], [92.0, 126.0], 19_500),
]
#: Each floor up adds this to the price per m².
FLOOR_STEP = 120


class RealEstateUnitDemoLoader(models.AbstractModel):
    _name = "real.estate.unit.demo.loader"
    _description = "Sales Office Demo Units"

    @api.model
    def _load_buildings(self, team):
        """UC-1: the project's inventory, 288 units."""
        Unit = self.env["real.estate.unit"]
        for sequence, (name, floors, per_floor, layouts, areas, price) in enumerate(BUILDINGS):
            building = self.env["real.estate.building"].create({"name": name, "team_id": team.id, "sequence": sequence})
            values = []
            for floor in range(1, floors + 1):
                for position in range(1, per_floor + 1):
                    area = areas[(position - 1) % len(areas)]
                    values.append(
                        {
                            "building_id": building.id,
                            "number": "%d%02d" % (floor, position),
                            "floor": floor,
                            "position": position,
                            "layout": layouts[(position - 1) % len(layouts)],
                            "area": area,
                            "list_price": round(area * (price + FLOOR_STEP * floor), -3),
                        }
                    )
            Unit.create(values)

    @api.model
    def _sign(self, lead, at, amount=None):
        """A deal of the demo history: held, subscribed and signed on the next free unit, replayed at ``at``."""
        Unit = self.env["real.estate.unit"]
        unit = Unit.search([("team_id", "=", lead.team_id.id), ("state", "=", "available")], order="id", limit=1)
        moment = fields.Datetime.to_string
        Unit.reserve(
            {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money", "at": moment(at - timedelta(hours=3))}
        )
        Unit.subscribe(
            {
                "unit_id": unit.id,
                "amount": 50_000,
                "payment_ref": "POS-%s" % lead.id,
                "at": moment(at - timedelta(hours=2)),
            }
        )
        Unit.sign({"unit_id": unit.id, "contract_amount": amount or unit.list_price, "at": moment(at)})
        return unit

    @api.model
    def _load_today(self, team):
        """UC-2 to UC-6 today: deposits, one below the minimum, holds, requests, and the register's history."""
        Unit = self.env["real.estate.unit"]
        leads = self.env["crm.lead"].search(
            [
                ("team_id", "=", team.id),
                ("protection_id.state", "=", "active"),
                ("protection_id.holder_user_id", "!=", False),
                ("stage_id.is_won", "=", False),
            ],
            order="id",
        )
        units = iter(Unit.search([("team_id", "=", team.id), ("state", "=", "available")], order="floor desc, id"))
        now = fields.Datetime.now()
        moment = fields.Datetime.to_string
        plan = iter(leads)
        for _n in range(3):  # subscribed (认购): held, then the deposit
            unit, lead = next(units), next(plan)
            Unit.reserve(
                {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money", "at": moment(now - timedelta(hours=5))}
            )
            Unit.subscribe(
                {
                    "unit_id": unit.id,
                    "amount": 50_000,
                    "payment_ref": "POS-%s" % lead.id,
                    "at": moment(now - timedelta(hours=4)),
                }
            )
        unit, lead = next(units), next(plan)  # UC-4: a deposit below the minimum waits for approval
        Unit.reserve(
            {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "id_card", "at": moment(now - timedelta(hours=3))}
        )
        Unit.subscribe(
            {
                "unit_id": unit.id,
                "amount": 10_000,
                "payment_ref": "POS-%s" % lead.id,
                "at": moment(now - timedelta(hours=2)),
            }
        )
        for _n in range(3):  # held (销控) until tomorrow
            unit, lead = next(units), next(plan)
            Unit.reserve(
                {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money", "at": moment(now - timedelta(hours=1))}
            )
        for _n in range(2):  # UC-2: requested by the consultant, waiting for the sales manager
            unit, lead = next(units), next(plan)
            Unit.with_user(lead.user_id).reserve({"unit_id": unit.id, "lead_id": lead.id, "note": "客户看中，想保留"})
        # the register's history: a hold released, one expired (UC-3), a deposit cancelled
        unit, lead = next(units), next(plan)
        Unit.reserve(
            {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "id_card", "at": moment(now - timedelta(days=3))}
        )
        Unit.cancel({"unit_id": unit.id, "reason": "客户改选其他楼栋", "at": moment(now - timedelta(days=2))})
        unit = next(units)
        Unit.reserve(
            {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money", "at": moment(now - timedelta(days=2))}
        )
        self.env["real.estate.reservation"]._cron_expire()
        unit = next(units)
        Unit.reserve(
            {
                "unit_id": unit.id,
                "lead_id": lead.id,
                "handed_over": "money",
                "at": moment(now - timedelta(days=1, hours=2)),
            }
        )
        Unit.subscribe({"unit_id": unit.id, "amount": 50_000, "at": moment(now - timedelta(days=1, hours=1))})
        Unit.cancel({"unit_id": unit.id, "reason": "客户资金未到位，退订", "at": moment(now - timedelta(days=1))})
