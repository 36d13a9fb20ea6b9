from collections import defaultdict
from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models

from .rule_channel import VISITED_STATES


class RealEstateChannelFlag(models.Model):
    """A channel flagged for one day (CH-6): many reports, few visits; its contested reports are void."""

    _name = "real.estate.channel.flag"
    _inherit = ["real.estate.api.values"]
    _description = "Channel Flagged for a Day"
    _order = "date desc, id desc"

    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, index=True)
    channel_id = fields.Many2one("res.partner", required=True, index=True)
    date = fields.Date(required=True)
    report_count = fields.Integer()
    visit_count = fields.Integer()
    visit_rate = fields.Float(string="Visit Rate (%)")
    voided_report_ids = fields.Many2many("real.estate.report", string="Voided Reports")

    _sql_constraints = [
        ("channel_day_unique", "UNIQUE(team_id, channel_id, date)", "A channel is flagged once per office and day."),
    ]

    @api.model
    def _cron_flag_channels(self, day=None):
        """CH-6: review yesterday's reports of every channel in every office."""
        for team in self.env["crm.team"].search([("is_sales_office", "=", True)]):
            review_day = day or (datetime.now(pytz.timezone(team.office_tz)).date() - timedelta(days=1))
            self._review_day(team, review_day)

    @api.model
    def _review_day(self, team, day):
        """CH-6: flag each channel of ``team`` with more reports on ``day`` than the office's threshold and
        too few of them visiting; its contested reports of the day are void.

        The reports are counted per channel and state in SQL: only a flagged channel's reports are read.
        """
        engine = self.env["real.estate.ownership.engine"]
        start, end = engine._office_day_start(team, day), engine._office_day_start(team, day + timedelta(days=1))
        Report = self.env["real.estate.report"].sudo()
        day_domain = [("team_id", "=", team.id), ("reported_at", ">=", start), ("reported_at", "<", end)]
        counts = defaultdict(lambda: [0, 0])  # channel: [reports, visited]
        for channel, state, count in Report._read_group(day_domain, ["channel_id", "state"], ["__count"]):
            counts[channel][0] += count
            if state in VISITED_STATES:
                counts[channel][1] += count
        flagged = self.search([("team_id", "=", team.id), ("date", "=", day)]).channel_id
        flags = self.browse()
        for channel, (reported, visited) in sorted(counts.items(), key=lambda item: item[0].id):
            rate = 100.0 * visited / reported
            if reported <= team.flag_min_reports or rate >= team.flag_min_visit_rate or channel in flagged:
                continue
            mine = Report.search([*day_domain, ("channel_id", "=", channel.id)])
            contested = mine.filtered(lambda r: r.state in ("valid", "visited", "rejected") and r._is_contested())
            voided = contested.filtered(lambda r: r.state in ("valid", "visited"))
            voided.confirmation_id.filtered(lambda c: c.state == "pending").write({"state": "cancelled"})
            voided.write({"state": "rejected", "reason_code": "flagged", "reason_params": {}})
            flags |= self.create(
                {
                    "team_id": team.id,
                    "channel_id": channel.id,
                    "date": day,
                    "report_count": reported,
                    "visit_count": visited,
                    "visit_rate": rate,
                    "voided_report_ids": [(6, 0, voided.ids)],
                }
            )
        return flags
