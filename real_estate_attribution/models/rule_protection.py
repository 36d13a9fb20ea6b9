from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, LazyTranslate

from ..tools.i18n import both_languages

_lt = LazyTranslate(__name__)


class RuleProtection(models.AbstractModel):
    """Rule family PR: registration and protection on site (PR-1 to PR-5)."""

    _name = "real.estate.rule.protection"
    _description = "Ownership Rules: Protection (PR)"

    @api.model
    def _protection_days(self, team, kind):
        """PR-1: length of the protection window for a registration kind."""
        columns = self._protection_days_columns()
        return team[columns.get(kind, columns[None])]

    @api.model
    def _protection_days_columns(self):
        """PR-1: the office setting (``crm.team`` column) giving each registration kind's window; ``None``: any
        other kind. Other addons add their kinds."""
        return {"visit": "visit_protection_days", None: "call_protection_days"}

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
        # the holder follows the customer; the call-back activity (GR-1) tells them, not an assignment email.
        # Only what changes is written: a file opened for its holder (ID-1) only gets the link.
        lead = lead.with_context(attribution_engine=True, mail_auto_subscribe_no_notify=True).sudo()
        holding = {"protection_id": protection.id, "user_id": holder.id, "in_public_pool": False}
        lead.write(
            {
                name: value
                for name, value in holding.items()
                if lead._fields[name].convert_to_write(lead[name], lead) != value
            }
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

        Shared by the expiry cron and by decisions that meet an ended protection before the cron did.
        One set-based statement (:meth:`_expire_in_sql`): the protections still active end, their customers
        lose their owner and join the pool, their call-backs go (GR-1) and each gets its ownership-log row
        (explanation facts included). The cron (``chatter=False``) posts one summary per office instead of
        a note per customer. Returns the number of protections ended per office (``{team_id: count}``).
        """
        if not protections:
            return {}
        self.env.flush_all()
        logged, callbacks = self._expire_in_sql(tuple(protections.ids), source)
        self.env.invalidate_all()
        self._callbacks_dropped(callbacks)
        logs = self.env["real.estate.ownership.log"].sudo().browse([log_id for log_id, _team_id in logged])
        per_office = defaultdict(int)
        for _log_id, team_id in logged:
            per_office[team_id] += 1
        logs._seal_after_commit(per_office)
        if chatter:
            self._audit_chatter(logs)
        return dict(per_office)

    @api.model
    def _expire_in_sql(self, protection_ids, source):
        """PR-3, GR-1: one data-modifying statement ends the protections of ``protection_ids`` still active,
        moves their customers to the pool (stock CRM's company of a lead with no owner: the office's, else the
        contact's, as ``_compute_company_id``), deletes their call-backs and writes one ownership-log row per
        protection, in the protections' order.

        Returns ``([(log_id, team_id)], [(activity_user_id, deadline)])``.
        """
        columns = self._expiry_log_columns(source)
        activity_type = self.env.ref("real_estate_attribution.mail_activity_type_callback")
        now = SQL("now() at time zone 'utc'")
        self.env.cr.execute(
            SQL(
                """
                WITH p AS (
                    UPDATE real_estate_protection SET state = 'expired', ended_at = "end", write_date = %(now)s,
                           write_uid = %(uid)s
                     WHERE id IN %(ids)s AND state = 'active'
                 RETURNING *
                ), moved AS (
                    UPDATE crm_lead l SET user_id = NULL, in_public_pool = TRUE, write_date = %(now)s,
                           write_uid = %(uid)s, company_id = COALESCE(lt.company_id,
                               (SELECT rp.company_id FROM res_partner rp WHERE rp.id = l.partner_id))
                      FROM p, crm_team lt
                     WHERE l.protection_id = p.id AND lt.id = l.team_id
                 RETURNING l.id
                ), callback AS (
                    DELETE FROM mail_activity
                     WHERE res_model = 'crm.lead' AND res_id IN (SELECT id FROM moved) AND activity_type_id = %(type)s
                 RETURNING user_id, date_deadline
                ), logged AS (
                    INSERT INTO real_estate_ownership_log (%(names)s)
                    SELECT %(values)s FROM p JOIN crm_team t ON t.id = p.team_id ORDER BY p.id
                 RETURNING id, team_id
                )
                SELECT id, team_id, NULL::date FROM logged
                 UNION ALL
                SELECT NULL, user_id, date_deadline FROM callback
                """,
                now=now,
                uid=self.env.uid,
                ids=protection_ids,
                type=activity_type.id,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                values=SQL(", ").join(columns.values()),
            )
        )
        rows = self.env.cr.fetchall()
        logged = sorted((log_id, team_id) for log_id, team_id, _deadline in rows if log_id)
        return logged, [(user_id, deadline) for log_id, user_id, deadline in rows if not log_id]

    @api.model
    def _callbacks_dropped(self, callbacks):
        """GR-1: tell the owners of the deleted call-backs ``[(user_id, deadline)]`` whose activity counter
        (due today or late) changed."""
        today = fields.Date.context_today(self)
        due = {user_id for user_id, deadline in callbacks if user_id and deadline <= today}
        self.env["mail.activity"].invalidate_model()
        self.env["res.users"].browse(sorted(due))._bus_send("mail.activity/updated", {"activity_deleted": True})

    @api.model
    def _expiry_log_columns(self, source):
        """PR-3: ownership-log columns of an expiry, as SQL over the protection ``p`` and its office ``t``."""
        return {
            "lead_id": SQL("p.lead_id"),
            "team_id": SQL("p.team_id"),
            "company_id": SQL("t.company_id"),
            "event": SQL("'expire'"),
            "rule": SQL("p.end_rule"),
            "old_user_id": SQL("p.holder_user_id"),
            "new_user_id": SQL("NULL::int"),
            "protection_id": SQL("p.id"),
            "date": SQL('p."end"'),
            "source": SQL("%s", source),
            "author_id": SQL("%s", self.env.uid),
            "reason": SQL("'expired.' || p.end_rule"),
            "explanation_params": SQL("jsonb_build_object(%s)", SQL(", ").join(self._expiry_params_sql())),
            "create_uid": SQL("%s", self.env.uid),
            "write_uid": SQL("%s", self.env.uid),
            "create_date": SQL("now() at time zone 'utc'"),
            "write_date": SQL("now() at time zone 'utc'"),
        }

    @api.model
    def _expiry_params_sql(self):
        """The facts of :meth:`_protection_params` as ``jsonb_build_object`` arguments, in SQL."""

        def moment(column):
            return SQL("COALESCE(to_jsonb(to_char(%s, 'YYYY-MM-DD HH24:MI:SS')), 'false'::jsonb)", column)

        def name_of(user_column):
            return SQL(
                "COALESCE((SELECT rp.name FROM res_users ru JOIN res_partner rp ON rp.id = ru.partner_id"
                " WHERE ru.id = %s), '')",
                user_column,
            )

        columns = self._protection_days_columns()
        days = SQL(
            "CASE %s ELSE t.%s END",
            SQL(" ").join(
                SQL("WHEN p.kind = %s THEN t.%s", kind, SQL.identifier(column))
                for kind, column in columns.items()
                if kind
            ),
            SQL.identifier(columns[None]),
        )
        facts = {
            "holder": name_of(SQL("p.holder_user_id")),
            "kind": SQL("p.kind"),
            "start": moment(SQL("p.start")),
            "end": moment(SQL('p."end"')),
            "contact": moment(SQL("p.last_contact")),
            "anchor": moment(SQL("GREATEST(p.last_contact, p.last_followup)")),
            "days": days,
            "lapse": SQL("t.followup_lapse_days"),
            "origin_rule": SQL("p.rule"),
            "ended": moment(SQL("p.ended_at")),
            "end_rule": SQL("p.end_rule"),
            "state": SQL("p.state"),
            "origin": SQL("COALESCE(to_jsonb(p.origin), 'false'::jsonb)"),
            "reason": SQL("COALESCE(NULLIF(p.origin_note, ''), NULLIF(p.release_reason, ''), '')"),
            "former": name_of(SQL("p.handed_from_user_id")),
        }
        return [SQL("%s, %s", key, value) for key, value in facts.items()]

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
