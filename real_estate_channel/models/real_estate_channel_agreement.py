from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RealEstateChannelAgreement(models.Model):
    """The cooperation agreement of a channel: scope, state, forbidden zone, penalty scale (CH-10, CH-13)."""

    _name = "real.estate.channel.agreement"
    _description = "Channel Agreement"
    _inherit = ["mail.thread", "real.estate.api.values"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    channel_id = fields.Many2one(
        "res.partner", required=True, index=True, domain=[("channel_kind", "!=", False)], tracking=True
    )
    channel_kind = fields.Selection(related="channel_id.channel_kind")
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Offices",
        domain=[("is_sales_office", "=", True)],
        help="CH-10: the offices (projects) the agreement covers; reports for other offices are refused.",
    )
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended")], default="active", required=True, tracking=True
    )
    date_start = fields.Date(default=fields.Date.context_today)
    date_end = fields.Date()
    forbidden_zone_m = fields.Integer(
        string="Forbidden Zone (m)",
        default=1000,
        help="CH-13: canvassing closer than this to the office is a violation.",
    )
    agent_fine_min = fields.Monetary(string="Agent Fine from", default=500, currency_field="currency_id")
    agent_fine_max = fields.Monetary(string="Agent Fine up to", default=1000, currency_field="currency_id")
    company_fine_first = fields.Monetary(
        string="Company Fine, 1st Offence", default=10000, currency_field="currency_id"
    )
    company_fine_second = fields.Monetary(
        string="Company Fine, 2nd Offence", default=50000, currency_field="currency_id"
    )
    termination_offence = fields.Integer(
        string="Offence Ending Cooperation",
        default=3,
        help="CH-13: at this offence the agreement is suspended and unsettled commission is forfeited.",
    )
    commission_forfeited = fields.Boolean(
        readonly=True, tracking=True, help="CH-13: the channel's unsettled commission is forfeited to the house."
    )
    barred_agent_ids = fields.Many2many(
        "res.partner",
        "real_estate_agreement_barred_agent_rel",
        string="Barred Agents",
        readonly=True,
        help="CH-13: canvassers barred from the project at a second offence; they claim nothing any more.",
    )
    deduct_until = fields.Date(
        string="Commission Deducted until",
        readonly=True,
        help="CH-13: at a second offence, the channel's commission on deals signed until this day and not yet "
        "settled is deducted.",
    )
    penalty_ids = fields.One2many("real.estate.channel.penalty", "agreement_id", string="Penalties")
    commission_scheme_id = fields.Many2one(
        "real.estate.commission.scheme", help="CC-1: tiered rates on the deal amount."
    )
    statement_ids = fields.One2many("real.estate.channel.statement", "agreement_id", string="Statements")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id, required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)

    @api.constrains("agent_fine_min", "agent_fine_max", "termination_offence", "forbidden_zone_m")
    def _check_scale(self):
        for agreement in self:
            if agreement.agent_fine_min > agreement.agent_fine_max or agreement.termination_offence < 1:
                raise ValidationError(self.env._("The penalty scale of %(name)s is inconsistent.", name=agreement.name))

    def action_suspend(self):
        self.write({"state": "suspended"})
        return True

    def action_activate(self):
        self.write({"state": "active"})
        return True

    def _is_in_force(self, day):
        """Active and within its dates on ``day``."""
        self.ensure_one()
        return (
            self.state == "active"
            and (not self.date_start or self.date_start <= day)
            and (not self.date_end or day <= self.date_end)
        )
