from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CONFIRMATION_STATES = [("pending", "Awaiting Signatures"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")]


class RealEstateVisitConfirmation(models.Model):
    """The visit confirmation (来访客户确认单) of a channel visit (CH-7).

    Three sign-offs, each by its own role: the channel's agent, the receiving
    consultant and a site manager. Only all three make the channel visit
    confirmed; until then it counts as a natural visit.
    """

    _name = "real.estate.visit.confirmation"
    _description = "Visit Confirmation"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.api.values"]
    _order = "id desc"

    name = fields.Char(default="/", readonly=True, copy=False)
    report_id = fields.Many2one("real.estate.report", required=True, readonly=True, index=True, ondelete="cascade")
    visit_id = fields.Many2one("real.estate.visit", required=True, readonly=True)
    team_id = fields.Many2one(related="report_id.team_id", store=True)
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    lead_id = fields.Many2one(related="visit_id.lead_id", store=True, string="Customer")
    channel_id = fields.Many2one(related="report_id.channel_id", store=True)
    agent_id = fields.Many2one(related="report_id.agent_id", store=True)
    consultant_id = fields.Many2one("res.users", string="Receiving Consultant", readonly=True)
    customer_name = fields.Char(related="report_id.customer_name")
    phone_masked = fields.Char(related="report_id.phone_masked")
    visit_at = fields.Datetime(related="visit_id.visit_at")
    agent_signed_at = fields.Datetime(readonly=True)
    agent_signed_by = fields.Many2one("res.users", readonly=True)
    consultant_signed_at = fields.Datetime(readonly=True)
    manager_signed_at = fields.Datetime(readonly=True)
    manager_signed_by = fields.Many2one("res.users", readonly=True)
    imported = fields.Boolean(readonly=True, help="Signed in the source system; recorded through the API.")
    state = fields.Selection(CONFIRMATION_STATES, default="pending", required=True, readonly=True, tracking=True)
    is_receiving_consultant = fields.Boolean(compute="_compute_is_receiving_consultant")
    companion_ids = fields.One2many(
        "real.estate.visit.companion",
        "confirmation_id",
        string="Companions",
        help="CH-15: new customers who came with the reported one; listed by the agent, they are the channel's too.",
    )

    @api.depends_context("uid")
    @api.depends("consultant_id")
    def _compute_is_receiving_consultant(self):
        """CH-7: the consultant's signature button is the receiving consultant's only."""
        for confirmation in self:
            confirmation.is_receiving_consultant = confirmation.consultant_id == self.env.user

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("real.estate.visit.confirmation") or "/"
        return super().create(vals_list)

    def _check_companion_editor(self):
        """CH-15: the report's agent (portal) or the reception desk lists companions, while signatures are awaited."""
        self.ensure_one()
        if self.sudo().state != "pending":
            raise UserError(self.env._("Companions are listed while the confirmation awaits its signatures (CH-15)."))
        user = self.env.user
        if not (self.sudo()._may_sign_as_agent(user) or user.has_group("real_estate_attribution.group_site_manager")):
            raise AccessError(self.env._("The channel's agent or the reception desk lists the companions (CH-15)."))

    def _check_pending(self):
        """CH-7, CH-13: a signature is a claim of the channel: the confirmation awaits it, and the channel's
        agreement is in force now."""
        if self.state != "pending":
            raise UserError(self.env._("%(name)s is not awaiting signatures.", name=self.name))
        report = self.sudo().report_id
        self.env["real.estate.ownership.engine"]._check_channel_standing(
            report.channel_id, report.team_id, fields.Datetime.now()
        )

    def action_sign_agent(self):
        """CH-7: the channel's agent signs (from the portal); a barred agent claims nothing (CH-13)."""
        self.ensure_one()
        self._check_pending()
        report = self.sudo().report_id
        self.env["real.estate.ownership.engine"]._check_channel_standing(
            report.channel_id, report.team_id, fields.Datetime.now(), agent=self.env.user.partner_id
        )
        if not self._may_sign_as_agent(self.env.user):
            raise AccessError(
                self.env._(
                    "Only the agent %(agent)s may sign for the channel.",
                    agent=self.agent_id.name or self.report_id.channel_id.name,
                )
            )
        self.sudo().write({"agent_signed_at": fields.Datetime.now(), "agent_signed_by": self.env.user.id})
        return self._try_confirm()

    def _may_sign_as_agent(self, user):
        """CH-7: the report's agent; for a report entered without one, any agent of the channel."""
        self.ensure_one()
        if self.agent_id:
            return user.partner_id == self.agent_id
        return bool(user.partner_id.channel_id) and user.partner_id.channel_id == self.report_id.sudo().channel_id

    def action_sign_consultant(self):
        """CH-7: the receiving consultant signs."""
        self.ensure_one()
        self._check_pending()
        if self.env.user != self.consultant_id:
            raise AccessError(
                self.env._("Only the receiving consultant %(user)s may sign.", user=self.consultant_id.name)
            )
        self.sudo().consultant_signed_at = fields.Datetime.now()
        return self._try_confirm()

    def action_sign_manager(self):
        """CH-7: a site manager signs."""
        self.ensure_one()
        self._check_pending()
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("Only a site manager may sign as the site manager."))
        self.sudo().write({"manager_signed_at": fields.Datetime.now(), "manager_signed_by": self.env.user.id})
        return self._try_confirm()

    def _try_confirm(self):
        self.ensure_one()
        if self.agent_signed_at and self.consultant_signed_at and self.manager_signed_at:
            self.env["real.estate.ownership.engine"].confirm_channel_visit(self.sudo(), fields.Datetime.now())
        return True

    def action_print(self):
        return self.env.ref("real_estate_channel.action_report_visit_confirmation").report_action(self)
