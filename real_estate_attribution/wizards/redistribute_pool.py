from itertools import cycle

from odoo import api, fields, models
from odoo.exceptions import UserError


class RedistributePool(models.TransientModel):
    """GR-4: the manager hands the D pool round-robin to other consultants for another try (互换资源)."""

    _name = "real.estate.redistribute.pool"
    _inherit = ["real.estate.api.ids"]
    _description = "Redistribute the D Pool"

    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)])
    lead_ids = fields.Many2many(
        "crm.lead", string="D Customers", domain="[('team_id', '=', team_id), ('grade', '=', 'D')]"
    )
    user_ids = fields.Many2many("res.users", string="Consultants", domain="[('id', 'in', member_ids)]")
    member_ids = fields.Many2many(related="team_id.member_ids")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        team = (
            self.env["crm.team"].browse(values.get("team_id"))
            or self.env.user.crm_team_ids.filtered("is_sales_office")[:1]
            or self.env["crm.team"].search([("is_sales_office", "=", True)], limit=1)
        )
        values.setdefault("team_id", team.id)
        if "lead_ids" in fields_list:
            values["lead_ids"] = [
                (
                    6,
                    0,
                    self.env["crm.lead"]
                    .search([("team_id", "=", team.id), ("grade", "=", "D"), ("stage_id.is_won", "=", False)])
                    .ids,
                )
            ]
        if "user_ids" in fields_list:
            values["user_ids"] = [(6, 0, team.member_ids.ids)]
        return values

    def _d_pool(self):
        """GR-4: only the office's D customers not yet won move; nothing else rides along with the form."""
        return self.lead_ids.filtered(
            lambda lead: lead.team_id == self.team_id and lead.grade == "D" and not lead.stage_id.is_won
        )

    def action_redistribute(self):
        """Each customer goes to the next consultant in turn who is not its current owner."""
        self.ensure_one()
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise UserError(self.env._("Only a manager redistributes the D pool (GR-4)."))
        leads, users = self._d_pool(), self.user_ids & self.team_id.member_ids
        if not users or not leads:
            raise UserError(self.env._("Choose the D customers and the consultants who take them."))
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        turns = cycle(users.sorted("id"))
        moved = self.env["crm.lead"]
        for lead in leads.sorted("id"):
            current = lead.protection_id.holder_user_id or lead.user_id
            receiver = next(turns)
            if receiver == current and len(users) > 1:
                receiver = next(turns)
            if receiver == current:
                continue
            engine.transfer_ownership(
                lead,
                now,
                "GR-4",
                "redistribution",
                new_user=receiver,
                reason=self.env._("D pool redistributed for another try"),
            )
            lead.with_context(grade_approved=True).sudo().write({"grade": "C"})
            moved |= lead
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s customers redistributed (GR-4).", count=len(moved)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
