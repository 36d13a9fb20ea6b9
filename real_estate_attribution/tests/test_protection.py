from datetime import datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import T0, AttributionCase


class TestProtection(AttributionCase):
    """Registration and protection on site, rules PR-1 to PR-5."""

    def lead(self, result):
        return self.env["crm.lead"].browse(result["lead_id"])

    def test_pr1_visit_protects_sixty_days_from_the_last_followup(self):
        """PR-1: a visit registration protects 60 days from the last recorded follow-up."""
        result = self.register()
        self.follow_up(result["lead_id"], self.li, self.days(20))
        lead = self.lead(result)
        self.assertEqual(lead.protection_id.end, self.days(80))
        self.assertEqual(lead.protection_id.end_rule, "PR-1")
        self.assertEqual(self.attribution(lead.id, self.days(79))["owner_user_id"], self.li.id)
        ended = self.attribution(lead.id, self.days(81))
        self.assertFalse(ended["owner_user_id"])
        self.assertEqual(ended["rule"], "PR-1")

    def test_pr1_call_protects_thirty_days(self):
        """PR-1: a call registration protects 30 days from the last follow-up."""
        result = self.register(kind="call")
        self.follow_up(result["lead_id"], self.li, self.days(10))
        self.assertEqual(self.lead(result).protection_id.end, self.days(40))
        self.assertEqual(self.lead(result).protection_id.kind, "call")

    def test_pr6_protection_days_count_from_the_moment_or_from_the_next_day(self):
        """PR-6: from the moment (setting), or from the next day: entered on the 2nd (Shanghai), 15 days of
        protection cover the 3rd to the 17th and end as the 18th begins."""
        self.team.visit_protection_days = 15
        self.team.followup_lapse_days = 0
        moment = self.lead(self.register())
        self.assertEqual(moment.protection_id.end, T0 + timedelta(days=15))
        self.team.protection_counts_from = "next_day"
        next_day = self.lead(self.register(phone="13900001111", customer_name="李四"))
        self.assertEqual(next_day.protection_id.end, datetime(2026, 3, 17, 16, 0))  # 18 March 00:00 in Shanghai
        owner = next_day.user_id
        self.assertEqual(self.attribution(next_day.id, datetime(2026, 3, 17, 15, 59))["owner_user_id"], owner.id)
        self.assertFalse(self.attribution(next_day.id, datetime(2026, 3, 17, 16, 1))["owner_user_id"])

    def test_pr7_calls_protect_or_are_records_only(self):
        """PR-7: a call protects for the call period (setting), or is a record only: it protects nobody and
        renews nothing, and the customer's visit decides."""
        protected = self.lead(self.register(kind="call"))
        self.assertEqual(protected.protection_id.kind, "call")
        self.team.call_registration = "record"
        call = self.register(kind="call", phone="13900001111", customer_name="李四")
        self.assertEqual((call["rule"], call["owner_user_id"], call["protected_until"]), ("PR-7", False, False))
        self.assertIn("PR-7", call["explanation"])
        lead = self.lead(call)
        self.assertFalse(lead.protection_id)
        visit = self.register(at=self.days(1), phone="13900001111", customer_name="李四")
        self.assertEqual(visit["lead_id"], lead.id)
        self.assertTrue(visit["owner_user_id"], "the visit decides")
        end = self.lead(visit).protection_id.end
        self.register(at=self.days(2), kind="call", phone="13900001111", customer_name="李四")
        self.assertEqual(self.lead(visit).protection_id.end, end, "a call renews nothing")

    def test_pr1_each_followup_restarts_the_window(self):
        """PR-1: every logged follow-up restarts the protection."""
        result = self.register()
        for day in (20, 50, 100):
            self.follow_up(result["lead_id"], self.li, self.days(day))
        self.assertEqual(self.lead(result).protection_id.end, self.days(160))
        self.assertEqual(self.attribution(result["lead_id"], self.days(150))["owner_user_id"], self.li.id)

    def test_pr1_a_visit_upgrades_a_call_registration(self):
        """PR-1: the customer who called and then visits gets the visit window."""
        result = self.register(kind="call")
        self.register(at=self.days(5))
        protection = self.lead(result).protection_id
        self.assertEqual(protection.kind, "visit")
        self.follow_up(result["lead_id"], self.li, self.days(6))
        self.assertEqual(protection.end, self.days(66))

    def test_pr1_followup_of_someone_else_does_not_restart(self):
        """PR-1: only the holder's follow-up restarts the holder's protection."""
        result = self.register()
        self.follow_up(result["lead_id"], self.manager, self.days(20))
        protection = self.lead(result).protection_id
        self.assertFalse(protection.last_followup)
        self.assertEqual(protection.end, self.days(30))
        self.assertEqual(len(self.lead(result).followup_ids), 1)

    def test_pr1_completed_activity_counts_as_followup(self):
        """PR-1: marking a call activity done on the customer logs the holder's follow-up."""
        result = self.register()
        lead = self.lead(result).with_user(self.li)
        with freeze_time(self.days(10)):
            activity = lead.activity_schedule("mail.mail_activity_data_call", summary="回访", user_id=self.li.id)
            activity.with_user(self.li).action_feedback(feedback="客户考虑中")
        self.assertEqual(lead.protection_id.last_followup, self.days(10))
        self.assertEqual(lead.protection_id.end, self.days(70))
        self.assertEqual(lead.followup_ids.note, "客户考虑中")

    def test_pr1_settings_change_reaches_active_protections(self):
        """PR-1 settings: a longer visit window is applied to the office's active protections."""
        result = self.register()
        self.follow_up(result["lead_id"], self.li, self.days(1))
        self.team.visit_protection_days = 90
        self.assertEqual(self.lead(result).protection_id.end, self.days(91))

    def test_pr2_no_followup_within_thirty_days_loses_protection(self):
        """PR-2: without a follow-up within 30 days of the last contact, protection ends early."""
        result = self.register()
        self.assertEqual(self.attribution(result["lead_id"], self.days(29))["owner_user_id"], self.li.id)
        lapsed = self.attribution(result["lead_id"], self.days(31))
        self.assertFalse(lapsed["owner_user_id"])
        self.assertEqual(lapsed["rule"], "PR-2")
        self.assertEqual(lapsed["protection_state"], "expired")

    def test_pr2_can_be_switched_off(self):
        """PR-2 setting: a deadline of 0 days leaves only PR-1's window."""
        self.team.followup_lapse_days = 0
        result = self.register()
        self.assertEqual(self.attribution(result["lead_id"], self.days(59))["owner_user_id"], self.li.id)

    def test_pr3_attribution_is_right_before_the_cron_runs(self):
        """PR-3: an ended protection reads as ended at once; the cron only materialises it."""
        result = self.register()
        lead = self.lead(result)
        with freeze_time(self.days(31)):
            self.assertEqual(lead.protection_id.state, "active")
            lead.invalidate_recordset()
            self.assertFalse(lead.owner_user_id)
            self.assertEqual(lead.protection_state, "expired")
            self.assertIn("PR-2", lead.attribution_explanation)

    def test_pr3_expiry_cron_moves_customers_to_the_public_pool(self):
        """PR-3: the cron materialises expiries, one ownership-log row each, fills the public pool and tells each
        office once per run (not a message per customer)."""
        results = [self.walk_in(n, at=T0 + timedelta(minutes=n)) for n in range(5)]
        self.register(at=self.days(20), phone="13900000004", customer_name="客户4")  # renewed: stays
        leads = self.env["crm.lead"].browse([r["lead_id"] for r in results])
        Protection = self.env["real.estate.protection"]
        with freeze_time(self.days(31)):
            done = Protection._cron_expire(batch_size=2)
        self.assertEqual(done, 4)
        expired, kept = leads[:4], leads[4]
        self.assertEqual(set(expired.protection_id.mapped("state")), {"expired"})
        self.assertTrue(all(expired.mapped("in_public_pool")))
        self.assertFalse(any(expired.mapped("user_id")))
        self.assertEqual(kept.protection_id.state, "active")
        logs = self.env["real.estate.ownership.log"].search([("lead_id", "in", expired.ids), ("event", "=", "expire")])
        self.assertEqual(len(logs), 4)
        self.assertEqual(set(logs.mapped("rule")), {"PR-2"})
        self.assertTrue(all(log.old_user_id for log in logs))
        messages = expired[0].message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("real_estate_attribution.mt_ownership_change")
        )
        self.assertEqual(len(messages), 1)  # assigned; the expiry is in the log and the explanation
        self.assertIn("PR-2", expired[0].attribution_explanation)
        summary = self.team.message_ids.filtered(lambda m: "Protection expiry (PR-3): 4 customers" in (m.body or ""))
        self.assertEqual(len(summary), 1)
        with freeze_time(self.days(32)):
            self.assertEqual(Protection._cron_expire(batch_size=2), 0)
        self.assertEqual(
            self.env["real.estate.ownership.log"].search_count(
                [("lead_id", "in", expired.ids), ("event", "=", "expire")]
            ),
            4,
        )

    def test_pr3_back_from_the_pool_goes_to_the_rotation(self):
        """PR-3: once the protection ended, the next visit is a new customer for the rotation."""
        self.make_roster([self.li, self.wang], at=self.days(40))
        result = self.register()  # li, on the first day's roster
        back = self.register(at=self.days(40))
        self.assertEqual(back["lead_id"], result["lead_id"])
        self.assertEqual(back["owner_user_id"], self.li.id)  # li is first on that day's roster
        self.assertEqual(back["rule"], "RO-1")
        self.assertIn("PR-3", back["explanation"])
        protections = self.lead(result).protection_ids
        self.assertEqual(sorted(protections.mapped("state")), ["active", "expired"])

    def test_pr3_naming_the_former_consultant_brings_them_back(self):
        """PR-3: a pool customer who names the former consultant is received by them again."""
        self.make_roster([self.wang, self.li], at=self.days(40))
        result = self.register()
        back = self.register(at=self.days(40), named_user_id=self.li.id)
        self.assertEqual(back["owner_user_id"], self.li.id)
        self.assertEqual(back["rule"], "PR-3")
        # wang's turn was not used
        self.assertEqual(self.walk_in(7, at=self.days(40, 1))["owner_user_id"], self.wang.id)
        self.assertEqual(self.lead(result).protection_id.rule, "PR-3")

    def test_pr4_caller_without_contact_details_registers_nobody(self):
        """PR-4: a caller who leaves no contact details is a new customer on arrival."""
        self.make_roster([self.li, self.wang])
        leads = self.env["crm.lead"].search_count([])
        call = self.register(kind="call", phone="", customer_name="")
        self.assertEqual(call["rule"], "PR-4")
        self.assertFalse(call["lead_id"])
        self.assertEqual(self.env["crm.lead"].search_count([]), leads)
        arrival = self.register(at=T0 + timedelta(hours=1))
        self.assertEqual(arrival["rule"], "RO-1")
        self.assertEqual(arrival["owner_user_id"], self.wang.id)  # the call used li's turn

    def test_pr4_caller_on_the_way_is_new_on_arrival(self):
        """PR-4: "I'm nearby, coming now": no protection; the arrival goes to the rotation."""
        self.make_roster([self.li, self.wang])
        call = self.register(kind="call", on_the_way=True)
        self.assertEqual(call["rule"], "PR-4")
        self.assertFalse(call["owner_user_id"])
        self.assertFalse(self.lead(call).protection_id)
        arrival = self.register(at=T0 + timedelta(minutes=20))
        self.assertEqual(arrival["lead_id"], call["lead_id"])
        self.assertEqual(arrival["owner_user_id"], self.wang.id)
        self.assertEqual(arrival["rule"], "RO-1")

    def test_pr5_unasked_visitor_stays_with_the_original_consultant(self):
        """PR-5: questions not asked and nobody named: the customer stays with the original consultant."""
        self.make_roster([self.li, self.wang])
        first = self.register()
        again = self.register(at=self.days(3), consultant_id=self.wang.id, questions_asked=False, user=self.manager)
        self.assertEqual(again["owner_user_id"], self.li.id)
        self.assertEqual(again["rule"], "PR-5")
        self.assertTrue(self.Visit.browse(again["visit_id"]).is_helper)
        self.assertEqual(self.lead(first).protection_id.holder_user_id, self.li)

    def test_pr5_reception_desk_insists_on_the_three_questions(self):
        """PR-5: the reception desk refuses to receive a customer before the three questions."""
        wizard = (
            self.env["real.estate.receive.visitor"]
            .with_user(self.li)
            .create({"team_id": self.team.id, "customer_name": "王伟", "phone": "13812345678"})
        )
        with self.assertRaisesRegex(UserError, "three questions"):
            wizard.action_receive()
        wizard.questions_asked = True
        with freeze_time(T0):
            action = wizard.action_receive()
        self.assertEqual(action["res_model"], "crm.lead")
        lead = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(lead.protection_id.holder_user_id, self.roster().turn_ids.user_id)
        self.assertTrue(lead.visit_ids.questions_asked)

    def test_one_active_protection_per_identity_is_a_database_rule(self):
        """PR-1: the database refuses a second active protection for one customer and office."""
        lead = self.lead(self.register())
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["real.estate.protection"].create(
                {
                    "lead_id": lead.id,
                    "team_id": self.team.id,
                    "identity": lead.customer_mobile,
                    "holder_user_id": self.wang.id,
                    "kind": "visit",
                    "start": T0,
                    "last_contact": T0,
                    "end": self.days(30),
                    "rule": "RO-1",
                }
            )
