from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.engine import engine_writes

UNIT_STATES = [
    ("available", "For Sale"),
    ("reserved", "Reserved"),
    ("subscribed", "Subscribed"),
    ("signed", "Signed"),
]
UNIT_USAGES = [("residence", "Residence"), ("parking", "Parking Space"), ("commercial", "Commercial")]
#: What the deal flow writes (UC-1 to UC-5): never typed, whoever the user.
DEAL_STATE_FIELDS = {"state", "lead_id", "user_id", "reservation_id", "subscription_id"}
#: The colour of each state on the 销控表 and the kanban (Odoo's colour indexes).
STATE_COLORS = {"available": 10, "reserved": 3, "subscribed": 2, "signed": 1}
UNIT_CONTROLLER_GROUPS = (
    "real_estate_attribution.group_sales_manager",
    "real_estate_attribution.group_site_manager",
)


class RealEstateUnit(models.Model):
    """A unit (房源) of a building: available, reserved (销控), subscribed (认购) or signed (签约), UC-1."""

    _name = "real.estate.unit"
    _inherit = ["mail.thread", "real.estate.api.values"]
    _description = "Unit"
    _order = "building_id, floor desc, position, id"

    name = fields.Char(compute="_compute_name", store=True, index=True)
    number = fields.Char(string="Unit Number", required=True, help="The unit's number in its building, e.g. 1201.")
    building_id = fields.Many2one("real.estate.building", required=True, index=True, ondelete="restrict")
    team_id = fields.Many2one(related="building_id.team_id", string="Sales Office", store=True, index=True)
    company_id = fields.Many2one(related="building_id.company_id", store=True)
    currency_id = fields.Many2one(related="team_id.office_currency_id")
    floor = fields.Integer(required=True, default=1, aggregator=None)
    position = fields.Integer(
        string="Position on the Floor",
        required=True,
        default=1,
        aggregator=None,
        help="The unit's column on the 销控表.",
    )
    layout = fields.Char(help="户型, e.g. 3室2厅2卫.")
    area = fields.Float(string="Area (m²)", digits=(16, 2), help="Gross floor area (建筑面积).")
    list_price = fields.Monetary(currency_field="currency_id")
    usage = fields.Selection(UNIT_USAGES, required=True, default="residence")
    state = fields.Selection(UNIT_STATES, required=True, default="available", readonly=True, tracking=True, index=True)
    color = fields.Integer(compute="_compute_color")
    lead_id = fields.Many2one("crm.lead", string="Customer", readonly=True, index="btree_not_null", tracking=True)
    user_id = fields.Many2one("res.users", string="Consultant", readonly=True, tracking=True)
    reservation_id = fields.Many2one("real.estate.reservation", string="Current Reservation", readonly=True)
    subscription_id = fields.Many2one("real.estate.subscription", string="Current Deal", readonly=True)
    reservation_ids = fields.One2many("real.estate.reservation", "unit_id", string="Reservation Register")
    subscription_ids = fields.One2many("real.estate.subscription", "unit_id", string="Deals")
    hold_until = fields.Datetime(related="reservation_id.hold_until")
    reservation_state = fields.Selection(related="reservation_id.state", string="Reservation Status")
    deposit_amount = fields.Monetary(related="subscription_id.amount", currency_field="currency_id")
    subscribed_at = fields.Datetime(related="subscription_id.subscribed_at")
    contract_amount = fields.Monetary(related="subscription_id.contract_amount", currency_field="currency_id")
    signed_at = fields.Datetime(related="subscription_id.signed_at")
    is_controller = fields.Boolean(compute="_compute_is_controller")

    _sql_constraints = [
        ("building_number_unique", "UNIQUE(building_id, number)", "A unit's number is unique in its building."),
        ("measures_positive", "CHECK(area >= 0 AND list_price >= 0)", "Area and list price cannot be negative."),
    ]

    @api.depends("building_id.name", "number")
    def _compute_name(self):
        for unit in self:
            unit.name = "%s-%s" % (unit.building_id.name or "", unit.number or "")

    @api.depends("state")
    def _compute_color(self):
        for unit in self:
            unit.color = STATE_COLORS.get(unit.state, 0)

    @api.depends_context("uid")
    def _compute_is_controller(self):
        controller = self._is_unit_controller()
        for unit in self:
            unit.is_controller = controller

    @api.model
    def _is_unit_controller(self):
        """UC-2: the sales manager (销控), or the site manager in their absence."""
        return self.env.su or any(self.env.user.has_group(group) for group in UNIT_CONTROLLER_GROUPS)

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        if not engine_writes(self.env):
            for vals in vals_list:
                self._check_deal_state_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not engine_writes(self.env):
            self._check_deal_state_write(vals)
            if {"building_id", "number"} & set(vals) and self.filtered(lambda unit: unit.state != "available"):
                raise UserError(self.env._("A unit that is reserved, subscribed or signed keeps its number."))
        result = super().write(vals)
        if not self.env.context.get("unit_notified"):
            self._notify_grid()
        return result

    def _check_deal_state_write(self, vals):
        """UC-1: a unit's state and customer change through reservations and deals only."""
        if DEAL_STATE_FIELDS & {name for name, value in vals.items() if value not in (False, "available")}:
            raise UserError(
                self.env._(
                    "A unit's state and customer change through its reservation and deal (Request Hold, Record "
                    "Deposit, Sign the Contract), never by hand."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_a_deal(self):
        if self.filtered(lambda unit: unit.state != "available" or unit.subscription_ids or unit.reservation_ids):
            raise UserError(self.env._("A unit with a reservation or a deal on record is kept; archive its building."))

    def _last_event_at(self):
        """The moment of the unit's last hold or deal event: replayed history must not go back before it."""
        self.ensure_one()
        moments = [
            moment
            for reservation in self.reservation_ids
            for moment in (reservation.requested_at, reservation.confirmed_at, reservation.ended_at)
        ] + [
            moment
            for deal in self.subscription_ids
            for moment in (deal.subscribed_at, deal.approved_at, deal.signed_at, deal.cancelled_at)
        ]
        return max((moment for moment in moments if moment), default=None)

    def _notify_grid(self):
        """The 销控表 of every office user follows the units as they change (live)."""
        teams = self.team_id
        if not teams:
            return
        group = self.env.ref("real_estate_attribution.group_consultant")
        for team in teams:
            self.env["bus.bus"]._sendone(
                group,
                "real_estate_unit/updated",
                {"team_id": team.id, "unit_ids": self.filtered(lambda unit, t=team: unit.team_id == t).ids},
            )

    # ------------------------------------------------------------------
    # XML-RPC API (docs/api.md)
    # ------------------------------------------------------------------
    @api.model
    @api.readonly
    def units(self, team_id, filters=None):
        """The units of an office: ``[{unit_id, name, building, floor, ..., state, lead_id, user_id}]``.

        ``filters`` (optional): ``building_id``, ``state`` (one state or a list), ``floor``.
        """
        team = self._api_team(team_id)
        domain = [("team_id", "=", team.id), *self._api_unit_filters(filters)]
        return [unit._api_values() for unit in self.search(domain)]

    @api.model
    def reserve(self, vals):
        """UC-2: hold a unit for a customer. A consultant requests a hold for their own customer; the sales
        manager (or the site manager) confirms it once the customer handed over the subscription money or
        an original ID (``handed_over``: ``money`` or ``id_card``). Returns the reservation."""
        values = self._api_deal_values(vals, {"unit_id", "lead_id", "handed_over", "note", "at"})
        reservation = self.env["real.estate.ownership.engine"]._reserve_unit(values)
        return reservation._api_values()

    @api.model
    def confirm_hold(self, vals):
        """UC-2: the sales manager confirms a requested hold (``unit_id``, ``handed_over``: ``money`` or
        ``id_card``). Returns the reservation."""
        values = self._api_deal_values(vals, {"unit_id", "handed_over", "at"})
        self._check_controller()
        reservation = values["unit"].reservation_id
        if not reservation:
            raise UserError(self.env._("%(unit)s has no hold to confirm.", unit=values["unit"].name))
        engine = self.env["real.estate.ownership.engine"]
        return engine._confirm_reservation(reservation, values.get("handed_over"), values["at"])._api_values()

    @api.model
    def subscribe(self, vals):
        """UC-4, UC-5, CS-15: record the deposit that subscribes a unit (``unit_id``, ``amount``,
        ``payment_ref``; ``lead_id`` when the unit is not reserved). Returns the deal."""
        values = self._api_deal_values(vals, {"unit_id", "lead_id", "amount", "payment_ref", "at"})
        self._check_controller()
        subscription = self.env["real.estate.ownership.engine"]._subscribe_unit(values)
        return subscription._api_values()

    @api.model
    def sign(self, vals):
        """UC-5, CC-2: sign the contract of a subscribed unit (``unit_id``, ``contract_amount``,
        ``contract_ref``); the customer's deal is won. Returns the deal."""
        values = self._api_deal_values(vals, {"unit_id", "contract_amount", "contract_ref", "at"})
        self._check_controller()
        subscription = self.env["real.estate.ownership.engine"]._sign_unit(values)
        return subscription._api_values()

    @api.model
    def cancel(self, vals):
        """UC-1, UC-3: cancel a unit's deal or release its hold (``unit_id``, ``reason``); the unit is available
        again and the credit and the commission not yet settled are reversed. Returns the unit."""
        values = self._api_deal_values(vals, {"unit_id", "reason", "at"})
        self._check_controller()
        unit = self.env["real.estate.ownership.engine"]._cancel_unit(values)
        return unit._api_values()

    @api.model
    @api.readonly
    def unit_grid(self, team_id=None, building_id=None, states=None):
        """The 销控表 of a building: its floors (top first), each with its units by position.

        ``team_id`` (optional) an office, ``building_id`` (optional) one of its buildings (else the first),
        ``states`` (optional) one unit state or a list of them, the units shown."""
        team = self._api_team(team_id) if team_id not in (None, False) else None
        if building_id not in (None, False) and (not isinstance(building_id, int) or isinstance(building_id, bool)):
            raise ValidationError(self.env._("building_id: give the building's id."))
        states = self._api_unit_filters({"state": states})[0][2] if states else None
        Building = self.env["real.estate.building"]
        buildings = Building.search([("team_id", "=", team.id)] if team else [])
        if not buildings:
            return {"buildings": [], "building_id": False, "floors": [], "counts": {}, "states": []}
        building = buildings.filtered(lambda b: b.id == building_id)[:1] or buildings[:1]
        units = self.search([("building_id", "=", building.id)])
        counts = {state: 0 for state, _label in UNIT_STATES}
        for unit in units:
            counts[unit.state] += 1
        shown = units.filtered(lambda unit: not states or unit.state in states)
        floors = {}
        for unit in shown.sudo():  # the chart names every unit's customer, as the unit list does
            floors.setdefault(unit.floor, []).append(unit._grid_cell())
        labels = dict(self._fields["state"]._description_selection(self.env))
        return {
            "buildings": [{"id": b.id, "name": b.name, "team": b.team_id.name} for b in buildings],
            "building_id": building.id,
            "floors": [{"floor": floor, "units": floors[floor]} for floor in sorted(floors, reverse=True)],
            "counts": counts,
            "states": [{"key": key, "label": labels[key], "color": STATE_COLORS[key]} for key, _l in UNIT_STATES],
            "positions": max((unit.position for unit in units), default=0),
        }

    def _grid_cell(self):
        return {
            "id": self.id,
            "number": self.number,
            "state": self.state,
            "layout": self.layout or "",
            "area": self.area,
            "customer": self.lead_id.name or "",
            "requested": self.reservation_id.state == "requested",
            "pending_approval": self.subscription_id.state == "to_approve",
            "position": self.position,
        }

    def _api_values(self):
        self.ensure_one()
        return {
            "unit_id": self.id,
            "name": self.name,
            "building_id": self.building_id.id,
            "building": self.building_id.name,
            "number": self.number,
            "floor": self.floor,
            "layout": self.layout or "",
            "area": self.area,
            "list_price": self.list_price,
            "usage": self.usage,
            "state": self.state,
            "lead_id": self.lead_id.id or False,
            "user_id": self.user_id.id or False,
            "reservation_id": self.reservation_id.id or False,
            "hold_until": fields.Datetime.to_string(self.hold_until) if self.hold_until else False,
            "subscription_id": self.subscription_id.id or False,
            "deposit_amount": self.deposit_amount,
            "subscribed_at": fields.Datetime.to_string(self.subscribed_at) if self.subscribed_at else False,
            "contract_amount": self.contract_amount,
            "signed_at": fields.Datetime.to_string(self.signed_at) if self.signed_at else False,
        }

    @api.model
    def _may_control_units(self):
        """The unit controllers, and data imports replaying their history."""
        return self._is_unit_controller() or self.env.user.has_group("real_estate_attribution.group_data_import")

    @api.model
    def _check_controller(self):
        """UC-2, UC-4: reservations, deposits, signings and cancellations are the sales manager's (the site
        manager's in their absence) or a data import's."""
        if self._may_control_units():
            return
        raise AccessError(
            self.env._("Deposits, signings and cancellations are recorded by the sales manager (销控) (UC-2, UC-4).")
        )

    @api.model
    def _api_team(self, team_id):
        if not isinstance(team_id, int) or isinstance(team_id, bool):
            raise ValidationError(self.env._("team_id: give the sales office's id."))
        team = self.env["crm.team"].browse(team_id).exists()
        if not team or not team.is_sales_office:
            raise ValidationError(self.env._("No sales office with the id %(id)s.", id=team_id))
        team.check_access("read")
        return team

    @api.model
    def _api_unit_filters(self, filters):
        if filters in (None, False):
            return []
        if not isinstance(filters, dict) or set(filters) - {"building_id", "state", "floor"}:
            raise ValidationError(self.env._("filters: a dictionary of building_id, state and floor."))
        domain = []
        if filters.get("building_id"):
            if not isinstance(filters["building_id"], int) or isinstance(filters["building_id"], bool):
                raise ValidationError(self.env._("filters: building_id is a building's id."))
            domain.append(("building_id", "=", filters["building_id"]))
        states = filters.get("state")
        if states:
            states = [states] if isinstance(states, str) else states
            keys = {key for key, _label in UNIT_STATES}
            if not isinstance(states, list) or not all(isinstance(s, str) and s in keys for s in states):
                raise ValidationError(self.env._("filters: state is one of %(states)s.", states=", ".join(keys)))
            domain.append(("state", "in", states))
        if filters.get("floor") not in (None, False):
            if not isinstance(filters["floor"], int) or isinstance(filters["floor"], bool):
                raise ValidationError(self.env._("filters: floor is a number."))
            domain.append(("floor", "=", filters["floor"]))
        return domain

    @api.model
    def _api_deal_values(self, vals, keys):
        """The checked values of a deal call: the unit (readable, of an office), the customer, the amounts,
        the replayed moment (data imports only, UC-4: every other moment is the moment it is recorded)."""
        if not isinstance(vals, dict):
            raise ValidationError(self.env._("Expected a dictionary of values."))
        unknown = set(vals) - keys
        if unknown:
            raise ValidationError(self.env._("Unknown key: %(key)s.", key=str(sorted(map(str, unknown))[0])[:80]))
        Visit = self.env["real.estate.visit"]
        values = {"at": Visit._api_at(vals.get("at"))}
        values["unit"] = self._api_record("unit_id", vals.get("unit_id"), self)
        if "lead_id" in keys:
            values["lead"] = self._api_record("lead_id", vals.get("lead_id"), self.env["crm.lead"], required=False)
        for key in ("amount", "contract_amount"):
            if key in keys:
                values[key] = self._api_amount(key, vals.get(key))
        for key in ("note", "payment_ref", "contract_ref", "reason"):
            if key in keys:
                values[key] = Visit._api_text(vals, key)
        if "handed_over" in keys and vals.get("handed_over") not in (None, False, ""):
            values["handed_over"] = Visit._api_choice(vals, "handed_over", ["money", "id_card"], False)
        return values

    @api.model
    def _api_record(self, key, value, model, required=True):
        if value in (None, False) and not required:
            return model.browse()
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValidationError(self.env._("%(key)s: give a record's id.", key=key))
        record = model.browse(value).exists()
        if not record:
            raise ValidationError(self.env._("%(key)s: no record with the id %(id)s.", key=key, id=value))
        record.check_access("read")
        return record

    @api.model
    def _api_amount(self, key, value):
        if value in (None, False):
            return False
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 1e12:
            raise ValidationError(self.env._("%(key)s: an amount above zero.", key=key))
        return float(value)

    # ------------------------------------------------------------------
    # Buttons: each opens the step's form, which calls the API above
    # ------------------------------------------------------------------
    def _open_step(self, step):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("real_estate_attribution.action_unit_deal_wizard")
        steps = dict(self.env["real.estate.unit.deal"]._fields["step"]._description_selection(self.env))
        action["name"] = "%s · %s" % (steps[step], self.name)
        action["context"] = {"default_unit_id": self.id, "default_step": step}
        return action

    def action_request_hold(self):
        return self._open_step("reserve")

    def action_confirm_hold(self):
        self._check_controller()
        return self._open_step("confirm")

    def action_record_deposit(self):
        self._check_controller()
        return self._open_step("subscribe")

    def action_sign(self):
        self._check_controller()
        return self._open_step("sign")

    def action_cancel_deal(self):
        self._check_controller()
        return self._open_step("cancel")

    def action_report_double_sale(self):
        """CS-8: a unit sold twice by mistake: a dispute for the consultant who lost a customer, both parties
        prefilled."""
        self._check_controller()
        if self.state not in ("subscribed", "signed"):
            raise UserError(self.env._("Only a subscribed or signed unit can have been sold twice (CS-8)."))
        return self._open_step("double_sale")
