from odoo.tests import TransactionCase

from odoo.addons.real_estate_attribution.tools import records


class TestRecords(TransactionCase):
    """The numbers of the records the engine makes (issue 12): their sequence found and read in one query."""

    def test_next_number_takes_the_company_sequence_before_the_shared_one(self):
        """The report's number comes from its company's sequence when there is one, else the shared one, as
        ``next_by_code`` picks them for the user's company."""
        Sequence = self.env["ir.sequence"].sudo()
        code = "real.estate.test.number"
        Sequence.create({"name": "Shared", "code": code, "prefix": "ALL-", "padding": 3, "company_id": False})
        other = self.env["res.company"].create({"name": "Other Developer"})
        Sequence.create({"name": "Other", "code": code, "prefix": "OTH-", "padding": 3, "company_id": other.id})
        self.assertEqual(records.next_number(Sequence, code, other), "OTH-001")
        self.assertEqual(records.next_number(Sequence, code, self.env.company), "ALL-001")
        self.assertEqual(records.next_number(Sequence, code, self.env["res.company"]), "ALL-002")
        self.assertIs(records.next_number(Sequence, "real.estate.no.such.code", other), False)
