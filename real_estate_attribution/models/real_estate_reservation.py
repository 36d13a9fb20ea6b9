from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.engine import engine_writes

RESERVATION_STATES = [
    ("requested", "Awaiting Confirmation"),
    ("held", "Held"),
    ("subscribed", "Subscribed"),
    ("released", "Released"),
    ("expired", "Expired"),
    ("refused", "Refused"),
]
#: A unit has at most one reservation in these states (a unique partial index).
OPEN_STATES = ("requested", "held")
HANDED_OVER = [("money", "Subscription Money"), ("id_card", "Original ID Card")]


class RealEstateReservation(models.Model):
    """A line of the reservation register (销控登记表): a hold on a unit for a customer (UC-2, UC-3).

    Requested by the customer's consultant, confirmed by the sales manager once the customer handed over
    the subscription money or an original ID, ended by a deposit, a release or the office's hold time.
    Written by the rules only; read by the office.
    """

    _name = "real.estate.reservation"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.api.values"]
    _description = "Reservation (销控登记)"
    _order = "requested_at desc, id desc"

    name = fields.Char(default="/", readonly=True, copy=False)
    unit_id = fields.Many2one("real.estate.unit", required=True, readonly=True, index=True, ondelete="restrict")
    building_id = fields.Many2one(related="unit_id.building_id", store=True)
    team_id = fields.Many2one(related="unit_id.team_id", string="Sales Office", store=True, index=True)
    company_id = fields.Many2one(related="unit_id.company_id", store=True)
    lead_id = fields.Many2one(
        "crm.lead", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Consultant", required=True, readonly=True)
    state = fields.Selection(RESERVATION_STATES, required=True, readonly=True, default="requested", tracking=True)
    requested_by = fields.Many2one("res.users", readonly=True)
    requested_at = fields.Datetime(readonly=True)
    handed_over = fields.Selection(HANDED_OVER, readonly=True, help="UC-2: what the customer handed over.")
    confirmed_by = fields.Many2one("res.users", readonly=True)
    confirmed_at = fields.Datetime(readonly=True)
    hold_until = fields.Datetime(readonly=True, help="UC-3: released at this moment unless a deposit follows.")
    ended_by = fields.Many2one("res.users", readonly=True)
    ended_at = fields.Datetime(readonly=True)
    note = fields.Text(readonly=True)
    end_reason = fields.Char(readonly=True)
    subscription_id = fields.Many2one("real.estate.subscription", string="Deal", readonly=True)

    def init(self):
        result = super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS real_estate_reservation_one_open
                    ON real_estate_reservation (unit_id)
                 WHERE state IN %s
                """,
                OPEN_STATES,
            )
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        self._check_engine()
        reservations = super().create(vals_list)
        for reservation in reservations:
            reservation.name = self.env["ir.sequence"].next_by_code("real.estate.reservation") or "/"
        return reservations

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        self._check_engine()
        return super().write(vals)

    @api.model
    def _check_engine(self):
        if not engine_writes(self.env):
            raise UserError(
                self.env._(
                    "The reservation register is written by the rules: request a hold on the unit, and the sales "
                    "manager confirms or releases it (UC-2)."
                )
            )

    def _api_values(self):
        self.ensure_one()
        return {
            "reservation_id": self.id,
            "name": self.name,
            "unit_id": self.unit_id.id,
            "lead_id": self.lead_id.id,
            "user_id": self.user_id.id,
            "state": self.state,
            "handed_over": self.handed_over or False,
            "hold_until": fields.Datetime.to_string(self.hold_until) if self.hold_until else False,
        }

    # ------------------------------------------------------------------
    # Buttons (the sales manager's): they call the API, as integrators do
    # ------------------------------------------------------------------
    def action_confirm(self):
        self.ensure_one()
        return self.unit_id.action_confirm_hold()

    def action_release(self):
        """UC-2, UC-3: release a hold or refuse a request; the unit is available again."""
        self.env["real.estate.unit"]._check_controller()
        for reservation in self:
            reason = (
                self.env._("Refused by %(user)s", user=self.env.user.name)
                if reservation.state == "requested"
                else self.env._("Released by %(user)s", user=self.env.user.name)
            )
            self.env["real.estate.ownership.engine"]._release_reservation(reservation, fields.Datetime.now(), reason)
        return True

    @api.model
    def _cron_expire(self):
        """UC-3: holds not followed by a deposit within the office's hold time are released."""
        self.env["real.estate.ownership.engine"]._expire_reservations(fields.Datetime.now())
