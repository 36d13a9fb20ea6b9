from odoo import fields, models
from odoo.exceptions import UserError


class RealEstateHandover(models.Model):
    """A consultant moved off the project hands customers to another (CS-9)."""

    _name = "real.estate.handover"
    _description = "Customer Handover"
    _inherit = ["mail.thread", "real.estate.api.values"]
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name")
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)])
    from_user_id = fields.Many2one("res.users", string="From", required=True)
    to_user_id = fields.Many2one("res.users", string="To", required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    reason = fields.Char(required=True, default=lambda self: self.env._("Moved off the project"))
    lead_ids = fields.Many2many("crm.lead", string="Customers", domain="[('team_id', '=', team_id)]")
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True, tracking=True)

    def _compute_name(self):
        for handover in self:
            handover.name = "%s → %s" % (handover.from_user_id.name or "", handover.to_user_id.name or "")

    def action_load_customers(self):
        """Every customer the leaving consultant holds in the office."""
        for handover in self:
            handover.lead_ids = self.env["crm.lead"].search(
                [
                    ("team_id", "=", handover.team_id.id),
                    ("protection_id.state", "=", "active"),
                    ("protection_id.holder_user_id", "=", handover.from_user_id.id),
                ]
            )
        return True

    def action_done(self):
        """CS-9: each customer's protection moves to the new consultant through the engine."""
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        for handover in self:
            if handover.state != "draft" or handover.to_user_id not in handover.team_id.member_ids:
                raise UserError(self.env._("Hand customers over to a consultant of the office, once."))
            for lead in handover.lead_ids.filtered(
                lambda lead, u=handover.from_user_id, t=now: (
                    lead.protection_id.holder_user_id == u and lead.protection_id._state_at(t) == "active"
                )
            ):
                engine.transfer_ownership(
                    lead,
                    now,
                    "CS-9",
                    "handover",
                    new_user=handover.to_user_id,
                    reason=handover.reason,
                    handed_from_user_id=handover.from_user_id.id,
                )
            handover.state = "done"
        return True
