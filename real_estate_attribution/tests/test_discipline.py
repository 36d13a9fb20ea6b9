from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import AttributionCase


class TestDiscipline(AttributionCase):
    """Consultants' discipline (违规处罚), DS-1 to DS-4."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.director = new_test_user(cls.env, "re_director_ds", groups="real_estate_attribution.group_director")
        cls.team.write({"default_daily_base_pay": 200, "default_monthly_base_pay": 6000, "default_monthly_bonus": 8000})
        member = cls.team.crm_team_member_ids.filtered(lambda m: m.user_id == cls.wang)
        member.write({"daily_base_pay": 300, "monthly_base_pay": 9000, "monthly_bonus": 10000})
        cls.Violation = cls.env["real.estate.violation"]

    def record(self, user, kind, serious=False, **vals):
        values = {
            "team_id": self.team.id,
            "user_id": user.id,
            "kind": kind,
            "serious": serious,
            "date": date(2026, 3, 2),
            "description": "现场抢客，两名顾问同时接待",
        }
        values.update(vals)
        return self.Violation.with_user(self.manager).create(values)

    def confirm(self, violation):
        violation.with_user(self.manager).action_confirm()
        return violation.fine_amount, violation.fine_basis

    def test_ds1_grabbing_is_fined_the_days_base_pay(self):
        """DS-1: grabbing, fighting over or neglecting a customer: the day's base pay (the consultant's own, or
        the office's)."""
        self.assertEqual(self.confirm(self.record(self.li, "ds1_grab"))[0], 200)
        amount, basis = self.confirm(self.record(self.wang, "ds1_neglect"))
        self.assertEqual(amount, 300)
        self.assertIn("DS-1", basis)

    def test_ds1_a_serious_case_is_fined_the_months_base_pay_and_half_the_bonus(self):
        """DS-1: in serious cases, the month's base pay and 50% of the month's bonus (the office's share)."""
        self.assertEqual(self.confirm(self.record(self.wang, "ds1_grab", serious=True))[0], 9000 + 5000)
        self.team.ds1_serious_bonus_percent = 30
        self.assertEqual(self.confirm(self.record(self.li, "ds1_grab", serious=True))[0], 6000 + 2400)

    def test_ds2_provoking_a_conflict_costs_half_the_deal_bonus(self):
        """DS-2: deliberately provoking a conflict between colleagues: dismissal and 50% of the deal bonus."""
        amount, basis = self.confirm(self.record(self.wang, "ds2_provoke"))
        self.assertEqual(amount, 5000)
        self.assertIn("dismissal", basis)

    def test_ds3_skipping_the_three_questions_loses_the_turn(self):
        """DS-3: the three questions not asked (PR-5), unprepared for the turn, a subscription without a
        reservation (UC-6): a violation, the turn is lost, and the office's fine if it sets one."""
        violation = self.record(self.li, "ds3_questions")
        self.assertEqual(self.confirm(violation)[0], 0)
        self.assertTrue(violation.turn_lost)
        self.team.ds3_fine = 100
        self.assertEqual(self.confirm(self.record(self.li, "ds3_unprepared"))[0], 100)

    def test_ds4_recorded_told_contested_and_decided_above(self):
        """DS-4: the site manager records a violation with its evidence; the consultant is told and may contest
        it (DI-1); the marketing director decides; the month's list per consultant prints."""
        with self.assertRaises(AccessError):
            self.Violation.with_user(self.li).create(
                {"team_id": self.team.id, "user_id": self.wang.id, "kind": "ds1_grab", "description": "x"}
            )
        with self.assertRaisesRegex(UserError, "fine and state"):
            self.record(self.li, "ds1_grab", fine_amount=1)
        evidence = self.env["ir.attachment"].create({"name": "监控截图.png", "datas": "eA=="})
        violation = self.record(self.li, "ds1_grab", evidence_ids=[(6, 0, evidence.ids)])
        self.confirm(violation)
        self.assertIn(self.li.partner_id, violation.message_ids[:1].partner_ids, "the consultant is told")
        self.assertEqual(self.Violation.with_user(self.wang).search([("id", "=", violation.id)]).ids, [])
        with self.assertRaises(AccessError):
            violation.with_user(self.wang)._contest("不是我")
        with self.assertRaisesRegex(UserError, "Say why"):
            violation.with_user(self.li)._contest(" ")
        self.env["real.estate.violation.contest"].with_user(self.li).create(
            {"violation_id": violation.id, "reason": "客户主动找我，有聊天记录"}
        ).action_contest()
        self.assertEqual(violation.state, "disputed")
        self.assertIn(self.director, violation.activity_ids.user_id)
        with self.assertRaises(AccessError):
            violation.with_user(self.manager).action_cancel()
        violation.with_user(self.director).action_cancel()
        self.assertEqual((violation.state, violation.decided_by), ("cancelled", self.director))
        other = self.record(self.li, "ds3_questions")
        self.confirm(other)
        with self.assertRaisesRegex(UserError, "buttons only"):
            other.with_user(self.manager).write({"description": "改"})
        report = self.env.ref("real_estate_attribution.action_report_violations")
        html = report._render_qweb_html(report.report_name, (violation | other).ids)[0].decode()
        self.assertIn("违规处罚月报", html)
        self.assertIn("2026-03", html)

    def test_ds1_a_dispute_that_finds_a_customer_grabbed_proposes_a_violation(self):
        """DS-1, DS-4: an upheld dispute that finds the customer grabbed proposes a violation of the holder."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])  # li holds
        dispute = (
            self.env["real.estate.dispute"]
            .with_user(self.wang)
            .create({"team_id": self.team.id, "lead_id": lead.id, "kind": "first_received", "statement": "我先接待"})
        )
        dispute.with_user(self.wang).action_submit()
        leader = new_test_user(self.env, "re_leader_ds", groups="real_estate_attribution.group_team_leader")
        dispute.with_user(leader).write({"decision_note": "李娜抢客", "finds_grabbing": True})
        dispute.with_user(leader).action_uphold()
        violation = self.Violation.search([("dispute_id", "=", dispute.id)])
        self.assertEqual((violation.user_id, violation.kind, violation.state), (self.li, "ds1_grab", "draft"))
        self.assertEqual(violation.lead_id, lead)
        self.assertIn(self.manager, violation.activity_ids.user_id, "the site manager confirms or cancels it")
