from datetime import timedelta

from .common import T0, AttributionCase


class TestPrivateNumbers(AttributionCase):
    """ID-2: a customer's full number is read by their holder, the office's managers and data imports only;
    everyone else reads it masked, wherever they read it, and still finds the customer by it."""

    def setUp(self):
        super().setUp()
        self.make_roster([self.li, self.wang])
        self.held = self.lead(self.register(customer_name="王伟", phone="13812345678"))  # Li Na's
        released = self.lead(self.register(at=T0 + timedelta(minutes=5), customer_name="赵敏", phone="13900001111"))
        self.engine._release_protection(released.protection_id, T0 + timedelta(minutes=6), "客户要求")
        self.pool = released  # in the public pool: every consultant reads the file, nobody holds it

    def lead(self, result):
        return self.env["crm.lead"].browse(result["lead_id"])

    def read_phone(self, user, lead):
        return lead.with_user(user).read(["phone", "customer_mobile"])[0]

    def test_id2_holder_and_managers_read_the_full_number(self):
        self.assertEqual(self.read_phone(self.li, self.held)["phone"], "13812345678")
        self.assertEqual(self.read_phone(self.manager, self.pool)["phone"], "13900001111")
        self.assertEqual(self.read_phone(self.importer, self.pool)["customer_mobile"], "+8613900001111")

    def test_id2_others_read_it_masked_in_reads_lists_and_exports(self):
        self.assertEqual(
            self.read_phone(self.wang, self.pool),
            {"id": self.pool.id, "phone": "139****1111", "customer_mobile": "139****1111"},
        )
        listed = self.env["crm.lead"].with_user(self.wang).search_read([("id", "=", self.pool.id)], ["phone"])
        self.assertEqual(listed[0]["phone"], "139****1111")
        form = self.pool.with_user(self.wang).web_read({"phone": {}, "mobile_masked": {}})[0]
        self.assertEqual(form["phone"], "139****1111")
        self.wang.groups_id |= self.env.ref("base.group_allow_export")
        exported = self.pool.with_user(self.wang).export_data(["name", "phone", "customer_mobile"])["datas"]
        self.assertEqual(exported[0][1:], ["139****1111", "139****1111"])
        visit = self.pool.visit_ids[:1]
        self.assertEqual(visit.with_user(self.manager).read(["phone"])[0]["phone"], "13900001111")

    def test_id2_searching_by_the_full_number_still_finds_the_customer(self):
        Lead = self.env["crm.lead"].with_user(self.wang)
        self.assertEqual(Lead.search([("phone", "ilike", "13900001111")]), self.pool)
        self.assertEqual(Lead.search([("customer_mobile", "=", "+8613900001111")]), self.pool)

    def test_id2_chatter_tracking_of_a_number_is_hidden_from_others(self):
        field = self.env["ir.model.fields"]._get("crm.lead", "phone")
        message = self.pool._message_log(body="phone corrected")
        tracking = self.env["mail.tracking.value"].create(
            {
                "field_id": field.id,
                "old_value_char": "13900001111",
                "new_value_char": "13900002222",
                "mail_message_id": message.id,
            }
        )
        self.assertFalse(self.pool.with_user(self.wang)._track_filter_for_display(tracking))
        self.assertEqual(self.pool.with_user(self.manager)._track_filter_for_display(tracking), tracking)
