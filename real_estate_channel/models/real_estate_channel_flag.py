from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models


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
        engine = self.env["real.estate.ownership.engine"]
        start, end = engine._office_day_start(team, day), engine._office_day_start(team, day + timedelta(days=1))
        Report = self.env["real.estate.report"].sudo()
        reports = Report.search([("team_id", "=", team.id), ("reported_at", ">=", start), ("reported_at", "<", end)])
        flags = self.browse()
        for channel in reports.channel_id:
            mine = reports.filtered(lambda r, c=channel: r.channel_id == c)
            visited = mine.filtered(lambda r: r.state in ("visited", "confirmed", "won"))
            rate = 100.0 * len(visited) / len(mine)
            if len(mine) <= team.flag_min_reports or rate >= team.flag_min_visit_rate:
                continue
            if self.search_count([("team_id", "=", team.id), ("channel_id", "=", channel.id), ("date", "=", day)]):
                continue
            contested = mine.filtered(lambda r: r.state in ("valid", "visited", "rejected") and r._is_contested())
            voided = contested.filtered(lambda r: r.state in ("valid", "visited"))
            voided.confirmation_id.filtered(lambda c: c.state == "pending").write({"state": "cancelled"})
            voided.write({"state": "rejected", "reason_code": "flagged", "reason_params": {}})
            flags |= self.create(
                {
                    "team_id": team.id,
                    "channel_id": channel.id,
                    "date": day,
                    "report_count": len(mine),
                    "visit_count": len(visited),
                    "visit_rate": rate,
                    "voided_report_ids": [(6, 0, voided.ids)],
                }
            )
        return flags
