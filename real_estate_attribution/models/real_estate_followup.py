from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
    _inherit = ["real.estate.customer.record", "real.estate.api.values"]
    _description = "Customer Follow-up"
    _order = "at desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
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
        """Follow-ups typed in the form go through the engine, as the current user, now (PR-1, PR-2)."""
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        if engine_writes(self.env, "attribution_engine_followup"):
            return super().create(vals_list)
        engine = self.env["real.estate.ownership.engine"]
        kinds = dict(FOLLOWUP_KINDS)
        records = self.browse()
        for vals in vals_list:
            vals = self._add_missing_default_values(vals)  # the customer comes from the form's context
            lead = self.env["crm.lead"].browse(vals.get("lead_id")).exists()
            if not lead:
                raise ValidationError(self.env._("Choose the customer the follow-up is about."))
            if vals.get("kind") not in kinds:
                labels = dict(self._fields["kind"]._description_selection(self.env))
                raise ValidationError(
                    self.env._("The kind of follow-up must be one of: %(kinds)s.", kinds=", ".join(labels.values()))
                )
            lead.check_access("read")
            records |= engine.register_followup(
                lead, self.env.user, fields.Datetime.now(), note=vals.get("note") or "", kind=vals["kind"]
            )
        return records
