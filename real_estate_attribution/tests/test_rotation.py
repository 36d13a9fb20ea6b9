from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import T0, AttributionCase


class TestRotation(AttributionCase):
    """Reception rotation, rules RO-1 to RO-6."""

    def owners(self, results):
        return [result["owner_user_id"] for result in results]

    def test_ro1_first_time_walk_ins_follow_the_rotation(self):
        """RO-1: each first-time walk-in goes to the consultant whose turn it is and becomes theirs."""
        self.make_roster([self.li, self.wang, self.zhang])
        results = [self.walk_in(n, at=T0 + timedelta(minutes=n)) for n in range(4)]
        self.assertEqual(self.owners(results), [self.li.id, self.wang.id, self.zhang.id, self.li.id])
        self.assertEqual({r["rule"] for r in results}, {"RO-1"})
        lead = self.env["crm.lead"].browse(results[1]["lead_id"])
        self.assertEqual(lead.protection_id.holder_user_id, self.wang)
        self.assertEqual(lead.user_id, self.wang)
        turns = self.roster().turn_ids.filtered(lambda t: t.event == "turn")
        self.assertEqual(len(turns), 4)

    def test_pr7_ro1_calls_in_the_visit_rotation_or_a_rotation_of_their_own(self):
        """PR-7, RO-1: calls are answered in rotation: by default they take the visits' turns; with a call rotation
        of their own, calls and visits each follow their own turns and make-up turns."""
        self.make_roster([self.li, self.wang, self.zhang])
        shared = [
            self.walk_in(1, at=T0),
            self.walk_in(2, at=T0 + timedelta(minutes=1), kind="call"),
            self.walk_in(3, at=T0 + timedelta(minutes=2)),
        ]
        self.assertEqual(self.owners(shared), [self.li.id, self.wang.id, self.zhang.id])

        self.team.call_rotation = "separate"
        at = T0 + timedelta(days=1)
        self.make_roster([self.li, self.wang, self.zhang], at=at)
        self.set_status(self.li, "with_customer", at=at)
        calls = [self.walk_in(10 + n, at=at + timedelta(minutes=n), kind="call") for n in range(2)]
        self.assertEqual(self.owners(calls), [self.wang.id, self.zhang.id], "li was busy: skipped, owed a call")
        self.set_status(self.li, "available", at=at)
        roster = self.roster(at)
        li_line = roster.line_ids.filtered(lambda line: line.user_id == self.li)
        self.assertEqual((li_line.makeup_owed, li_line.call_makeup_owed), (0, 1))
        self.assertEqual((roster.next_user_id, roster.next_call_user_id), (self.li, self.li))
        visits = [self.walk_in(20 + n, at=at + timedelta(minutes=10 + n)) for n in range(2)]
        self.assertEqual(self.owners(visits), [self.li.id, self.wang.id], "the visit rotation did not move")
        call = self.walk_in(30, at=at + timedelta(minutes=20), kind="call")
        self.assertEqual(call["owner_user_id"], self.li.id, "the make-up call")
        self.assertEqual(li_line.call_makeup_owed, 0)

    def test_ro2_consultants_set_only_their_own_status(self):
        """RO-1, RO-2: a consultant says whether they are free; turns, order and absences are the manager's."""
        self.make_roster([self.li, self.wang])
        li_line, wang_line = self.roster()._ordered_lines()
        li_line.with_user(self.li).action_with_customer()
        self.assertEqual(li_line.status, "with_customer")
        for line, vals in (
            (li_line, {"makeup_owed": 5}),
            (li_line, {"sequence": 0}),
            (li_line, {"status": "absent"}),
            (wang_line, {"status": "with_customer"}),
        ):
            with self.assertRaises(AccessError):
                line.with_user(self.li).write(vals)
        wang_line.with_user(self.manager).action_absent()
        self.assertEqual(wang_line.status, "absent")
        self.assertEqual(li_line.makeup_owed, 0)

    def test_ro1_roster_created_from_office_members(self):
        """RO-1: without a roster for the day, one is made from the office's consultants."""
        result = self.walk_in(1)
        roster = self.roster()
        self.assertEqual(set(roster.line_ids.user_id.ids), {u.id for u in self.consultants})
        self.assertEqual(result["owner_user_id"], roster._ordered_lines()[0].user_id.id)

    def test_ro1_next_day_starts_where_the_rotation_stopped(self):
        """RO-1: a new day's roster starts with the consultant whose turn was next, so turns stay fair."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1)  # li; wang is next
        tomorrow = self.walk_in(2, at=T0 + timedelta(days=1))
        self.assertEqual(tomorrow["owner_user_id"], self.wang.id)

    def test_ro2_busy_consultant_is_skipped_and_owed_a_makeup_turn(self):
        """RO-2: busy with a customer or on assigned work: skipped, then served first when free."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1, at=T0)
        self.set_status(self.wang, "with_customer")
        second = self.walk_in(2, at=T0 + timedelta(minutes=5))
        wang_line = self.set_status(self.wang, "available")
        self.assertEqual(wang_line.makeup_owed, 1)
        third = self.walk_in(3, at=T0 + timedelta(minutes=10))
        fourth = self.walk_in(4, at=T0 + timedelta(minutes=15))
        fifth = self.walk_in(5, at=T0 + timedelta(minutes=20))
        self.assertEqual(
            self.owners([first, second, third, fourth, fifth]),
            [self.li.id, self.zhang.id, self.wang.id, self.li.id, self.wang.id],
        )
        self.assertEqual(wang_line.makeup_owed, 0)
        events = self.roster().turn_ids.filtered(lambda t: t.user_id == self.wang).mapped("event")
        self.assertEqual(sorted(events), ["makeup", "skipped", "turn"])

    def test_ro2_assigned_work_also_owes_makeup(self):
        """RO-2: away on assigned work is skipped like busy."""
        self.make_roster([self.li, self.wang])
        self.set_status(self.li, "assigned_work")
        self.assertEqual(self.walk_in(1)["owner_user_id"], self.wang.id)
        self.assertEqual(self.set_status(self.li, "available").makeup_owed, 1)

    def test_ro2_absent_without_reason_loses_the_turn(self):
        """RO-2: a consultant absent without reason loses the turn: no make-up."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1, at=T0)
        self.set_status(self.wang, "absent")
        second = self.walk_in(2, at=T0 + timedelta(minutes=5))
        wang_line = self.set_status(self.wang, "available")
        third = self.walk_in(3, at=T0 + timedelta(minutes=10))
        self.assertEqual(self.owners([second, third]), [self.zhang.id, self.li.id])
        self.assertEqual(wang_line.makeup_owed, 0)
        lost = self.roster().turn_ids.filtered(lambda t: t.event == "lost")
        self.assertEqual(lost.user_id, self.wang)

    def test_ro2_absence_owes_makeup_when_the_office_says_so(self):
        """RO-2 setting: with ``absent_loses_turn`` off an absence is owed like a busy turn."""
        self.team.absent_loses_turn = False
        self.make_roster([self.li, self.wang])
        self.set_status(self.li, "absent")
        self.walk_in(1)
        self.assertEqual(self.set_status(self.li, "available").makeup_owed, 1)

    def test_ro2_nobody_available_is_a_clear_error(self):
        """RO-2: when every consultant is away the reception says so instead of guessing."""
        self.make_roster([self.li])
        self.set_status(self.li, "absent")
        visits = self.Visit.search_count([])
        with self.assertRaisesRegex(UserError, "Nobody is available"):
            self.walk_in(1)
        self.assertEqual(self.Visit.search_count([]), visits)

    def test_ro3_returning_customer_goes_to_the_registered_consultant(self):
        """RO-3: a returning customer is received by their registered consultant; no turn used."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1, at=T0)
        again = self.walk_in(1, at=T0 + timedelta(hours=2))
        self.assertEqual(again["owner_user_id"], self.li.id)
        self.assertEqual(again["rule"], "RO-3")
        self.assertEqual(again["lead_id"], first["lead_id"])
        # wang is still next: the returning customer consumed no turn
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(hours=3))["owner_user_id"], self.wang.id)

    def test_ro3_owner_absent_last_in_rotation_helps_and_credit_stays(self):
        """RO-3: owner absent: the last consultant in the rotation helps, no turn, credit to the owner."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1, at=T0)  # li; next up is wang, last in rotation is li then zhang
        self.set_status(self.li, "off")
        again = self.walk_in(1, at=T0 + timedelta(hours=1))
        visit = self.Visit.browse(again["visit_id"])
        self.assertEqual(again["owner_user_id"], self.li.id)
        self.assertTrue(visit.is_helper)
        self.assertEqual(visit.consultant_id, self.zhang)
        self.assertEqual(again["rule"], "RO-3")
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(lead.protection_id.holder_user_id, self.li)
        helper = self.roster().turn_ids.filtered(lambda t: t.event == "helper")
        self.assertEqual(helper.user_id, self.zhang)
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(hours=2))["owner_user_id"], self.wang.id)

    def test_ro4_named_consultant_receives_without_using_a_turn(self):
        """RO-4: a first-time visitor naming a consultant goes to them; not counted as their turn."""
        self.make_roster([self.li, self.wang, self.zhang])
        named = self.walk_in(1, designated_user_id=self.zhang.id)
        self.assertEqual(named["owner_user_id"], self.zhang.id)
        self.assertEqual(named["rule"], "RO-4")
        nxt = [self.walk_in(n, at=T0 + timedelta(minutes=n)) for n in (2, 3, 4)]
        self.assertEqual(self.owners(nxt), [self.li.id, self.wang.id, self.zhang.id])

    def test_ro4_designation_counts_as_turn_when_the_office_says_so(self):
        """RO-4 setting: ``designation_counts_as_turn`` makes the named consultant's turn pass."""
        self.team.designation_counts_as_turn = True
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1, designated_user_id=self.wang.id)
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(minutes=1))["owner_user_id"], self.zhang.id)

    def test_ro7_an_old_customer_bringing_a_new_one_counts_as_a_reception(self):
        """RO-7: receiving an old customer who brings a new one consumes the receiver's turn."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1)  # li's; wang is next
        self.walk_in(2, at=T0 + timedelta(minutes=1))  # wang's; zhang is next
        brought = self.walk_in(9, at=T0 + timedelta(minutes=10), referrer_phone="13900000001")
        self.assertEqual((brought["owner_user_id"], brought["rule"]), (self.li.id, "CS-13"))
        turn = self.env["real.estate.rotation.turn"].search([("visit_id", "=", brought["visit_id"])])
        self.assertEqual((turn.user_id, turn.rule), (self.li, "RO-7"))
        self.assertEqual(self.walk_in(3, at=T0 + timedelta(minutes=11))["owner_user_id"], self.wang.id)

    def test_ro8_a_customer_who_refuses_their_consultant_is_received_anew(self):
        """RO-8: a customer who firmly refuses their consultant is re-assigned by the manager from the rotation as
        a new customer; the original consultant loses every right to them and is owed a priority turn."""
        self.make_roster([self.li, self.wang, self.zhang])
        first = self.walk_in(1)  # li's; wang is next
        with self.assertRaises(AccessError):
            self.walk_in(1, at=T0 + timedelta(hours=1), refuses_consultant=True)
        again = self.register(
            at=T0 + timedelta(hours=1),
            user=self.manager,
            customer_name="客户1",
            phone="13900000001",
            refuses_consultant=True,
            refuse_reason="客户坚决拒绝原顾问",
        )
        self.assertEqual(
            (again["lead_id"], again["owner_user_id"], again["rule"]), (first["lead_id"], self.wang.id, "RO-8")
        )
        lead = self.env["crm.lead"].browse(first["lead_id"])
        released = lead.protection_ids.filtered(lambda p: p.holder_user_id == self.li)
        self.assertEqual((released.state, released.release_reason), ("released", "客户坚决拒绝原顾问"))
        self.assertEqual(lead.protection_id.holder_user_id, self.wang)
        self.assertEqual(self.roster().line_ids.filtered(lambda line: line.user_id == self.li).makeup_owed, 1)
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(hours=2))["owner_user_id"], self.li.id, "priority turn")
        self.assertEqual(self.attribution(lead.id, T0 + timedelta(days=1))["owner_user_id"], self.wang.id)

    def test_ro9_several_named_the_first_present_receives(self):
        """RO-9: several consultants named and none holding a valid registration: the first named consultant
        who is present receives, without using a turn."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.set_status(self.wang, "off")
        named = self.walk_in(1, named_user_ids=[self.wang.id, self.zhang.id, self.li.id])
        self.assertEqual((named["owner_user_id"], named["rule"]), (self.zhang.id, "RO-9"))
        self.assertIn("RO-9", named["explanation"])
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(minutes=1))["owner_user_id"], self.li.id, "no turn used")
        held = self.walk_in(2, at=T0 + timedelta(minutes=2), named_user_ids=[self.zhang.id])
        self.assertEqual(held["owner_user_id"], self.li.id, "a valid registration decides (RO-3)")
        with self.assertRaisesRegex(ValidationError, "list of user ids"):
            self.walk_in(3, named_user_ids=self.zhang.id)

    def test_ro5_consultant_with_old_customer_misses_walk_ins_and_makes_up(self):
        """RO-5: while an old customer is on site the consultant takes no walk-ins; the turn is made up."""
        self.make_roster([self.li, self.wang])
        self.walk_in(1, at=T0)  # li's customer; wang is next
        self.walk_in(2, at=T0 + timedelta(minutes=1))  # wang; li is next
        self.walk_in(1, at=T0 + timedelta(minutes=10))  # li's old customer is back
        during = self.walk_in(3, at=T0 + timedelta(minutes=20))
        self.assertEqual(during["owner_user_id"], self.wang.id)
        li_line = self.roster().line_ids.filtered(lambda line: line.user_id == self.li)
        self.assertEqual(li_line.makeup_owed, 1)
        self.assertEqual(self.roster().turn_ids.filtered(lambda t: t.event == "skipped").rule, "RO-5")
        after = self.walk_in(4, at=T0 + timedelta(minutes=10 + self.team.old_customer_minutes + 1))
        self.assertEqual(after["owner_user_id"], self.li.id)
        self.assertEqual(li_line.makeup_owed, 0)

    def test_ro6_deposit_or_signing_visit_uses_no_turn_and_credits_the_owner(self):
        """RO-6: a customer who only pays a deposit or signs is helped without a turn; credit stays."""
        self.make_roster([self.li, self.wang, self.zhang])
        self.walk_in(1, at=T0)  # li
        self.set_status(self.li, "off")
        deposit = self.walk_in(1, at=T0 + timedelta(hours=1), purpose="deposit_sign")
        visit = self.Visit.browse(deposit["visit_id"])
        self.assertEqual(deposit["rule"], "RO-6")
        self.assertEqual(deposit["owner_user_id"], self.li.id)
        self.assertTrue(visit.is_helper)
        self.assertNotEqual(visit.consultant_id, self.li)
        self.assertEqual(self.walk_in(2, at=T0 + timedelta(hours=2))["owner_user_id"], self.wang.id)

    def _deposit_then_walk_in(self):
        self.make_roster([self.li], at=T0 - timedelta(days=1))
        self.walk_in(1, at=T0 - timedelta(days=1))  # li's customer, registered the day before
        self.make_roster([self.li, self.wang, self.zhang])  # today li is first up
        deposit = self.walk_in(1, at=T0, purpose="deposit_sign")
        self.assertEqual(self.Visit.browse(deposit["visit_id"]).consultant_id, self.li)
        return self.walk_in(2, at=T0 + timedelta(hours=1))["owner_user_id"]

    def test_ro6_service_visit_keeps_the_turn(self):
        """RO-6: helping a deposit customer leaves the helper first up for the next walk-in."""
        self.assertEqual(self._deposit_then_walk_in(), self.li.id)

    def test_ro6_service_visit_consumes_a_turn_when_the_office_says_so(self):
        """RO-6 setting: with ``service_visit_consumes_turn`` the helper's turn passes."""
        self.team.service_visit_consumes_turn = True
        self.assertEqual(self._deposit_then_walk_in(), self.wang.id)
        turns = self.roster().turn_ids.filtered(lambda t: t.rule == "RO-6")
        self.assertEqual((turns.event, turns.user_id), ("turn", self.li))
