"""The daily tasks of the Sales Office app, each clicked through in the browser by the role that does it.

Each test prepares in Python, through the addons' own API, the data its tour needs, runs the tour as
the demo user of the role (password = login), then checks that the database holds what the screens
said. The tours are in ``static/tests/tours/daily_*_tour.js``; they use the demo office 滨江壹号.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class DailyTourCase(HttpCase):
    """The demo office and its people."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.team = ref("real_estate_attribution.team_binjiang")
        cls.lina = ref("real_estate_attribution.user_consultant_li")
        cls.wang = ref("real_estate_attribution.user_consultant_wang")
        cls.zhang = ref("real_estate_attribution.user_consultant_zhang")
        cls.sunli = ref("real_estate_attribution.user_leader_sun")
        cls.zhaomin = ref("real_estate_attribution.user_manager_zhao")
        cls.Visit = cls.env["real.estate.visit"]
        cls.Lead = cls.env["crm.lead"]

    def _register(self, name, phone, **vals):
        """A visit registered through the API (``real.estate.visit.register``), as the office's system."""
        result = self.Visit.register(dict({"team_id": self.team.id, "customer_name": name, "phone": phone}, **vals))
        return self.Lead.browse(result["lead_id"])

    def _next_up(self):
        """Who the reception desk shows as next up in today's rotation."""
        return self.env["real.estate.receive.visitor"].new({"team_id": self.team.id}).preview_receiver_id

    def _make_next_up(self, user):
        """Walk-ins received through the API until ``user``'s turn comes (RO-1)."""
        for n in range(len(self.team.member_ids) + 1):
            if self._next_up() == user:
                return
            self._register("轮排客户%s" % n, "1370000%04d" % (n + 1))
        self.assertEqual(self._next_up(), user, "the rotation never reached %s" % user.name)

    def _customer(self, name):
        lead = self.Lead.search([("team_id", "=", self.team.id), ("name", "=", name)])
        self.assertEqual(len(lead), 1, "one customer %s" % name)
        return lead


class TestReceptionTour(DailyTourCase):
    """Daily task 1: the consultant receives a new visitor and a returning one (RO-1, RO-3, PR-5)."""

    def _check_received(self, name, heard_from="朋友介绍"):
        self.env.invalidate_all()
        lead = self._customer(name)
        self.assertEqual(lead.user_id, self.lina, "RO-1: the consultant next up owns the new customer")
        self.assertEqual(lead.owner_user_id, self.lina)
        visits = lead.visit_ids.sorted("id")
        self.assertEqual(len(visits), 2, "two receptions of one mobile number are one customer (ID-1)")
        self.assertEqual(visits.mapped("rule"), ["RO-1", "RO-3"])
        self.assertEqual(visits.mapped("consultant_id"), self.lina)
        self.assertEqual(visits.mapped("owner_user_id"), self.lina, "RO-3: the owner is unchanged")
        self.assertFalse(any(visits.mapped("is_helper")))
        self.assertTrue(all(visits.mapped("questions_asked")), "PR-5: the three questions were asked")
        self.assertEqual(visits[0].answer_first_visit, "yes")
        self.assertEqual(visits.mapped("answer_heard_from"), [heard_from, heard_from])
        protection = lead.protection_ids
        self.assertEqual(len(protection), 1, "the return renews the protection, it opens no second one")
        self.assertEqual(protection, lead.protection_id)
        self.assertEqual((protection.holder_user_id, protection.state, protection.rule), (self.lina, "active", "RO-1"))
        self.assertEqual(protection.kind, "visit")
        self.assertEqual(protection.last_contact, visits[1].visit_at, "PR-1: the return restarts the window")
        # no follow-up yet: the protection lapses 30 days after the last contact (PR-2)
        self.assertEqual(protection.end_rule, "PR-2")
        self.assertEqual(protection.end, protection.last_contact + timedelta(days=self.team.followup_lapse_days))
        self.assertEqual(lead.protection_end, protection.end)
        self.assertEqual(lead.ownership_log_ids.sorted("id").mapped("event"), ["assign", "renew"])
        return lead

    def test_receive_new_then_returning_visitor(self):
        """RO-1, RO-3: lina receives a walk-in in her turn, then the same mobile again: she keeps it."""
        self._make_next_up(self.lina)
        self.start_tour("/odoo", "real_estate_daily_receive_visitor", login="lina")
        lead = self._check_received("林小雨")
        self.assertEqual(lead.customer_mobile, "+8613500007788")

    def test_receive_in_chinese(self):
        """The reception tour again, with lina working in 简体中文: same clicks, same result."""
        self.assertTrue(self.env["res.lang"]._lang_get("zh_CN"), "zh_CN is loaded in the test database")
        self.lina.lang = "zh_CN"
        self._make_next_up(self.lina)
        self.start_tour("/odoo", "real_estate_daily_receive_visitor_zh", login="lina")
        self._check_received("欧阳明")

    def test_sales_office_sections_in_chinese(self):
        """The navbar sections of the Sales Office app are translated for a consultant working in 简体中文."""
        self.lina.lang = "zh_CN"
        self.start_tour("/odoo", "real_estate_daily_menus_zh", login="lina")


