from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from odoo import api, models


@dataclass
class Share:
    """One beneficiary's part of a deal: a consultant, a pool (or, in the channel addon, a channel)."""

    percent: Decimal
    rule: str
    user: object = None
    pool: str = ""
    channel: object = None

    def key(self):
        return (self.user.id if self.user else 0, self.pool, self.channel.id if self.channel else 0)


class RuleSplit(models.AbstractModel):
    """Rule family CS: credit and commission splits (业绩 / 佣金分配), CS-1 to CS-16.

    The split of a deal is computed from the recorded history when the deal
    is won. The first rule that applies decides, in this order: an agreed
    split from a dispute decision, company customers (CS-11), employee
    referrals (CS-12), exhibition customers (CS-7), interns (CS-6),
    switched consultants (CS-10), handovers (CS-9), groups (CS-1) and
    households (CS-2) received separately, else the owner (CS-3).
    """

    _name = "real.estate.rule.split"
    _description = "Ownership Rules: Splits (CS)"

    @api.model
    def _split_rules(self):
        """The split rules in order of precedence; other addons insert theirs."""
        return [
            self._split_agreed,
            self._split_company_customer,
            self._split_employee_referral,
            self._split_exhibition,
            self._split_intern,
            self._split_switch,
            self._split_handover,
            self._split_group,
            self._split_household,
            self._split_same_day_helper,
            self._split_owner,
        ]

    @api.model
    def _compute_split(self, lead):
        """CS-16: the shares of a won deal, exactly 100%, each with its rule."""
        for rule in self._split_rules():
            shares = rule(lead)
            if shares:
                return self._merge(shares)
        return []

    @api.model
    def _write_split(self, lead, shares, dispute=None):
        """Replace a deal's share lines (at the win, or by a dispute decision)."""
        lead = lead.sudo()
        lead.share_ids.unlink()
        self.env["real.estate.commission.share"].sudo().create(
            [
                dict(
                    self._share_values(share),
                    lead_id=lead.id,
                    sequence=seq,
                    dispute_id=dispute.id if dispute else False,
                )
                for seq, share in enumerate(shares, 1)
            ]
        )

    @api.model
    def _share_values(self, share):
        return {
            "user_id": share.user.id if share.user else False,
            "share_pool": share.pool or False,
            "percent": float(share.percent),
            "rule": share.rule,
        }

    # ------------------------------------------------------------------
    # Arithmetic
    # ------------------------------------------------------------------
    @staticmethod
    def _equal(count, total=Decimal(100)):
        """``count`` parts of ``total`` to the cent; the first part takes the odd cents (CS-16)."""
        part = (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return [Decimal(total) - part * (count - 1)] + [part] * (count - 1)

    @api.model
    def _merge(self, shares):
        """One line per beneficiary, in order of first appearance."""
        merged = {}
        for share in shares:
            if share.key() in merged:
                merged[share.key()].percent += share.percent
            else:
                merged[share.key()] = Share(share.percent, share.rule, share.user, share.pool, share.channel)
        return [share for share in merged.values() if share.percent > 0]

    # ------------------------------------------------------------------
    # History
    # ------------------------------------------------------------------
    @api.model
    def _first_visit(self, lead):
        """The customer's first reception (not a helper's, not a call without registration)."""
        visits = lead.visit_ids.filtered(lambda v: v.purpose in ("customer", "deposit_sign") and not v.is_helper)
        return visits.sorted(lambda v: (v.visit_at, v.id))[:1]

    @api.model
    def _signed_inside_protection(self, lead):
        """Was the deal signed while the customer's protection was in force? Then the win converted it."""
        return lead.protection_id.state == "converted"

    @api.model
    def _owner(self, lead):
        protection = lead.protection_id
        return protection.holder_user_id if protection else lead.user_id

    # ------------------------------------------------------------------
    # The rules
    # ------------------------------------------------------------------
    @api.model
    def _split_agreed(self, lead):
        """DI-1, DI-2: a split decided in a dispute before the deal."""
        dispute = lead.agreed_split_dispute_id
        return [self._dispute_share(line) for line in dispute.share_ids] if dispute else []

    @api.model
    def _dispute_share(self, line):
        return Share(Decimal(str(line.percent)), line.dispute_id._rule(), user=line.user_id, pool=line.share_pool or "")

    @api.model
    def _split_company_customer(self, lead):
        """CS-11: company customers: 70/30 when the consultant follows through, 30/70 when the company
        closes, all public when non-sales staff handle them."""
        visit = self._first_visit(lead)
        if visit.source != "company":
            return []
        owner = self._owner(lead)
        mode = visit.company_mode or "consultant"
        if mode == "non_sales" or not owner:
            return [Share(Decimal(100), "CS-11", pool="public")]
        mine = Decimal(70) if mode == "consultant" else Decimal(30)
        return [Share(mine, "CS-11", user=owner), Share(100 - mine, "CS-11", pool="public")]

    @api.model
    def _split_employee_referral(self, lead):
        """CS-12: an employee referral kept on its agreed date: 30% referrer, 70% receiving consultant."""
        referral = self._first_visit(lead).referral_id
        if not referral or referral.state != "visited":
            return []
        return [
            Share(Decimal(70), "CS-12", user=self._owner(lead)),
            Share(Decimal(30), "CS-12", user=referral.referrer_id),
        ]

    @api.model
    def _split_exhibition(self, lead):
        """CS-7: exhibition customers: the closer 40%, the other consultants 60% equally."""
        visit = self._first_visit(lead)
        if not visit:
            return []
        day = self._office_date(lead.team_id, visit.visit_at)
        exhibition = (
            self.env["real.estate.exhibition"]
            .sudo()
            .search([("team_id", "=", lead.team_id.id), ("date_from", "<=", day), ("date_to", ">=", day)], limit=1)
        )
        closer = self._owner(lead)
        others = lead.team_id.member_ids - closer
        if not exhibition or not closer:
            return []
        closer_part = Decimal(str(exhibition.closer_percent))
        if not others:
            return [Share(Decimal(100), "CS-7", user=closer)]
        parts = self._equal(len(others), Decimal(100) - closer_part)
        return [Share(closer_part, "CS-7", user=closer)] + [
            Share(part, "CS-7", user=user) for part, user in zip(parts, others.sorted("id"), strict=True)
        ]

    @api.model
    def _split_intern(self, lead):
        """CS-6: an intern with an assisting consultant 50/50; alone, credited after probation, else the team."""
        owner = self._owner(lead)
        member = lead.team_id.crm_team_member_ids.filtered(lambda m: m.user_id == owner)[:1]
        if not owner or not member.is_intern:
            return []
        assistant = self._first_visit(lead).assisting_user_id
        if assistant and assistant != owner:
            return [Share(Decimal(50), "CS-6", user=owner), Share(Decimal(50), "CS-6", user=assistant)]
        if member.probation_passed:
            return [Share(Decimal(100), "CS-6", user=owner)]
        return [Share(Decimal(100), "CS-6", pool="team")]

    @api.model
    def _split_switch(self, lead):
        """CS-10: a new visitor insisting on another consultant: 70% first receiver, 30% the designated one;
        all to the first receiver when the designated one instigated it."""
        visit = self._first_visit(lead)
        switched = visit.switched_to_user_id
        if not switched or switched == visit.consultant_id:
            return []
        if visit.switch_instigated:
            return [Share(Decimal(100), "CS-10", user=visit.consultant_id)]
        return [Share(Decimal(70), "CS-10", user=visit.consultant_id), Share(Decimal(30), "CS-10", user=switched)]

    @api.model
    def _split_handover(self, lead):
        """CS-9: a handed customer closing inside the protection: 50/50 between the two consultants."""
        protection = lead.protection_id
        if protection.rule != "CS-9" or not protection.handed_from_user_id:
            return []
        return [
            Share(Decimal(50), "CS-9", user=protection.holder_user_id),
            Share(Decimal(50), "CS-9", user=protection.handed_from_user_id),
        ]

    @api.model
    def _split_group(self, lead):
        """CS-1: one group visiting separately, received by different consultants: equal split."""
        visit = self._first_visit(lead)
        if not visit.party_ref:
            return []
        party = (
            self.env["real.estate.visit"]
            .sudo()
            .search(
                [
                    ("team_id", "=", lead.team_id.id),
                    ("party_ref", "=", visit.party_ref),
                    ("is_helper", "=", False),
                    ("purpose", "=", "customer"),
                ]
            )
        )
        return self._equal_among(party.consultant_id, "CS-1")

    @api.model
    def _split_household(self, lead):
        """CS-2: spouses or family received separately, each as a first visit: equal split."""
        household = self._household_leads(lead)
        if len(household) < 2:
            return []
        receivers = self.env["res.users"]
        for member in household:
            first = self._first_visit(member)
            if first and first.rule in ("RO-1", "RO-4", "PR-3"):
                receivers |= first.consultant_id
        return self._equal_among(receivers, "CS-2")

    @api.model
    def _equal_among(self, users, rule):
        if len(users) < 2:
            return []
        users = users.sorted("id")
        return [Share(part, rule, user=user) for part, user in zip(self._equal(len(users)), users, strict=True)]

    @api.model
    def _split_same_day_helper(self, lead):
        """CS-3 (variant, setting): the registered consultant was absent and a helper who received the customer
        closed the deal the same day: 50/50."""
        team = lead.team_id
        owner = self._owner(lead)
        if team.helper_closing_split != "half" or not owner or not lead.date_closed:
            return None
        if lead.protection_id and not self._signed_inside_protection(lead):
            return None
        day = self._office_date(team, lead.date_closed)
        helpers = lead.visit_ids.filtered(
            lambda v: (
                v.is_helper
                and v.consultant_id
                and v.consultant_id != owner
                and self._office_date(team, v.visit_at) == day
            )
        )
        helper = helpers.sorted(lambda v: (v.visit_at, v.id))[-1:].consultant_id
        if not helper:
            return None
        return [Share(Decimal(50), "CS-3", user=owner), Share(Decimal(50), "CS-3", user=helper)]

    @api.model
    def _split_owner(self, lead):
        """CS-3: the registered consultant gets it all; helpers who closed for them get nothing.
        PR-3: a deal signed after the protection ended (the customer was in the pool) is the house's."""
        if lead.protection_id and not self._signed_inside_protection(lead):
            return [Share(Decimal(100), "PR-3", pool="public")]
        owner = self._owner(lead)
        rule = "CS-17" if lead.protection_id.rule == "CS-17" else "CS-3"  # the customer asked for this consultant
        return [Share(Decimal(100), rule, user=owner)] if owner else [Share(Decimal(100), "CS-3", pool="public")]
