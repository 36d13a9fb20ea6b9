import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from .common import T0
from .test_splits import SplitCase


class TestDisputes(SplitCase):
    """Ownership disputes: escalation, who decides, what a decision changes (DI-1 to DI-3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env, "re_leader", groups="real_estate_attribution.group_team_leader", name="Leader Sun"
        )
        cls.director = new_test_user(
            cls.env, "re_director", groups="real_estate_attribution.group_director", name="Director Qian"
        )

    def decide(self, dispute, approver, outcome, note="核实属实：有来访登记与通话记录为证"):
        """DI-2: the approver writes why, then decides with the button."""
        dispute = dispute.with_user(approver)
        dispute.write({"decision_note": note})
        return getattr(dispute, "action_" + outcome)()

    def claim(self, lead_id, user=None, **vals):
        values = {
            "team_id": self.team.id,
            "lead_id": lead_id,
            "kind": "first_received",
            "statement": "我先接待的客户，有来访登记为证",
        }
        values.update(vals)
        dispute = self.env["real.estate.dispute"].with_user(user or self.wang).create(values)
        dispute.action_submit()
        return dispute

    def test_di1_escalation_step_by_step_with_activities(self):
        """DI-1: team leader → manager → director, each step schedules an activity for its approvers."""
        dispute = self.claim(self.register()["lead_id"])
        self.assertEqual(dispute.state, "team_leader")
        self.assertIn(self.leader, dispute.activity_ids.user_id)
        dispute.with_user(self.leader).action_escalate()
        self.assertEqual(dispute.state, "manager")
        self.assertIn(self.manager, dispute.activity_ids.user_id)
        self.assertNotIn(self.leader, dispute.activity_ids.user_id)
        with self.assertRaises(AccessError):
            dispute.with_user(self.leader).action_uphold()  # not the manager's group
        dispute.with_user(self.manager).action_escalate()
        self.assertEqual(dispute.state, "director")
        self.assertEqual(dispute.activity_ids.user_id & (self.leader | self.manager), self.env["res.users"])

    def test_di1_unresolved_at_the_top_is_forfeited_to_the_house(self):
        """DI-1: unresolved at the top, credit and commission are forfeited to the house."""
        first = self.register()
        lead = self.win(first["lead_id"])
        dispute = self.claim(lead.id)
        dispute.with_user(self.leader).action_escalate()
        dispute.with_user(self.manager).action_escalate()
        with self.assertRaises(UserError):
            dispute.with_user(self.director).action_escalate()
        self.decide(dispute, self.director, "forfeit")
        self.assertEqual((dispute.state, dispute.outcome), ("decided", "forfeited"))
        self.assertEqual(self.shares(lead), [("public", 100.0, "DI-1")])

    def test_di3_claimants_never_decide(self):
        """DI-3: a claimant who is also a manager cannot decide their own claim; consultants cannot decide."""
        lead_id = self.register()["lead_id"]
        self.manager.crm_team_ids = self.team  # the manager is also on the team
        dispute = self.claim(lead_id, user=self.manager)
        dispute.with_user(self.leader).action_escalate()
        with self.assertRaisesRegex(AccessError, "never decide their own"):
            dispute.with_user(self.manager).action_uphold()
        with self.assertRaises(AccessError):
            dispute.with_user(self.zhang).action_reject()
        with self.assertRaises(AccessError):
            dispute.with_user(self.manager).write({"state": "decided", "outcome": "upheld"})

    def test_di3_a_team_leader_who_holds_the_customer_never_decides_and_the_step_passes_up(self):
        """DI-3: the customer's holder cannot decide at any step, even as team leader or manager; the
        decision goes to the next approvers, who are not parties."""
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.leader.id})
        self.make_roster([self.leader, self.li, self.wang])
        lead_id = self.register(user=self.leader)["lead_id"]  # the leader received it (rotation)
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertEqual(lead.user_id, self.leader)
        dispute = self.claim(lead_id)
        self.assertEqual(dispute.state, "team_leader")
        approvers = dispute.activity_ids.user_id
        self.assertTrue(approvers)
        self.assertNotIn(self.leader, approvers, "the holder is not asked to decide")
        self.assertFalse(approvers & (self.wang | self.leader), "only approvers who are not parties are asked")
        self.assertFalse(dispute.with_user(self.leader).can_act)
        with self.assertRaisesRegex(AccessError, "DI-3"):
            self.decide(dispute, self.leader, "reject")
        with self.assertRaisesRegex(AccessError, "never decide their own"):
            dispute.with_user(self.leader).action_escalate()
        self.decide(dispute, self.manager, "reject")
        self.assertEqual((dispute.state, dispute.outcome, dispute.decided_by), ("decided", "rejected", self.manager))

    def test_di1_upheld_claim_transfers_ownership_with_audit_and_message(self):
        """DI-1: an upheld claim moves the customer through the engine, audited, every party told."""
        first = self.register()  # li's customer
        dispute = self.claim(first["lead_id"])
        with freeze_time(T0 + timedelta(days=3)):
            self.decide(dispute, self.leader, "uphold")
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(lead.protection_id.holder_user_id, self.wang)
        self.assertEqual(lead.protection_id.rule, "DI-1")
        log = lead.ownership_log_ids.filtered(lambda log: log.event == "transfer")
        self.assertEqual(
            (log.old_user_id, log.new_user_id, log.author_id, log.rule), (self.li, self.wang, self.leader, "DI-1")
        )
        message = dispute.message_ids.filtered(lambda m: "decided by" in (m.body or ""))
        self.assertTrue(message)
        self.assertEqual(set(message.partner_ids.ids) >= {self.wang.partner_id.id, self.li.partner_id.id}, True)
        self.assertFalse(dispute.activity_ids)

    def test_di2_special_relation_needs_evidence_manager_and_director(self):
        """DI-2: a spouse claim needs evidence, a site manager's decision and the director's review."""
        husband = self.register()  # li
        wife = self.register(
            at=T0 + timedelta(hours=1),
            customer_name="张丽",
            phone="13700001111",
            consultant_id=self.wang.id,
        )
        values = {"kind": "spouse", "related_lead_id": husband["lead_id"]}
        draft = (
            self.env["real.estate.dispute"]
            .with_user(self.li)
            .create(dict(values, team_id=self.team.id, lead_id=wife["lead_id"], statement="她是我客户王伟的配偶"))
        )
        with self.assertRaisesRegex(ValidationError, "evidence"):
            draft.action_submit()
        draft.evidence_ids = self.env["ir.attachment"].create(
            {"name": "结婚证.jpg", "datas": base64.b64encode(b"certificate"), "res_model": draft._name}
        )
        draft.action_submit()
        with self.assertRaisesRegex(UserError, "site manager"):
            self.decide(draft, self.leader, "uphold")
        draft.with_user(self.leader).action_escalate()
        self.decide(draft, self.manager, "uphold")
        self.assertEqual((draft.state, draft.proposed_outcome), ("director", "upheld"))
        self.assertEqual(self.env["crm.lead"].browse(wife["lead_id"]).protection_id.holder_user_id, self.wang)
        self.decide(draft, self.director, "uphold")
        wife_lead = self.env["crm.lead"].browse(wife["lead_id"])
        self.assertEqual(wife_lead.protection_id.holder_user_id, self.li)
        self.assertEqual(wife_lead.protection_id.rule, "DI-2")
        self.assertEqual(wife_lead.household_id, self.env["crm.lead"].browse(husband["lead_id"]).household_id)

    def test_di3_a_claim_starts_submitted_in_the_claimants_name(self):
        """DI-1, DI-3: nobody creates a claim already decided, or in a colleague's name."""
        lead_id = self.register()["lead_id"]
        values = {"team_id": self.team.id, "lead_id": lead_id, "kind": "first_received", "statement": "我先接待的"}
        Dispute = self.env["real.estate.dispute"].with_user(self.wang)
        for forged in ({"state": "director"}, {"outcome": "upheld"}, {"claimant_user_id": self.zhang.id}):
            with self.assertRaises(AccessError):
                Dispute.create(dict(values, **forged))
        on_behalf = (
            self.env["real.estate.dispute"].with_user(self.manager).create(dict(values, claimant_user_id=self.zhang.id))
        )
        self.assertEqual((on_behalf.claimant_user_id, on_behalf.state), (self.zhang, "submitted"))

    def test_di1_owner_cannot_claim_own_customer(self):
        """DI-1: the owner has nothing to claim; nothing is written."""
        lead_id = self.register()["lead_id"]  # Li Na receives
        count = self.env["real.estate.dispute"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.claim(lead_id, user=self.li)
        self.assertIn("Li Na already owns", str(caught.exception))
        self.assertEqual(self.env["real.estate.dispute"].search_count([]), count)

    def test_cs4_customer_refuses_the_consultant(self):
        """CS-4: the customer refuses B and complains; once the manager verifies, B has no share."""
        lead = self.win(self.register()["lead_id"])
        dispute = self.claim(lead.id, kind="customer_refuses")
        dispute.with_user(self.leader).action_escalate()
        self.decide(dispute, self.manager, "uphold")
        self.assertEqual(self.shares(lead), [("Wang Qiang", 100.0, "CS-4")])

    def test_cs8_unit_sold_twice_splits_50_50(self):
        """CS-8: a unit sold twice through A's error, the customer lost by C: A:C 50/50."""
        lead = self.win(self.register()["lead_id"])  # A = li
        dispute = self.claim(lead.id, kind="double_sale")  # C = wang
        self.decide(dispute, self.leader, "uphold")
        self.assertEqual(self.shares(lead), [("Li Na", 50.0, "CS-8"), ("Wang Qiang", 50.0, "CS-8")])

    def test_cs17_the_customer_asks_for_another_consultant_without_a_complaint(self):
        """CS-17: the customer does not want B and asks for A, without a complaint: A follows up and gets the
        credit, unless the customer is A's relative or friend."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])  # B = li
        dispute = self.claim(lead.id, kind="customer_prefers")  # A = wang
        dispute.with_user(self.leader).write({"decision_note": "客户主动要求王强跟进", "claimant_relation": True})
        with self.assertRaisesRegex(UserError, "relative or friend"):
            dispute.with_user(self.leader).action_uphold()
        dispute.with_user(self.leader).write({"claimant_relation": False})
        dispute.with_user(self.leader).action_uphold()
        self.assertEqual((lead.owner_user_id, lead.attribution_rule), (self.wang, "CS-17"))
        self.win(lead.id)
        self.assertEqual(self.shares(lead), [("Wang Qiang", 100.0, "CS-17")])

    def test_cs5_forgotten_first_consultant(self):
        """CS-5: by the registration the first consultant gets all; by recognition within a month, 50/50."""
        lead = self.win(self.register()["lead_id"])  # li closed
        evidence = {"evidence_ids": [(0, 0, {"name": "通话记录.pdf", "datas": base64.b64encode(b"x")})]}
        dispute = self.claim(lead.id, kind="two_numbers", **evidence)
        dispute.with_user(self.leader).action_escalate()
        self.decide(dispute, self.manager, "uphold")
        self.decide(dispute, self.director, "uphold")
        self.assertEqual(self.shares(lead), [("Wang Qiang", 100.0, "CS-5")])
        self.team.forgotten_customer_rule = "recognition"
        other = self.win(
            self.register(
                at=T0 + timedelta(days=1), phone="13900005555", customer_name="赵先生", consultant_id=self.li.id
            )["lead_id"]
        )
        with freeze_time(T0 + timedelta(days=20)):
            again = self.claim(other.id, kind="two_numbers", **evidence)
        again.with_user(self.leader).action_escalate()
        self.decide(again, self.manager, "uphold")
        self.decide(again, self.director, "uphold")
        self.assertEqual(self.shares(other), [("Li Na", 50.0, "CS-5"), ("Wang Qiang", 50.0, "CS-5")])

    def test_decided_split_before_the_deal_applies_at_the_win(self):
        """DI-1, CS-16: a split decided before the deal is the deal's split, exactly 100%."""
        first = self.register()
        dispute = self.claim(
            first["lead_id"],
            share_ids=[
                (0, 0, {"user_id": self.li.id, "percent": 60}),
                (0, 0, {"user_id": self.wang.id, "percent": 40}),
            ],
        )
        self.decide(dispute, self.leader, "uphold")
        lead = self.win(first["lead_id"])
        self.assertEqual(self.shares(lead), [("Li Na", 60.0, "DI-1"), ("Wang Qiang", 40.0, "DI-1")])
        with self.assertRaisesRegex(ValidationError, "sums to 90"):
            self.claim(first["lead_id"], share_ids=[(0, 0, {"user_id": self.li.id, "percent": 90})])

    def test_claim_by_mobile_number(self):
        """A consultant claims a customer they cannot open by typing the mobile number."""
        first = self.register()
        dispute = (
            self.env["real.estate.dispute"]
            .with_user(self.wang)
            .create({"team_id": self.team.id, "customer_phone": "+86 138 1234 5678", "statement": "我接待过"})
        )
        self.assertEqual(dispute.lead_id.id, first["lead_id"])
        self.assertEqual(dispute.sudo().owner_before_id, self.li)
