from odoo import api, fields, models

from ..tools.engine import engine_writes

FOLLOWUP_KINDS = [
    ("call", "Phone Call"),
    ("message", "Message (WeChat, SMS)"),
    ("meeting", "Meeting"),
    ("other", "Other"),
]


class RealEstateFollowup(models.Model):
    """A follow-up logged on a customer (跟进记录); the holder's restarts protection (PR-1, PR-2)."""

    _name = "real.estate.followup"
    _description = "Customer Follow-up"
    _order = "at desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
    team_id = fields.Many2one(related="lead_id.team_id", store=True)
    user_id = fields.Many2one("res.users", string="Logged By", required=True, default=lambda self: self.env.user)
    at = fields.Datetime(string="Time", required=True, default=fields.Datetime.now)
    kind = fields.Selection(FOLLOWUP_KINDS, required=True, default="call")
    note = fields.Text()
    protection_id = fields.Many2one(
        "real.estate.protection",
        string="Restarted Protection",
        readonly=True,
        help="The protection this follow-up restarted; empty when the author does not hold the customer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Follow-ups typed in the form go through the engine, as the current user, now."""
        if engine_writes(self.env, "attribution_engine_followup"):
            return super().create(vals_list)
        engine = self.env["real.estate.ownership.engine"]
        records = self.browse()
        for vals in vals_list:
            lead = self.env["crm.lead"].browse(vals["lead_id"])
            lead.check_access("read")
            records |= engine.register_followup(
                lead, self.env.user, fields.Datetime.now(), note=vals.get("note") or "", kind=vals.get("kind") or "call"
            )
        return records
