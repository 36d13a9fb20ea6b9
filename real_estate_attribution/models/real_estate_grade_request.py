from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import LazyTranslate

from ..tools.engine import as_system
from ..tools.i18n import both_languages, both_languages_plain
from .rule_grading import GRADES

_lt = LazyTranslate(__name__)


class RealEstateGradeRequest(models.Model):
    """A request to grade a customer D, for the manager's approval (GR-3)."""

    _name = "real.estate.grade.request"
    _description = "Grade D Request"
    _inherit = ["real.estate.customer.record", "mail.thread", "mail.activity.mixin", "real.estate.api.values"]
    _order = "id desc"

    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
    owner_id = fields.Many2one(related="lead_id.user_id", string="Owner")
    from_grade = fields.Selection(GRADES, readonly=True)
    requested_by = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    reason = fields.Text()
    followup_count = fields.Integer(related="lead_id.followup_count")
    state = fields.Selection(
        [("pending", "Pending"), ("approved", "Approved"), ("refused", "Refused"), ("cancelled", "Cancelled")],
        default="pending",
        required=True,
        tracking=True,
    )
    decided_by = fields.Many2one("res.users", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        """GR-3: a request starts pending, for a customer the requester may grade, with follow-ups on record."""
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        if not self.env.su:
            for vals in vals_list:
                for name in ("state", "decided_by", "requested_by"):
                    vals.pop(name, None)
            leads = self.env["crm.lead"].browse([vals.get("lead_id") for vals in vals_list])
            leads.check_access("write")
            leads._check_grade_d_followups()
        requests = super().create(vals_list)
        for request in requests:
            manager = request.team_id.user_id or self.env.ref("real_estate_attribution.group_site_manager").users[:1]
            as_system(request).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=both_languages_plain(
                    self.env, _lt("Approve grade D for %(customer)s", customer=request.lead_id.name)
                ),
            )
            request.lead_id.sudo()._message_log(
                body=both_languages(self.env, _lt("Grade D requested; awaiting the manager's approval (GR-3)."))
            )
        return requests

    def _check_manager(self):
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("Only a manager approves grade D (GR-3)."))

    def action_approve(self):
        self._check_manager()
        self._approve()
        return True

    def _approve(self):
        pending = self.filtered(lambda r: r.state == "pending")
        pending.lead_id._check_grade_d_followups()
        for request in pending:
            request.sudo().write({"state": "approved", "decided_by": self.env.user.id})
            request.lead_id.with_context(grade_approved=True).sudo().write({"grade": "D"})
            request.sudo().activity_unlink(["mail.mail_activity_data_todo"])

    def _cancel(self):
        """The customer changed owner: the former owner's request is closed, and so is the manager's to-do."""
        pending = self.sudo().filtered(lambda r: r.state == "pending")
        pending.write({"state": "cancelled"})
        pending.activity_unlink(["mail.mail_activity_data_todo"])

    def action_refuse(self):
        self._check_manager()
        for request in self.filtered(lambda r: r.state == "pending"):
            request.sudo().write({"state": "refused", "decided_by": self.env.user.id})
            request.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        return True
