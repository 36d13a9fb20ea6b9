from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from .common import T0, ChannelCase


class CommissionCase(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scheme = cls.env["real.estate.commission.scheme"].create(
            {
                "name": "分销跳点",
                "tier_ids": [
                    (0, 0, {"min_units": 1, "rate": 1.5}),
                    (0, 0, {"min_units": 4, "rate": 2.0}),
                    (0, 0, {"min_units": 7, "rate": 2.5}),
                ],
            }
        )
        cls.dist_agreement = cls.agreements.filtered(lambda a: a.channel_id == cls.dist)
        cls.dist_agreement.commission_scheme_id = cls.scheme

    def channel_deal(self, n, amount=1_000_000, signed=None, agent=None):
        """A customer reported by the distributor, confirmed, and signed (CH-9)."""
        at = T0 + timedelta(days=n)
        phone = "1381234%04d" % n
        extra = {"agent_id": agent.id} if agent else {}
        report = self.submit(at=at, phone=phone, customer_name="客户%s" % n, **extra)
        result = self.register(
            at=at + timedelta(hours=2), report_id=report["report_id"], phone=phone, customer_name="客户%s" % n
        )
        self.sign_all(result, at + timedelta(hours=3))
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.sign_deal(lead, amount, at=signed or at + timedelta(days=1))
        return lead

    def statement(self, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)):
        return (
            self.env["real.estate.channel.statement"]
            .with_user(self.manager)
            .create({"agreement_id": self.dist_agreement.id, "date_from": date_from, "date_to": date_to})
        )


