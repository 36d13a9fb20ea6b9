from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.real_estate_attribution.tools.engine import engine_writes

COMPANION_STATES = [("listed", "Listed"), ("claimed", "The Channel's"), ("refused", "Already Someone's")]


class RealEstateVisitCompanion(models.Model):
    """A new customer who came together with a reported one (同行上门), listed on the visit confirmation (CH-15).

    The agent lists them before the confirmation is complete; once all three signed, each listed new
    customer is registered as a visit and becomes the reporting channel's too. Someone else's customer stays
    theirs (CH-2).
    """

    _name = "real.estate.visit.companion"
    _inherit = ["real.estate.private.number", "real.estate.api.values"]
    _description = "Companion of a Reported Customer"
    _order = "id"
    _private_number_fields = ("phone",)

    confirmation_id = fields.Many2one(
        "real.estate.visit.confirmation", required=True, index=True, ondelete="cascade", readonly=True
    )
    team_id = fields.Many2one(related="confirmation_id.team_id", store=True)
    company_id = fields.Many2one(related="confirmation_id.company_id", store=True)
    name = fields.Char(string="Companion's Name", required=True)
    phone = fields.Char(string="Mobile", required=True)
    state = fields.Selection(COMPANION_STATES, default="listed", required=True, readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Customer", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        """CH-15: the confirmation's agent (or the reception desk) lists companions while it awaits signatures."""
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        for vals in vals_list:
            confirmation = self.env["real.estate.visit.confirmation"].browse(vals.get("confirmation_id") or [])
            confirmation._check_companion_editor()
            team = confirmation.sudo().team_id
            vals["phone"] = self.env["real.estate.ownership.engine"]._normalize_identity(team, vals.get("phone") or "")
        return super(RealEstateVisitCompanion, self.sudo()).create(vals_list)

    def _private_number_holder(self):
        """ID-2: the consultant holding the companion's customer reads the number; before, the receiver."""
        return self.lead_id._private_number_holder() if self.lead_id else self.confirmation_id.consultant_id

    def write(self, vals):
        """CH-15: the engine records the outcome; a listed companion is removed and listed again, not edited."""
        if not engine_writes(self.env):
            raise AccessError(self.env._("A listed companion is removed and listed again, not edited."))
        return super().write(vals)

    def unlink(self):
        self.check_access("unlink")
        for companion in self:
            companion.confirmation_id._check_companion_editor()
        return super(RealEstateVisitCompanion, self.sudo()).unlink()
