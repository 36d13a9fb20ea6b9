from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .rule_grading import GRADES


class RealEstateGradeReview(models.Model):
    """A downgrade proposed by the weekly review (GR-1: A→B, GR-2: B→C), confirmed or rejected by the manager."""

    _name = "real.estate.grade.review"
    _inherit = ["real.estate.customer.record", "real.estate.api.values"]
    _description = "Weekly Grade Review Proposal"
    _order = "review_date desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
    owner_id = fields.Many2one(related="lead_id.user_id", string="Owner")
    review_date = fields.Date(required=True, default=fields.Date.context_today)
    from_grade = fields.Selection(GRADES, required=True)
    to_grade = fields.Selection(GRADES, required=True)
    reason = fields.Char()
    state = fields.Selection(
        [("proposed", "Proposed"), ("confirmed", "Confirmed"), ("rejected", "Rejected")],
        default="proposed",
        required=True,
    )
    decided_by = fields.Many2one("res.users", readonly=True)

    @api.model
    def _cron_weekly_review(self):
        """GR-1, GR-2: propose A→B and B→C for open customers without progress."""
        engine = self.env["real.estate.ownership.engine"]
        proposals = self.browse()
        now = fields.Datetime.now()
        for team in self.env["crm.team"].search([("is_sales_office", "=", True)]):
            stale = now - timedelta(days=team.review_stale_days)
            leads = self.env["crm.lead"].search(
                [
                    ("team_id", "=", team.id),
                    ("grade", "in", ("A", "B")),
                    ("stage_id.is_won", "=", False),
                    ("date_last_stage_update", "<", stale),
                    ("id", "not in", self._pending_leads().ids),
                ]
            )
            proposals |= self.create(
                [
                    {
                        "lead_id": lead.id,
                        "from_grade": lead.grade,
                        "to_grade": engine._downgrade_of(lead.grade),
                        "reason": self.env._("No progress for %(days)s days", days=team.review_stale_days),
                    }
                    for lead in leads
                ]
            )
        return proposals

    def _pending_leads(self):
        return self.search([("state", "=", "proposed")]).lead_id

    def _check_manager(self):
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("Only a manager decides the weekly review."))

    def action_confirm(self):
        """Confirm the selected proposals at once."""
        self._check_manager()
        for review in self.filtered(lambda r: r.state == "proposed"):
            if review.lead_id.grade == review.from_grade:
                review.lead_id.sudo().write({"grade": review.to_grade})
            review.write({"state": "confirmed", "decided_by": self.env.user.id})
        return True

    def action_reject(self):
        """Reject the selected proposals at once."""
        self._check_manager()
        self.filtered(lambda r: r.state == "proposed").write({"state": "rejected", "decided_by": self.env.user.id})
        return True
