from odoo import fields, models


class CrmTeamMember(models.Model):
    """A consultant's membership of a sales office, with the facts the credit split needs (CS-6)."""

    _inherit = "crm.team.member"

    is_intern = fields.Boolean(help="CS-6: an intern's deals follow the intern rules.")
    probation_passed = fields.Boolean(help="CS-6: an intern closing alone is credited once the probation is passed.")
