from decimal import Decimal

from odoo import api, models

from ..tools.i18n import html_lines, lines_in_both
from .rule_split import Share

#: DI-2 relations that make the two customers one household (ID-3).
HOUSEHOLD_RELATIONS = {"spouse": "spouse", "parent_child": "child"}


class RuleDispute(models.AbstractModel):
    """Rule family DI: ownership decisions and disputes (判客申诉), DI-1 to DI-3."""

    _name = "real.estate.rule.dispute"
    _description = "Ownership Rules: Disputes (DI)"

    @api.model
    @api.private
    def decide_dispute(self, dispute, outcome, at, judge):
        """DI-1, DI-2: apply a decision, ownership and split, in one transaction, and tell every party."""
        lead = dispute.lead_id.sudo()
        rule = dispute._rule()
        if outcome == "upheld":
            self._uphold(dispute, lead, rule, at)
        elif outcome == "forfeited":
            self._forfeit(dispute, lead, at)
        dispute.write({"state": "decided", "outcome": outcome, "decided_by": judge.id, "decided_at": at})
        dispute.activity_unlink(["mail.mail_activity_data_todo"])
        self._announce(dispute, lead)

    @api.model
    def _uphold(self, dispute, lead, rule, at):
        if dispute.finds_grabbing and dispute.owner_before_id:
            self._propose_grabbing(dispute, lead, at)
        if dispute.related_lead_id and dispute.kind in HOUSEHOLD_RELATIONS:
            self._join_household(dispute, lead)
        reason = dispute.decision_note or dict(dispute._fields["kind"]._description_selection(self.env))[dispute.kind]
        if not lead.stage_id.is_won:
            self._transfer_to_claimant(dispute, lead, rule, at, reason)
        shares = self._dispute_split(dispute, lead)
        if lead.stage_id.is_won:
            self._write_split(lead, shares, dispute)
        elif dispute.share_ids:
            lead.agreed_split_dispute_id = dispute

    @api.model
    def _propose_grabbing(self, dispute, lead, at):
        """DS-1, DS-4: the decision found that the holder grabbed the customer: a violation to confirm."""
        self.env["real.estate.violation"]._propose(
            {
                "team_id": dispute.team_id.id,
                "user_id": dispute.owner_before_id.id,
                "kind": "ds1_grab",
                "lead_id": lead.id,
                "dispute_id": dispute.id,
                "date": self._office_date(dispute.team_id, at),
                "description": dispute.decision_note or dispute.statement,
            }
        )

    @api.model
    def _transfer_to_claimant(self, dispute, lead, rule, at, reason):
        self.transfer_ownership(lead, at, rule, "dispute", new_user=dispute.claimant_user_id, reason=reason)

    @api.model
    def _dispute_split(self, dispute, lead):
        """The split an upheld dispute applies: its lines, the kind's standard split, or all to the claimant."""
        if dispute.share_ids:
            return [self._dispute_share(line) for line in dispute.share_ids]
        if dispute.kind == "double_sale":  # CS-8: A's error, the customer C lost: A:C 50/50
            return [
                Share(Decimal(50), "CS-8", user=self._owner(lead)),
                Share(Decimal(50), "CS-8", user=dispute.claimant_user_id),
            ]
        if dispute.kind == "two_numbers" and lead.stage_id.is_won:
            return self._split_two_numbers(dispute, lead)
        rule = {"customer_refuses": "CS-4", "customer_prefers": "CS-17"}.get(dispute.kind) or dispute._rule()
        return [Share(Decimal(100), rule, user=dispute.claimant_user_id)]

    @api.model
    def _split_two_numbers(self, dispute, lead):
        """CS-5: the customer forgot the first consultant. By the registration (default): the first
        consultant gets all; by recognition (setting): 50/50 when recognised within a month of the deal,
        else all to the one who closed."""
        closer = self._owner(lead)
        first = dispute.claimant_user_id
        if lead.team_id.forgotten_customer_rule != "recognition":
            return [Share(Decimal(100), "CS-5", user=first)]
        deal_at = lead.date_closed or dispute.claimed_at
        if (dispute.claimed_at - deal_at).days <= 30:
            return [Share(Decimal(50), "CS-5", user=first), Share(Decimal(50), "CS-5", user=closer)]
        return [Share(Decimal(100), "CS-5", user=closer)]

    @api.model
    def _forfeit(self, dispute, lead, at):
        """DI-1: credit and commission to the house; the customer to the public pool."""
        if lead.stage_id.is_won:
            self._write_split(lead, [Share(Decimal(100), "DI-1", pool="public")], dispute)
        else:
            self.transfer_ownership(lead, at, "DI-1", "dispute", reason=self.env._("Forfeited to the house"))

    @api.model
    def _join_household(self, dispute, lead):
        """DI-2 with ID-3: a proven spouse or parent joins the claimant's customer's household."""
        related = dispute.related_lead_id.sudo()
        Member = self.env["real.estate.household.member"].sudo()
        household = related.household_id or self.env["real.estate.household"].sudo().create(
            {
                "name": related.name,
                "team_id": related.team_id.id,
                "member_ids": [(0, 0, {"lead_id": related.id, "relation": "head"})],
            }
        )
        if not lead.household_id:
            Member.create(
                {"household_id": household.id, "lead_id": lead.id, "relation": HOUSEHOLD_RELATIONS[dispute.kind]}
            )

    @api.model
    def _announce(self, dispute, lead):
        """DI-2: every party is told the result, on the dispute and on the customer (in both languages)."""

        def render(env):
            outcomes = dict(dispute._fields["outcome"]._description_selection(env))
            return env._(
                "Dispute %(name)s decided by %(judge)s: %(outcome)s (%(rule)s). %(note)s",
                name=dispute.name,
                judge=dispute.decided_by.name,
                outcome=outcomes[dispute.outcome],
                rule=dispute._rule(),
                note=dispute.decision_note or "",
            )

        body = html_lines(lines_in_both(self.env, render))
        partners = dispute._parties()
        dispute.message_post(
            body=body,
            partner_ids=partners.ids,
            subtype_xmlid="mail.mt_comment",
            author_id=self.env.ref("base.partner_root").id,
        )
        lead._message_log(body=body)
