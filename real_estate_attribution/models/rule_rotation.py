from datetime import datetime, time, timedelta

import pytz

from odoo import api, models
from odoo.exceptions import UserError

#: Roster statuses that skip a consultant and owe a make-up turn (RO-2, RO-5).
OWED_STATUSES = ("with_customer", "assigned_work", "old_customer")
#: Roster statuses in which a consultant is on site and can serve their own customers.
PRESENT_STATUSES = ("available", "with_customer", "old_customer")


class RuleRotation(models.AbstractModel):
    """Rule family RO: reception rotation (轮排接待, 首接制), RO-1 to RO-6."""

    _name = "real.estate.rule.rotation"
    _description = "Ownership Rules: Rotation (RO)"

    @api.model
    def _office_date(self, team, at):
        """The office's calendar day of a UTC moment."""
        tz = pytz.timezone(team.office_tz or "UTC")
        return pytz.utc.localize(at).astimezone(tz).date()

    @api.model
    def _office_day_start(self, team, day):
        """The UTC moment the office's calendar ``day`` begins (periods and days are the office's)."""
        tz = pytz.timezone(team.office_tz or "UTC")
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _roster_for(self, team, at, create=True, lock=True):
        """The duty roster of the office's day; created from the office's members when missing.

        The roster row is locked so that two receptions never take the same turn.
        """
        day = self._office_date(team, at)
        Roster = self.env["real.estate.roster"].sudo()
        roster = Roster.search([("team_id", "=", team.id), ("date", "=", day)], limit=1)
        if not roster and create:
            self.env["real.estate.lock"]._acquire(team, "roster:%s" % day)
            roster = Roster.search([("team_id", "=", team.id), ("date", "=", day)], limit=1)
            if not roster:
                roster = Roster._create_from_members(team, day)
        if roster and lock:
            # a concurrent turn fails this snapshot; the request is retried (expected, so not logged)
            self.env.cr.execute(
                "SELECT id FROM real_estate_roster WHERE id = %s FOR UPDATE", [roster.id], log_exceptions=False
            )
        return roster

    @api.model
    def _line_of(self, roster, user):
        return roster.line_ids.filtered(lambda line: line.user_id == user)[:1]

    @api.model
    def _is_present(self, roster, user, at):
        """RO-3: is ``user`` on site to receive their own customer?"""
        line = self._line_of(roster, user) if roster else None
        return bool(line) and line._status_at(at) in PRESENT_STATUSES

    @api.model
    def _rotation_fields(self, roster, kind):
        """PR-7: the cursor and make-up field of the rotation a contact of ``kind`` is answered in: calls have a
        rotation of their own when the office says so, else they take the visits' turns."""
        if kind == "call" and roster.team_id.call_rotation == "separate":
            return "call_cursor", "call_makeup_owed"
        return "cursor", "makeup_owed"

    @api.model
    def _next_up(self, roster, at, exclude=None, kind="visit"):
        """RO-1, RO-2, RO-5, PR-7: who receives the next first-time walk-in (or call).

        Returns ``(line, steps)``: ``steps`` lists ``(line, event, rule)`` for
        every consultant passed over on the way (skipped and owed a make-up
        turn, or losing the turn when absent). Consultants owed a make-up turn
        are served first, without moving the rotation.
        """
        lines = roster._ordered_lines()
        if not lines:
            raise UserError(self._no_one_available_message(roster))
        cursor_field, makeup_field = self._rotation_fields(roster, kind)
        start = roster[cursor_field] % len(lines)
        order = lines[start:] + lines[:start]
        order = [line for line in order if not exclude or line.user_id != exclude]
        for line in order:
            if line[makeup_field] and line._status_at(at) == "available":
                return line, [(line, "makeup", "RO-2")]
        steps = []
        for line in order:
            status = line._status_at(at)
            if status == "available":
                return line, [*steps, (line, "turn", "RO-1")]
            if status in OWED_STATUSES:
                steps.append((line, "skipped", "RO-5" if status == "old_customer" else "RO-2"))
            elif status == "absent":
                steps.append((line, "lost" if roster.team_id.absent_loses_turn else "skipped", "RO-2"))
        raise UserError(self._no_one_available_message(roster))

    @api.model
    def _last_in_rotation(self, roster, at, exclude=None, kind="visit"):
        """RO-3, ID-4: the available consultant whose turn comes last."""
        lines = roster._ordered_lines() if roster else []
        if not lines:
            raise UserError(self._no_one_available_message(roster))
        cursor = roster[self._rotation_fields(roster, kind)[0]] % len(lines)
        backwards = list(reversed(lines[:cursor])) + list(reversed(lines[cursor:]))
        for line in backwards:
            if line._status_at(at) == "available" and line.user_id != exclude:
                return line
        raise UserError(self._no_one_available_message(roster))

    @api.model
    def _take_turn(self, roster, steps, visit, at):
        """Record the rotation steps of a reception and move the rotation on."""
        Turn = self.env["real.estate.rotation.turn"].sudo()
        lines = roster._ordered_lines()
        cursor_field, makeup_field = self._rotation_fields(roster, visit.kind)
        cursor = roster[cursor_field]
        for line, event, rule in steps:
            Turn.create(
                {
                    "roster_id": roster.id,
                    "user_id": line.user_id.id,
                    "visit_id": visit.id,
                    "at": at,
                    "event": event,
                    "rule": rule,
                }
            )
            if event == "skipped":
                line[makeup_field] += 1
            elif event == "makeup":
                line[makeup_field] -= 1
            if event in ("turn", "skipped", "lost") and line in lines:
                cursor = lines.index(line) + 1
        roster[cursor_field] = cursor % len(lines) if lines else 0

    @api.model
    def _record_service(self, roster, user, visit, at, event, rule):
        """A reception that consumes no turn (RO-3, RO-4, RO-6, ID-4)."""
        if not roster:
            return
        self.env["real.estate.rotation.turn"].sudo().create(
            {"roster_id": roster.id, "user_id": user.id, "visit_id": visit.id, "at": at, "event": event, "rule": rule}
        )

    @api.model
    def _mark_old_customer(self, roster, user, at):
        """RO-5: a consultant with an old customer on site takes no walk-ins for a while."""
        line = self._line_of(roster, user) if roster else None
        minutes = roster.team_id.old_customer_minutes if roster else 0
        if line and minutes and line._status_at(at) == "available":
            line._set_status("old_customer", until=at + timedelta(minutes=minutes))

    @api.model
    def _no_one_available_message(self, roster):
        return self.env._(
            "Nobody is available in the duty roster of %(office)s for %(day)s. Mark a consultant "
            "available on the roster, or name the receiving consultant.",
            office=roster.team_id.display_name if roster else "",
            day=roster.date if roster else "",
        )