class TestFollowupTour(DailyTourCase):
    """Daily task 2: the consultant logs a follow-up; the protection restarts from it (PR-1, PR-2)."""

    def test_log_followup_restarts_protection(self):
        admin = self.env.ref("base.user_admin")  # the import group may date a registration (at)
        ten_days_ago = fields.Datetime.now() - timedelta(days=10)
        result = self.Visit.with_user(admin).register(
            {
                "team_id": self.team.id,
                "customer_name": "柳如烟",
                "phone": "135 0000 6611",
                "consultant_id": self.lina.id,
                "at": fields.Datetime.to_string(ten_days_ago),
            }
        )
        lead = self.Lead.browse(result["lead_id"])
        protection = lead.protection_id
        self.assertEqual((protection.holder_user_id, protection.end_rule), (self.lina, "PR-2"))
        end_before = protection.end
        self.assertEqual(end_before, protection.start + timedelta(days=self.team.followup_lapse_days))

        before = fields.Datetime.now().replace(microsecond=0)
        self.start_tour("/odoo", "real_estate_daily_log_followup", login="lina")
        self.env.invalidate_all()

        followup = lead.followup_ids
        self.assertEqual(len(followup), 1)
        self.assertEqual((followup.user_id, followup.kind), (self.lina, "meeting"))
        self.assertEqual(followup.note, "电话回访：客户周末带家人再来看样板间")
        self.assertGreaterEqual(followup.at, before, "the follow-up is dated when it was logged, not typed")
        self.assertEqual(followup.protection_id, protection, "PR-1: the holder's follow-up restarts the protection")
        self.assertEqual(lead.protection_id, protection)
        self.assertEqual(protection.state, "active")
        self.assertEqual(protection.last_followup, followup.at)
        self.assertEqual(protection.end_rule, "PR-1")
        self.assertEqual(protection.end, followup.at + timedelta(days=self.team.visit_protection_days))
        self.assertGreater(protection.end, end_before, "the protection end moved")
        self.assertEqual(lead.protection_end, protection.end)
        self.assertEqual(lead.user_id, self.lina)
        self.assertEqual(lead.ownership_log_ids.sorted("id").mapped("event"), ["assign", "renew"])
        self.assertEqual(lead.ownership_log_ids.sorted("id")[-1].rule, "PR-1")


class TestOfficeRulesTour(DailyTourCase):
    """Daily task 3: the site manager edits the office's rule parameters (tab Sales Office Rules)."""

    def test_site_manager_changes_visit_protection_days(self):
        self.assertEqual(self.team.visit_protection_days, 60)
        lead = self._register("顾晓峰", "135 0000 6622", consultant_id=self.lina.id)
        self.env["real.estate.ownership.engine"].register_followup(lead, self.lina, fields.Datetime.now())
        protection = lead.protection_id
        self.assertEqual(protection.end_rule, "PR-1")
        self.start_tour("/odoo", "real_estate_daily_office_rules", login="zhaomin")
        self.env.invalidate_all()
        self.assertEqual(self.team.visit_protection_days, 45)
        self.assertEqual(self.team.write_uid, self.zhaomin)
        # PR-1: the office's active protections follow the new length
        self.assertEqual(protection.end, protection.last_followup + timedelta(days=45))


