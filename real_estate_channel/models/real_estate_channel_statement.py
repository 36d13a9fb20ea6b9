from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.real_estate_attribution.tools.engine import engine_writes

STATEMENT_STATES = [("draft", "Draft"), ("confirmed", "Confirmed"), ("paid", "Paid")]

#: Written by the recompute and the buttons only (CC-2).
WORKFLOW_FIELDS = {
    "state",
    "deal_count",
    "rate",
    "gross_amount",
    "penalty_amount",
    "deducted_amount",
    "penalty_ids",
    "forfeited",
    "net_amount",
}


class RealEstateChannelStatement(models.Model):
    """A channel's commission statement for a period (CC-1, CC-2): deals, tiered rate, penalties deducted.

    A draft recomputes from the deals; a confirmed statement is frozen.
    """

    _name = "real.estate.channel.statement"
    _description = "Channel Commission Statement"
    _inherit = ["mail.thread", "real.estate.api.values"]
    _order = "date_from desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    agreement_id = fields.Many2one("real.estate.channel.agreement", required=True, index=True)
    channel_id = fields.Many2one(related="agreement_id.channel_id", store=True)
    scheme_id = fields.Many2one(related="agreement_id.commission_scheme_id")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(STATEMENT_STATES, default="draft", required=True, tracking=True)
    line_ids = fields.One2many("real.estate.channel.statement.line", "statement_id", string="Deals", readonly=True)
    penalty_ids = fields.Many2many("real.estate.channel.penalty", string="Penalties Deducted", readonly=True)
    deal_count = fields.Integer(readonly=True)
    rate = fields.Float(
        string="Rate (%)", digits=(5, 3), readonly=True, help="CC-1: the tier reached applies to every deal."
    )
    gross_amount = fields.Monetary(string="Commission", readonly=True)
    penalty_amount = fields.Monetary(string="Penalties", readonly=True)
    deducted_amount = fields.Monetary(
        string="Commission Deducted",
        readonly=True,
        help="CH-13: at a second offence, the commission of the deals signed until then and not yet settled.",
    )
    forfeited = fields.Boolean(readonly=True, help="CH-13: the channel's unsettled commission is forfeited.")
    net_amount = fields.Monetary(string="Payable", readonly=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")

    _sql_constraints = [
        ("period_unique", "UNIQUE(agreement_id, date_from, date_to)", "One statement per agreement and period."),
        ("period_order", "CHECK(date_from <= date_to)", "A period ends after it starts."),
    ]

    @api.depends("channel_id", "date_from", "date_to")
    def _compute_name(self):
        for statement in self:
            statement.name = "%s %s ~ %s" % (
                statement.channel_id.name or "",
                statement.date_from or "",
                statement.date_to or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        for vals in vals_list:
            self._check_workflow_write(vals)
        statements = super().create(vals_list)
        statements._recompute_figures()
        return statements

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        self._check_workflow_write(vals)
        if any(statement.state != "draft" for statement in self) and set(vals) - {"state"}:
            raise UserError(self.env._("A confirmed statement is frozen (CC-2)."))
        result = super().write(vals)
        if {"date_from", "date_to", "agreement_id"} & set(vals):
            self._recompute_figures()
        return result

    @api.model
    def _check_workflow_write(self, vals):
        """CC-2: the figures recompute from the deals and the state moves by the buttons, nothing by hand."""
        if WORKFLOW_FIELDS & set(vals) and not engine_writes(self.env, "statement_workflow"):
            raise UserError(
                self.env._("A statement's figures come from the deals and its state changes by its buttons only.")
            )

    def _workflow(self):
        return self.sudo().with_context(statement_workflow=True)

    def _deals(self):
        """CC-2: the channel's deals signed in the period, with the amount of the channel's share."""
        self.ensure_one()
        engine = self.env["real.estate.ownership.engine"]
        periods = [  # each office's calendar days
            [
                ("lead_id.team_id", "=", team.id),
                ("lead_id.date_closed", ">=", engine._office_day_start(team, self.date_from)),
                ("lead_id.date_closed", "<", engine._office_day_start(team, self.date_to + timedelta(days=1))),
            ]
            for team in self.agreement_id.team_ids
        ]
        in_period = expression.OR(periods) if periods else expression.FALSE_DOMAIN
        shares = (
            self.env["real.estate.commission.share"]
            .sudo()
            .search(expression.AND([[("channel_id", "=", self.channel_id.id)], in_period]))
        )
        return shares.sorted(lambda share: (share.lead_id.date_closed, share.lead_id.id))

    def _recompute_figures(self):
        """CC-1: count the period's deals, take the tier reached, re-rate every deal; CH-13: deduct penalties."""
        Line = self.env["real.estate.channel.statement.line"].sudo()
        for statement in self.filtered(lambda s: s.state == "draft"):
            shares = statement._deals()
            scheme = statement.agreement_id.commission_scheme_id
            rate = scheme._rate_for(len(shares.lead_id)) if scheme else 0.0
            statement.line_ids.sudo().unlink()
            lines = Line.create(
                [
                    {
                        "statement_id": statement.id,
                        "lead_id": share.lead_id.id,
                        "signed_at": share.lead_id.date_closed,
                        "amount": share.lead_id.deal_amount * share.percent / 100.0,
                        "rate": rate,
                        "commission": share.lead_id.deal_amount * share.percent / 100.0 * rate / 100.0,
                    }
                    for share in shares
                ]
            )
            penalties = statement.agreement_id.penalty_ids.filtered(
                lambda p, s=statement: p.state == "confirmed" and s.date_from <= p.date <= s.date_to
            )
            gross = sum(lines.mapped("commission"))
            deducted = sum(penalties.mapped("company_fine")) + sum(penalties.mapped("agent_fine"))
            withheld = statement._deducted_commission(lines)
            forfeited = statement.agreement_id.commission_forfeited
            statement._workflow().write(
                {
                    "deal_count": len(lines),
                    "rate": rate,
                    "gross_amount": gross,
                    "penalty_amount": deducted,
                    "deducted_amount": withheld,
                    "penalty_ids": [(6, 0, penalties.ids)],
                    "forfeited": forfeited,
                    "net_amount": 0.0 if forfeited else gross - withheld - deducted,
                }
            )

    def _deducted_commission(self, lines):
        """CH-13: the commission of the lines signed until the second offence's day (in the office's days)."""
        until = self.agreement_id.deduct_until
        if not until:
            return 0.0
        engine = self.env["real.estate.ownership.engine"]
        return sum(
            line.commission for line in lines if engine._office_date(line.lead_id.team_id, line.signed_at) <= until
        )

    def action_refresh(self):
        self._recompute_figures()
        return True

    def action_confirm(self):
        """CC-2: recompute one last time, then freeze."""
        for statement in self:
            if statement.state != "draft":
                raise UserError(self.env._("Only a draft statement can be confirmed."))
            statement._recompute_figures()
            statement._workflow().state = "confirmed"
        return True

    def action_paid(self):
        for statement in self:
            if statement.state != "confirmed":
                raise UserError(self.env._("Confirm the statement before paying it."))
            if statement.forfeited:
                raise UserError(self.env._("The commission of this statement is forfeited (CH-13)."))
            statement._workflow().state = "paid"
        return True

    def action_print(self):
        return self.env.ref("real_estate_channel.action_report_channel_statement").report_action(self)


class RealEstateChannelStatementLine(models.Model):
    _name = "real.estate.channel.statement.line"
    _inherit = ["real.estate.api.values"]
    _description = "Channel Statement Line"
    _order = "signed_at, id"

    statement_id = fields.Many2one("real.estate.channel.statement", required=True, ondelete="cascade", index=True)
    lead_id = fields.Many2one("crm.lead", string="Deal", required=True, ondelete="cascade")
    customer_name = fields.Char(related="lead_id.contact_name")
    signed_at = fields.Datetime(string="Signed On")
    amount = fields.Monetary(string="Deal Amount")
    rate = fields.Float(string="Rate (%)", digits=(5, 3))
    commission = fields.Monetary()
    currency_id = fields.Many2one(related="statement_id.currency_id")
