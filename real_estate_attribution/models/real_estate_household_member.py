from odoo import fields, models

HOUSEHOLD_RELATIONS = [
    ("head", "Head of Household"),
    ("spouse", "Spouse"),
    ("parent", "Parent"),
    ("child", "Child"),
    ("parent_in_law", "Parent-in-law"),
    ("sibling", "Sibling"),
]


class RealEstateHouseholdMember(models.Model):
    """A customer's place in a household, by relation to its head (ID-3)."""

    _name = "real.estate.household.member"
    _inherit = ["real.estate.api.values"]
    _description = "Household Member"
    _order = "household_id, id"

    household_id = fields.Many2one("real.estate.household", required=True, ondelete="cascade", index=True)
    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, ondelete="cascade")
    relation = fields.Selection(HOUSEHOLD_RELATIONS, required=True, default="spouse")
    phone_masked = fields.Char(related="lead_id.mobile_masked", string="Mobile")

    _sql_constraints = [
        ("lead_unique", "UNIQUE(lead_id)", "A customer belongs to one household only."),
    ]
