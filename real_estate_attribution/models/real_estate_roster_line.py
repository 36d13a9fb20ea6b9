from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools.i18n import html_lines, lines_in_both

ROSTER_STATUSES = [
    ("available", "Available"),
    ("with_customer", "With a Customer"),
    ("assigned_work", "Away on Assigned Work"),
    ("old_customer", "Old Customer on Site"),
    ("absent", "Absent without Reason"),
    ("off", "Day Off"),
]
#: What a consultant may change on their own line: whether they are free to receive (RO-2).
CONSULTANT_FIELDS = {"status", "status_until"}


class RealEstateRosterLine(models.Model):
    """A consultant's place and status in a day's rotation (RO-2, RO-5)."""

    _name = "real.estate.roster.line"
    _inherit = ["real.estate.api.values"]
    _description = "Duty Roster Line"
    _order = "roster_id, sequence, id"

    roster_id = fields.Many2one("real.estate.roster", required=True, ondelete="cascade", index=True)
    team_id = fields.Many2one(related="roster_id.team_id")
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one("res.users", string="Consultant", required=True)
    status = fields.Selection(ROSTER_STATUSES, required=True, default="available")
    status_until = fields.Datetime(
        help="The status returns to Available at this moment (RO-5 old-customer receptions)."
    )
    makeup_owed = fields.Integer(string="Make-up Turns Owed", default=0)
    call_makeup_owed = fields.Integer(
        string="Make-up Calls Owed", default=0, help="PR-7: make-up turns owed in the office's call rotation."
    )
    turn_count = fields.Integer(string="Turns Taken", compute="_compute_turn_count")
    can_set_status = fields.Boolean(compute="_compute_can_set_status")

    _sql_constraints = [
        ("roster_user_unique", "UNIQUE(roster_id, user_id)", "A consultant appears once in a roster."),
        ("makeup_not_negative", "CHECK(makeup_owed >= 0)", "Make-up turns owed cannot be negative."),
        ("call_makeup_not_negative", "CHECK(call_makeup_owed >= 0)", "Make-up calls owed cannot be negative."),
    ]

    @api.constrains("user_id", "roster_id")
    def _check_member(self):
        for line in self:
            if line.user_id not in line.roster_id.team_id.member_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a consultant of %(office)s: add them to the sales team first.",
                        user=line.user_id.name,
                        office=line.roster_id.team_id.name,
                    )
                )

    @api.depends_context("uid")
    def _compute_can_set_status(self):
        """RO-2: consultants set their own line; the site manager every line (the buttons follow)."""
        manager = self.env.user.has_group("real_estate_attribution.group_site_manager")
        for line in self:
            line.can_set_status = manager or line.user_id == self.env.user

    def _compute_turn_count(self):
        counts = {
            (roster.id, user.id): count
            for roster, user, count in self.env["real.estate.rotation.turn"]._read_group(
                [("roster_id", "in", self.roster_id.ids), ("event", "in", ("turn", "makeup", "out_of_turn"))],
                ["roster_id", "user_id"],
                ["__count"],
            )
        }
        for line in self:
            line.turn_count = counts.get((line.roster_id.id, line.user_id.id), 0)

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not (self.env.su or self.env.user.has_group("real_estate_attribution.group_site_manager")):
            self._check_consultant_write(vals)
        return super().write(vals)

    def _check_consultant_write(self, vals):
        """RO-1, RO-2: consultants say whether they are free; the order, make-up turns and absences are
        the site manager's, and nobody sets a colleague's status."""
        if set(vals) - CONSULTANT_FIELDS or vals.get("status") == "absent" or self.user_id != self.env.user:
            raise AccessError(
                self.env._(
                    "Consultants set only their own status on the duty roster; the order, make-up turns and "
                    "absences are kept by the site manager."
                )
            )

    def _status_at(self, at):
        """Status at moment ``at``: a timed status falls back to Available."""
        self.ensure_one()
        if self.status_until and at >= self.status_until:
            return "available"
        return self.status

    def _set_status(self, status, until=False):
        self.write({"status": status, "status_until": until})
        # consultants read the roster only; the note is posted in their name
        self.roster_id.sudo()._message_log(
            body=html_lines(
                lines_in_both(
                    self.env,
                    lambda env: env._(
                        "%(user)s: %(status)s",
                        user=self.user_id.name,
                        status=dict(self._fields["status"]._description_selection(env))[status],
                    ),
                )
            ),
            author_id=self.env.user.partner_id.id,
        )

    def action_available(self):
        for line in self:
            line._set_status("available")
        return True

    def action_with_customer(self):
        for line in self:
            line._set_status("with_customer")
        return True

    def action_assigned_work(self):
        for line in self:
            line._set_status("assigned_work")
        return True

    def action_absent(self):
        for line in self:
            line._set_status("absent")
        return True