class TestDisputeTour(DailyTourCase):
    """Daily task 4: a claim filed by a consultant, escalated by a team leader, upheld by the site manager."""

    STATEMENT = "客户上周由我在售楼处接待并留了电话，本周再来时被李娜接待。"

    def _lina_customer(self):
        lead = self._register("沈佳怡", "135 0000 6633", consultant_id=self.lina.id)
        self.assertEqual(lead.owner_user_id, self.lina)
        return lead

    def _check_submitted(self, dispute):
        self.assertEqual((dispute.claimant_user_id, dispute.owner_before_id), (self.wang, self.lina))
        self.assertEqual((dispute.kind, dispute.state), ("first_received", "team_leader"))
        self.assertEqual(dispute.statement, self.STATEMENT)
        self.assertIn(self.sunli, dispute.activity_ids.user_id, "DI-1: the team leader is asked to decide")

    def test_consultant_files_and_submits_claim(self):
        """DI-1: 王强 files a claim on a customer of 李娜 from Decisions → Disputes → New, and submits it."""
        lead = self._lina_customer()
        self.start_tour("/odoo", "real_estate_daily_dispute_claim", login="wangqiang")
        self.env.invalidate_all()
        dispute = self.env["real.estate.dispute"].search([("lead_id", "=", lead.id)])
        self.assertEqual(len(dispute), 1)
        self._check_submitted(dispute)
        self.assertEqual(lead.owner_user_id, self.lina, "a claim decides nothing")

    def test_team_leader_escalates_site_manager_upholds(self):
        """DI-1, DI-3: 孙丽 escalates 王强's claim; 赵敏 upholds it: 王强 owns the customer.

        The claim is filed through the model, as 王强 (the form's own path is the test above)."""
        lead = self._lina_customer()
        lina_protection = lead.protection_id
        dispute = (
            self.env["real.estate.dispute"]
            .with_user(self.wang)
            .create(
                {"team_id": self.team.id, "lead_id": lead.id, "kind": "first_received", "statement": self.STATEMENT}
            )
        )
        dispute.action_submit()
        self._check_submitted(dispute)

        self.start_tour("/odoo", "real_estate_daily_dispute_escalate", login="sunli")
        self.env.invalidate_all()
        self.assertEqual(dispute.state, "manager")
        self.assertIn(self.zhaomin, dispute.activity_ids.user_id, "DI-1: the site manager is asked next")
        self.assertEqual(lead.owner_user_id, self.lina, "escalating decides nothing")

        self.start_tour("/odoo", "real_estate_daily_dispute_uphold", login="zhaomin")
        self.env.invalidate_all()
        self.assertEqual((dispute.state, dispute.outcome), ("decided", "upheld"))
        self.assertEqual(dispute.decided_by, self.zhaomin)
        self.assertEqual(dispute.decision_note, "监控与来访登记核实，王强首次接待在先")
        self.assertFalse(dispute.activity_ids)

        self.assertEqual(lead.owner_user_id, self.wang, "the customer changed owner")
        self.assertEqual(lead.user_id, self.wang)
        new_protection = lead.protection_id
        self.assertNotEqual(new_protection, lina_protection)
        self.assertEqual((new_protection.holder_user_id, new_protection.origin), (self.wang, "dispute"))
        self.assertEqual((lina_protection.state, new_protection.state), ("released", "active"))
        self.assertEqual(lead.attribution_rule, "DI-1")
        explanation = lead.with_context(lang="en_US").attribution_explanation
        self.assertIn("by a dispute decision (DI-1)", explanation)
        self.assertIn("监控与来访登记核实", explanation)
        self.assertNotIn("registered by visit", explanation)
        transfer = lead.ownership_log_ids.filtered(lambda log: log.event == "transfer")
        self.assertEqual(len(transfer), 1)
        self.assertEqual((transfer.old_user_id, transfer.new_user_id, transfer.rule), (self.lina, self.wang, "DI-1"))
        self.assertEqual(transfer.author_id, self.zhaomin)


