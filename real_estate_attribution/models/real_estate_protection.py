import logging
import threading

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

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
    company_id = fields.Many2one(related="team_id.company_id", store=True)
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
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("real_estate_attribution.expiry_batch_size", 200)
        )
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        engine = self.env["real.estate.ownership.engine"]
        done = 0
        while True:
            now = fields.Datetime.now()
            batch = self.sudo().search(
                [("state", "=", "active"), ("end", "<=", now)], order="end, id", limit=batch_size
            )
            if not batch:
                break
            engine._expire_protections(batch, now, source="cron")
            done += len(batch)
            if auto_commit:
                # one commit per batch (PR-3): a crash keeps the batches already done
                self.env.cr.commit()  # pylint: disable=invalid-commit
            else:
                self.env.flush_all()
        _logger.info("Protection expiry: %s protections moved to the public pool", done)
        return done

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
