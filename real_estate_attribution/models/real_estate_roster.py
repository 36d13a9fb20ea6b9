from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from ..tools.i18n import both_languages

_lt = LazyTranslate(__name__)


class RealEstateRoster(models.Model):
    """The duty roster (轮排表) of a sales office for one day (RO-1 to RO-6)."""

    _name = "real.estate.roster"
    _description = "Duty Roster"
    _inherit = ["mail.thread", "real.estate.api.values"]
    _order = "date desc, team_id"

    name = fields.Char(compute="_compute_name", store=True)
    team_id = fields.Many2one(
        "crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)], tracking=True
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    line_ids = fields.One2many("real.estate.roster.line", "roster_id", string="Consultants", copy=True)
    turn_ids = fields.One2many("real.estate.rotation.turn", "roster_id", string="Receptions")
    cursor = fields.Integer(
        string="Rotation Position", default=0, help="Position in the line order of the next regular turn."
    )
    call_cursor = fields.Integer(
        string="Call Rotation Position",
        default=0,
        help="PR-7: position of the next call's turn, when the office answers calls in a rotation of their own.",
    )
    call_rotation = fields.Selection(related="team_id.call_rotation")
    next_user_id = fields.Many2one("res.users", string="Next Up", compute="_compute_next_user_id")
    next_call_user_id = fields.Many2one("res.users", string="Next Call", compute="_compute_next_user_id")

    _sql_constraints = [
        ("team_date_unique", "UNIQUE(team_id, date)", "An office has one duty roster per day."),
    ]

    @api.depends("team_id", "date")
    def _compute_name(self):
        for roster in self:
            roster.name = "%s %s" % (roster.team_id.name or "", roster.date or "")

    @api.depends(
        "cursor",
        "call_cursor",
        "line_ids.status",
        "line_ids.status_until",
        "line_ids.makeup_owed",
        "line_ids.call_makeup_owed",
    )
    def _compute_next_user_id(self):
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        for roster in self:
            for field, kind in (("next_user_id", "visit"), ("next_call_user_id", "call")):
                try:
                    line, _steps = engine._next_up(roster, now, kind=kind)
                    roster[field] = line.user_id
                except UserError:
                    roster[field] = False

    def _ordered_lines(self):
        self.ensure_one()
        return list(self.line_ids.sorted(lambda line: (line.sequence, line.id)))

    @api.model
    def _create_from_members(self, team, day):
        """A roster for ``day`` listing the office's consultants in their usual order, starting with the
        one whose turn came next when the previous day's rotation stopped (RO-1: turns stay fair)."""
        previous = self.search([("team_id", "=", team.id), ("date", "<", day)], order="date desc", limit=1)
        lines = previous._ordered_lines() if previous else []
        if lines:
            start = previous.cursor % len(lines)
            lines = lines[start:] + lines[:start]
        users = self.env["res.users"].browse([line.user_id.id for line in lines]) & team.member_ids
        users |= team.member_ids
        roster = self.create(
            {
                "team_id": team.id,
                "date": day,
                "line_ids": [(0, 0, {"sequence": seq, "user_id": user.id}) for seq, user in enumerate(users, 1)],
            }
        )
        roster._message_log(body=both_languages(self.env, _lt("Duty roster created from the office's consultants.")))
        return roster

    def action_view_turns(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Receptions"),
            "res_model": "real.estate.rotation.turn",
            "view_mode": "list,form",
            "domain": [("roster_id", "=", self.id)],
        }
