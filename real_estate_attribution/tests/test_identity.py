from datetime import timedelta

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from ..tools import identity
from .common import T0, AttributionCase


class TestIdentityTools(AttributionCase):
    """ID-1 and ID-2 on the identity helpers."""

    def test_id1_mainland_numbers_normalise_to_e164(self):
        """ID-1: +86, 0086, spaces and dashes are stripped to one E.164 identity."""
        for raw in ("13812345678", "+86 138-1234-5678", "0086 138 1234 5678", " 138 1234 5678 ", "+8613812345678"):
            self.assertEqual(identity.normalize_phone(raw), "+8613812345678", raw)

    def test_id1_foreign_numbers_kept_in_e164(self):
        """ID-1: numbers outside the mainland stay in E.164 and match exactly."""
        self.assertEqual(identity.normalize_phone("+852 5123 4567"), "+85251234567")
        self.assertEqual(identity.normalize_phone("+886 912 345 678"), "+886912345678")
        self.assertNotEqual(identity.normalize_phone("+852 5123 4567"), identity.normalize_phone("+852 5123 4568"))

    def test_id1_rejects_what_is_not_a_mobile_number(self):
        """ID-1: landlines of the mainland, short and garbage numbers are refused."""
        for raw in ("010 6552 9988", "12345", "abc", "", "1381234567"):
            with self.assertRaises(identity.InvalidPhone, msg=raw):
                identity.normalize_phone(raw)

    def test_id2_masked_form_is_first_three_last_four(self):
        """ID-2: 前三后四 masking for mainland numbers only."""
        self.assertEqual(identity.mask_phone("+8613812345678"), "138****5678")
        self.assertEqual(identity.mask_phone("+85251234567"), "****4567")
        self.assertEqual(identity.parse_masked("138****5678"), ("138", "5678"))
        self.assertEqual(identity.parse_masked("+86 138-****-5678"), ("138", "5678"))
        self.assertIsNone(identity.parse_masked("13812345678"))
        self.assertTrue(identity.masked_matches("138", "5678", "+8613899995678"))
        self.assertFalse(identity.masked_matches("138", "5678", "+8613912345678"))

    def test_id2_surnames(self):
        """ID-2: the surname compared on masked numbers, compound surnames included."""
        self.assertEqual(identity.surname("王伟"), "王")
        self.assertEqual(identity.surname("王先生"), "王")
        self.assertEqual(identity.surname("欧阳娜娜"), "欧阳")
        self.assertEqual(identity.surname("Wang Wei"), "wang")
        self.assertEqual(identity.surname("Smith, John"), "smith")


