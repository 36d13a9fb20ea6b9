from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def action_sales_office_home(self):
        """The Sales Office app's landing screen for the current user's role.

        Managers land on the decisions that wait for them; consultants and
        team leaders on their own customers and today's call-backs.
        """
        return self.env["ir.actions.actions"]._for_xml_id(self._sales_office_home_xmlid())

    @api.model
    def _sales_office_home_xmlid(self):
        """The window action of the user's home (other addons add their roles)."""
        user = self.env.user
        if user.has_group("real_estate_attribution.group_site_manager"):
            return "real_estate_attribution.action_real_estate_dispute_inbox"
        if user.has_group("real_estate_attribution.group_sales_manager"):
            return "real_estate_attribution.action_real_estate_unit_grid"  # 销控: the unit control chart
        return "real_estate_attribution.crm_lead_action_grade_board"
