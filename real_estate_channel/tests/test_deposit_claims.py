from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import T0, ChannelCase


class TestDepositClaims(ChannelCase):
    """CH-18: a deposit paid without any report, claimed by a channel within the window after it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        portal = cls.env.ref("base.group_portal")
        cls.dist_user, cls.agency_user = (
            cls.env["res.users"].create(
                {"name": agent.name, "login": login, "partner_id": agent.id, "groups_id": [(6, 0, portal.ids)]}
            )
            for agent, login in ((cls.dist_agent, "claim_dist"), (cls.agency_agent, "claim_agency"))
        )
        cls.Claim = cls.env["real.estate.deposit.claim"]
        cls.building = cls.env["real.estate.building"].create({"name": "认领楼", "team_id": cls.team.id})

    def deposit(self, lead, at, number="801"):
        """UC-2, UC-4: the sales desk holds a unit for the customer and records the deposit at ``at``."""
        unit = self.env["real.estate.unit"].create(
            {"building_id": self.building.id, "number": number, "floor": 8, "area": 100, "list_price": 2_000_000}
        )
        Unit = self.env["real.estate.unit"].with_user(self.manager)
        with freeze_time(at):
            Unit.reserve({"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money"})
            Unit.subscribe({"unit_id": unit.id, "amount": 50_000})
        return unit

    def sign(self, unit, at):
        with freeze_time(at):
            self.env["real.estate.unit"].with_user(self.manager).sign(
                {"unit_id": unit.id, "contract_amount": 2_000_000}
            )

    def claim(self, at, user=None, **vals):
        values = {
            "team_id": self.team.id,
            "channel_id": self.dist.id,
            "customer_name": "王伟",
            "phone": "138 1234 5678",
            "evidence": "微信聊天记录：经纪人甲 带看前一天约访",
        }
        values.update(vals)
        with freeze_time(at):
            return self.Claim.with_user(user or self.dist_user).create(values)

    def natural_customer(self, at=T0):
        return self.env["crm.lead"].browse(self.register(at=at)["lead_id"])

    def shares(self, lead):
        return [(share.channel_id, share.percent, share.rule) for share in lead.share_ids]

    # ------------------------------------------------------------------
    def test_ch18_claim_within_three_days_makes_the_deal_the_channels(self):
        """CH-18: within 3 days of the deposit, with evidence; the site manager accepts and the deal signed later
        is the channel's; the receiving consultant keeps the customer; one audit line says so."""
        lead = self.natural_customer()
        holder = lead.user_id
        unit = self.deposit(lead, T0 + timedelta(days=1))
        claim = self.claim(T0 + timedelta(days=3, hours=23))
        self.assertEqual((claim.state, claim.subscription_id, claim.lead_id), ("submitted", unit.subscription_id, lead))
        self.assertEqual(claim.deadline, T0 + timedelta(days=4))
        self.assertEqual(claim.agent_id, self.dist_agent)
        self.assertTrue(claim.activity_ids.filtered(lambda a: a.user_id == self.manager), "the manager decides")
        with self.assertRaises(AccessError):
            claim.with_user(self.li).action_accept()
        with freeze_time(T0 + timedelta(days=5)):  # decided after the window: the claim was filed in time
            claim.with_user(self.manager).action_accept()
        self.assertEqual((claim.state, claim.decided_by), ("accepted", self.manager))
        self.assertEqual(
            (lead.protection_id.rule, lead.protection_id.holder_channel_id, lead.user_id), ("CH-18", self.dist, holder)
        )
        log = self.env["real.estate.ownership.log"].search([("lead_id", "=", lead.id), ("rule", "=", "CH-18")])
        self.assertEqual((log.source, log.new_channel_id, log.author_id), ("claim", self.dist, self.manager))
        self.sign(unit, T0 + timedelta(days=10))
        self.assertEqual(self.shares(lead), [(self.dist, 100.0, "CH-18")])
        self.assertEqual(self.attribution(lead.id, T0 + timedelta(days=11))["owner_channel_id"], self.dist.id)

    def test_ch18_a_later_claim_is_void(self):
        """CH-18: after the office's window (3 days by default) the claim is void and not filed; an office with a
        longer window accepts it."""
        lead = self.natural_customer()
        self.deposit(lead, T0 + timedelta(days=1))
        with self.assertRaisesRegex(ValidationError, "void"):
            self.claim(T0 + timedelta(days=4, minutes=1))
        self.assertFalse(self.Claim.sudo().search([("team_id", "=", self.team.id)]))
        self.team.deposit_claim_days = 5
        self.assertEqual(self.claim(T0 + timedelta(days=4, minutes=1)).state, "submitted")

    def test_ch18_needs_evidence_standing_and_the_channels_own_agent(self):
        """CH-18, CH-13: a formal report or evidence; an agreement in force; the agent claims for their own channel
        only; consultants do not file claims; a mistyped number lists nothing."""
        lead = self.natural_customer()
        self.deposit(lead, T0 + timedelta(days=1))
        at = T0 + timedelta(days=2)
        with self.assertRaisesRegex(ValidationError, "formal report"):
            self.claim(at, evidence="")
        with self.assertRaisesRegex(ValidationError, "not a valid mobile number"):
            self.claim(at, phone="138")
        with self.assertRaisesRegex(ValidationError, "No deposit"):
            self.claim(at, phone="13900009999")
        with self.assertRaises(AccessError):
            self.claim(at, user=self.agency_user)  # for another channel
        with self.assertRaises(AccessError):
            self.claim(at, user=self.li)
        with self.assertRaisesRegex(ValidationError, "recorded by the rules"):
            self.claim(at, state="accepted")
        self.agreements.filtered(lambda a: a.channel_id == self.dist).action_suspend()
        with self.assertRaises(ValidationError):
            self.claim(at)
        self.assertFalse(self.Claim.sudo().search([("team_id", "=", self.team.id)]))

    def test_ch18_evidence_files_are_the_filers_own_uploads(self):
        """CH-18: files are evidence enough; someone else's attachment is not taken over by a claim."""
        lead = self.natural_customer()
        self.deposit(lead, T0 + timedelta(days=1))
        Attachment = self.env["ir.attachment"]
        others = Attachment.create({"name": "合同.pdf", "raw": b"%PDF", "res_model": "crm.lead", "res_id": lead.id})
        with self.assertRaisesRegex(ValidationError, "your uploaded files"):
            self.claim(T0 + timedelta(days=2), evidence="", attachment_ids=[(6, 0, others.ids)])
        self.assertEqual((others.res_model, others.res_id), ("crm.lead", lead.id))
        own = Attachment.with_user(self.dist_user).sudo().create({"name": "wechat.png", "raw": b"PNG"})
        claim = self.claim(T0 + timedelta(days=2), evidence="", attachment_ids=[(6, 0, own.ids)])
        self.assertEqual((own.res_model, own.res_id), (claim._name, claim.id))

    def test_ch18_a_deposit_under_a_channels_protection_is_not_claimable(self):
        """CH-18, CH-9: a customer a channel brought and confirmed is that channel's deal: nobody claims it."""
        report = self.Report.browse(self.submit(channel_id=self.agency.id, agent_id=self.agency_agent.id)["report_id"])
        result = self.register(at=T0 + timedelta(hours=2), report_id=report.id)
        self.sign_all(result, T0 + timedelta(hours=3))
        self.deposit(self.env["crm.lead"].browse(result["lead_id"]), T0 + timedelta(days=1))
        with self.assertRaisesRegex(ValidationError, "channel's protection"):
            self.claim(T0 + timedelta(days=2))

    def test_ch18_one_claim_wins_and_a_signed_deal_is_resplit(self):
        """CH-18: two channels claim; the site manager accepts one, the other is refused with the reason; a deal
        already signed is split again to the channel."""
        lead = self.natural_customer()
        unit = self.deposit(lead, T0 + timedelta(days=1))
        self.sign(unit, T0 + timedelta(days=1, hours=2))
        self.assertEqual(self.shares(lead), [(self.env["res.partner"], 100.0, "CS-3")])
        first = self.claim(T0 + timedelta(days=2))
        second = self.claim(T0 + timedelta(days=2, hours=1), user=self.agency_user, channel_id=self.agency.id)
        with self.assertRaisesRegex(ValidationError, "already claimed"):
            self.claim(T0 + timedelta(days=2, hours=2))
        with freeze_time(T0 + timedelta(days=3)):
            second.with_user(self.manager).action_accept()
            with self.assertRaises(UserError):
                second.with_user(self.manager).action_refuse()
        self.assertEqual((first.state, second.state), ("refused", "accepted"))
        self.assertIn(second.name, first.decision_note)
        self.assertEqual(self.shares(lead), [(self.agency, 100.0, "CH-18")])

    def test_ch18_the_holder_does_not_decide_and_a_refusal_changes_nothing(self):
        """CH-18, DI-3: the consultant holding the customer, even as site manager, does not decide; refused, the
        customer stays as they were."""
        lead = self.natural_customer()
        self.deposit(lead, T0 + timedelta(days=1))
        claim = self.claim(T0 + timedelta(days=2))
        lead.protection_id.holder_user_id.groups_id = [
            (4, self.env.ref("real_estate_attribution.group_site_manager").id)
        ]
        with self.assertRaises(AccessError):
            claim.with_user(lead.protection_id.holder_user_id).action_accept()
        before = lead.protection_id
        with self.assertRaises(UserError):
            claim.with_user(self.manager).write({"state": "accepted"})
        claim.with_user(self.manager).action_refuse()
        self.assertEqual((claim.state, lead.protection_id), ("refused", before))

    def test_ch18_after_the_channels_protection_ended_the_reporter_again_gets_the_deal(self):
        """CH-18: once a channel's protection ended, the channel that reports the customer again and brings them
        to the deal gets the deal."""
        report = self.Report.browse(self.submit(channel_id=self.agency.id, agent_id=self.agency_agent.id)["report_id"])
        result = self.register(at=T0 + timedelta(hours=2), report_id=report.id)
        self.sign_all(result, T0 + timedelta(hours=3))
        lead = self.env["crm.lead"].browse(result["lead_id"])
        again_at = T0 + timedelta(days=40)
        again = self.Report.browse(self.submit(at=again_at)["report_id"])
        self.assertEqual(again.state, "valid", (again.message, again.reason_code))
        visit = self.register(at=again_at + timedelta(hours=2), report_id=again.id)
        self.sign_all(visit, again_at + timedelta(hours=3))
        unit = self.deposit(lead, again_at + timedelta(days=1))
        self.sign(unit, again_at + timedelta(days=2))
        self.assertEqual(self.shares(lead), [(self.dist, 100.0, "CH-9")])
