from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import LazyTranslate

from odoo.addons.real_estate_attribution.tools.engine import engine_writes
from odoo.addons.real_estate_attribution.tools.i18n import both_languages

_lt = LazyTranslate(__name__)


class RealEstateChannelPenalty(models.Model):
    """A channel violation and its fines on the agreement's scale (CH-13)."""

    _name = "real.estate.channel.penalty"
    _description = "Channel Penalty"
    _inherit = ["mail.thread", "real.estate.api.values"]
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
    offence_number = fields.Integer(
        readonly=True, copy=False, help="Rank of this offence among the agreement's confirmed ones."
    )
    agent_fine = fields.Monetary(currency_field="currency_id")
    company_fine = fields.Monetary(readonly=True, copy=False, currency_field="currency_id")
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True, tracking=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        for vals in vals_list:
            if not self.env.su:
                self._check_api_values(vals)
            self._check_workflow_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not self.env.su:
            self._check_api_values(vals)
        self._check_workflow_write(vals)
        if not engine_writes(self.env, "penalty_workflow") and any(p.state == "confirmed" for p in self):
            raise UserError(self.env._("A confirmed penalty cannot be changed (CH-13)."))
        return super().write(vals)

    def _second_offence(self):
        """CH-13: the canvasser is barred from the project and the channel's unsettled commission deducted."""
        agreement = self.agreement_id.sudo()
        values = {"deduct_until": self.date}
        if self.agent_id:
            values["barred_agent_ids"] = [(4, self.agent_id.id)]
        agreement.write(values)
        agreement.statement_ids.filtered(lambda statement: statement.state == "draft")._recompute_figures()
        agreement._message_log(
            body=both_languages(
                self.env,
                _lt(
                    "Second offence (CH-13): %(agent)s is barred from the project; the unsettled commission of deals "
                    "signed until %(date)s is deducted.",
                    agent=self.agent_id.name or "-",
                    date=self.date,
                ),
            )
        )

    @api.model
    def _check_workflow_write(self, vals):
        """CH-13: the offence's rank, the company's fine and the state come from the Confirm button only."""
        if {"state", "offence_number", "company_fine"} & set(vals) and not engine_writes(self.env, "penalty_workflow"):
            raise UserError(self.env._("A penalty is confirmed with its button: its rank and fine follow the scale."))

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
            penalty.sudo().with_context(penalty_workflow=True).write(
                {
                    "state": "confirmed",
                    "offence_number": number,
                    "company_fine": fine,
                    "agent_fine": penalty.agent_fine or agreement.agent_fine_min,
                }
            )
            if 1 < number < agreement.termination_offence:
                penalty._second_offence()
            if number >= agreement.termination_offence:
                agreement.write({"state": "suspended", "commission_forfeited": True})
                agreement._message_log(
                    body=both_languages(
                        self.env,
                        _lt(
                            "Offence %(number)s (CH-13): cooperation ended, unsettled commission forfeited.",
                            number=number,
                        ),
                    )
                )
        return True
