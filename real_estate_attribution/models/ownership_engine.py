"""The ownership engine: the one place that decides who owns a customer.

Given an office, a customer identity and a moment, :meth:`resolve` returns the
owner, the rule and an explanation. :meth:`register_contact` decides and
records a visit or call. Visits, the XML-RPC API, the expiry cron and (in
other addons) reports and disputes all come here; nothing else writes
ownership. The rules themselves live in one mixin per rule family
(``rule_identity``, ``rule_protection``, ``rule_rotation``); this model
sequences them and records every decision in the audit log.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import records
from ..tools.i18n import lines_in_both

TEMPLATE_KEYS = re.compile(r"%\((\w+)\)")
DATE_PARAMS = ("start", "end", "anchor", "contact", "ended", "at", "old_until")
#: The customer file's fields a verdict reads (PR-1 to PR-3, ID-3): ``attribution`` reads the files with these.
VERDICT_LEAD_FIELDS = ("name", "team_id", "protection_id", "household_id")


@dataclass
class Verdict:
    """Who owns a customer at a moment, by which rule (read side).

    ``params``, the facts its explanation names, may be given as a function that gives them: they are then
    read only when something reads them (a report refused because the customer is held never names the
    holder).
    """

    lead: object
    owner_user: object
    owner_channel: object
    protection: object
    state: str
    until: object
    rule: str
    reason: str
    facts: object = None

    @property
    def params(self):
        if callable(self.facts):
            self.facts = self.facts()
        elif self.facts is None:
            self.facts = {}
        return self.facts


@dataclass
class Contact:
    """A visit or call to decide, already validated."""

    team: object
    kind: str
    at: datetime
    customer_name: str = ""
    identity: str = ""
    phone: str = ""
    purpose: str = "customer"
    source: str = "natural"
    consultant: object = None
    designated: object = None
    named: object = None
    questions_asked: bool = True
    first_visit: str = "unknown"
    heard_from: str = ""
    on_the_way: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class Decision:
    """What a contact changes (write side)."""

    receiver: object
    owner: object
    rule: str
    reason: str
    params: dict = field(default_factory=dict)
    lead: object = None
    create_lead: bool = False
    is_helper: bool = False
    protection: object = None
    action: str = "none"  # create | renew | none
    protection_rule: str = ""
    expire: object = None
    steps: list = field(default_factory=list)
    service_event: str = ""
    mark_old_customer: bool = False
    extra: dict = field(default_factory=dict)


class OwnershipEngine(models.AbstractModel):
    _name = "real.estate.ownership.engine"
    _description = "Ownership Engine"
    _inherit = [
        "real.estate.rule.identity",
        "real.estate.rule.protection",
        "real.estate.rule.rotation",
        "real.estate.rule.split",
        "real.estate.rule.dispute",
        "real.estate.rule.grading",
        "real.estate.rule.unit",
    ]

    # ------------------------------------------------------------------
    # Read side
    # ------------------------------------------------------------------
    @api.model
    @api.private
    def resolve(self, team, customer_identity, at=None):
        """Owner of ``customer_identity`` in ``team`` at ``at`` (default: now)."""
        at = at or fields.Datetime.now()
        lead = self._find_customer(team, customer_identity)
        if not lead:
            return self._verdict_new(team, at)
        return self._attribute(lead, at)[lead.id]

    @api.model
    def _attribute(self, leads, at=None):
        """``{lead id: Verdict}`` for many leads at once, right at read time."""
        at = at or fields.Datetime.now()
        self._prefetch_verdicts(leads)
        return {lead.id: self._attribute_lead(lead, at) for lead in leads}

    @api.model
    def _prefetch_verdicts(self, leads):
        """The protections of ``leads`` and their holders' names, each read in one query with the fields a
        verdict and its explanation read (``_verdict_fields``): a field read beyond them costs one more query,
        never a wrong value."""
        wanted = self._verdict_fields()
        protections = records.existing(
            self.env["real.estate.protection"], leads.protection_id.ids, wanted["protection"]
        )
        holders = protections.holder_user_id | protections.handed_from_user_id
        records.existing(self.env["res.users"], holders.ids, ["partner_id"])
        records.existing(self.env["res.partner"], self._verdict_partners(protections).ids, ["name"])

    @api.model
    def _verdict_partners(self, protections):
        """The partners whose names the verdicts of ``protections`` give: their holders'."""
        return (protections.holder_user_id | protections.handed_from_user_id).partner_id

    @api.model
    def _verdict_fields(self):
        """``{model: fields}``: what a verdict and its explanation read of the customer's file and protection."""
        return {
            "lead": list(VERDICT_LEAD_FIELDS),
            "protection": [
                "lead_id",
                "team_id",
                "holder_user_id",
                "handed_from_user_id",
                "kind",
                "state",
                "start",
                "end",
                "last_contact",
                "last_followup",
                "ended_at",
                "rule",
                "end_rule",
                "origin",
                "origin_note",
                "release_reason",
            ],
        }

    @api.model
    def _attribute_lead(self, lead, at):
        """PR-1, PR-2, PR-3, ID-3: who owns one customer at ``at``."""
        own = lead.protection_id
        if own and own._state_at(at) == "active":
            return self._verdict_from_protection(lead, own, at, "active")
        household = self._household_leads(lead) - lead
        held = self._in_force(household.protection_id, at).sorted("start")[:1]
        if held:
            verdict = self._verdict_from_protection(lead, held, at, "household")
            verdict.rule = "ID-3"
            verdict.facts = self._household_facts(verdict.facts, held.lead_id)
            return verdict
        if own:
            state = own._state_at(at)
            if state == "converted":
                return self._verdict_from_protection(lead, own, at, "converted")
            verdict = self._verdict_from_protection(lead, own, at, state)
            verdict.owner_user = self.env["res.users"]
            verdict.until = False
            verdict.rule = own.end_rule if state == "expired" else "PR-3"
            verdict.reason = "expired." + own.end_rule if state == "expired" else "released"
            return verdict
        return self._verdict_new(lead.team_id, at, lead)

    @api.model
    def _household_facts(self, facts, relative):
        """ID-3: the facts of the protection of ``relative`` that holds a customer, naming the relative. Read when
        the verdict is explained (a report refused because a relative holds the customer names no one)."""

        def read():
            member = relative.household_id.member_ids.filtered(lambda m: m.lead_id == relative)[:1]  # read already
            return dict(
                facts() if callable(facts) else facts or {}, member=relative.name, relation=member.relation or ""
            )

        return read

    @api.model
    def _verdict_from_protection(self, lead, protection, at, state):
        """The verdict of a protection; an active one given by a manager's decision says which (DI, CS-9, GR-4)."""
        reason = state
        if state == "active" and protection.origin != "contact":
            reason = "active." + protection.origin
        return Verdict(
            lead=lead,
            owner_user=protection.holder_user_id,
            owner_channel=self.env["res.partner"],
            protection=protection,
            state=state,
            until=protection.end,
            rule=protection.rule,
            reason=reason,
            facts=lambda: dict(self._protection_params(protection), tz=lead.team_id.office_tz, customer=lead.name),
        )

    @api.model
    def _verdict_new(self, team, at, lead=None):
        return Verdict(
            lead=lead or self.env["crm.lead"],
            owner_user=self.env["res.users"],
            owner_channel=self.env["res.partner"],
            protection=self.env["real.estate.protection"],
            state="none",
            until=False,
            rule="RO-1",
            reason="none",
            facts={"office": team.name, "tz": team.office_tz},
        )

    @api.model
    def _verdict_to_api(self, verdict):
        """The verdict as plain XML-RPC values (ids, ``False``, UTC strings)."""
        return {
            "lead_id": verdict.lead.id or False,
            "owner_user_id": verdict.owner_user.id or False,
            "owner_channel_id": verdict.owner_channel.id or False,
            "protection_state": verdict.state,
            "protected_until": fields.Datetime.to_string(verdict.until) if verdict.until else False,
            "rule": verdict.rule,
            "explanation": self._explain(verdict.reason, verdict.params),
        }

    # ------------------------------------------------------------------
    # Write side
    # ------------------------------------------------------------------
    @api.model
    @api.private
    def register_contact(self, contact):
        """Decide and record a visit or call; returns the ``real.estate.visit``.

        The decision runs under the customer's lock, so that two receptions
        of one customer are decided one after the other.
        """
        if contact.identity:
            self.env["real.estate.lock"]._acquire(contact.team, contact.identity)
        self._check_time_order(contact)
        roster = self._roster_for(contact.team, contact.at)
        decision = self._decide_contact(contact, roster)
        return self._apply(contact, decision, roster)

    @api.model
    def _check_time_order(self, contact):
        """Replayed history must come in time order for each customer."""
        lead = self._find_customer(contact.team, contact.identity)
        latest = max(
            [d for d in (lead.protection_ids.mapped("last_contact") + lead.protection_ids.mapped("last_followup")) if d]
            + lead.visit_ids.mapped("visit_at"),
            default=None,
        )
        if latest and contact.at < latest:
            raise ValidationError(
                self.env._(
                    "History must be replayed in time order: %(customer)s already has an event at "
                    "%(latest)s UTC, after %(at)s UTC.",
                    customer=lead.name,
                    latest=fields.Datetime.to_string(latest),
                    at=fields.Datetime.to_string(contact.at),
                )
            )

    @api.model
    def _decide_contact(self, contact, roster):
        """Choose receiver and owner of a contact (ID-4, PR-3, PR-4, PR-5, RO-1 to RO-6)."""
        if not self._is_customer_purpose(contact.purpose):
            return self._decide_non_customer(contact, roster)
        if contact.kind == "call" and not contact.identity:
            return self._decide_anonymous_call(contact, roster)
        lead = self._find_customer(contact.team, contact.identity)
        verdict = self._attribute_lead(lead, contact.at) if lead else None
        if verdict and verdict.state == "active" and contact.extra.get("refuses") and verdict.owner_user:
            return self._decide_reassigned(contact, roster, lead, verdict)
        if verdict and verdict.state in ("active", "household", "converted"):
            return self._decide_returning(contact, roster, lead, verdict)
        return self._decide_new(contact, roster, lead, verdict)

    @api.model
    def _decide_non_customer(self, contact, roster):
        """ID-4: no customer; a market researcher goes to the last consultant in rotation."""
        purpose = contact.purpose
        if purpose == "market_research" and contact.team.researcher_to_last and not contact.consultant:
            receiver = self._last_in_rotation(roster, contact.at, kind=contact.kind).user_id
            return Decision(
                receiver=receiver,
                owner=self.env["res.users"],
                rule="ID-4",
                reason="researcher",
                params={"receiver": receiver.name},
                service_event="researcher",
            )
        receiver = contact.consultant or self.env["res.users"]
        return Decision(
            receiver=receiver,
            owner=self.env["res.users"],
            rule="ID-4",
            reason="non_customer",
            params={"purpose": purpose},
            service_event="",
        )

    @api.model
    def _decide_anonymous_call(self, contact, roster):
        """PR-4: a caller who leaves no contact details registers nobody; the call uses a turn."""
        if contact.consultant:
            return Decision(
                receiver=contact.consultant,
                owner=self.env["res.users"],
                rule="PR-4",
                reason="call.no_contact",
                service_event="call",
            )
        line, steps = self._next_up(roster, contact.at, kind=contact.kind)
        return Decision(
            receiver=line.user_id, owner=self.env["res.users"], rule="PR-4", reason="call.no_contact", steps=steps
        )

    @api.model
    def _decide_returning(self, contact, roster, lead, verdict):
        """RO-3, RO-6, PR-5, ID-3: a customer who already has an owner."""
        owner = verdict.owner_user
        params = dict(verdict.params, owner=owner.name)
        present = self._is_present(roster, owner, contact.at)
        if contact.consultant and contact.consultant != owner:
            receiver, is_helper = contact.consultant, True
        elif present:
            receiver, is_helper = owner, False
        else:
            receiver, is_helper = (
                self._last_in_rotation(roster, contact.at, exclude=owner, kind=contact.kind).user_id,
                True,
            )
        params["receiver"] = receiver.name
        decision = Decision(
            receiver=receiver,
            owner=owner,
            rule="RO-3",
            reason="returning.owner",
            params=params,
            lead=lead,
            is_helper=is_helper,
            protection=verdict.protection,
            service_event="returning",
            mark_old_customer=present and not is_helper,
        )
        if is_helper:
            decision.reason, decision.service_event = "returning.helper", "helper"
            if not contact.questions_asked and not contact.named:
                decision.rule, decision.reason = "PR-5", "returning.unasked"
        if contact.purpose == "deposit_sign":
            decision.rule, decision.reason, decision.service_event = "RO-6", "service", "service"
            decision.mark_old_customer = False
            line = self._line_of(roster, receiver)
            if contact.team.service_visit_consumes_turn and line:
                decision.steps, decision.service_event = [(line, "turn", "RO-6")], ""
        if verdict.state == "household" and contact.kind in ("visit", "call"):
            decision.action, decision.protection_rule = "create", "ID-3"
            decision.rule, decision.reason = "ID-3", "household"
            decision.expire = lead.protection_id or None  # the member's own, lapsed before the cron saw it
        elif verdict.state == "active" and not (contact.kind == "call" and contact.team.call_registration == "record"):
            decision.action = "renew"  # PR-1; PR-7: where calls are records only, a call renews nothing
        return decision

    @api.model
    def _decide_reassigned(self, contact, roster, lead, verdict):
        """RO-8: the customer firmly refuses their consultant (or the consultant committed a serious fault): the
        manager has them received from the rotation as a new customer; the former consultant loses every right to
        them, and the interrupted reception is a bye that earns them a priority (make-up) turn."""
        former = verdict.owner_user
        line, steps = self._next_up(roster, contact.at, exclude=former, kind=contact.kind)
        former_line = self._line_of(roster, former)
        decision = Decision(
            receiver=line.user_id,
            owner=line.user_id,
            rule="RO-8",
            reason="new.reassigned",
            lead=lead,
            action="create",
            protection_rule="RO-8",
            steps=([(former_line, "skipped", "RO-8")] if former_line else []) + steps,
            params={"former": former.name, "receiver": line.user_id.name, "owner": line.user_id.name},
        )
        decision.extra["release"] = verdict.protection
        return decision

    @api.model
    def _decide_new(self, contact, roster, lead, verdict):
        """RO-1, RO-4, PR-3, PR-4: a first-time customer, or one back from the public pool."""
        expired = verdict.protection if verdict and verdict.state == "expired" else None
        former = verdict.protection.holder_user_id if verdict and verdict.protection else self.env["res.users"]
        from_pool = bool(verdict and verdict.protection)
        decision = Decision(
            receiver=None,
            owner=None,
            rule="RO-1",
            reason="new.rotation",
            lead=lead,
            create_lead=not lead,
            action="create",
            expire=expired,
            params={"from_pool": from_pool, "former": former.name or ""},
        )
        named = contact.named or contact.designated
        referrer, referrer_owner = self._old_customer_owner(contact)
        if referrer_owner:
            present = self._is_present(roster, referrer_owner, contact.at)
            decision.receiver = (
                referrer_owner
                if present
                else self._last_in_rotation(roster, contact.at, exclude=referrer_owner, kind=contact.kind).user_id
            )
            decision.is_helper = not present
            decision.rule, decision.reason, decision.service_event = "CS-13", "new.referred", "designated"
            decision.extra["referrer"] = referrer
            decision.owner = referrer_owner
            line = self._line_of(roster, referrer_owner) if present else None
            if line:  # RO-7: receiving an old customer who brings a new one counts as one reception
                decision.steps, decision.service_event = [(line, "turn", "RO-7")], ""
        elif former and named == former and contact.team.former_consultant_reclaims:
            decision.receiver, decision.rule, decision.reason = former, "PR-3", "new.reclaim"
            decision.service_event = "designated"
        elif self._first_named_present(contact, roster):
            named_present = self._first_named_present(contact, roster)
            decision.receiver, decision.rule, decision.reason = named_present, "RO-9", "new.named_several"
            decision.service_event = "designated"
        elif contact.designated:
            decision.receiver, decision.rule, decision.reason = contact.designated, "RO-4", "new.designated"
            decision.service_event = "designated"
            line = self._line_of(roster, contact.designated)
            if contact.team.designation_counts_as_turn and line:
                decision.steps, decision.service_event = [(line, "turn", "RO-4")], ""
        elif contact.consultant:
            decision.receiver, decision.reason = contact.consultant, "new.assigned"
            line, steps = self._next_up(roster, contact.at, kind=contact.kind) if roster.line_ids else (None, [])
            if line and line.user_id == contact.consultant:
                decision.steps = steps
            else:
                decision.service_event = "out_of_turn"
        else:
            line, decision.steps = self._next_up(roster, contact.at, kind=contact.kind)
            decision.receiver = line.user_id
        decision.owner = decision.owner or decision.receiver
        decision.protection_rule = decision.rule
        decision.params["receiver"] = decision.receiver.name
        decision.params["owner"] = decision.owner.name if decision.owner else ""
        if contact.kind == "call" and contact.on_the_way:
            decision.action, decision.owner = "none", self.env["res.users"]
            decision.rule = decision.protection_rule = "PR-4"
            decision.reason = "call.on_the_way"
        elif contact.kind == "call" and contact.team.call_registration == "record":
            decision.action, decision.owner = "none", self.env["res.users"]
            decision.rule = decision.protection_rule = "PR-7"
            decision.reason = "call.record_only"
        return decision

    @api.model
    def _first_named_present(self, contact, roster):
        """RO-9: several consultants named and none holding a valid registration: the first named who is
        present receives."""
        for user in contact.extra.get("named_several") or []:
            if self._is_present(roster, user, contact.at):
                return user
        return self.env["res.users"]

    @api.model
    def _old_customer_until(self, referrer, at):
        """CH-14, CS-13: until when ``referrer`` is an old customer at ``at``: ``old_customer_days`` after their
        deposit, or after their last visit when they have not bought; ``False`` when they are not (any more)."""
        days = referrer.team_id.old_customer_days
        if not days:
            return False
        deposit = referrer.deposit_at if referrer.deposit_at and referrer.deposit_at <= at else None
        visits = referrer.visit_ids.filtered(lambda v: v.kind == "visit" and v.visit_at <= at).mapped("visit_at")
        start = deposit or max(visits, default=None)
        if not start:
            return False
        until = start + timedelta(days=days)
        return until if at <= until else False

    @api.model
    def _old_customer_owner(self, contact):
        """CS-13: the old customer who brought this one, and the consultant who holds the old customer."""
        referrer_identity = contact.extra.get("referrer_identity")
        if not referrer_identity:
            return self.env["crm.lead"], self.env["res.users"]
        referrer = self._find_customer(contact.team, referrer_identity)
        if referrer and not self._old_customer_until(referrer, contact.at):
            return referrer, self.env["res.users"]  # CH-14: no longer old, the new one is anyone's
        verdict = self._attribute_lead(referrer, contact.at) if referrer else None
        if verdict and verdict.state in ("active", "converted", "household") and verdict.owner_user:
            return referrer, verdict.owner_user
        if referrer and referrer.deposit_at and referrer.deposit_at <= contact.at:
            return referrer, self._owner(referrer)  # CH-14: old by the deposit: the consultant who held them
        return referrer, self.env["res.users"]

    @api.model
    def _match_referral(self, contact, visit):
        """CS-12: an employee's pre-registered referral counts when the customer comes by the agreed date."""
        if not contact.identity:
            return
        referral = (
            self.env["real.estate.referral"]
            .sudo()
            .search(
                [
                    ("team_id", "=", contact.team.id),
                    ("customer_mobile", "=", contact.identity),
                    ("state", "=", "registered"),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not referral:
            return
        if self._office_date(contact.team, contact.at) <= referral.agreed_date:
            referral.write({"state": "visited", "visit_id": visit.id})
            visit.write({"referral_id": referral.id, "source": "employee"})
        else:
            referral.state = "void"

    @api.model
    def _apply(self, contact, decision, roster):
        """Write a decision: lead, protection, visit, rotation ledger, audit."""
        lead = decision.lead or self.env["crm.lead"]
        if decision.create_lead:
            lead = self._create_customer(contact, decision)
        elif lead and not lead.active:
            lead.sudo().action_unarchive()
        if decision.expire:
            self._expire_protections(decision.expire, contact.at, source="visit")
        if decision.extra.get("release"):  # RO-8: the former consultant loses every right to the customer
            self._release_protection(
                decision.extra["release"], contact.at, contact.extra.get("refuse_reason") or "RO-8", source=contact.kind
            )
        visit = (
            self.env["real.estate.visit"]
            .sudo()
            .with_context(attribution_engine=True)
            .create(self._visit_values(contact, decision, lead))
        )
        self._match_referral(contact, visit)
        # a new file is opened held by its owner (_create_customer): nobody held it before
        old_owner = self.env["res.users"] if decision.create_lead else lead.user_id
        protection = decision.protection
        if decision.action == "create":
            protection = self._create_protection(
                lead, decision.owner, contact.kind, contact.at, decision.protection_rule, visit=visit
            )
        elif decision.action == "renew" and protection:
            self._renew_on_contact(protection, contact.kind, contact.at)
        if protection:
            visit.protection_id = protection
            decision.params.update(self._protection_params(protection))
        decision.params.setdefault("tz", contact.team.office_tz)
        visit.write(
            {"rule": decision.rule, "reason": decision.reason, "explanation_params": self._jsonable(decision.params)}
        )
        self._record_rotation(contact, decision, roster, visit)
        if lead:
            lead._sync_followup_activity()
        if lead and decision.action in ("create", "renew"):
            self._audit(
                [
                    {
                        "lead": lead,
                        "event": "assign" if decision.action == "create" else "renew",
                        "rule": decision.rule,
                        "old_user": old_owner,
                        "new_user": decision.owner,
                        "protection": protection,
                        "visit": visit,
                        "at": contact.at,
                        "source": contact.kind,
                        "reason": decision.reason,
                        "params": decision.params,
                    }
                ]
            )
        return visit

    @api.model
    def _record_rotation(self, contact, decision, roster, visit):
        if not roster:
            return
        if decision.steps:
            self._take_turn(roster, decision.steps, visit, contact.at)
        elif decision.service_event and decision.receiver:
            self._record_service(roster, decision.receiver, visit, contact.at, decision.service_event, decision.rule)
        if decision.mark_old_customer:
            self._mark_old_customer(roster, decision.receiver, contact.at)

    @api.model
    def _create_customer(self, contact, decision):
        """Open the customer file (crm.lead) of a new identity (ID-1).

        A file the decision protects (PR-1) is opened held by its owner, so that the protection that follows
        only links to it: one write of the new file fewer, and no second pass of stock CRM's assignment.
        """
        owner = decision.owner if decision.action == "create" else self.env["res.users"]
        return (
            self.env["crm.lead"]
            .sudo()
            # the holder follows the customer, not the receptionist; the call-back activity (GR-1) tells them,
            # not an assignment email
            .with_context(
                attribution_engine=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_auto_subscribe_no_notify=True,
            )
            .create(
                {
                    "name": contact.customer_name,
                    "contact_name": contact.customer_name,
                    "phone": contact.phone,
                    "type": "opportunity",
                    "team_id": contact.team.id,
                    "user_id": owner.id or False,
                    "in_public_pool": False,
                }
            )
        )

    @api.model
    def _visit_values(self, contact, decision, lead):
        return {
            "team_id": contact.team.id,
            "lead_id": lead.id or False,
            "kind": contact.kind,
            "purpose": contact.purpose,
            "source": contact.source,
            "visit_at": contact.at,
            "customer_name": contact.customer_name,
            "phone": contact.phone,
            "customer_mobile": contact.identity or False,
            "consultant_id": decision.receiver.id if decision.receiver else False,
            "owner_user_id": decision.owner.id if decision.owner else False,
            "is_helper": decision.is_helper,
            "designated_user_id": contact.designated.id if contact.designated else False,
            "questions_asked": contact.questions_asked,
            "answer_first_visit": contact.first_visit,
            "answer_named_user_id": contact.named.id if contact.named else False,
            "answer_heard_from": contact.heard_from,
            "on_the_way": contact.on_the_way,
            "rule": decision.rule,
            "reason": decision.reason,
            "referrer_lead_id": decision.extra["referrer"].id if decision.extra.get("referrer") else False,
            **contact.extra.get("history", {}),
        }

    # ------------------------------------------------------------------
    # Follow-ups
    # ------------------------------------------------------------------
    @api.model
    @api.private
    def register_followup(self, lead, user, at, note="", kind="call"):
        """PR-1, PR-2: a follow-up by the holder restarts the protection."""
        if not lead.team_id.is_sales_office:
            raise UserError(
                self.env._(
                    "%(customer)s is not a customer of a sales office: its follow-ups protect no one.",
                    customer=lead.name,
                )
            )
        self.env["real.estate.lock"]._acquire(lead.team_id, lead.customer_mobile or "lead:%s" % lead.id)
        protection = lead.protection_id
        restarts = bool(protection) and protection._state_at(at) == "active" and protection.holder_user_id == user
        followup = (
            self.env["real.estate.followup"]
            .sudo()
            .with_context(attribution_engine_followup=True)
            .create(
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "at": at,
                    "note": note,
                    "kind": kind,
                    "protection_id": protection.id if restarts else False,
                }
            )
        )
        if restarts:
            self._renew_on_followup(protection, at)
            params = dict(self._protection_params(protection), tz=lead.team_id.office_tz)
            self._audit(
                [
                    {
                        "lead": lead,
                        "event": "renew",
                        "rule": "PR-1",
                        "old_user": user,
                        "new_user": user,
                        "protection": protection,
                        "at": at,
                        "source": "followup",
                        "reason": "followup",
                        "params": params,
                    }
                ]
            )
        lead._sync_followup_activity()
        return followup

    # ------------------------------------------------------------------
    # Audit and explanations
    # ------------------------------------------------------------------
    @api.model
    def _audit(self, entries, chatter=True):
        """Record ownership events (who, when, rule, before, after) and tell the customer's chatter (unless a
        run tells each office once, as the expiry cron does)."""
        Log = self.env["real.estate.ownership.log"].sudo()
        logs = Log.create([self._log_values(entry) for entry in entries])
        Log._seal_after_commit(logs.team_id.ids)
        if chatter:
            self._audit_chatter(logs)
        return logs

    @api.model
    def _audit_chatter(self, logs):
        """One note per customer in its chatter for its ownership events (renewals excepted)."""
        bodies = defaultdict(list)
        for log in logs.filtered(lambda log: log.event != "renew"):
            bodies[log.lead_id.id].append(log._chatter_body())
        if bodies:
            leads = self.env["crm.lead"].sudo().browse(list(bodies))
            messages = leads._message_log_batch({lead_id: Markup("").join(b) for lead_id, b in bodies.items()})
            messages.subtype_id = self.env.ref("real_estate_attribution.mt_ownership_change")

    @api.model
    def _log_values(self, entry):
        protection = entry.get("protection")
        return {
            "lead_id": entry["lead"].id,
            "team_id": entry["lead"].team_id.id,
            "event": entry["event"],
            "rule": entry["rule"],
            "old_user_id": entry["old_user"].id if entry.get("old_user") else False,
            "new_user_id": entry["new_user"].id if entry.get("new_user") else False,
            "protection_id": protection.id if protection else False,
            "visit_id": entry["visit"].id if entry.get("visit") else False,
            "date": entry["at"],
            "source": entry["source"],
            "author_id": self.env.uid,
            "reason": entry["reason"],
            "explanation_params": self._jsonable(entry["params"]),
        }

    @api.model
    def _jsonable(self, params):
        return json.loads(json.dumps(params, default=lambda v: fields.Datetime.to_string(v) if v else False))

    @api.model
    def _explain(self, reason, params):
        """Explanation of a decision in the environment's language."""
        words = self._explanation_words()
        templates = words["templates"]
        params = params or {}
        template = templates.get(reason) or templates["unknown"]
        window = ""
        if "window" in words["keys"][template] and params.get("end") and params.get("state", "active") == "active":
            window = templates.get("window." + (params.get("end_rule") or "PR-1"), "")
        # only the facts the texts name are put in words (a hundred explanations format a few dates each)
        values = self._format_params(params, words["keys"][template] | words["keys"][window])
        values["window"] = window % values if window else ""
        try:
            return (template % values).strip()
        except (KeyError, TypeError, ValueError):
            return templates["unknown"] % values

    @api.model
    def _explain_bilingual(self, reason, params):
        """English and, when installed, Chinese explanation (for the chatter)."""
        return lines_in_both(self.env, lambda env: self.with_env(env)._explain(reason, params))

    @api.model
    def _format_params(self, params, keys):
        """Dates in the office's timezone and selection values in plain words; of the dates, those ``keys``
        names."""
        values = dict(params)
        for key in keys.intersection(DATE_PARAMS):
            if params.get(key):
                values[key] = self._format_moment(params[key], params.get("tz"))
        words = self._explanation_words()
        values["kind"] = words["kinds"].get(params.get("kind"), params.get("kind") or "")
        values["purpose"] = words["purposes"].get(params.get("purpose"), params.get("purpose") or "")
        values["relation"] = words["relations"].get(params.get("relation"), params.get("relation") or "")
        values["pool_note"] = words["pool_note"] if params.get("from_pool") else ""
        return values

    @api.model
    def _explanation_words(self):
        """The explanation templates and the words they take, in the environment's language.

        Built once per request and language: explaining a hundred customers translates them once.
        """
        key = ("real_estate_explanation_words", self.env.lang)
        words = self.env.cr.cache.get(key)
        if words is None:
            selection = self.env["real.estate.visit"]._fields["purpose"]._description_selection(self.env)
            relations = self.env["real.estate.household.member"]._fields["relation"]._description_selection(self.env)
            templates = self._explanation_templates()
            words = self.env.cr.cache[key] = {
                "templates": templates,
                # the names each text takes, by text ("": none)
                "keys": {text: frozenset(TEMPLATE_KEYS.findall(text)) for text in ("", *templates.values())},
                "kinds": {"visit": self.env._("visit"), "call": self.env._("call")},
                "purposes": dict(selection),
                "relations": dict(relations),
                "pool_note": self.env._("The customer came back from the public pool, so they count as new (PR-3). "),
            }
        return words

    @api.model
    def _format_moment(self, value, tz_name):
        """A UTC moment (datetime or string) as the office's local time."""
        moment = fields.Datetime.to_datetime(value)
        tz = pytz.timezone(tz_name or "Asia/Shanghai")
        return pytz.utc.localize(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M")

    @api.model
    def _explanation_templates(self):
        """Explanation texts by reason; other addons add theirs with ``super()``."""
        return {
            "unknown": self.env._("Decision recorded."),
            "window.PR-1": self.env._(
                "Protected until %(end)s: %(days)s days from the last follow-up or contact on %(anchor)s (PR-1)."
            ),
            "window.PR-2": self.env._(
                "Protected until %(end)s unless %(holder)s logs a follow-up first: there has been "
                "none since the contact on %(contact)s (PR-2); a follow-up extends protection to "
                "%(days)s days from it (PR-1)."
            ),
            "none": self.env._(
                "Nobody owns this customer: there is no visit or call on record in %(office)s. Their "
                "next visit is a first visit, received in the duty rotation (RO-1)."
            ),
            "active": self.env._(
                "%(holder)s owns this customer, registered by %(kind)s on %(start)s under rule "
                "%(origin_rule)s. %(window)s"
            ),
            "active.dispute": self.env._(
                "%(holder)s owns this customer since %(start)s by a dispute decision (%(origin_rule)s): "
                "%(reason)s. %(window)s"
            ),
            "active.handover": self.env._(
                "%(holder)s owns this customer since %(start)s: %(former)s handed them over on leaving the "
                "project (CS-9): %(reason)s. %(window)s"
            ),
            "active.redistribution": self.env._(
                "%(holder)s owns this customer since %(start)s: the manager redistributed the D pool for "
                "another try (GR-4). %(window)s"
            ),
            "household": self.env._(
                "This customer belongs to the household of %(member)s (%(relation)s), which counts as "
                "one customer (ID-3): %(holder)s owns it. %(window)s"
            ),
            "converted": self.env._("%(holder)s closed the deal on %(ended)s; the customer stays with %(holder)s."),
            "expired.PR-1": self.env._(
                "The protection of %(holder)s ended on %(end)s, %(days)s days after the last "
                "follow-up or contact (PR-1). The customer is in the public pool: the next visit "
                "goes to the rotation unless the customer names %(holder)s (PR-3)."
            ),
            "expired.PR-2": self.env._(
                "The protection of %(holder)s ended on %(end)s: no follow-up within %(lapse)s days "
                "of the last contact on %(contact)s (PR-2). The customer is in the public pool: the "
                "next visit goes to the rotation unless the customer names %(holder)s (PR-3)."
            ),
            "released": self.env._(
                "The protection of %(holder)s was released on %(ended)s: %(reason)s. The customer is "
                "in the public pool (PR-3)."
            ),
            "followup": self.env._("%(holder)s logged a follow-up. %(window)s"),
            "deal_cancelled": self.env._(
                "The deal on unit %(unit)s (%(amount)s) was cancelled: %(note)s. The unit is available again; "
                "the credit split and the commission not yet settled are reversed (UC-1)."
            ),
            "transferred": self.env._("Ownership handed to %(holder)s (%(rule)s): %(reason)s. %(window)s"),
            "transferred.pool": self.env._("The customer goes to the public pool (%(rule)s): %(reason)s."),
            "new.rotation": self.env._(
                "%(pool_note)sFirst-time visitor received by %(receiver)s, whose turn it was in "
                "the duty rotation (RO-1). %(window)s"
            ),
            "new.assigned": self.env._("%(pool_note)sFirst-time visitor received by %(receiver)s (RO-1). %(window)s"),
            "new.designated": self.env._(
                "%(pool_note)sThe visitor named %(receiver)s before reception, so %(receiver)s "
                "receives them without using a turn (RO-4). %(window)s"
            ),
            "new.referred": self.env._(
                "Brought by an old customer of %(owner)s, so the new customer is %(owner)s's too (CS-13). %(window)s"
            ),
            "new.reclaim": self.env._(
                "The customer came back from the public pool and named the former consultant "
                "%(receiver)s, who receives them again (PR-3). %(window)s"
            ),
            "returning.owner": self.env._("Returning customer of %(owner)s, who received them (RO-3). %(window)s"),
            "returning.helper": self.env._(
                "Returning customer of %(owner)s: %(receiver)s helped without using a turn and "
                "the credit stays with %(owner)s (RO-3). %(window)s"
            ),
            "returning.unasked": self.env._(
                "%(receiver)s did not ask the three questions and the customer named nobody, "
                "so the customer stays with %(owner)s while the registration is valid (PR-5). "
                "%(window)s"
            ),
            "service": self.env._(
                "The customer came only to pay a deposit or sign: %(receiver)s helped without using a "
                "turn and the credit stays with %(owner)s (RO-6)."
            ),
            "call.no_contact": self.env._(
                "The caller left no contact details: nobody is registered, and on arrival they "
                "are a new customer (PR-4)."
            ),
            "new.reassigned": self.env._(
                "The customer refused %(former)s (or %(former)s committed a serious fault): the manager had them "
                "received from the rotation as a new customer, by %(receiver)s (RO-8); %(former)s loses every "
                "right to them and is owed a priority turn. %(window)s"
            ),
            "new.named_several": self.env._(
                "First visit of a customer who named several consultants, none holding a valid registration: "
                "%(receiver)s, the first named who is present, receives them (RO-9). %(window)s"
            ),
            "call.record_only": self.env._(
                "Call recorded, received by %(receiver)s: in this office a call is a record only and protects "
                "nobody; the customer's visit decides who owns them (PR-7)."
            ),
            "call.on_the_way": self.env._(
                "The caller is on the way: no protection is registered, and on arrival they are a new customer (PR-4)."
            ),
            "non_customer": self.env._("%(purpose)s: not a customer, so no customer is registered (ID-4)."),
            "researcher": self.env._(
                "Confirmed market researcher received by %(receiver)s, the last consultant in the "
                "rotation; not a customer (ID-4)."
            ),
        }
