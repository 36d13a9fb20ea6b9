from datetime import date, timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import T0, AttributionCase


class SplitCase(AttributionCase):
    def win(self, lead_id, at=None):
        lead = self.env["crm.lead"].browse(lead_id)
        with freeze_time(at or T0 + timedelta(days=5)):
            lead.sudo().action_set_won()
        return lead

    def shares(self, lead):
        return sorted((s.user_id.name or s.share_pool, s.percent, s.rule) for s in lead.share_ids)


class TestCreditSplits(SplitCase):
    """Credit and commission splits, CS-1 to CS-16, from the recorded history."""

    def test_cs3_owner_gets_everything_helpers_nothing(self):
        """CS-3: B's customer closed with C's help on the spot: B gets all."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1)  # li
        self.set_status(self.li, "off")
        self.walk_in(1, at=T0 + timedelta(hours=2))  # a helper receives
        lead = self.win(first["lead_id"])
        self.assertEqual(self.shares(lead), [("Li Na", 100.0, "CS-3")])

    def test_cs3_variant_a_helper_closing_the_same_day_shares_50_50(self):
        """CS-3 (variant, setting): B absent, C helps and the deal closes the same day: 50/50; another day, or
        by default, B gets all."""
        self.team.helper_closing_split = "half"
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1)  # li
        self.set_status(self.li, "off")
        helped = self.walk_in(1, at=T0 + timedelta(hours=2))  # a helper receives
        helper = self.env["real.estate.visit"].browse(helped["visit_id"]).consultant_id
        lead = self.win(first["lead_id"], at=T0 + timedelta(hours=3))
        self.assertEqual(sorted(self.shares(lead)), sorted([("Li Na", 50.0, "CS-3"), (helper.name, 50.0, "CS-3")]))
        other = self.walk_in(2, at=T0 + timedelta(minutes=5))
        holder = self.env["crm.lead"].browse(other["lead_id"]).user_id
        self.set_status(holder, "off", at=T0 + timedelta(days=1))
        self.walk_in(2, at=T0 + timedelta(days=1, hours=1))
        later = self.win(other["lead_id"], at=T0 + timedelta(days=2))
        self.assertEqual(self.shares(later), [(holder.name, 100.0, "CS-3")], "closed another day: all to B")

    def test_cs16_shares_sum_to_exactly_100_in_the_database(self):
        """CS-16: the database refuses a deal whose shares do not sum to 100%."""
        lead = self.win(self.register()["lead_id"])
        self.assertEqual(sum(lead.share_ids.mapped("percent")), 100)
        with self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("SET CONSTRAINTS real_estate_share_sum IMMEDIATE")
            lead.share_ids.write({"percent": 60})
            lead.share_ids.flush_recordset()

    def test_cs1_group_received_separately_splits_equally(self):
        """CS-1: one group visiting separately, received by different consultants: equal split."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1, party_ref="G-1")
        self.walk_in(2, at=T0 + timedelta(minutes=5), party_ref="G-1")
        self.walk_in(3, at=T0 + timedelta(minutes=9), party_ref="G-1")
        lead = self.win(first["lead_id"])
        self.assertEqual(
            self.shares(lead), [("Li Na", 33.34, "CS-1"), ("Wang Qiang", 33.33, "CS-1"), ("Zhang Wei", 33.33, "CS-1")]
        )

    def test_cs2_spouses_received_separately_split_equally(self):
        """CS-2: spouses each received as a first visit by different consultants: equal split."""
        self.make_roster([self.li, self.wang])
        husband = self.walk_in(1)
        wife = self.walk_in(2, at=T0 + timedelta(hours=1))
        self.env["real.estate.household"].create(
            {
                "name": "家",
                "team_id": self.team.id,
                "member_ids": [
                    (0, 0, {"lead_id": husband["lead_id"], "relation": "head"}),
                    (0, 0, {"lead_id": wife["lead_id"], "relation": "spouse"}),
                ],
            }
        )
        lead = self.win(husband["lead_id"])
        self.assertEqual(self.shares(lead), [("Li Na", 50.0, "CS-2"), ("Wang Qiang", 50.0, "CS-2")])

    def test_cs6_intern_assisted_alone_and_on_probation(self):
        """CS-6: intern with an assisting consultant 50/50; alone: to the team until probation is passed."""
        member = self.team.crm_team_member_ids.filtered(lambda m: m.user_id == self.li)
        member.is_intern = True
        self.make_roster([self.li, self.wang])
        assisted = self.walk_in(1, assisting_user_id=self.zhang.id)
        self.assertEqual(
            self.shares(self.win(assisted["lead_id"])), [("Li Na", 50.0, "CS-6"), ("Zhang Wei", 50.0, "CS-6")]
        )
        alone = self.walk_in(2, at=T0 + timedelta(minutes=10), consultant_id=self.li.id)
        self.assertEqual(self.shares(self.win(alone["lead_id"])), [("team", 100.0, "CS-6")])
        member.probation_passed = True
        passed = self.walk_in(3, at=T0 + timedelta(minutes=20), consultant_id=self.li.id)
        self.assertEqual(self.shares(self.win(passed["lead_id"])), [("Li Na", 100.0, "CS-6")])

    def test_cs7_exhibition_customers_are_shared(self):
        """CS-7: the closer 40%, the other consultants share 60% equally."""
        self.env["real.estate.exhibition"].create(
            {"name": "春季房展", "team_id": self.team.id, "date_from": date(2026, 3, 1), "date_to": date(2026, 3, 5)}
        )
        self.make_roster([self.li])
        lead = self.win(self.walk_in(1)["lead_id"])
        self.assertEqual(
            self.shares(lead),
            [
                ("Chen Jing", 15.0, "CS-7"),
                ("Li Na", 40.0, "CS-7"),
                ("Liu Yang", 15.0, "CS-7"),
                ("Wang Qiang", 15.0, "CS-7"),
                ("Zhang Wei", 15.0, "CS-7"),
            ],
        )

    def test_cs9_handed_customer_closing_splits_50_50(self):
        """CS-9: a consultant moved off the project hands customers over; a deal inside validity is 50/50."""
        first = self.register()
        handover = (
            self.env["real.estate.handover"]
            .with_user(self.manager)
            .create({"team_id": self.team.id, "from_user_id": self.li.id, "to_user_id": self.wang.id})
        )
        with freeze_time(T0 + timedelta(days=2)):
            handover.action_load_customers()
            handover.action_done()
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(lead.protection_id.holder_user_id, self.wang)
        self.assertEqual(lead.ownership_log_ids.filtered(lambda log: log.event == "transfer").rule, "CS-9")
        self.assertEqual(self.shares(self.win(lead.id)), [("Li Na", 50.0, "CS-9"), ("Wang Qiang", 50.0, "CS-9")])

    def test_cs10_switching_consultant_mid_reception(self):
        """CS-10: 70% first receiver, 30% designated; all to the first if the designated one instigated it."""
        self.make_roster([self.li])
        switched = self.walk_in(1, switched_to_user_id=self.wang.id)
        self.assertEqual(
            self.shares(self.win(switched["lead_id"])), [("Li Na", 70.0, "CS-10"), ("Wang Qiang", 30.0, "CS-10")]
        )
        poached = self.walk_in(
            2, at=T0 + timedelta(minutes=5), switched_to_user_id=self.wang.id, switch_instigated=True
        )
        self.assertEqual(self.shares(self.win(poached["lead_id"])), [("Li Na", 100.0, "CS-10")])

    def test_cs11_company_customers(self):
        """CS-11: 70/30 consultant follows through, 30/70 company closes, 100% public by non-sales staff."""
        self.make_roster([self.li])
        follows = self.walk_in(1, source="company", company_mode="consultant")
        closes = self.walk_in(2, at=T0 + timedelta(minutes=5), source="company", company_mode="company")
        staff = self.walk_in(3, at=T0 + timedelta(minutes=9), source="company", company_mode="non_sales")
        self.assertEqual(
            self.shares(self.win(follows["lead_id"])), [("Li Na", 70.0, "CS-11"), ("public", 30.0, "CS-11")]
        )
        self.assertEqual(
            self.shares(self.win(closes["lead_id"])), [("Li Na", 30.0, "CS-11"), ("public", 70.0, "CS-11")]
        )
        self.assertEqual(self.shares(self.win(staff["lead_id"])), [("public", 100.0, "CS-11")])

    def test_cs12_employee_referral_kept_and_missed(self):
        """CS-12: 30% referrer, 70% receiving consultant; void if the customer misses the agreed date."""
        Referral = self.env["real.estate.referral"].with_user(self.manager)
        kept = Referral.create(
            {
                "team_id": self.team.id,
                "referrer_id": self.chen.id,
                "customer_name": "客户1",
                "phone": "13900000001",
                "agreed_date": date(2026, 3, 2),
            }
        )
        missed = Referral.create(
            {
                "team_id": self.team.id,
                "referrer_id": self.chen.id,
                "customer_name": "客户2",
                "phone": "13900000002",
                "agreed_date": date(2026, 3, 1),
            }
        )
        self.make_roster([self.li])
        on_time = self.walk_in(1)
        late = self.walk_in(2, at=T0 + timedelta(minutes=5))
        self.assertEqual((kept.state, missed.state), ("visited", "void"))
        self.assertEqual(
            self.shares(self.win(on_time["lead_id"])), [("Chen Jing", 30.0, "CS-12"), ("Li Na", 70.0, "CS-12")]
        )
        self.assertEqual(self.shares(self.win(late["lead_id"])), [("Li Na", 100.0, "CS-3")])

    def test_cs13_old_customer_brings_new(self):
        """CS-13: a new customer brought by an old one is the old customer's consultant's; helper if absent."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1)  # li's customer
        self.set_status(self.li, "off")
        brought = self.walk_in(9, at=T0 + timedelta(hours=1), referrer_phone="13900000001")
        self.assertEqual(brought["owner_user_id"], self.li.id)
        self.assertEqual(brought["rule"], "CS-13")
        self.assertTrue(self.Visit.browse(brought["visit_id"]).is_helper)
        self.assertEqual(self.shares(self.win(brought["lead_id"])), [("Li Na", 100.0, "CS-3")])

    def test_cs14_renames_after_the_deal_keep_the_split(self):
        """CS-14: renaming the customer or changing the unit after the deal keeps the original consultant."""
        lead = self.win(self.register()["lead_id"])
        before = self.shares(lead)
        lead.sudo().write({"name": "王伟（更名）", "contact_name": "王伟伟", "unit_ref": "3-1802"})
        self.assertEqual(self.shares(lead), before)

    def test_cs15_first_deposit_gets_the_unit(self):
        """CS-15: two customers for one unit: the first to pay the deposit gets it."""
        self.make_roster([self.li, self.wang])
        first = self.env["crm.lead"].browse(self.walk_in(1)["lead_id"])
        second = self.env["crm.lead"].browse(self.walk_in(2, at=T0 + timedelta(minutes=5))["lead_id"])
        first.sudo().write({"unit_ref": "5-0601", "deposit_at": T0 + timedelta(days=1)})
        second.sudo().write({"unit_ref": "5-0601", "deposit_at": T0 + timedelta(days=2)})
        with self.assertRaisesRegex(UserError, "paid the deposit for unit 5-0601 first"):
            self.win(second.id)
        self.win(first.id)
        with self.assertRaisesRegex(UserError, "already went to"):
            self.win(second.id)

    def test_commission_shares_api(self):
        lead = self.win(self.register()["lead_id"])
        self.assertEqual(
            lead.commission_shares(),
            [
                {
                    "lead_id": lead.id,
                    "shares": [
                        {"user_id": self.li.id, "channel_id": False, "pool": False, "percent": 100.0, "rule": "CS-3"}
                    ],
                }
            ],
        )
