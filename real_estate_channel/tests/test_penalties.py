from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError

from .common import T0, ChannelCase


class TestPenalties(ChannelCase):
    """CH-13: canvassing in the forbidden zone, fined on the agreement's escalation scale."""

    def violation(self, distance=300, fine=800):
        agreement = self.agreements.filtered(lambda a: a.channel_id == self.dist)
        return (
            self.env["real.estate.channel.penalty"]
            .with_user(self.manager)
            .create(
                {
                    "agreement_id": agreement.id,
                    "agent_id": self.dist_agent.id,
                    "team_id": self.team.id,
                    "distance_m": distance,
                    "agent_fine": fine,
                    "date": date(2026, 3, 2),
                }
            )
        )

    def test_ch13_escalating_fines_and_the_third_offence_ends_cooperation(self):
        """CH-13: 10,000 then 50,000; the third offence suspends the channel and forfeits commission."""
        first, second, third = (self.violation() for _ in range(3))
        first.action_confirm()
        second.action_confirm()
        self.assertEqual((first.offence_number, first.company_fine), (1, 10000))
        self.assertEqual((second.offence_number, second.company_fine), (2, 50000))
        agreement = first.agreement_id
        self.assertEqual(agreement.state, "active")
        third.action_confirm()
        self.assertEqual(agreement.state, "suspended")
        self.assertTrue(agreement.commission_forfeited)
        self.assertEqual(self.submit(at=T0 + timedelta(days=1))["reason_code"], "channel_suspended")

    def test_ch13_the_second_offence_bars_the_canvasser(self):
        """CH-13: at the second offence the agent is barred from the project: their reports are refused, the
        channel's other agents still report."""
        first, second = self.violation(), self.violation()
        first.action_confirm()
        self.assertFalse(first.agreement_id.barred_agent_ids)
        second.action_confirm()
        agreement = first.agreement_id
        self.assertEqual(agreement.barred_agent_ids, self.dist_agent)
        self.assertEqual(agreement.deduct_until, date(2026, 3, 2))
        barred = self.submit(at=T0 + timedelta(days=1))
        self.assertEqual(barred["reason_code"], "agent_barred")
        self.assertIn("second offence", barred["message"])
        colleague = self.env["res.partner"].create({"name": "经纪人丙", "parent_id": self.dist.id})
        allowed = self.submit(
            at=T0 + timedelta(days=1), agent_id=colleague.id, phone="13900004444", customer_name="丙客户"
        )
        self.assertEqual(allowed["state"], "valid")

    def test_ch13_rank_and_fine_come_from_the_confirm_button(self):
        """CH-13: no penalty is made confirmed, re-ranked or re-fined by hand; a confirmed one is final."""
        penalty = self.violation()
        for vals in ({"state": "confirmed"}, {"company_fine": 0}, {"offence_number": 3}):
            with self.assertRaisesRegex(UserError, "confirmed with its button"):
                penalty.write(vals)
        with self.assertRaisesRegex(UserError, "confirmed with its button"):
            penalty.copy({"state": "confirmed"})
        penalty.action_confirm()
        self.assertEqual(penalty.copy().state, "draft", "a copy is a new draft offence")
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            penalty.write({"distance_m": 5000})
        self.assertEqual((penalty.state, penalty.offence_number, penalty.company_fine), ("confirmed", 1, 10000))

    def test_ch13_outside_the_zone_is_no_violation(self):
        with self.assertRaisesRegex(ValidationError, "outside the forbidden zone"):
            self.violation(distance=1500).action_confirm()

    def test_ch13_agent_fine_stays_on_the_scale(self):
        with self.assertRaisesRegex(ValidationError, "between 500"):
            self.violation(fine=2000)


class TestDailyFlag(ChannelCase):
    """CH-6: more than 10 reports in a day and under half of them visiting: flagged, contested ones void."""

    def test_ch6_flagged_channel_loses_its_contested_reports_of_the_day(self):
        contested = self.report(self.submit(phone="13812340000", customer_name="客户零"))
        for n in range(1, 11):
            self.submit(at=T0 + timedelta(minutes=n), phone="138123400%02d" % n, customer_name="客户%s" % n)
        # another channel reported the first customer before: that report is contested
        self.env["real.estate.report"].sudo().with_context(attribution_engine=True).create(
            {
                "team_id": self.team.id,
                "channel_id": self.agency.id,
                "customer_name": "客户零",
                "customer_mobile": "+8613812340000",
                "expected_visit": T0,
                "reported_at": T0 - timedelta(days=1),
                "state": "lapsed",
            }
        )
        with freeze_time(T0 + timedelta(days=1)):
            flags = self.env["real.estate.channel.flag"]._review_day(self.team, date(2026, 3, 2))
        self.assertEqual(flags.channel_id, self.dist)
        self.assertEqual((flags.report_count, flags.visit_count), (11, 0))
        self.assertEqual(flags.voided_report_ids, contested)
        self.assertEqual((contested.state, contested.reason_code), ("rejected", "flagged"))
        self.assertIn("CH-6", contested.message)

    def test_ch6_counts_each_channel_of_the_day_on_its_own(self):
        """CH-6: the day's reports are counted per channel: a channel under the threshold is not flagged by
        another's reports, a report of the day before or after does not count, and a second review of the
        day flags nobody twice."""
        for n in range(11):
            self.submit(at=T0 + timedelta(minutes=n), phone="138123400%02d" % n, customer_name="客户%s" % n)
        for n in range(5):
            self.submit(
                at=T0 + timedelta(minutes=20 + n),
                phone="139123400%02d" % n,
                customer_name="顾客%s" % n,
                channel_id=self.agency.id,
                agent_id=self.agency_agent.id,
            )
        self.submit(at=T0 + timedelta(days=1), phone="13712340000", customer_name="次日")
        Flag = self.env["real.estate.channel.flag"]
        with freeze_time(T0 + timedelta(days=1)):
            flags = Flag._review_day(self.team, date(2026, 3, 2))
            self.assertEqual(flags.channel_id, self.dist)
            self.assertEqual((flags.report_count, flags.visit_count, flags.visit_rate), (11, 0, 0.0))
            self.assertFalse(Flag._review_day(self.team, date(2026, 3, 2)))
        self.assertEqual(Flag.search_count([("team_id", "=", self.team.id), ("date", "=", date(2026, 3, 2))]), 1)

    def test_ch6_enough_visits_no_flag(self):
        for n in range(11):
            self.submit(at=T0 + timedelta(minutes=n), phone="138123400%02d" % n, customer_name="客户%s" % n)
        self.team.flag_min_reports = 20
        self.assertFalse(self.env["real.estate.channel.flag"]._review_day(self.team, date(2026, 3, 2)))
