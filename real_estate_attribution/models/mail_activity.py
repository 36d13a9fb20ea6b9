from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """PR-1, PR-2: marking a customer activity done logs a follow-up."""
        followups = [
            (self.env["crm.lead"].browse(activity.res_id), activity.activity_type_id.category, activity.summary)
            for activity in self
            if activity.res_model == "crm.lead" and activity.activity_type_id.category != "upload_file"
        ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        for lead, category, summary in followups:
            if lead.exists() and lead.team_id.is_sales_office:
                kind = {"phonecall": "call", "meeting": "meeting"}.get(category, "other")
                engine.register_followup(lead, self.env.user, now, note=feedback or summary or "", kind=kind)
        return result
