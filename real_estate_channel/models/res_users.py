from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sales_office_home_xmlid(self):
        """Channel managers (who are not site managers) land on the channels' reports."""
        user = self.env.user
        if user.has_group("real_estate_channel.group_channel_manager") and not user.has_group(
            "real_estate_attribution.group_site_manager"
        ):
            return "real_estate_channel.action_real_estate_report"
        return super()._sales_office_home_xmlid()
