"""The ownership engine, extended with the channel rule family (CH).

The attribution addon's engine stays the one entry point; this addon adds
channel claims to its decisions, channel holders to its protections and
channel reasons to its explanations.
"""

from datetime import timedelta
from decimal import Decimal

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.real_estate_attribution.models.ownership_engine import Contact
from odoo.addons.real_estate_attribution.models.rule_split import Share
from odoo.addons.real_estate_attribution.tools import identity

from .rule_channel import CHANNEL_KINDS, report_lock_key

#: CH-17: an in-house protection of an office without a sales-period end runs this long (ten years).
IN_HOUSE_OPEN_DAYS = 3650


class OwnershipEngine(models.AbstractModel):
    _name = "real.estate.ownership.engine"
    _inherit = ["real.estate.ownership.engine", "real.estate.rule.channel"]

    # ------------------------------------------------------------------
    # Protections held by channels (CH-8, CH-12)
    # ------------------------------------------------------------------
    @api.model
    def _protection_days_columns(self):
        """CH-8, CH-12: the windows of channel and accompanied registrations."""
        return dict(
            super()._protection_days_columns(),
            channel="channel_protection_days",
            accompanied="accompanied_protection_days",
        )

    @api.model
    def _expiry_log_columns(self, source):
        """CH: an expired channel protection leaves its channel (the log's channel before)."""
        return dict(
            super()._expiry_log_columns(source),
            old_channel_id=SQL("p.holder_channel_id"),
            new_channel_id=SQL("NULL::int"),
        )

    @api.model
    def _expiry_params_sql(self):
        channel = SQL("COALESCE((SELECT c.name FROM res_partner c WHERE c.id = p.holder_channel_id), '')")
        return [*super()._expiry_params_sql(), SQL("%s, %s", "channel", channel)]

    @api.model
    def _protection_window(self, team, kind, last_contact, last_followup):
        """CH-8, CH-12: a channel protection runs a fixed period from the visit; follow-ups do not move it."""
        if kind == "in_house":  # CH-17: the whole sales period
            if team.sales_period_end:
                return self._office_day_start(team, team.sales_period_end + timedelta(days=1)), "CH-17"
            return last_contact + timedelta(days=IN_HOUSE_OPEN_DAYS), "CH-17"
        if kind in CHANNEL_KINDS:
            rule = "CH-8" if kind == "channel" else "CH-12"
            return last_contact + timedelta(days=self._protection_days(team, kind)), rule
        return super()._protection_window(team, kind, last_contact, last_followup)

    @api.model
    @api.private
    def register_contact(self, contact):
        """CH-2, CH-11: a visit and a report of one customer are decided one after the other.

        The report's lock comes first and the customer's second, the order a
        submission takes them in, so that the two never wait on each other.
        """
        if contact.identity:
            self.env["real.estate.lock"]._acquire(contact.team, report_lock_key(contact.identity))
        return super().register_contact(contact)

    @api.model
    def _renew_on_contact(self, protection, kind, at):
        if protection.kind in CHANNEL_KINDS:
            protection.sudo().last_contact = at
            return
        super()._renew_on_contact(protection, kind, at)

    @api.model
    def _renew_on_followup(self, protection, at):
        if protection.kind in CHANNEL_KINDS:
            protection.sudo().last_followup = at
            return
        super()._renew_on_followup(protection, at)

    @api.model
    def _verdict_fields(self):
        wanted = super()._verdict_fields()
        wanted["protection"].append("holder_channel_id")
        return wanted

    @api.model
    def _relative_fields(self):
        return [*super()._relative_fields(), "is_staff_relative"]  # CH-10

    @api.model
    def _verdict_partners(self, protections):
        return super()._verdict_partners(protections) | protections.holder_channel_id

    @api.model
    def _protection_params(self, protection):
        params = super()._protection_params(protection)
        params["channel"] = protection.holder_channel_id.name or ""
        return params

    @api.model
    def _verdict_from_protection(self, lead, protection, at, state):
        verdict = super()._verdict_from_protection(lead, protection, at, state)
        verdict.owner_channel = protection.holder_channel_id
        if protection.holder_channel_id and state == "active":
            verdict.reason = "channel.active"  # the channel is named by _protection_params
        return verdict

    @api.model
    def _attribute_lead(self, lead, at):
        verdict = super()._attribute_lead(lead, at)
        if verdict.state == "converted" and verdict.owner_channel:
            verdict.rule, verdict.reason = "CH-9", "channel.deal"
        elif verdict.state in ("expired", "released", "none") and verdict.owner_channel:
            verdict.owner_channel = self.env["res.partner"]
        return verdict

    # ------------------------------------------------------------------
    # Visits of reported customers (CH-5, CH-7, CH-8, CH-12)
    # ------------------------------------------------------------------
    @api.model
    def _decide_contact(self, contact, roster):
        decision = super()._decide_contact(contact, roster)
        if not contact.identity or not self._is_customer_purpose(contact.purpose):
            return decision
        held = decision.protection
        bringer = self._bringing_channel(contact)
        if held and held.kind in CHANNEL_KINDS and held._state_at(contact.at) == "active":
            window = timedelta(days=contact.team.reconfirm_window_days)
            if bringer and bringer == held.holder_channel_id and held.end - window <= contact.at:
                decision.extra["reconfirm"] = held
            return decision
        if decision.action != "create":
            return decision  # a customer already held by a consultant: no channel claim (CH-2)
        if contact.extra.get("accompanied_agent"):
            decision.extra["channel_claim"] = ("accompanied", contact.extra["accompanied_agent"])
            return decision
        report = self._winning_report(contact.team, contact.identity, self._contact_surname(contact), contact.at)
        if report:
            decision.extra["channel_claim"] = ("report", report)
        return decision

    @api.model
    def _bringing_channel(self, contact):
        report = contact.extra.get("report")
        if report:
            return report.channel_id
        agent = contact.extra.get("accompanied_agent")
        return agent.channel_id if agent else self.env["res.partner"]

    @api.model
    def _contact_surname(self, contact):
        return identity.surname(contact.customer_name)

    @api.model
    def _apply(self, contact, decision, roster):
        visit = super()._apply(contact, decision, roster)
        claim = decision.extra.get("channel_claim")
        if claim:
            self._attach_channel_visit(visit, claim, contact)
        if decision.extra.get("reconfirm"):
            self._reconfirm_channel(decision.extra["reconfirm"], visit, contact)
        return visit

    @api.model
    def _attach_channel_visit(self, visit, claim, contact):
        """CH-7: the reported (or accompanied) customer arrived: the confirmation opens."""
        kind, value = claim
        if kind == "accompanied":
            self._supersede_reports(contact)
            report = self._accompanied_report(visit, value, contact)
        else:
            report = value.sudo()
        values = {"state": "visited", "visit_id": visit.id, "lead_id": visit.lead_id.id}
        if not report.customer_mobile:
            values["customer_mobile"] = contact.identity  # ID-2: the masked report resolves to the full number
            values["claim_key"] = contact.identity
        report.write(values)
        confirmation = (
            self.env["real.estate.visit.confirmation"]
            .sudo()
            .create({"report_id": report.id, "visit_id": visit.id, "consultant_id": visit.consultant_id.id})
        )
        report.confirmation_id = confirmation
        visit.sudo().write({"report_id": report.id})
        params = dict(visit.explanation_params or {}, channel=report.channel_id.name, report=report.name)
        visit.sudo().write({"rule": "CH-7", "reason": "channel.pending", "explanation_params": params})
        if contact.extra.get("confirmed"):
            agent_user = self.env["res.users"].sudo().search([("partner_id", "=", report.agent_id.id)], limit=1)
            confirmation.write(
                {
                    "imported": True,
                    "agent_signed_at": contact.at,
                    "agent_signed_by": agent_user.id,
                    "consultant_signed_at": contact.at,
                    "manager_signed_at": contact.at,
                    "manager_signed_by": contact.team.user_id.id,
                }
            )
            self.confirm_channel_visit(confirmation, contact.at)
        return confirmation

    @api.model
    def _supersede_reports(self, contact):
        """CH-12: report-only claims lose to the canvasser who brought the customer in person."""
        reports = self._claims_in_force(contact.team, contact.identity, (), self._contact_surname(contact), contact.at)
        if reports:
            reports.write({"state": "rejected", "reason_code": "accompanied_by_other", "reason_params": {}})
            reports.flush_recordset(["state"])

    @api.model
    def _accompanied_report(self, visit, agent, contact):
        """CH-12: a field canvasser who brings the customer in person claims them with the visit."""
        return (
            self.env["real.estate.report"]
            .sudo()
            .with_context(attribution_engine=True)
            .create(
                {
                    "team_id": contact.team.id,
                    "channel_id": agent.channel_id.id,
                    "agent_id": agent.id,
                    "customer_name": contact.customer_name,
                    "phone": contact.phone,
                    "customer_mobile": contact.identity,
                    "claim_key": contact.identity,
                    "expected_visit": contact.at,
                    "reported_at": contact.at,
                    "valid_until": contact.at,
                    "state": "visited",
                    "is_accompanied": True,
                    "lead_id": visit.lead_id.id,
                }
            )
        )

    @api.model
    @api.private
    def confirm_channel_visit(self, confirmation, at):
        """CH-7, CH-8, CH-12: all three signed: the channel protection starts from the visit."""
        confirmation = confirmation.sudo()
        report, visit = confirmation.report_id, confirmation.visit_id
        lead = visit.lead_id
        self.env["real.estate.lock"]._acquire(report.team_id, lead.customer_mobile)
        previous = lead.protection_id
        old_user = previous.holder_user_id if previous else self.env["res.users"]
        if previous and previous.state == "active":
            previous.write(
                {
                    "state": "released",
                    "ended_at": at,
                    "release_reason": self.env._(
                        "Superseded by the confirmed channel visit %(report)s.", report=report.name
                    ),
                }
            )
        kind = "accompanied" if report.is_accompanied else "channel"
        rule = "CH-12" if report.is_accompanied else "CH-8"
        if (
            report.is_accompanied
            and report.channel_id.channel_kind == "in_house"
            and report.team_id.in_house_whole_period
        ):
            kind, rule = "in_house", "CH-17"  # the developer's own channel keeps the customer for the sales period
        protection = self._create_protection(
            lead,
            visit.consultant_id,
            kind,
            visit.visit_at,
            rule,
            visit=visit,
            holder_channel_id=report.channel_id.id,
            report_id=report.id,
        )
        confirmation.state = "confirmed"
        report.write({"state": "confirmed", "protection_id": protection.id})
        for companion in confirmation.companion_ids.filtered(lambda c: c.state == "listed"):
            self._claim_companion(companion, confirmation, at)
        visit.write(
            {
                "protection_id": protection.id,
                "rule": rule,
                "reason": "channel.confirmed",
                "explanation_params": self._jsonable(
                    dict(
                        self._protection_params(protection),
                        tz=report.team_id.office_tz,
                        channel=report.channel_id.name,
                        report=report.name,
                    )
                ),
            }
        )
        self._audit(
            [
                {
                    "lead": lead,
                    "event": "assign",
                    "rule": rule,
                    "old_user": old_user,
                    "new_user": visit.consultant_id,
                    "new_channel": report.channel_id,
                    "protection": protection,
                    "visit": visit,
                    "at": at,
                    "source": "confirmation",
                    "reason": "channel.confirmed",
                    "params": dict(
                        self._protection_params(protection),
                        channel=report.channel_id.name,
                        report=report.name,
                        tz=report.team_id.office_tz,
                    ),
                }
            ]
        )
        return protection

    @api.model
    def _claim_companion(self, companion, confirmation, at):
        """CH-15: a new customer who came with the reported one is registered at the visit and is the reporting
        channel's too; someone who already is a customer of the office stays theirs (CH-2)."""
        report, visit = confirmation.report_id, confirmation.visit_id
        team = report.team_id
        lead = self._find_customer(team, companion.phone)
        verdict = self._attribute_lead(lead, visit.visit_at) if lead else None
        if lead and (lead.visit_ids or (verdict and verdict.state in ("active", "household", "converted"))):
            companion.sudo().with_context(attribution_engine=True).write({"state": "refused", "lead_id": lead.id})
            return
        contact = Contact(
            team=team,
            kind="visit",
            at=visit.visit_at,
            customer_name=companion.name,
            identity=companion.phone,
            phone=companion.phone,
            source="channel",
            consultant=visit.consultant_id,
        )
        companion_visit = self.register_contact(contact)
        new_lead = companion_visit.lead_id
        held = new_lead.protection_id
        if held and held.state == "active":
            held.write({"state": "released", "ended_at": at, "release_reason": report.name})
        protection = self._create_protection(
            new_lead,
            visit.consultant_id,
            "channel",
            visit.visit_at,
            "CH-15",
            visit=companion_visit,
            holder_channel_id=report.channel_id.id,
            report_id=report.id,
        )
        companion.sudo().with_context(attribution_engine=True).write({"state": "claimed", "lead_id": new_lead.id})
        self._audit(
            [
                {
                    "lead": new_lead,
                    "event": "assign",
                    "rule": "CH-15",
                    "old_user": visit.consultant_id,
                    "new_user": visit.consultant_id,
                    "new_channel": report.channel_id,
                    "protection": protection,
                    "visit": companion_visit,
                    "at": at,
                    "source": "confirmation",
                    "reason": "channel.companion",
                    "params": dict(
                        self._protection_params(protection),
                        channel=report.channel_id.name,
                        report=report.name,
                        tz=team.office_tz,
                    ),
                }
            ]
        )

    @api.model
    def accept_deposit_claim(self, claim, at, judge):
        """CH-18: the site manager accepts a channel's timely claim on a deposit made under no report: the
        customer becomes the channel's, the receiving consultant stays; a deal already signed is re-split. Other
        channels' claims on the deposit are refused."""
        lead = claim.lead_id.sudo()
        if claim.subscription_id.state == "cancelled":
            raise UserError(self.env._("The deposit was cancelled: there is nothing to claim (CH-18)."))
        if self._attribute_lead(lead, at).owner_channel:
            raise UserError(self._explain("claim.under_channel", {}))
        protection = self.transfer_ownership(
            lead,
            at,
            "CH-18",
            "claim",
            new_user=self._owner(lead),
            reason="%s · %s" % (claim.name, claim.channel_id.name),
            kind="channel",
            holder_channel_id=claim.channel_id.id,
            report_id=claim.report_id.id or False,
        )
        if lead.stage_id.is_won:
            self._convert_protection(protection, at, source="claim")
            self._write_split(lead, self._compute_split(lead))
        engine_claims = claim.with_context(attribution_engine=True)
        engine_claims.write({"state": "accepted", "decided_by": judge.id, "decided_at": at})
        others = claim.search(
            [("subscription_id", "=", claim.subscription_id.id), ("state", "=", "submitted"), ("id", "!=", claim.id)]
        )
        others.with_context(attribution_engine=True).write(
            {
                "state": "refused",
                "decided_by": judge.id,
                "decided_at": at,
                "decision_note": self._explain("claim.other_accepted", {"claim": claim.name}),
            }
        )
        (claim | others).activity_unlink(["mail.mail_activity_data_todo"])
        return protection

    @api.model
    def _reconfirm_channel(self, protection, visit, contact):
        """CH-8: brought again in the last days: the next period follows the current one."""
        protection = protection.sudo()
        new_end = protection.end + timedelta(days=self._protection_days(protection.team_id, protection.kind))
        protection.write({"end": new_end, "reconfirm_count": protection.reconfirm_count + 1})
        params = dict(
            self._protection_params(protection), tz=contact.team.office_tz, channel=protection.holder_channel_id.name
        )
        visit.sudo().write(
            {"rule": "CH-8", "reason": "channel.reconfirmed", "explanation_params": self._jsonable(params)}
        )
        self._audit(
            [
                {
                    "lead": protection.lead_id,
                    "event": "renew",
                    "rule": "CH-8",
                    "old_user": protection.holder_user_id,
                    "new_user": protection.holder_user_id,
                    "old_channel": protection.holder_channel_id,
                    "new_channel": protection.holder_channel_id,
                    "protection": protection,
                    "visit": visit,
                    "at": contact.at,
                    "source": "visit",
                    "reason": "channel.reconfirmed",
                    "params": params,
                }
            ]
        )

    @api.model
    def _lapse_unconfirmed(self, now):
        """CH-7: a channel visit not confirmed within the office's deadline stays natural for good."""
        pending = self.env["real.estate.visit.confirmation"].sudo().search([("state", "=", "pending")])
        late = pending.filtered(lambda c: c.visit_id.visit_at + timedelta(hours=c.team_id.confirmation_hours) <= now)
        late.write({"state": "cancelled"})
        late.report_id.filtered(lambda r: r.state == "visited").write({"state": "lapsed"})

    @api.model
    def _convert_protection(self, protection, at, source="deal"):
        """CH-9: a deal inside the channel's protection is the channel's."""
        result = super()._convert_protection(protection, at, source=source)
        if protection.holder_channel_id and protection.report_id:
            protection.report_id.sudo().state = "won"
        return result

    # ------------------------------------------------------------------
    # Disputes and splits (DI-1, DI-2, CH-9)
    # ------------------------------------------------------------------
    @api.model
    def _transfer_to_claimant(self, dispute, lead, rule, at, reason):
        """A channel's upheld claim gives it the customer; the serving consultant stays."""
        if not dispute.claimant_channel_id:
            return super()._transfer_to_claimant(dispute, lead, rule, at, reason)
        return self.transfer_ownership(
            lead,
            at,
            rule,
            "dispute",
            new_user=lead.protection_id.holder_user_id,
            reason=reason,
            kind="channel",
            holder_channel_id=dispute.claimant_channel_id.id,
        )

    @api.model
    def _dispute_split(self, dispute, lead):
        if dispute.claimant_channel_id and not dispute.share_ids:
            return [Share(Decimal(100), dispute._rule(), channel=dispute.claimant_channel_id)]
        return super()._dispute_split(dispute, lead)

    @api.model
    def _dispute_share(self, line):
        share = super()._dispute_share(line)
        share.channel = line.channel_id or None
        return share

    @api.model
    def _share_values(self, share):
        values = super()._share_values(share)
        values["channel_id"] = share.channel.id if share.channel else False
        return values

    @api.model
    def _write_split(self, lead, shares, dispute=None):
        """CC-2: draft statements follow the deals: a new or changed split re-computes them."""
        channels = lead.sudo().share_ids.channel_id
        result = super()._write_split(lead, shares, dispute)
        channels |= lead.sudo().share_ids.channel_id
        if channels and lead.date_closed:
            day = self._office_date(lead.team_id, lead.date_closed)
            drafts = (
                self.env["real.estate.channel.statement"]
                .sudo()
                .search(
                    [
                        ("state", "=", "draft"),
                        ("channel_id", "in", channels.ids),
                        ("date_from", "<=", day),
                        ("date_to", ">=", day),
                    ]
                )
            )
            drafts._recompute_figures()
        return result

    @api.model
    def _split_rules(self):
        rules = super()._split_rules()
        rules.insert(1, self._split_channel)  # right after a split agreed in a dispute
        return rules

    @api.model
    def _split_channel(self, lead):
        """CH-9: a deal inside the channel's protection is the channel's."""
        channel = lead.protection_id.holder_channel_id
        if not channel or not self._signed_inside_protection(lead):
            return []  # signed after the channel's protection ended: as for anyone else (CH-8)
        rule = "CH-18" if lead.protection_id.rule == "CH-18" else "CH-9"  # a deposit claimed, or a channel visit
        return [Share(Decimal(100), rule, channel=channel)]

    @api.model
    def _transfer_audit_extra(self, previous, protection):
        extra = super()._transfer_audit_extra(previous, protection)
        extra["old_channel"] = previous.holder_channel_id if previous else self.env["res.partner"]
        extra["new_channel"] = protection.holder_channel_id if protection else self.env["res.partner"]
        return extra

    # ------------------------------------------------------------------
    # Audit and explanations
    # ------------------------------------------------------------------
    @api.model
    def _log_values(self, entry):
        values = super()._log_values(entry)
        protection = entry.get("protection")
        old_channel = entry.get("old_channel")
        new_channel = entry.get("new_channel")
        if old_channel is None and protection and entry["event"] in ("expire", "release", "convert"):
            old_channel = protection.holder_channel_id
        if new_channel is None and protection and entry["event"] == "convert":
            new_channel = protection.holder_channel_id
        values["old_channel_id"] = old_channel.id if old_channel else False
        values["new_channel_id"] = new_channel.id if new_channel else False
        return values

    @api.model
    def _report_message(self, report):
        """The decision of a report in plain words (English or Chinese, as the reader reads)."""
        if report.state == "valid" or (
            report.state in ("visited", "confirmed", "won", "lapsed") and not report.reason_code
        ):
            key = "report." + report.state
        else:
            key = "report." + (report.reason_code or report.state)
        params = dict(
            report.reason_params or {},
            channel=report.channel_id.name,
            tz=report.team_id.office_tz,
            until=report.valid_until,
            expected=report.expected_visit,
        )
        # a duplicate names the earlier report in force (its decision's facts), any other report itself
        params.setdefault("report", report.name)
        return self._explain(key, params)

    @api.model
    def _format_params(self, params, keys):
        values = super()._format_params(params, keys)
        for key in keys.intersection(("until", "expected")):
            if params.get(key):
                values[key] = self._format_moment(params[key], params.get("tz"))
        return values

    @api.model
    def _explanation_templates(self):
        templates = super()._explanation_templates()
        templates.update(
            {
                "channel.pending": self.env._(
                    "Reported by %(channel)s (%(report)s): the visit confirmation needs the signatures of the agent, "
                    "the receiving consultant and the site manager. Until then it counts as a natural visit (CH-7). "
                    "%(window)s"
                ),
                "channel.confirmed": self.env._(
                    "Channel visit of %(channel)s confirmed by all three signatures (CH-7): the customer is protected "
                    "for %(channel)s until %(end)s, %(days)s days from the visit (CH-8)."
                ),
                "channel.reconfirmed": self.env._(
                    "%(channel)s brought the customer again before the protection ended: the next period follows, "
                    "protected until %(end)s (CH-8)."
                ),
                "channel.deal": self.env._(
                    "The deal was signed on %(ended)s inside the protection of %(channel)s, so it is the channel's "
                    "(CH-9); %(holder)s served the customer."
                ),
                "channel.active": self.env._(
                    "%(channel)s holds this customer after a confirmed visit on %(start)s, served by %(holder)s: "
                    "protected until %(end)s (%(origin_rule)s)."
                ),
                "report.valid": self.env._(
                    "Report accepted: the customer is reported for %(channel)s until %(until)s (CH-3)."
                ),
                "report.visited": self.env._(
                    "The customer arrived; the visit confirmation awaits its signatures (CH-7)."
                ),
                "report.confirmed": self.env._("Visit confirmed by all three signatures (CH-7)."),
                "report.won": self.env._("The customer signed inside the channel's protection (CH-9)."),
                "report.lapsed": self.env._(
                    "The report lapsed: the customer did not visit, or the visit was not confirmed, in time (CH-3)."
                ),
                "report.already_customer": self.env._(
                    "Refused: the customer is already in the office's records (an earlier visit or call) (CH-2)."
                ),
                "report.protected_by_other": self.env._(
                    "Refused: the customer is already held by another party; the first valid claim wins (CH-2, CH-4)."
                ),
                "report.duplicate_report": self.env._(
                    "Refused: your channel already reported this customer (%(report)s) and that report is in force."
                ),
                "report.too_late": self.env._(
                    "Refused: reports must come at least %(minutes)s minutes before the expected arrival, %(expected)s "
                    "(CH-1)."
                ),
                "report.repeat_limit": self.env._(
                    "Refused: a channel may report the same customer at most %(cap)s times (CH-6)."
                ),
                "report.invalid_phone": self.env._(
                    "Refused: %(phone)s is not a mobile number. Give 11 digits, or the masked form 138****5678 (ID-2)."
                ),
                "report.masked_not_allowed": self.env._(
                    "Refused: this office requires the full mobile number, not a masked one (ID-2)."
                ),
                "report.full_not_allowed": self.env._(
                    "Refused: this office takes masked numbers only (first three and last four digits) (ID-2)."
                ),
                "report.employee": self.env._(
                    "Refused: employees and their direct relatives are not channel customers (CH-10)."
                ),
                "report.repeat_purchase": self.env._(
                    "Refused: the customer has already bought here; a repeat purchase is not a channel customer "
                    "(CH-10)."
                ),
                "report.parking": self.env._("Refused: parking-space purchases are not channel business (CH-10)."),
                "report.out_of_scope": self.env._("Refused: %(channel)s has no agreement covering %(office)s (CH-10)."),
                "claim.void": self.env._(
                    "The claim is void: a deposit is claimed within %(days)s days, until %(until)s (CH-18)."
                ),
                "claim.under_channel": self.env._(
                    "The deposit was made under a channel's protection: it is that channel's deal, not claimable "
                    "(CH-9, CH-18)."
                ),
                "claim.no_deposit": self.env._(
                    "No deposit of this customer at %(office)s can be claimed (CH-18): check the mobile number."
                ),
                "claim.no_evidence": self.env._(
                    "Give the channel's formal report of the customer, or evidence: a description or files (CH-18)."
                ),
                "claim.other_accepted": self.env._("Another channel's claim on this deposit was accepted (%(claim)s)."),
                "channel.companion": self.env._(
                    "Came with a customer %(channel)s reported (%(report)s) and listed on the confirmation: protected "
                    "for %(channel)s until %(end)s (CH-15)."
                ),
                "report.agent_barred": self.env._(
                    "Refused: %(agent)s is barred from the project after a second offence (CH-13)."
                ),
                "report.channel_suspended": self.env._(
                    "Refused: the cooperation with %(channel)s is suspended (CH-13)."
                ),
                "report.old_customer_referral": self.env._(
                    "Refused: the customer was brought by an old customer of another party, to whom they belong "
                    "while the old customer is old, until %(old_until)s (CH-14)."
                ),
                "window.CH-8": self.env._("Protected for %(channel)s until %(end)s (CH-8)."),
                "window.CH-12": self.env._("Protected for %(channel)s until %(end)s (CH-12)."),
                "window.CH-14": self.env._(
                    "Protected until %(end)s: brought by an old customer, the customer stays %(holder)s's if the "
                    "deposit comes by then (CH-14); after that, ownership is decided as for anyone else."
                ),
                "expired.CH-14": self.env._(
                    "The old-customer referral of %(holder)s ended on %(end)s without a deposit (CH-14). The "
                    "customer is in the public pool: the next visit goes to the rotation unless the customer names "
                    "%(holder)s (PR-3)."
                ),
                "report.accompanied_by_other": self.env._(
                    "Superseded: a field canvasser brought the customer in person, which wins over a report (CH-12)."
                ),
                "report.flagged": self.env._(
                    "Void: the channel was flagged for the day (more reports than the office reviews and too few "
                    "visits), and this report was contested (CH-6)."
                ),
            }
        )
        return templates

    # ------------------------------------------------------------------
    # Deals (UC-1, CC-2)
    # ------------------------------------------------------------------
    @api.model
    def _reverse_deal(self, subscription, at, reason, was_signed):
        """CC-2: a cancelled deal leaves the statements not yet confirmed; a confirmed one is settled."""
        Line = self.env["real.estate.channel.statement.line"].sudo()
        drafts = Line.search([("lead_id", "=", subscription.lead_id.id)]).statement_id.filtered(
            lambda statement: statement.state == "draft"
        )
        result = super()._reverse_deal(subscription, at, reason, was_signed)
        drafts._recompute_figures()
        return result
