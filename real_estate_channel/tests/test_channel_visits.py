from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import T0, ChannelCase


class TestChannelVisits(ChannelCase):
    """Visits of reported customers: CH-5, CH-7, CH-8, CH-9, CH-12."""

    def arrive(self, at=T0 + timedelta(hours=2), **vals):
        return self.register(at=at, **vals)

    def test_ch7_unconfirmed_channel_visit_counts_as_natural(self):
        """CH-7: until the three signatures, the visit returns no channel and says confirmation is pending."""
        report = self.report(self.submit())
        result = self.arrive(report_id=report.id)
        self.assertIs(result["owner_channel_id"], False)
        self.assertEqual(result["rule"], "CH-7")
        self.assertIn("confirmation", result["explanation"])
        self.assertTrue(result["owner_user_id"])
        self.assertEqual(report.state, "visited")
        self.assertEqual(report.confirmation_id.state, "pending")
        attribution = self.attribution(result["lead_id"], T0 + timedelta(hours=3))
        self.assertIs(attribution["owner_channel_id"], False)

    def test_ch7_three_signatures_each_by_its_role(self):
        """CH-7: agent, receiving consultant and site manager each sign with their own button."""
        result = self.arrive(report_id=self.report(self.submit()).id)
        confirmation = self.Visit.browse(result["visit_id"]).confirmation_id
        with self.assertRaises(AccessError):
            confirmation.with_user(self.wang).action_sign_consultant()  # not the receiving consultant
        with self.assertRaises(AccessError):
            confirmation.with_user(self.li).action_sign_manager()
        with self.assertRaises(AccessError):
            confirmation.with_user(self.li).action_sign_agent()
        self.sign_all(result, T0 + timedelta(hours=3))
        self.assertEqual(confirmation.state, "confirmed")
        attribution = self.attribution(result["lead_id"], T0 + timedelta(days=1))
        self.assertEqual(attribution["owner_channel_id"], self.dist.id)
        self.assertEqual(attribution["rule"], "CH-8")

    def test_ch7_report_entered_without_an_agent_is_signed_by_an_agent_of_the_channel(self):
        """CH-7: a report phoned in without an agent: any agent of that channel signs, no one else."""
        report = self.report(self.submit(agent_id=False))
        confirmation = self.Visit.browse(self.arrive(report_id=report.id)["visit_id"]).confirmation_id
        portal = self.env.ref("base.group_portal")
        outsider, insider = (
            self.env["res.users"].create(
                {"name": agent.name, "login": login, "partner_id": agent.id, "groups_id": [(6, 0, portal.ids)]}
            )
            for agent, login in ((self.agency_agent, "agency-agent"), (self.dist_agent, "dist-agent"))
        )
        with self.assertRaises(AccessError):
            confirmation.with_user(outsider).action_sign_agent()
        confirmation.with_user(insider).action_sign_agent()
        self.assertEqual(confirmation.agent_signed_by, insider)

    def test_ch8_channel_protection_lasts_thirty_days_from_the_visit(self):
        """CH-8: confirmed, the customer is the channel's for 30 days from the visit, then the public pool."""
        visit_at = T0 + timedelta(hours=2)
        result = self.arrive(report_id=self.report(self.submit()).id)
        self.sign_all(result, T0 + timedelta(hours=4))
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.assertEqual(lead.protection_id.end, visit_at + timedelta(days=30))
        self.follow_up(lead.id, lead.protection_id.holder_user_id, T0 + timedelta(days=25))
        self.assertEqual(lead.protection_id.end, visit_at + timedelta(days=30), "follow-ups do not extend CH-8")
        after = self.attribution(lead.id, visit_at + timedelta(days=31))
        self.assertIs(after["owner_channel_id"], False)
        self.assertEqual(after["protection_state"], "expired")

    def test_ch8_brought_again_in_the_last_days_reconfirms(self):
        """CH-8: brought again within the last 7 days, the next period follows the current one."""
        visit_at = T0 + timedelta(hours=2)
        result = self.arrive(report_id=self.report(self.submit()).id)
        self.sign_all(result, T0 + timedelta(hours=4))
        early = self.submit(at=T0 + timedelta(days=10))
        self.arrive(at=T0 + timedelta(days=10, hours=2), report_id=early["report_id"])
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.assertEqual(lead.protection_id.end, visit_at + timedelta(days=30), "too early to re-confirm")
        late = self.submit(at=T0 + timedelta(days=26))
        again = self.arrive(at=T0 + timedelta(days=26, hours=2), report_id=late["report_id"])
        self.assertEqual(again["rule"], "CH-8")
        self.assertEqual(lead.protection_id.end, visit_at + timedelta(days=60))

    def test_ch9_deal_inside_channel_protection_is_the_channels(self):
        """CH-9: a deal closed by another consultant inside the channel's protection is the channel's."""
        result = self.arrive(report_id=self.report(self.submit()).id)
        self.sign_all(result, T0 + timedelta(hours=4))
        lead = self.env["crm.lead"].browse(result["lead_id"])
        with freeze_time(T0 + timedelta(days=20)):
            lead.sudo().action_set_won()
        attribution = self.attribution(lead.id, T0 + timedelta(days=90))
        self.assertEqual(attribution["owner_channel_id"], self.dist.id)
        self.assertEqual(attribution["rule"], "CH-9")
        self.assertEqual(self.report({"report_id": lead.report_ids.id}).state, "won")

    def test_ch9_deal_after_the_channels_protection_is_not_the_channels(self):
        """CH-9, CH-8, PR-3: signed after the channel's 30 days ended (cron not yet run): no channel share."""
        result = self.arrive(report_id=self.report(self.submit()).id)
        self.sign_all(result, T0 + timedelta(hours=4))
        lead = self.env["crm.lead"].browse(result["lead_id"])
        with freeze_time(T0 + timedelta(days=45)):
            lead.sudo().action_set_won()
        self.assertEqual(
            [(share.channel_id, share.share_pool, share.percent, share.rule) for share in lead.share_ids],
            [(self.env["res.partner"], "public", 100.0, "PR-3")],
        )
        self.assertNotEqual(self.report({"report_id": lead.report_ids.id}).state, "won")

    def test_ch5_first_valid_reporter_wins_the_visit(self):
        """CH-5: a visit without a report id still belongs to the report in force."""
        report = self.report(self.submit())
        result = self.arrive()
        self.assertEqual(result["rule"], "CH-7")
        self.assertEqual(report.visit_id.id, result["visit_id"])

    def test_ch5_single_lapsed_report_claims_nothing(self):
        """CH-5, CH-3: after the only report lapsed, the visit is natural."""
        report = self.report(self.submit())
        result = self.arrive(at=T0 + timedelta(days=2))
        self.assertEqual(result["rule"], "RO-1")
        self.assertFalse(report.visit_id)

    def test_ch5_all_lapsed_the_most_recent_valid_report_wins(self):
        """CH-5: channels in conflict and every report lapsed: the most recent valid one wins."""
        self.submit()
        later = self.report(
            self.submit(at=T0 + timedelta(days=1), channel_id=self.agency.id, agent_id=self.agency_agent.id)
        )
        result = self.arrive(at=T0 + timedelta(days=3))
        self.assertEqual(result["rule"], "CH-7")
        self.assertEqual(later.visit_id.id, result["visit_id"])

    def test_masked_report_resolves_to_the_full_number_on_arrival(self):
        """ID-2: the masked report takes the full number when the customer arrives."""
        report = self.report(self.submit(phone="138****5678", customer_name="王先生"))
        self.assertFalse(report.customer_mobile)
        self.arrive(customer_name="王伟", phone="13812345678")
        self.assertEqual(report.customer_mobile, "+8613812345678")
        self.assertEqual(report.state, "visited")

    def test_ch12_field_canvasser_in_person_beats_a_report(self):
        """CH-12: a canvasser who brings the customer in person wins over a report-only claim."""
        report = self.report(self.submit())
        result = self.arrive(accompanied_by=self.bee.id)
        self.sign_all(result, T0 + timedelta(hours=3))
        self.assertFalse(report.visit_id, "the report-only claim lost")
        attribution = self.attribution(result["lead_id"], T0 + timedelta(days=29))
        self.assertEqual(attribution["owner_channel_id"], self.bees.id)
        self.assertEqual(attribution["rule"], "CH-12")
        self.assertIs(self.attribution(result["lead_id"], T0 + timedelta(days=31))["owner_channel_id"], False)

    def test_ch15_companions_listed_by_the_agent_are_the_channels_too(self):
        """CH-15: new customers who came with a reported one are the reporting channel's too when the agent lists
        them on the confirmation; someone who already is a customer of the office stays theirs."""
        self.register(at=T0 - timedelta(days=2), phone="13900003333", customer_name="老客户")
        result = self.arrive(report_id=self.report(self.submit()).id)
        confirmation = self.Visit.browse(result["visit_id"]).confirmation_id
        agent_user = self.env["res.users"].create(
            {
                "name": self.dist_agent.name,
                "login": "agent-ch15",
                "partner_id": self.dist_agent.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        Companion = self.env["real.estate.visit.companion"]
        with self.assertRaises(AccessError):
            Companion.with_user(self.li).create(
                {"confirmation_id": confirmation.id, "name": "李同行", "phone": "13900004444"}
            )
        with self.assertRaisesRegex(ValidationError, "not a valid mobile number"):
            Companion.with_user(agent_user).create(
                {"confirmation_id": confirmation.id, "name": "李同行", "phone": "139"}
            )
        new = Companion.with_user(agent_user).create(
            {"confirmation_id": confirmation.id, "name": "李同行", "phone": "139 0000 4444"}
        )
        known = Companion.with_user(agent_user).create(
            {"confirmation_id": confirmation.id, "name": "老客户", "phone": "13900003333"}
        )
        self.sign_all(result, T0 + timedelta(hours=3))
        self.assertEqual((new.state, known.state), ("claimed", "refused"))
        protection = new.lead_id.protection_id
        self.assertEqual(
            (protection.rule, protection.holder_channel_id, protection.kind), ("CH-15", self.dist, "channel")
        )
        self.assertEqual(self.attribution(new.lead_id.id, T0 + timedelta(days=1))["owner_channel_id"], self.dist.id)
        self.assertNotEqual(known.lead_id.protection_id.holder_channel_id, self.dist)
        holder = new.lead_id.protection_id.holder_user_id
        other = next(user for user in self.consultants if user != holder)
        self.assertEqual(Companion.with_user(holder).browse(new.id).read(["phone"])[0]["phone"], "+8613900004444")
        self.assertEqual(
            Companion.with_user(other).browse(new.id).read(["phone"])[0]["phone"], "139****4444", "ID-2: masked"
        )
        with self.assertRaisesRegex(UserError, "awaits its signatures"):
            Companion.with_user(agent_user).create(
                {"confirmation_id": confirmation.id, "name": "晚到", "phone": "13900005555"}
            )

    def test_ch17_the_in_house_channel_keeps_its_customer_for_the_sales_period(self):
        """CH-17: a customer the developer's own channel brought in person is the channel's for the whole sales
        period; with the setting off, or for another canvasser, CH-12's 30 days."""
        own = self.env["res.partner"].create({"name": "滨江自有拓客", "is_company": True, "channel_kind": "in_house"})
        agent = self.env["res.partner"].create({"name": "自拓专员", "parent_id": own.id})
        self.env["real.estate.channel.agreement"].create(
            {"name": "自有渠道", "channel_id": own.id, "team_ids": [(6, 0, self.team.ids)], "date_start": "2020-01-01"}
        )
        self.team.sales_period_end = date(2027, 6, 30)
        result = self.arrive(accompanied_by=agent.id)
        self.sign_all(result, T0 + timedelta(hours=3))
        protection = self.env["crm.lead"].browse(result["lead_id"]).protection_id
        self.assertEqual((protection.kind, protection.rule, protection.holder_channel_id), ("in_house", "CH-17", own))
        self.assertEqual(protection.end, datetime(2027, 6, 30, 16, 0))  # 1 July 2027 00:00 in Shanghai
        self.assertEqual(self.attribution(result["lead_id"], T0 + timedelta(days=300))["owner_channel_id"], own.id)
        self.team.in_house_whole_period = False
        other = self.arrive(accompanied_by=agent.id, phone="13900004444", customer_name="另一位")
        self.sign_all(other, T0 + timedelta(hours=3))
        self.assertEqual(self.env["crm.lead"].browse(other["lead_id"]).protection_id.rule, "CH-12")

    def test_ch12_ch13_a_claim_in_person_needs_standing(self):
        """CH-12, CH-13: a consultant cannot attach a canvasser to a visit by themselves; the reception desk
        cannot either once the canvassers' agreement is suspended: the valid report keeps its claim."""
        report = self.report(self.submit())
        with self.assertRaisesRegex(AccessError, "reception desk"):
            self.arrive(accompanied_by=self.bee.id, user=self.li)
        with self.assertRaisesRegex(AccessError, "reception desk"):
            self.arrive(report_id=report.id, user=self.li)
        self.bees.channel_agreement_ids.action_suspend()
        visits = self.Visit.search_count([])
        with self.assertRaisesRegex(ValidationError, "suspended"):
            self.arrive(accompanied_by=self.bee.id)
        self.assertEqual(self.Visit.search_count([]), visits, "nothing is written")
        self.assertEqual(report.state, "valid")
        result = self.arrive()
        self.assertEqual(self.report({"report_id": report.id}).visit_id.id, result["visit_id"], "the report still wins")

    def test_ch7_ch13_no_signature_once_the_cooperation_is_suspended(self):
        """CH-7, CH-13: signing the confirmation is a claim of the channel: refused after its suspension."""
        result = self.arrive(report_id=self.report(self.submit()).id)
        confirmation = self.Visit.browse(result["visit_id"]).confirmation_id
        self.dist.channel_agreement_ids.action_suspend()
        with self.assertRaisesRegex(ValidationError, "suspended"):
            confirmation.with_user(self.manager).action_sign_manager()
        self.assertFalse(confirmation.manager_signed_at)

    def test_imported_confirmation_returns_the_channel(self):
        """CH-7: importers record confirmations signed in the source system."""
        report = self.report(self.submit())
        with freeze_time(T0 + timedelta(days=5)):
            result = self.Visit.with_user(self.importer).register(
                {
                    "team_id": self.team.id,
                    "customer_name": "王伟",
                    "phone": "13812345678",
                    "report_id": report.id,
                    "confirmed": True,
                    "at": "2026-03-02 04:00:00",
                    "consultant_id": self.wang.id,
                }
            )
        self.assertEqual(result["owner_channel_id"], self.dist.id)
        self.assertEqual(result["owner_user_id"], self.wang.id)
        self.assertTrue(report.confirmation_id.imported)
        with self.assertRaisesRegex(AccessError, "Data Import"):
            self.register(report_id=report.id, confirmed=True, phone="13900001111", customer_name="x")

    def test_ch7_unsigned_confirmation_lapses(self):
        """CH-7: not signed by all three within the deadline, the visit stays natural for good."""
        report = self.report(self.submit())
        self.arrive(report_id=report.id)
        with freeze_time(T0 + timedelta(days=2)):
            self.Report._cron_lapse()
        self.assertEqual(report.confirmation_id.state, "cancelled")
        self.assertEqual(report.state, "lapsed")