class TestIdentityRules(AttributionCase):
    """ID-1 to ID-4 through the engine."""

    def test_id1_one_customer_file_per_number_and_office(self):
        """ID-1: the same mobile written differently is one customer of the office."""
        first = self.register(phone="138 1234 5678")
        again = self.register(at=T0 + timedelta(hours=1), phone="+86-138-1234-5678", customer_name="王伟先生")
        self.assertEqual(first["lead_id"], again["lead_id"])
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(lead.customer_mobile, "+8613812345678")
        self.assertEqual(lead.mobile_masked, "138****5678")
        self.assertEqual(lead.customer_surname, "王")

    def test_id1_offices_do_not_share_customers(self):
        """ID-1: identity is per office; another office sees a new customer."""
        other = self.env["crm.team"].create(
            {
                "name": "Other Office",
                "is_sales_office": True,
                "crm_team_member_ids": [(0, 0, {"user_id": self.chen.id})],
            }
        )
        first = self.register()
        result = self.register(at=T0 + timedelta(minutes=1), team_id=other.id, user=self.chen)
        self.assertNotEqual(first["lead_id"], result["lead_id"])
        self.assertEqual(result["owner_user_id"], self.chen.id)
        self.assertEqual(result["rule"], "RO-1")

    def test_id1_duplicate_customer_file_is_refused_with_a_clear_message(self):
        """ID-1: creating a second file for a number of the office names the existing customer."""
        self.register()
        with self.assertRaisesRegex(ValidationError, "already has a customer with the number 138\\*\\*\\*\\*5678"):
            self.env["crm.lead"].create({"name": "dup", "team_id": self.team.id, "phone": "+86 138 1234 5678"})

    def test_id1_database_refuses_a_second_file_for_one_identity(self):
        """ID-1: the unique index holds even when the Python checks are bypassed."""
        self.register()
        other = self.env["crm.lead"].create({"name": "other", "team_id": self.team.id, "phone": "13900000000"})
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE crm_lead SET customer_mobile = '+8613812345678' WHERE id = %s", [other.id])

    def test_id2_masked_number_conflicts_with_same_prefix_suffix_and_surname(self):
        """ID-2: a masked number is a partial identity: prefix, suffix and surname must all match."""
        wang = self.env["crm.lead"].browse(self.register(customer_name="王伟", phone="13812345678")["lead_id"])
        self.register(at=T0 + timedelta(minutes=1), customer_name="李雷", phone="13899995678")
        self.register(at=T0 + timedelta(minutes=2), customer_name="王芳", phone="13912345678")
        self.assertEqual(self.engine._masked_candidates(self.team, "138****5678", "王先生"), wang)
        self.assertFalse(self.engine._masked_candidates(self.team, "138****5678", "张三"))
        self.assertFalse(self.engine._masked_candidates(self.team, "13812345678", "王伟"))

    def _household(self, head, member, relation):
        return (
            self.env["real.estate.household"]
            .with_user(self.manager)
            .create(
                {
                    "name": "王家",
                    "team_id": self.team.id,
                    "member_ids": [
                        (0, 0, {"lead_id": head, "relation": "head"}),
                        (0, 0, {"lead_id": member, "relation": relation}),
                    ],
                }
            )
        )

    def test_id3_spouse_counts_as_the_same_customer(self):
        """ID-3: a spouse visiting later is the household owner's customer."""
        self.make_roster([self.li, self.wang, self.zhang])
        husband = self.register(customer_name="王伟", phone="13812345678")  # li
        wife = self.register(
            at=T0 + timedelta(minutes=1), customer_name="张丽", phone="13700001111", kind="call"
        )  # wang, call
        self._household(husband["lead_id"], wife["lead_id"], "spouse")
        # the wife's own protection (wang) ended: she is in the household of li's customer
        lead = self.env["crm.lead"].browse(wife["lead_id"])
        self.engine._release_protection(lead.protection_id, T0 + timedelta(minutes=2), "test")
        again = self.register(at=T0 + timedelta(days=1), customer_name="张丽", phone="13700001111")
        self.assertEqual(again["owner_user_id"], self.li.id)
        self.assertEqual(again["rule"], "ID-3")
        self.assertEqual(lead.protection_id.holder_user_id, self.li)
        self.assertEqual(lead.protection_id.rule, "ID-3")
        attribution = self.attribution(wife["lead_id"], T0 + timedelta(days=1, hours=1))
        self.assertEqual(attribution["owner_user_id"], self.li.id)

    def test_id3_member_back_after_own_lapse_before_the_cron_ran(self):
        """ID-3, PR-3: the member's own protection lapsed unseen by the cron; the visit ends it and the
        household owner's protection takes over, never two active at once."""
        self.make_roster([self.li, self.wang, self.zhang])
        husband = self.register(customer_name="王伟", phone="13812345678")  # li
        wife = self.register(at=T0 + timedelta(minutes=1), customer_name="张丽", phone="13700001111", kind="call")
        self._household(husband["lead_id"], wife["lead_id"], "spouse")
        self.follow_up(husband["lead_id"], self.li, T0 + timedelta(days=20))
        lead = self.env["crm.lead"].browse(wife["lead_id"])
        own = lead.protection_id
        again = self.register(at=T0 + timedelta(days=35), customer_name="张丽", phone="13700001111")
        self.assertEqual((again["owner_user_id"], again["rule"]), (self.li.id, "ID-3"))
        self.assertEqual(own.state, "expired")
        self.assertEqual(lead.protection_ids.filtered(lambda p: p.state == "active"), lead.protection_id)
        self.assertEqual(lead.protection_id.holder_user_id, self.li)

    def test_id3_unregistered_household_member_reads_as_owned(self):
        """ID-3: a member without registration of their own reads as the household owner's."""
        husband = self.register(customer_name="王伟", phone="13812345678")
        child = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create({"name": "王小明", "team_id": self.team.id, "phone": "13600002222"})
        )
        self._household(husband["lead_id"], child.id, "child")
        result = self.attribution(child.id, T0 + timedelta(hours=1))
        self.assertEqual(result["owner_user_id"], self.li.id)
        self.assertEqual(result["rule"], "ID-3")
        self.assertIn("ID-3", result["explanation"])

    def test_id3_siblings_are_separate_unless_the_office_says_so(self):
        """ID-3: siblings do not count as the household, unless the setting is on."""
        self.make_roster([self.li, self.wang])
        brother = self.register(customer_name="王伟", phone="13812345678")
        sister = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create({"name": "王芳", "team_id": self.team.id, "phone": "13600003333"})
        )
        self._household(brother["lead_id"], sister.id, "sibling")
        self.assertFalse(self.attribution(sister.id, T0 + timedelta(hours=1))["owner_user_id"])
        self.team.household_includes_siblings = True
        self.assertEqual(self.attribution(sister.id, T0 + timedelta(hours=1))["owner_user_id"], self.li.id)

    def test_id4_non_customers_register_no_customer(self):
        """ID-4: passers-by, salespeople, job seekers and people asking for someone are not customers."""
        leads = self.env["crm.lead"].search_count([])
        for n, purpose in enumerate(("passerby", "salesperson", "job_seeker", "looking_for_someone")):
            result = self.register(at=T0 + timedelta(minutes=n), purpose=purpose, customer_name="", phone="")
            self.assertEqual(result["rule"], "ID-4")
            self.assertFalse(result["lead_id"])
            self.assertFalse(result["owner_user_id"])
        self.assertEqual(self.env["crm.lead"].search_count([]), leads)

    def test_id4_market_researcher_goes_to_the_last_in_rotation(self):
        """ID-4: a confirmed market researcher is received by the last consultant in the rotation."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1)  # li; the rotation now starts at wang, the last in it is li
        result = self.register(
            at=T0 + timedelta(minutes=5), purpose="market_research", customer_name="调研员", phone="13500004444"
        )
        visit = self.Visit.browse(result["visit_id"])
        self.assertEqual(visit.consultant_id, self.li)
        self.assertFalse(result["lead_id"])
        self.assertEqual(result["rule"], "ID-4")
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(minutes=6))["owner_user_id"], self.wang.id)
