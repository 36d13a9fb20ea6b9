from odoo import api, fields, models

CHANNEL_KINDS = [
    ("distributor", "Distributor"),
    ("agency", "Agency"),
    ("referrer", "Private Referrer"),
    ("canvasser", "Field Canvasser"),
    ("in_house", "In-house Channel"),
]


class ResPartner(models.Model):
    """A channel (渠道) is a company partner with a channel kind; its agents are its contacts."""

    _name = "res.partner"
    _inherit = ["res.partner", "real.estate.api.ids"]

    channel_kind = fields.Selection(
        CHANNEL_KINDS,
        help="Distributor (分销), agency (中介), private referrer (全民经纪) or field canvasser (小蜜蜂). "
        "Empty: not a channel.",
    )
    channel_agreement_ids = fields.One2many("real.estate.channel.agreement", "channel_id", string="Agreements")
    channel_report_ids = fields.One2many("real.estate.report", "channel_id", string="Reports")
    channel_statement_ids = fields.One2many("real.estate.channel.statement", "channel_id", string="Statements")
    channel_report_count = fields.Integer(compute="_compute_channel_report_count", string="Report Count")
    channel_id = fields.Many2one(
        "res.partner",
        string="Agent of Channel",
        compute="_compute_channel_id",
        store=True,
        help="The channel this contact works for as an agent (经纪人).",
    )

    @api.depends("parent_id.channel_kind", "channel_kind")
    def _compute_channel_id(self):
        for partner in self:
            if partner.channel_kind:
                partner.channel_id = partner
            elif partner.parent_id.channel_kind:
                partner.channel_id = partner.parent_id
            else:
                partner.channel_id = False

    def _compute_channel_report_count(self):
        counts = dict(
            self.env["real.estate.report"]._read_group([("channel_id", "in", self.ids)], ["channel_id"], ["__count"])
        )
        for partner in self:
            partner.channel_report_count = counts.get(partner, 0)

    def _channel_agreement(self, team):
        """The agreement under which this channel works for ``team`` (latest first), read with what its standing
        needs (CH-10, CH-13): its state and dates; another field read costs one more query."""
        self.ensure_one()
        Agreement = self.env["real.estate.channel.agreement"]
        return Agreement.search_fetch(
            [("channel_id", "=", self.id), ("team_ids", "in", team.ids)],
            ["channel_id", "state", "date_start", "date_end"],
            order="id desc",
            limit=1,
        )

    def action_view_channel_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("real_estate_channel.action_real_estate_report")
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"default_channel_id": self.id}
        return action
