from markupsafe import Markup, escape

from odoo import api, fields, models

from ..tools.i18n import html_lines, lines_in_both

OWNERSHIP_EVENTS = [
    ("assign", "Assigned"),
    ("renew", "Renewed"),
    ("expire", "Expired"),
    ("release", "Released"),
    ("convert", "Converted"),
    ("transfer", "Transferred"),
]
OWNERSHIP_SOURCES = [
    ("visit", "Visit"),
    ("call", "Call"),
    ("followup", "Follow-up"),
    ("cron", "Scheduled Expiry"),
    ("manual", "Manager"),
    ("deal", "Deal"),
    ("dispute", "Dispute Decision"),
    ("handover", "Handover"),
    ("redistribution", "Redistribution"),
]


class RealEstateOwnershipLog(models.Model):
    """The audit trail of ownership: who, when, by which rule, before and after.

    Written by the ownership engine only; nobody may edit or delete it.
    """

    _name = "real.estate.ownership.log"
    _description = "Ownership Audit Log"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    date = fields.Datetime(required=True, index=True, help="Moment the rule applied (UTC).")
    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, index=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    event = fields.Selection(OWNERSHIP_EVENTS, required=True)
    rule = fields.Char(required=True)
    old_user_id = fields.Many2one("res.users", string="Owner Before")
    new_user_id = fields.Many2one("res.users", string="Owner After")
    protection_id = fields.Many2one("real.estate.protection", ondelete="set null")
    visit_id = fields.Many2one("real.estate.visit", ondelete="set null")
    source = fields.Selection(OWNERSHIP_SOURCES, required=True)
    author_id = fields.Many2one("res.users", string="Recorded By", required=True)
    reason = fields.Char(required=True)
    explanation_params = fields.Json()
    explanation = fields.Text(compute="_compute_explanation")

    @api.depends_context("lang")
    @api.depends("reason", "explanation_params", "rule")
    def _compute_explanation(self):
        engine = self.env["real.estate.ownership.engine"]
        for log in self:
            log.explanation = engine._explain(log.reason, dict(log.explanation_params or {}, rule=log.rule))

    def _owner_label(self, side):
        """Owner before or after, as words (a channel addon adds channels)."""
        user = self.old_user_id if side == "old" else self.new_user_id
        return user.name or self.env._("nobody")

    def _chatter_body(self):
        """The ownership change for the chatter: who before and after, by which rule, and why, in English
        and in Chinese (the chatter is stored once and read by everyone)."""
        self.ensure_one()
        params = dict(self.explanation_params or {}, rule=self.rule)

        def title(env):
            log = self.with_env(env)
            events = dict(self._fields["event"]._description_selection(env))
            return "%s: %s → %s (%s)" % (
                events[self.event],
                log._owner_label("old"),
                log._owner_label("new"),
                self.rule,
            )

        titles = lines_in_both(self.env, title)
        texts = self.env["real.estate.ownership.engine"]._explain_bilingual(self.reason, params)
        return Markup("<p><b>%s</b></p>") % html_lines(titles) + Markup("").join(
            Markup("<p>%s</p>") % escape(text) for text in texts
        )
