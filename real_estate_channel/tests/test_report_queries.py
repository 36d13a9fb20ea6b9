from datetime import timedelta

from odoo.addons.real_estate_attribution.tests.common import orm_reads

from .common import T0, ChannelCase


class TestReportQueries(ChannelCase):
    """Issue 12: a submit reads each record it decides on once, with the fields its rules read."""

    def submit_cold(self, **vals):
        """A submit as a request makes it: Odoo's caches warm, no record in the transaction's cache."""
        self.env.invalidate_all()
        with orm_reads() as tables:
            result = self.submit(**vals)
        return result, tables

    def test_submit_reads_the_office_channel_and_customer_once(self):
        """CH-1 to CH-6: one query reads the office, one the channel with its agent, one the customer's file;
        the user's record is not read (their groups and companies are Odoo's cached ones)."""
        self.submit(phone="13900000001", customer_name="预热")  # Odoo's caches (groups, rules, sequences)
        result, tables = self.submit_cold(phone="13900000002", customer_name="新客")
        self.assertEqual(result["state"], "valid")
        self.assertEqual(tables["crm_team"], 1, tables)
        self.assertEqual(tables["res_partner"], 1, tables)
        self.assertEqual(tables["crm_lead"], 1, tables)
        self.assertEqual(tables["ir_sequence"], 1, tables)
        self.assertEqual(tables["res_users"], 0, tables)

    def test_rejected_submit_reads_the_customer_once(self):
        """CH-2: refusing a customer held by a consultant reads their file once, with the fields the rules
        read, and still names the right reason."""
        self.submit(phone="13900000001", customer_name="预热")
        self.register(at=T0 - timedelta(days=1))
        result, tables = self.submit_cold()
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "protected_by_other"))
        self.assertEqual(tables["crm_lead"], 1, tables)
        self.assertEqual(tables["crm_team"], 1, tables)
        self.assertEqual(tables["res_users"], 0, tables)

    def test_repeat_purchase_is_told_without_reading_the_stage(self):
        """CH-10: a customer in a won stage is a repeat purchase, told from the file's stored ``won_percent``,
        which follows the stage's flag when a manager changes it afterwards."""
        self.submit(phone="13900000001", customer_name="预热")
        stage = self.env["crm.stage"].create({"name": "认购", "is_won": False})
        lead = self.env["crm.lead"].create(
            {"name": "老业主", "team_id": self.team.id, "phone": "13911110000", "stage_id": stage.id}
        )
        stage.is_won = True
        self.assertEqual(lead.won_percent, 100.0)
        result, tables = self.submit_cold(phone="13911110000", customer_name="老业主")
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "repeat_purchase"))
        self.assertEqual(tables["crm_stage"], 0, tables)
        stage.is_won = False
        result, tables = self.submit_cold(phone="13911110000", customer_name="老业主")
        self.assertNotEqual(result["reason_code"], "repeat_purchase")
        self.assertEqual(tables["crm_stage"], 0, tables)

    def test_duplicate_report_reads_the_earlier_reports_once(self):
        """CH-4, CH-11: a second report of a customer reads the earlier reports once, with what the rules
        compare and name, and the channel's agreement once."""
        first = self.submit(phone="13900000003", customer_name="重复")
        self.assertEqual(first["state"], "valid")
        result, tables = self.submit_cold(phone="13900000003", customer_name="重复")
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "duplicate_report"))
        self.assertIn(self.env["real.estate.report"].browse(first["report_id"]).name, result["message"])
        self.assertEqual(tables["real_estate_report"], 1, tables)
        self.assertEqual(tables["real_estate_channel_agreement"], 1, tables)
        self.assertEqual(tables["ir_sequence"], 1, tables)

    def test_household_relatives_are_read_with_what_the_rules_read(self):
        """CH-2, CH-10, ID-3: refusing a customer whose relative is held reads the relatives with the fields
        the rules read of them (a verdict's, the staff-relative flag), not their whole files, and the office
        once."""
        self.submit(phone="13900000001", customer_name="预热")
        head = self.register(at=T0 - timedelta(days=1))
        relative = self.env["crm.lead"].create({"name": "王母", "team_id": self.team.id, "phone": "13611113333"})
        self.household(head["lead_id"], relative, "parent")
        result, tables = self.submit_cold(phone="13611113333", customer_name="王母")
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "protected_by_other"))
        self.assertEqual(tables["crm_team"], 1, tables)
        self.assertLessEqual(tables["crm_lead"], 2, tables)
        self.assertLess(tables.widest["crm_lead"], 20, tables.widest)
