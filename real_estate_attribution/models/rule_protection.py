from datetime import timedelta

from odoo import api, models
from odoo.tools import LazyTranslate

from ..tools.i18n import both_languages

_lt = LazyTranslate(__name__)


class RuleProtection(models.AbstractModel):
    """Rule family PR: registration and protection on site (PR-1 to PR-5)."""

    _name = "real.estate.rule.protection"
    _description = "Ownership Rules: Protection (PR)"

    @api.model
    def _protection_days(self, team, kind):
        """PR-1: length of the protection window for a registration kind."""
        return team.visit_protection_days if kind == "visit" else team.call_protection_days

    @api.model
    def _protection_window(self, team, kind, last_contact, last_followup):
        """PR-1 and PR-2: ``(end, rule)`` of a protection.

        PR-1: the window runs from the last follow-up (or the last contact
        when that is later). PR-2: while no follow-up has been logged since
        the last contact, the protection also ends ``followup_lapse_days``
        after that contact, whichever comes first.
        """
        anchor = max(d for d in (last_contact, last_followup) if d)
        end, rule = self._days_after(team, anchor, self._protection_days(team, kind)), "PR-1"
        followed_up = last_followup and last_followup >= last_contact
        if team.followup_lapse_days and not followed_up:
            lapse_end = self._days_after(team, last_contact, team.followup_lapse_days)
            if lapse_end < end:
                end, rule = lapse_end, "PR-2"
        return end, rule

    @api.model
    def _days_after(self, team, moment, days):
        """PR-6: ``days`` of protection from ``moment``, or whole office days from the next day (entered on the
        1st, 15 days cover the 2nd to the 16th)."""
        if team.protection_counts_from == "next_day":
            return self._office_day_start(team, self._office_date(team, moment) + timedelta(days=days + 1))
        return moment + timedelta(days=days)

    @api.model
    def _in_force(self, protections, at):
        """The protections among ``protections`` that hold the customer at ``at``."""
        return protections.filtered(lambda p: p._state_at(at) == "active")

    @api.model
    def _create_protection(self, lead, holder, kind, at, rule, visit=None, **extra):
        """PR-1: open a protection for ``holder``; the lead points at it."""
        end, end_rule = self._protection_window(lead.team_id, kind, at, False)
        vals = {
            "lead_id": lead.id,
            "team_id": lead.team_id.id,
            "identity": lead.customer_mobile,
            "holder_user_id": holder.id,
            "kind": kind,
            "start": at,
            "last_contact": at,
            "end": end,
            "end_rule": end_rule,
            "rule": rule,
            "visit_id": visit.id if visit else False,
            **extra,
        }
        Protection = self.env["real.estate.protection"].sudo()
        # ended protections must reach the database before the unique index sees the new one
        Protection.flush_model(["state"])
        protection = Protection.create(vals)
        lead.with_context(attribution_engine=True).sudo().write(
            {"protection_id": protection.id, "user_id": holder.id, "in_public_pool": False}
        )
        return protection

    @api.model
    def _renew_on_contact(self, protection, kind, at):
        """PR-1: a new visit or call of the holder's customer restarts the window.

        A visit upgrades a call registration to a visit registration.
        """
        kind = "visit" if "visit" in (kind, protection.kind) else protection.kind
        end, end_rule = self._protection_window(protection.team_id, kind, at, protection.last_followup)
        protection.sudo().write({"kind": kind, "last_contact": at, "end": end, "end_rule": end_rule})

    @api.model
    def _renew_on_followup(self, protection, at):
        """PR-1, PR-2: a follow-up logged by the holder restarts the window."""
        end, end_rule = self._protection_window(protection.team_id, protection.kind, protection.last_contact, at)
        protection.sudo().write({"last_followup": at, "end": end, "end_rule": end_rule})

    @api.model
    def _expire_protections(self, protections, at, source, chatter=True):
        """PR-3: end protections past their end; their customers join the public pool.

        Shared by the expiry cron and by decisions that meet an ended
        protection before the cron did. Set-based: one UPDATE per table and
        one ownership-log row per protection; the cron (``chatter=False``)
        posts one summary per office instead of a note per customer.
        """
        protections = protections.sudo().filtered(lambda p: p.state == "active")
        if not protections:
            return
        self.env.flush_all()
        self.env.cr.execute(
            'UPDATE real_estate_protection SET state = %s, ended_at = "end", write_date = now() at time zone '
            "'utc', write_uid = %s WHERE id IN %s",
            ["expired", self.env.uid, tuple(protections.ids)],
        )
        protections.invalidate_recordset(["state", "ended_at", "write_date", "write_uid"])
        protections.lead_id.invalidate_recordset()  # what the customers' computed fields read changed
        leads = protections.lead_id.filtered(lambda lead: lead.protection_id in protections)
        leads.with_context(attribution_engine=True, tracking_disable=True).write(
            {"user_id": False, "in_public_pool": True}
        )
        leads._sync_followup_activity()
        self._audit(
            [
                {
                    "lead": p.lead_id,
                    "event": "expire",
                    "rule": p.end_rule,
                    "old_user": p.holder_user_id,
                    "new_user": self.env["res.users"],
                    "protection": p,
                    "at": p.end,
                    "source": source,
                    "reason": "expired." + p.end_rule,
                    "params": self._protection_params(p),
                }
                for p in protections
            ],
            chatter=chatter,
        )

    @api.model
    def _release_protection(self, protection, at, reason, source="manual"):
        """PR-3: a manager releases a protection; the customer joins the public pool."""
        protection = protection.sudo()
        self.env["real.estate.lock"]._acquire(protection.team_id, protection.identity)
        protection.write({"state": "released", "ended_at": at, "release_reason": reason})
        if protection.lead_id.protection_id == protection:
            protection.lead_id.with_context(attribution_engine=True).write({"user_id": False, "in_public_pool": True})
            protection.lead_id._sync_followup_activity()
        params = dict(self._protection_params(protection), reason=reason)
        self._audit(
            [
                {
                    "lead": protection.lead_id,
                    "event": "release",
                    "rule": "PR-3",
                    "old_user": protection.holder_user_id,
                    "new_user": self.env["res.users"],
                    "protection": protection,
                    "at": at,
                    "source": source,
                    "reason": "released",
                    "params": params,
                }
            ]
        )

    @api.model
    @api.private
    def transfer_ownership(self, lead, at, rule, source, new_user=None, reason="transfer", **holder):
        """Hand a customer to a new holder (dispute decision DI-1/DI-2, handover CS-9, redistribution GR-4).

        The current protection is released and a new one opens for
        ``new_user`` (and the holder fields in ``holder``, e.g. a channel),
        from ``at``; with no new holder the customer goes to the public pool.
        One audit line records before and after.
        """
        lead = lead.sudo()
        self.env["real.estate.lock"]._acquire(lead.team_id, lead.customer_mobile or "lead:%s" % lead.id)
        previous = lead.protection_id
        old_user = lead.protection_id.holder_user_id if previous else self.env["res.users"]
        if previous and previous.state == "active":
            previous.write({"state": "released", "ended_at": at, "release_reason": reason})
        protection = self.env["real.estate.protection"]
        if new_user or holder:
            kind = holder.pop("kind", None) or (
                previous.kind if previous and previous.kind in ("visit", "call") else "visit"
            )
            holder.setdefault("origin", source)
            holder.setdefault("origin_note", reason)
            protection = self._create_protection(lead, new_user or self.env["res.users"], kind, at, rule, **holder)
        else:
            lead.with_context(attribution_engine=True).write({"user_id": False, "in_public_pool": True})
        self._close_open_requests(lead, old_user, rule)
        params = dict(self._protection_params(protection or previous), tz=lead.team_id.office_tz, reason=reason)
        self._audit(
            [
                {
                    "lead": lead,
                    "event": "transfer",
                    "rule": rule,
                    "old_user": old_user,
                    "new_user": new_user or self.env["res.users"],
                    "protection": protection or previous,
                    "at": at,
                    "source": source,
                    "reason": "transferred" if protection else "transferred.pool",
                    "params": params,
                    **self._transfer_audit_extra(previous, protection),
                }
            ]
        )
        lead._sync_followup_activity()
        return protection

    @api.model
    def _close_open_requests(self, lead, old_user, rule):
        """A change of owner closes what the former owner asked about the customer: a pending grade D
        request (GR-3) is cancelled, the customer leaves draft handovers of the former owner (CS-9).
        The customer's chatter says so, one line per request closed."""
        closed = []
        requests = lead.grade_request_ids.filtered(lambda r: r.state == "pending")
        if requests:
            requests._cancel()
            closed.append(
                _lt(
                    "The owner changed (%(rule)s): the grade D request of the former owner %(owner)s is closed.",
                    rule=rule,
                    owner=old_user.name or "-",
                )
            )
        handovers = (
            self.env["real.estate.handover"]
            .sudo()
            .search([("state", "=", "draft"), ("lead_ids", "in", lead.ids), ("from_user_id", "=", old_user.id)])
        )
        if handovers:
            handovers.write({"lead_ids": [(3, lead.id)]})
            closed.append(
                _lt(
                    "The owner changed (%(rule)s): the customer leaves the draft handover of the former owner "
                    "%(owner)s.",
                    rule=rule,
                    owner=old_user.name or "-",
                )
            )
        for line in closed:
            lead._message_log(body=both_languages(self.env, line))

    @api.model
    def _transfer_audit_extra(self, previous, protection):
        """Extra audit values of a transfer (the channel addon adds the channels)."""
        return {}

    @api.model
    def _convert_protection(self, protection, at, source="deal"):
        """A deal ends the protection as converted; the holder keeps the customer."""
        protection = protection.sudo()
        protection.write({"state": "converted", "ended_at": at})
        self._audit(
            [
                {
                    "lead": protection.lead_id,
                    "event": "convert",
                    "rule": protection.rule,
                    "old_user": protection.holder_user_id,
                    "new_user": protection.holder_user_id,
                    "protection": protection,
                    "at": at,
                    "source": source,
                    "reason": "converted",
                    "params": self._protection_params(protection),
                }
            ]
        )

    @api.model
    def _protection_params(self, protection):
        """Facts of a protection used by the explanations."""
        return {
            "holder": protection.holder_user_id.name or "",
            "kind": protection.kind,
            "start": protection.start,
            "end": protection.end,
            "contact": protection.last_contact,
            "anchor": max(d for d in (protection.last_contact, protection.last_followup) if d),
            "days": self._protection_days(protection.team_id, protection.kind),
            "lapse": protection.team_id.followup_lapse_days,
            "origin_rule": protection.rule,
            "ended": protection.ended_at,
            "end_rule": protection.end_rule,
            "state": protection.state,
            "origin": protection.origin,
            "reason": protection.origin_note or protection.release_reason or "",
            "former": protection.handed_from_user_id.name or "",
        }
