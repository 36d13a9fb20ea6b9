from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class RealEstateChannelPenalty(models.Model):
    """A channel violation and its fines on the agreement's scale (CH-13)."""

    _name = "real.estate.channel.penalty"
    _description = "Channel Penalty"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    agreement_id = fields.Many2one("real.estate.channel.agreement", required=True, index=True)
    channel_id = fields.Many2one(related="agreement_id.channel_id", store=True)
    agent_id = fields.Many2one("res.partner", domain="[('channel_id', '=', channel_id)]")
    team_id = fields.Many2one("crm.team", string="Sales Office", domain=[("is_sales_office", "=", True)])
    date = fields.Date(required=True, default=fields.Date.context_today)
    kind = fields.Selection(
        [("forbidden_zone", "Canvassing in the Forbidden Zone")], required=True, default="forbidden_zone"
    )
    distance_m = fields.Integer(string="Distance from the Office (m)", required=True)
    description = fields.Text()
    offence_number = fields.Integer(readonly=True, help="Rank of this offence among the agreement's confirmed ones.")
    agent_fine = fields.Monetary(currency_field="currency_id")
    company_fine = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True, tracking=True
    )

    @api.constrains("agent_fine", "agreement_id")
    def _check_agent_fine(self):
        for penalty in self.filtered("agent_fine"):
            scale = penalty.agreement_id
            if not scale.agent_fine_min <= penalty.agent_fine <= scale.agent_fine_max:
                raise ValidationError(
                    self.env._(
                        "The agent's fine must lie between %(low)s and %(high)s.",
                        low=scale.agent_fine_min,
                        high=scale.agent_fine_max,
                    )
                )

    def action_confirm(self):
        """CH-13: fine on the escalation scale; the last offence suspends the channel and forfeits commission."""
        for penalty in self:
            if penalty.state != "draft":
                raise UserError(self.env._("This penalty is already confirmed."))
            agreement = penalty.agreement_id
            if penalty.distance_m >= agreement.forbidden_zone_m:
                raise ValidationError(
                    self.env._(
                        "%(distance)s m from the office is outside the forbidden zone of %(zone)s m: not a violation.",
                        distance=penalty.distance_m,
                        zone=agreement.forbidden_zone_m,
                    )
                )
            number = len(agreement.penalty_ids.filtered(lambda p: p.state == "confirmed")) + 1
            fine = agreement.company_fine_first if number == 1 else agreement.company_fine_second
            penalty.write(
                {
                    "state": "confirmed",
                    "offence_number": number,
                    "company_fine": fine,
                    "agent_fine": penalty.agent_fine or agreement.agent_fine_min,
                }
            )
            if number >= agreement.termination_offence:
                agreement.write({"state": "suspended", "commission_forfeited": True})
                agreement.message_post(
                    body=self.env._(
                        "Offence %(number)s (CH-13): cooperation ended, unsettled commission forfeited.",
                        number=number,
                    )
                )
        return True
