from odoo import api, fields, models


class RealEstateReferral(models.Model):
    """An employee's referral pre-registered with the project manager (CS-12)."""

    _name = "real.estate.referral"
    _inherit = ["real.estate.api.values"]
    _description = "Employee Referral"
    _order = "agreed_date desc, id desc"

    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, domain=[("is_sales_office", "=", True)])
    referrer_id = fields.Many2one("res.users", string="Referring Employee", required=True)
    customer_name = fields.Char(required=True)
    phone = fields.Char(required=True)
    customer_mobile = fields.Char(compute="_compute_customer_mobile", store=True, index=True)
    agreed_date = fields.Date(required=True, help="CS-12: the referral is void if the customer misses this date.")
    visit_id = fields.Many2one("real.estate.visit", readonly=True)
    state = fields.Selection(
        [("registered", "Registered"), ("visited", "Visited"), ("void", "Void")], default="registered", required=True
    )

    @api.depends("phone", "team_id.phone_region")
    def _compute_customer_mobile(self):
        engine = self.env["real.estate.ownership.engine"]
        for referral in self:
            referral.customer_mobile = (
                engine._normalize_identity(referral.team_id, referral.phone) if referral.phone else False
            )
