from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools import identity, records

#: Visit purposes of people who are not customers (ID-4).
NON_CUSTOMER_PURPOSES = ("passerby", "salesperson", "job_seeker", "looking_for_someone", "market_research")


class RuleIdentity(models.AbstractModel):
    """Rule family ID: who the customer is (ID-1 to ID-4)."""

    _name = "real.estate.rule.identity"
    _description = "Ownership Rules: Identity (ID)"

    @api.model
    def _normalize_identity(self, team, phone):
        """ID-1: the customer's identity, the E.164 mobile number.

        Raises a ValidationError naming the bad number.
        """
        try:
            return identity.normalize_phone(phone, team.phone_region)
        except identity.InvalidPhone:
            raise ValidationError(
                self.env._(
                    "%(phone)s is not a valid mobile number. Give the 11-digit mainland mobile "
                    "number (with or without +86), or a foreign number with its country code.",
                    phone=phone or "''",
                )
            ) from None

    @api.model
    def _find_customer(self, team, customer_identity, field_names=None):
        """ID-1: the customer file (lead) of an identity within one office.

        The file is read in the query that finds it, with ``field_names`` (by default, all a first read
        prefetches): every decision on it reads it next."""
        if not customer_identity:
            return self.env["crm.lead"]
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        names = records.prefetched(Lead) if field_names is None else list(field_names)
        return Lead.search_fetch(
            [("team_id", "=", team.id), ("customer_mobile", "=", customer_identity)], names, limit=1
        )

    @api.model
    def _masked_candidates(self, team, masked, name):
        """ID-2: customers of the office a masked number (``138****5678``) may be.

        A candidate has a mainland number with the same first three and last
        four digits **and** the same surname as ``name``.
        """
        parts = identity.parse_masked(masked)
        if not parts:
            return self.env["crm.lead"]
        prefix, suffix = parts
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("team_id", "=", team.id),
                    ("customer_mobile", "=like", "%s%s%%%s" % (identity.MAINLAND_PREFIX, prefix, suffix)),
                ]
            )
        )
        family = identity.surname(name)
        return leads.filtered(
            lambda lead: (
                identity.masked_matches(prefix, suffix, lead.customer_mobile) and lead.customer_surname == family
            )
        )

    @api.model
    def _household_leads(self, lead):
        """ID-3: the leads that count as one customer with ``lead`` (itself included).

        Spouses, parents, children and parents-in-law of the household count;
        siblings only when the office says so.
        """
        if not lead.household_id:  # stored, read with the file: most customers have no household
            return lead
        # a customer is a member of one household at most (its ``household_id``): reading the members through
        # the household reads those of every household in the batch at once
        members = lead.household_id.member_ids
        member = members.filtered(lambda m: m.lead_id == lead)
        if not member:
            return lead
        with_siblings = lead.team_id.household_includes_siblings
        counted = members.filtered(lambda m: with_siblings or m.relation != "sibling")
        if member not in counted:
            return lead
        relatives = counted.lead_id
        # what the rules read of them, not their whole files (of those fields, what the caller may read)
        relatives.fetch(records.accessible(relatives, self._relative_fields()))
        return relatives | lead

    @api.model
    def _relative_fields(self):
        """ID-3: the fields the rules read of a customer's household relatives: a verdict's; other addons add
        theirs."""
        return self._verdict_fields()["lead"]

    @api.model
    def _is_customer_purpose(self, purpose):
        """ID-4: passers-by, salespeople, job seekers, people asking for someone
        and market researchers are not customers."""
        return purpose not in NON_CUSTOMER_PURPOSES