class TestGradeTour(DailyTourCase):
    """Daily task 5: grade D asked on the Grade Board, approved and redistributed by the manager (GR-3, GR-4)."""

    # the board's five columns (no grade, A to D) side by side, as on an office desktop screen
    browser_size = "1920x1080"

    def test_grade_d_request_approve_redistribute(self):
        lead = self._register("韦思琪", "135 0000 6644", consultant_id=self.lina.id)
        lead.with_user(self.lina).log_followup(note="客户说暂时不考虑", kind="call")
        lead.with_user(self.lina).write({"grade": "C"})
        self.assertEqual((lead.grade, lead.followup_count, lead.grade_d_pending), ("C", 1, False))

        self.start_tour("/odoo", "real_estate_daily_grade_d_request", login="lina")
        self.env.invalidate_all()
        request = lead.grade_request_ids
        self.assertEqual(len(request), 1, "GR-3: the drop into D is a request to the manager")
        self.assertEqual((request.state, request.requested_by, request.from_grade), ("pending", self.lina, "C"))
        self.assertEqual(lead.grade, "C", "GR-3: the grade waits for the manager")
        self.assertTrue(lead.grade_d_pending)

        self.start_tour("/odoo", "real_estate_daily_grade_d_approve", login="zhaomin")
        self.env.invalidate_all()
        self.assertEqual((request.state, request.decided_by), ("approved", self.zhaomin))
        self.assertEqual(lead.grade, "D")
        self.assertEqual(lead.owner_user_id, self.lina, "approving D changes the grade, not the owner")

        self.start_tour("/odoo", "real_estate_daily_redistribute_pool", login="zhaomin")
        self.env.invalidate_all()
        self.assertEqual(lead.grade, "C", "GR-4: the redistributed customer is graded C again for another try")
        self.assertEqual(lead.owner_user_id, self.zhang, "GR-4: the only consultant chosen takes the D customer")
        self.assertEqual(lead.user_id, self.zhang)
        self.assertEqual(lead.protection_id.holder_user_id, self.zhang)
        self.assertEqual(lead.protection_id.origin, "redistribution")
        transfer = lead.ownership_log_ids.filtered(lambda log: log.event == "transfer")
        self.assertEqual((transfer.rule, transfer.old_user_id, transfer.new_user_id), ("GR-4", self.lina, self.zhang))
        self.assertEqual(transfer.author_id, self.zhaomin)
        self.assertIn("GR-4", lead.with_context(lang="en_US").attribution_explanation)
        self.assertFalse(
            self.Lead.search_count(
                [("team_id", "=", self.team.id), ("grade", "=", "D"), ("stage_id.is_won", "=", False)]
            ),
            "the whole D pool of the office was redistributed",
        )


class TestUnitDealTour(DailyTourCase):
    """Daily task: a hold, its confirmation on the 销控表, the deposit and the signing (UC-2 to UC-5)."""

    def test_consultant_requests_sales_manager_confirms_and_signs(self):
        qianxiao = self.env.ref("real_estate_attribution.user_sales_manager_qian")
        building = self.env["real.estate.building"].create({"name": "验收楼", "team_id": self.team.id})
        unit = self.env["real.estate.unit"].create(
            {"building_id": building.id, "number": "101", "floor": 1, "area": 118, "list_price": 2_400_000}
        )
        self.env["real.estate.unit"].create({"building_id": building.id, "number": "102", "floor": 1, "position": 2})
        admin = self.env.ref("base.user_admin")  # the reception desk names the receiving consultant
        lead = self.Lead.browse(
            self.Visit.with_user(admin).register(
                {
                    "team_id": self.team.id,
                    "customer_name": "苏青",
                    "phone": "135 0000 7722",
                    "consultant_id": self.lina.id,
                }
            )["lead_id"]
        )

        self.start_tour("/odoo", "real_estate_daily_unit_request_hold", login="lina")
        self.env.invalidate_all()
        reservation = unit.reservation_id
        self.assertEqual(
            (reservation.state, reservation.lead_id, reservation.requested_by), ("requested", lead, self.lina)
        )
        self.assertEqual(unit.state, "available", "UC-2: only the sales manager holds the unit")

        self.start_tour("/odoo", "real_estate_daily_unit_confirm_and_sign", login="qianxiao")
        self.env.invalidate_all()
        self.assertEqual(
            (reservation.state, reservation.handed_over, reservation.confirmed_by), ("subscribed", "money", qianxiao)
        )
        deal = unit.subscription_id
        self.assertEqual(
            (deal.state, deal.amount, deal.payment_ref, deal.recorded_by), ("signed", 50_000, "POS-20261202", qianxiao)
        )
        self.assertEqual((unit.state, unit.lead_id), ("signed", lead))
        self.assertTrue(lead.stage_id.is_won, "UC-5: the signing wins the deal")
        self.assertEqual(lead.deal_amount, 2_380_000, "CC-1: the deal rests on the contract amount")
        self.assertEqual([(s.user_id, s.percent) for s in lead.share_ids], [(self.lina, 100.0)])
