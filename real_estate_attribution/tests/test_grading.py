from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from .common import T0, AttributionCase


class TestGrading(AttributionCase):
    """A/B/C/D grading, call-back cadence and service levels (GR-1 to GR-5)."""

    def lead(self, **vals):
        result = self.register(**vals)
        return self.env["crm.lead"].browse(result["lead_id"])

    def grade(self, lead, grade, user=None, at=T0):
        with freeze_time(at):
            lead.with_user(user or lead.user_id).write({"grade": grade})

    def callback(self, lead):
        activity_type = self.env.ref("real_estate_attribution.mail_activity_type_callback")
        return lead.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def test_gr1_a_customer_called_back_the_same_day_then_twice_a_week(self):
        """GR-1: A: call back the same day; at least twice a week before launch; within 2 days after."""
        lead = self.lead()
        self.grade(lead, "A")
        self.assertEqual(lead.next_followup_at, T0.replace(hour=15, minute=59, second=59))  # 23:59:59 Shanghai
        self.assertEqual(self.callback(lead).date_deadline, date(2026, 3, 2))
        self.follow_up(lead.id, self.li, T0 + timedelta(hours=3))
        self.assertEqual(lead.next_followup_at, T0 + timedelta(days=3, hours=3))
        self.team.launch_date = date(2026, 3, 1)
        self.follow_up(lead.id, self.li, T0 + timedelta(days=1))
        self.assertEqual(lead.next_followup_at, T0 + timedelta(days=3))
        self.assertEqual(len(self.callback(lead)), 1, "one call-back activity, kept in step")
        self.assertEqual(self.callback(lead).date_deadline, date(2026, 3, 5))

    def test_gr2_b_every_five_days_and_gr3_c_weekly(self):
        """GR-2: B every 3-5 days; GR-3: C at least weekly; the activity follows the grade."""
        lead = self.lead()
        self.follow_up(lead.id, self.li, T0 + timedelta(hours=1))
        self.grade(lead, "B")
        self.assertEqual(lead.next_followup_at, T0 + timedelta(days=5, hours=1))
        self.grade(lead, "C")
        self.assertEqual(lead.next_followup_at, T0 + timedelta(days=7, hours=1))
        self.assertEqual(self.callback(lead).date_deadline, date(2026, 3, 9))
        self.assertIn("Grade C", self.callback(lead).summary)

    def test_grade_changes_are_tracked_in_the_chatter(self):
        lead = self.lead().with_context(tracking_disable=False)
        self.env.flush_all()
        self.env.cr.precommit.clear()  # as after the commit of the registration: tracking starts
        self.grade(lead, "B")
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written before the commit
        lead.invalidate_recordset(["message_ids"])
        tracked = lead.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "grade")
        self.assertTrue(tracked)

    def test_gr3_d_needs_the_follow_up_record_and_the_managers_approval(self):
        """GR-3: a consultant's D becomes a request; without follow-ups it is refused; the manager approves."""
        lead = self.lead()
        self.grade(lead, "C")
        with self.assertRaisesRegex(UserError, "no follow-up on record"):
            self.grade(lead, "D")
        self.follow_up(lead.id, self.li, T0 + timedelta(days=1))
        self.grade(lead, "D")
        self.assertEqual(lead.grade, "C", "the grade waits for the manager")
        request = lead.grade_request_ids
        self.assertEqual((request.state, request.from_grade), ("pending", "C"))
        self.assertTrue(request.activity_ids)
        with self.assertRaises(AccessError):
            request.with_user(self.li).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertEqual(lead.grade, "D")
        self.assertFalse(lead.next_followup_at, "no cadence for D")
        self.assertFalse(self.callback(lead))

    def test_gr3_a_consultant_without_an_email_address_asks_for_d(self):
        """GR-3: the request and the manager's to-do are the system's messages: no mail address is needed,
        neither the consultant's nor the manager's."""
        lead = self.lead()
        self.grade(lead, "C")
        self.follow_up(lead.id, lead.user_id, T0 + timedelta(hours=1))
        (lead.user_id | self.manager).partner_id.email = False
        self.grade(lead, "D")
        request = lead.grade_request_ids
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.activity_ids.create_uid, self.env.ref("base.user_root"), "posted by the system")
        request.with_user(self.manager).action_approve()
        self.assertEqual(lead.grade, "D")

    def test_gr3_no_way_around_the_managers_approval(self):
        """GR-3: neither the approval's context key nor a hand-made request skips the follow-ups or the manager."""
        lead = self.lead()
        self.grade(lead, "C")
        self.follow_up(lead.id, lead.user_id, T0 + timedelta(hours=1))
        with freeze_time(T0 + timedelta(hours=2)):
            lead.with_user(lead.user_id).with_context(grade_approved=True).write({"grade": "D"})
        self.assertEqual(lead.grade, "C")
        self.assertEqual(lead.grade_request_ids.state, "pending")
        unfollowed = self.lead(at=T0 + timedelta(minutes=5), phone="13900002222", customer_name="孙先生")
        Request = self.env["real.estate.grade.request"].with_user(unfollowed.user_id)
        with self.assertRaisesRegex(UserError, "no follow-up on record"):
            Request.create({"lead_id": unfollowed.id})
        with self.assertRaises(AccessError):
            Request.create({"lead_id": lead.id})  # not their customer
        forged = Request.with_user(lead.user_id).create({"lead_id": lead.id, "state": "approved"})
        self.assertEqual(forged.state, "pending")

    def test_gr1_gr2_weekly_review_proposes_downgrades_decided_in_bulk(self):
        """GR-1, GR-2: A and B customers without progress are proposed A→B, B→C; confirmed in bulk."""
        self.make_roster([self.li, self.wang, self.zhang])
        leads = [self.env["crm.lead"].browse(self.walk_in(n)["lead_id"]) for n in range(3)]
        for lead, grade in zip(leads, "ABC", strict=True):
            self.grade(lead, grade)
        leads[0].sudo().date_last_stage_update = T0 - timedelta(days=10)
        leads[1].sudo().date_last_stage_update = T0 - timedelta(days=10)
        leads[2].sudo().date_last_stage_update = T0 - timedelta(days=10)
        with freeze_time(T0 + timedelta(days=1)):
            proposals = self.env["real.estate.grade.review"]._cron_weekly_review()
        self.assertEqual(sorted((p.from_grade, p.to_grade) for p in proposals), [("A", "B"), ("B", "C")])
        with self.assertRaises(AccessError):
            proposals.with_user(self.li).action_confirm()
        a_to_b = proposals.filtered(lambda p: p.from_grade == "A")
        a_to_b.with_user(self.manager).action_confirm()
        (proposals - a_to_b).with_user(self.manager).action_reject()
        self.assertEqual((leads[0].grade, leads[1].grade), ("B", "B"))
        with freeze_time(T0 + timedelta(days=2)):
            self.assertFalse(
                self.env["real.estate.grade.review"]._cron_weekly_review().filtered(lambda p: p.lead_id == leads[2])
            )

    def test_gr4_d_pool_redistributed_round_robin_through_the_engine(self):
        """GR-4: the manager hands the D pool round-robin to other consultants, each move audited."""
        self.make_roster([self.li])
        pool = self.env["crm.lead"]
        for n in range(3):
            lead = self.env["crm.lead"].browse(self.walk_in(n, at=T0 + timedelta(minutes=n))["lead_id"])
            self.follow_up(lead.id, self.li, T0 + timedelta(hours=1))
            lead.with_user(self.manager).write({"grade": "D"})
            pool |= lead
        wizard = (
            self.env["real.estate.redistribute.pool"]
            .with_user(self.manager)
            .create(
                {
                    "team_id": self.team.id,
                    "lead_ids": [(6, 0, pool.ids)],
                    "user_ids": [(6, 0, (self.li | self.wang | self.zhang).ids)],
                }
            )
        )
        with freeze_time(T0 + timedelta(days=2)):
            wizard.action_redistribute()
        owners = pool.mapped("protection_id.holder_user_id")
        self.assertNotIn(self.li, owners, "to other consultants")
        self.assertEqual(set(owners.ids), {self.wang.id, self.zhang.id})
        self.assertEqual(set(pool.mapped("grade")), {"C"})
        logs = pool.ownership_log_ids.filtered(lambda log: log.event == "transfer")
        self.assertEqual(set(logs.mapped("rule")), {"GR-4"})
        self.assertEqual(set(logs.mapped("old_user_id").ids), {self.li.id})

    def test_gr4_only_the_offices_d_customers_move(self):
        """GR-4: a customer that is not D, or a consultant outside the office, sent with the form is ignored."""
        self.make_roster([self.li])
        graded_a = self.lead()
        self.grade(graded_a, "A")
        outsider = self.env["res.users"].create({"name": "Outsider", "login": "re_outsider"})
        wizard = (
            self.env["real.estate.redistribute.pool"]
            .with_user(self.manager)
            .create(
                {
                    "team_id": self.team.id,
                    "lead_ids": [(6, 0, graded_a.ids)],
                    "user_ids": [(6, 0, (self.wang | outsider).ids)],
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Choose the D customers"):
            wizard.action_redistribute()
        self.assertEqual(graded_a.protection_id.holder_user_id, self.li)

    def test_gr5_service_levels_for_new_enquiries(self):
        """GR-5: answer within 24 hours, assess (grade) within 3 days; overdue lists per consultant."""
        answered = self.lead()
        late = self.lead(at=T0 + timedelta(minutes=1), phone="13900001111", customer_name="李四")
        self.follow_up(answered.id, self.li, T0 + timedelta(hours=5))
        self.assertEqual(answered.response_due_at, T0 + timedelta(hours=24))
        Lead = self.env["crm.lead"]
        with freeze_time(T0 + timedelta(days=2)):
            overdue = Lead.search([("team_id", "=", self.team.id), ("response_overdue", "=", True)])
            self.assertEqual(overdue, late)
            self.assertFalse(Lead.search([("team_id", "=", self.team.id), ("assessment_overdue", "=", True)]))
        with freeze_time(T0 + timedelta(days=4)):
            self.assertEqual(
                Lead.search([("team_id", "=", self.team.id), ("assessment_overdue", "=", True)]), answered | late
            )
            groups = Lead._read_group(
                [("team_id", "=", self.team.id), ("response_overdue", "=", True)], ["user_id"], ["__count"]
            )
            self.assertEqual(groups, [(late.user_id, 1)])

    def test_gr5_open_ungraded_customer_followed_up_weekly(self):
        """GR-5: at least weekly follow-up while open, even before grading."""
        lead = self.lead()
        self.follow_up(lead.id, self.li, T0 + timedelta(days=1))
        self.assertEqual(lead.next_followup_at, T0 + timedelta(days=8))

    def test_followup_status_filters(self):
        """Due today and overdue, as the grade board's filters see them."""
        lead = self.lead()
        self.grade(lead, "C")
        Lead = self.env["crm.lead"].with_context(tz="Asia/Shanghai")
        self.li.tz = "Asia/Shanghai"
        with freeze_time(T0 + timedelta(days=7)):
            self.assertIn(lead, Lead.with_user(self.li).search([("followup_status", "=", "today")]))
        with freeze_time(T0 + timedelta(days=9)):
            self.assertIn(lead, Lead.with_user(self.li).search([("followup_status", "=", "overdue")]))
