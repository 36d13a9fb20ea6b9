import logging
import threading
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, LazyTranslate

from ..tools.engine import as_system
from ..tools.i18n import both_languages

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

#: How a protection came to its holder: a contact, or a manager's decision (the explanation names it).
PROTECTION_ORIGINS = [
    ("contact", "Visit or Call"),
    ("dispute", "Dispute Decision"),
    ("handover", "Handover"),
    ("redistribution", "D Pool Redistribution"),
]
PROTECTION_STATES = [
    ("active", "Active"),
    ("expired", "Expired"),
    ("released", "Released"),
    ("converted", "Converted"),
]


class RealEstateProtection(models.Model):
    """A protection period (保护期): who holds a customer, from when, until when.

    Created and renewed only by the ownership engine. The database allows at
    most one active protection per customer identity and office.
    """

    _name = "real.estate.protection"
    _inherit = ["real.estate.private.number", "real.estate.api.values"]
    _description = "Customer Protection Period"
    _private_number_fields = ("identity",)
    _order = "start desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, ondelete="cascade", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True, index=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True, precompute=True)
    identity = fields.Char(
        string="Customer Identity",
        required=True,
        help="Normalised mobile number (E.164) of the customer when the protection was created.",
    )
    holder_user_id = fields.Many2one("res.users", string="Holder", index=True)
    kind = fields.Selection([("visit", "Visit"), ("call", "Call")], required=True)
    start = fields.Datetime(required=True)
    last_contact = fields.Datetime(required=True, help="Last visit or call of the customer covered by this protection.")
    last_followup = fields.Datetime(help="Last follow-up logged by the holder (PR-1, PR-2).")
    end = fields.Datetime(required=True, help="End of protection under PR-1 and PR-2.")
    end_rule = fields.Char(help="Rule that sets the end: PR-1 (protection window) or PR-2 (no follow-up).")
    state = fields.Selection(PROTECTION_STATES, required=True, default="active", index=True)
    ended_at = fields.Datetime(string="Ended On")
    rule = fields.Char(required=True, help="ID of the rule that created this protection.")
    visit_id = fields.Many2one("real.estate.visit", string="Origin Visit", ondelete="set null")
    release_reason = fields.Text()
    handed_from_user_id = fields.Many2one("res.users", string="Handed Over by", help="CS-9: the previous holder.")
    origin = fields.Selection(
        PROTECTION_ORIGINS,
        required=True,
        default="contact",
        help="How the holder got the customer: registered by a visit or call, or by a manager's decision.",
    )
    origin_note = fields.Text(string="Decision Note", help="Why a manager's decision gave the customer this holder.")
    effective_state = fields.Selection(
        PROTECTION_STATES,
        compute="_compute_effective_state",
        help="State right now: an active protection past its end is expired even before the cron runs.",
    )

    def _private_number_holder(self):
        return self.holder_user_id

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS real_estate_protection_one_active
                    ON real_estate_protection (team_id, identity)
                 WHERE state = 'active'
                """
            )
        )
        # PR-3: the expiry cron picks the active protections that ended first, without sorting the others
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS real_estate_protection_active_end
                    ON real_estate_protection ("end", id)
                 WHERE state = 'active'
                """
            )
        )

    @api.depends("state", "end")
    def _compute_effective_state(self):
        now = fields.Datetime.now()
        for protection in self:
            protection.effective_state = protection._state_at(now)

    def _state_at(self, at):
        """State of the protection at moment ``at`` (PR-1, PR-2: read-time correct)."""
        self.ensure_one()
        if self.state == "active" and self.end <= at:
            return "expired"
        return self.state

    def _refresh_end(self):
        """Recompute the end from the office's settings (PR-1, PR-2)."""
        engine = self.env["real.estate.ownership.engine"]
        for protection in self:
            end, rule = engine._protection_window(
                protection.team_id, protection.kind, protection.last_contact, protection.last_followup
            )
            protection.write({"end": end, "end_rule": rule})

    @api.model
    def _cron_expire(self, batch_size=None):
        """PR-3: materialise ended protections and move customers to the public pool.

        Works in batches with a commit per batch; only protections still
        active and past their end are picked, so a re-run after a crash takes
        up exactly where the last committed batch stopped.
        """
        batch_size = batch_size or self._expiry_batch_size()
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        engine = self.env["real.estate.ownership.engine"]
        done, per_office = 0, defaultdict(int)
        while True:
            now = fields.Datetime.now()
            self.env.cr.execute(
                'SELECT id FROM real_estate_protection WHERE state = %s AND "end" <= %s ORDER BY "end", id LIMIT %s',
                ["active", now, batch_size],
            )
            batch = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
            if not batch:
                break
            for team_id, count in engine._expire_protections(batch, now, source="cron", chatter=False).items():
                per_office[team_id] += count
            done += len(batch)
            if auto_commit:
                # one commit per batch (PR-3): a crash keeps the batches already done
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self._announce_expiry(per_office)
        if done:
            # the boards' counts took two rows per customer moved: fold them now, not at the next compaction
            self.env["real.estate.customer.count"]._cron_compact()
        _logger.info("Protection expiry: %s protections moved to the public pool", done)
        return done

    @api.model
    def _expiry_batch_size(self):
        """PR-3: protections ended per batch (and per commit) of the expiry cron."""
        size = self.env["ir.config_parameter"].sudo().get_param("real_estate_attribution.expiry_batch_size")
        return max(int(size or 1000), 1)

    @api.model
    def _announce_expiry(self, per_office):
        """PR-3: one note per office and run (each expiry is in the ownership log and the customer's
        explanation), not a message per customer."""
        for team in self.env["crm.team"].sudo().browse(list(per_office)):
            as_system(team)._message_log(
                body=both_languages(
                    self.env,
                    _lt(
                        "Protection expiry (PR-3): %(count)s customers joined the public pool; each expiry is in "
                        "the ownership log.",
                        count=per_office[team.id],
                    ),
                )
            )
        if per_office and not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def action_open_release(self):
        """PR-3: a site manager releases a protection to the public pool."""
        self.ensure_one()
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("Only a site manager releases a protection (PR-3)."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release to Public Pool"),
            "res_model": "real.estate.protection.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_protection_id": self.id},
        }
