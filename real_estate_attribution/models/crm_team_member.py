from odoo import fields, models


class CrmTeamMember(models.Model):
    """A consultant's membership of a sales office, with the facts the credit split needs (CS-6)."""

    _inherit = "crm.team.member"

    is_intern = fields.Boolean(help="CS-6: an intern's deals follow the intern rules.")
    probation_passed = fields.Boolean(help="CS-6: an intern closing alone is credited once the probation is passed.")
    # DS family: the consultant's pay, on which fines are scaled (the office's defaults otherwise)
    daily_base_pay = fields.Monetary(
        string="Day's Base Pay", currency_field="currency_id", help="DS-1: the fine of a violation."
    )
    monthly_base_pay = fields.Monetary(
        string="Month's Base Pay", currency_field="currency_id", help="DS-1: the fine of a serious violation."
    )
    monthly_bonus = fields.Monetary(
        string="Month's Bonus", currency_field="currency_id", help="DS-1, DS-2: a share of it is forfeited."
    )
    currency_id = fields.Many2one(related="crm_team_id.office_currency_id")
