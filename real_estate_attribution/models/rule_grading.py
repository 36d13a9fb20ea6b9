from datetime import timedelta

from odoo import api, models

GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]


class RuleGrading(models.AbstractModel):
    """Rule family GR: A/B/C/D grading and follow-up cadence (客户分级), GR-1 to GR-5."""

    _name = "real.estate.rule.grading"
    _description = "Ownership Rules: Grading (GR)"

    @api.model
    def _cadence_days(self, team, grade, day):
        """GR-1 to GR-3: days between call-backs for a grade; ``None`` for D (no cadence)."""
        if grade == "A":
            launched = team.launch_date and day >= team.launch_date
            if launched:
                return team.grade_a_days_after_launch
            return max(7 // max(team.grade_a_calls_per_week, 1), 1)
        if grade == "B":
            return team.grade_b_days
        if grade == "C":
            return team.grade_c_days
        return None

    @api.model
    def _next_followup(self, lead, at):
        """GR-1 to GR-3, GR-5: when the next call-back is due.

        A new A customer is called back the same day; then every grade calls
        back on its cadence from the last follow-up or contact. An ungraded
        open customer is followed up at least weekly (GR-5).
        """
        team = lead.team_id
        last = max((d for d in (lead.last_followup_at, lead.last_contact_at) if d), default=lead.create_date)
        day = self._office_date(team, at)
        grade = lead.grade
        if grade == "D" or lead.stage_id.is_won or not lead.active:
            return False
        if grade == "A" and not lead.last_followup_at:
            return self._end_of_office_day(team, last)  # GR-1: call back the same day
        days = self._cadence_days(team, grade, day) if grade else team.service_weekly_days
        return last + timedelta(days=days)

    @api.model
    def _end_of_office_day(self, team, at):
        next_day = self._office_date(team, at) + timedelta(days=1)
        return self._office_day_start(team, next_day) - timedelta(seconds=1)

    @api.model
    def _service_deadlines(self, lead):
        """GR-5: an enquiry is answered within 24 hours and its needs assessed within 3 days."""
        start = lead.registered_at or lead.create_date
        team = lead.team_id
        return start + timedelta(hours=team.service_response_hours), start + timedelta(
            days=team.service_assessment_days
        )

    @api.model
    def _downgrade_of(self, grade):
        """GR-1, GR-2: the weekly review proposes A→B and B→C."""
        return {"A": "B", "B": "C"}.get(grade)