class TestChannelCommission(CommissionCase):
    """Tiered channel commission and statements (CC-1, CC-2) with penalties (CH-13)."""

    def test_ch9_channel_deal_share_goes_to_the_channel(self):
        """CH-9, CS-16: the split line of a channel deal names the channel."""
        lead = self.channel_deal(1)
        self.assertEqual([(s.channel_id, s.percent, s.rule) for s in lead.share_ids], [(self.dist, 100.0, "CH-9")])
        self.assertEqual(lead.commission_shares()[0]["shares"][0]["channel_id"], self.dist.id)

    def test_cc2_commission_rests_on_the_recorded_deal_amount_never_on_the_forecast(self):
        """CC-1, CC-2, UC-5: the deal amount is the unit's signed contract amount; a consultant's expected
        revenue (a forecast) moves no commission, and nobody types the deal facts."""
        lead = self.channel_deal(1, amount=2_000_000)
        holder = lead.protection_id.holder_user_id
        lead.with_user(holder).write({"expected_revenue": 90_000_000})
        line = self.statement().line_ids
        self.assertEqual((line.amount, line.commission), (2_000_000, 30_000))
        for user in (holder, self.manager):
            for values in ({"deal_amount": 1}, {"unit_ref": "9-9901"}, {"deposit_at": T0}, {"date_closed": T0}):
                with self.assertRaisesRegex(AccessError, "come from the unit's deal"):
                    lead.with_user(user).write(values)
            self.assertTrue(lead.with_user(user).deal_locked)

    def test_cc2_uc5_only_the_signing_of_the_unit_wins_the_deal(self):
        """CC-2, UC-5: nobody marks an office customer won by hand; the signing of their unit wins the deal."""
        at = T0 + timedelta(days=2)
        report = self.submit(at=at, phone="13812349999", customer_name="客户签约")
        result = self.register(
            at=at + timedelta(hours=2), report_id=report["report_id"], phone="13812349999", customer_name="客户签约"
        )
        lead = self.env["crm.lead"].browse(result["lead_id"])
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        for user in (lead.user_id, self.manager):
            with self.assertRaisesRegex(AccessError, "come from the unit's deal"):
                lead.with_user(user).action_set_won()
            with self.assertRaisesRegex(AccessError, "come from the unit's deal"):
                lead.with_user(user).write({"stage_id": won.id})
        self.sign_deal(lead, 1_500_000, at=at + timedelta(days=1))
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual(lead.deal_amount, 1_500_000)

    def test_cc1_reaching_a_higher_tier_re_rates_the_whole_period(self):
        """CC-1: three deals at 1.5%; the fourth lifts every deal of the period to 2.0%."""
        for n in range(1, 4):
            self.channel_deal(n)
        statement = self.statement()
        self.assertEqual((statement.deal_count, statement.rate), (3, 1.5))
        self.assertAlmostEqual(statement.gross_amount, 3 * 15_000)
        self.channel_deal(4)  # the draft follows the deals by itself
        self.assertEqual((statement.deal_count, statement.rate), (4, 2.0))
        self.assertEqual(set(statement.line_ids.mapped("rate")), {2.0})
        self.assertAlmostEqual(statement.gross_amount, 4 * 20_000)

    def test_cc2_statement_per_period_less_penalties_then_frozen(self):
        """CC-2: earned on signing, settled per period, less penalties; a confirmed statement is frozen."""
        self.channel_deal(1)
        self.channel_deal(40)  # signed in April: not in March's statement
        penalty = self.env["real.estate.channel.penalty"].create(
            {
                "agreement_id": self.dist_agreement.id,
                "distance_m": 200,
                "agent_fine": 500,
                "date": date(2026, 3, 10),
            }
        )
        penalty.action_confirm()
        statement = self.statement()
        self.assertEqual(statement.deal_count, 1)
        self.assertAlmostEqual(statement.penalty_amount, 10_500)
        self.assertAlmostEqual(statement.net_amount, 15_000 - 10_500)
        statement.action_confirm()
        self.channel_deal(2)
        statement.action_refresh()
        self.assertEqual(statement.deal_count, 1, "a confirmed statement is frozen")
        with self.assertRaisesRegex(UserError, "frozen"):
            statement.write({"date_to": date(2026, 4, 30)})
        statement.action_paid()
        self.assertEqual(statement.state, "paid")

    def test_cc2_figures_and_state_change_by_the_buttons_only(self):
        """CC-2: figures always recompute from the deals; the state moves by the buttons (CH-13 checked)."""
        self.channel_deal(1)
        statement = self.statement()
        for vals in ({"state": "paid"}, {"net_amount": 1.0}, {"rate": 9.0}):
            with self.assertRaisesRegex(UserError, "buttons only"):
                statement.write(vals)
        statement.action_confirm()
        with self.assertRaisesRegex(UserError, "buttons only"):
            statement.write({"state": "draft"})
        self.assertEqual((statement.state, statement.rate), ("confirmed", 1.5))

    def test_cc2_periods_are_the_offices_calendar_days(self):
        """CC-2: signed at 06:00 on 1 April in Shanghai (22:00 UTC on 31 March): April's deal, not March's."""
        self.channel_deal(1, signed=datetime(2026, 3, 31, 22, 0))
        self.channel_deal(2, signed=datetime(2026, 3, 31, 15, 0))  # 23:00 on 31 March in Shanghai
        march, april = self.statement(), self.statement(date(2026, 4, 1), date(2026, 4, 30))
        self.assertEqual(march.line_ids.lead_id.mapped("name"), ["客户2"])
        self.assertEqual(april.line_ids.lead_id.mapped("name"), ["客户1"])

    def test_ch13_a_second_offence_deducts_the_unsettled_commission(self):
        """CH-13: at the second offence, the channel's commission on the deals signed until then and not yet
        settled is deducted; later deals earn again."""
        before = self.channel_deal(1, signed=T0 + timedelta(days=2))
        statement = self.statement()
        agreement = self.dist_agreement
        Penalty = self.env["real.estate.channel.penalty"].with_user(self.manager)
        for _ in range(2):
            Penalty.create(
                {
                    "agreement_id": agreement.id,
                    "agent_id": self.dist_agent.id,
                    "team_id": self.team.id,
                    "distance_m": 100,
                    "agent_fine": 500,
                    "date": date(2026, 3, 5),
                }
            ).action_confirm()
        self.assertEqual(statement.deducted_amount, 15_000, "the deal signed before the offence")
        colleague = self.env["res.partner"].create({"name": "经纪人丙", "parent_id": self.dist.id})
        self.channel_deal(5, signed=T0 + timedelta(days=6), agent=colleague)
        self.assertEqual(statement.deal_count, 2)
        self.assertEqual(statement.deducted_amount, 15_000, "the deal after the offence earns")
        self.assertAlmostEqual(statement.net_amount, statement.gross_amount - 15_000 - statement.penalty_amount)
        self.assertTrue(before.share_ids)

    def test_ch13_forfeited_commission_is_not_paid(self):
        """CH-13: after the third offence the unsettled commission is forfeited."""
        self.channel_deal(1)
        for _ in range(3):
            self.env["real.estate.channel.penalty"].create(
                {
                    "agreement_id": self.dist_agreement.id,
                    "distance_m": 100,
                    "date": date(2026, 3, 20),
                }
            ).action_confirm()
        statement = self.statement()
        self.assertTrue(statement.forfeited)
        self.assertEqual(statement.net_amount, 0.0)
        statement.action_confirm()
        with self.assertRaisesRegex(UserError, "forfeited"):
            statement.action_paid()

    def test_statement_pdf_shows_the_tier(self):
        self.channel_deal(1)
        statement = self.statement()
        report = self.env.ref("real_estate_channel.action_report_channel_statement")
        html = report._render_qweb_html(report.report_name, statement.ids)[0].decode()
        self.assertIn("1.500%", html)
        self.assertIn("佣金结算单", html)


