from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    is_staff_relative = fields.Boolean(
        string="Employee or Employee's Relative",
        groups="real_estate_attribution.group_site_manager",
        help="CH-10: employees and their direct relatives are never channel customers.",
    )
    report_ids = fields.One2many("real.estate.report", "lead_id", string="Channel Reports")
    owner_channel_id = fields.Many2one(
        "res.partner", string="Owning Channel", compute="_compute_attribution", help="CH-8, CH-9, CH-12."
    )

    def _attribution_values(self, verdict, engine):
        values = super()._attribution_values(verdict, engine)
        values["owner_channel_id"] = verdict.owner_channel.id if verdict else False
        return values