class TestChannelDisputes(CommissionCase):
    """Channels claim customers; their agents never decide (DI-3)."""

    def test_di3_channel_claim_upheld_gives_the_channel_the_customer(self):
        """DI-1, DI-3: a channel's claim is decided by managers; the agent of the claimant cannot act."""
        first = self.register()  # natural visit, li's customer
        dispute = (
            self.env["real.estate.dispute"]
            .with_user(self.manager)
            .create(
                {
                    "team_id": self.team.id,
                    "lead_id": first["lead_id"],
                    "claimant_channel_id": self.dist.id,
                    "kind": "first_received",
                    "statement": "经纪人甲提前报备并带看",
                }
            )
        )
        dispute.action_submit()
        agent_user = self.env["res.users"].create(
            {
                "name": "经纪人甲",
                "login": "agent_jia",
                "partner_id": self.dist_agent.id,
                "groups_id": [(6, 0, [self.env.ref("real_estate_attribution.group_director").id])],
            }
        )
        with self.assertRaisesRegex(AccessError, "never decide"):
            dispute.with_user(agent_user).action_uphold()
        leader = self.env["res.users"].create(
            {
                "name": "组长",
                "login": "leader_x",
                "groups_id": [(6, 0, [self.env.ref("real_estate_attribution.group_team_leader").id])],
            }
        )
        with freeze_time(T0 + timedelta(days=1)):
            dispute.with_user(leader).write({"decision_note": "报备在先，渠道带看属实"})
            dispute.with_user(leader).action_uphold()
        attribution = self.attribution(first["lead_id"], T0 + timedelta(days=2))
        self.assertEqual(attribution["owner_channel_id"], self.dist.id)
        lead = self.env["crm.lead"].browse(first["lead_id"])
        log = lead.ownership_log_ids.filtered(lambda log: log.event == "transfer")
        self.assertEqual((log.new_channel_id, log.rule), (self.dist, "DI-1"))
        with freeze_time(T0 + timedelta(days=3)):
            lead.sudo().action_set_won()
        self.assertEqual([(s.channel_id, s.percent) for s in lead.share_ids], [(self.dist, 100.0)])
