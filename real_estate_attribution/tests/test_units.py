import pathlib
from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import T0, AttributionCase

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


class TestUnits(AttributionCase):
    """Units, reservation control (销控) and deals: UC-1 to UC-6, with CS-8 and CS-15."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_manager = new_test_user(
            cls.env, "re_xiaokong", groups="real_estate_attribution.group_sales_manager", name="Qian Xiao"
        )
        cls.building = cls.env["real.estate.building"].create({"name": "1栋", "team_id": cls.team.id})
        cls.env["real.estate.unit.bulk.create"].create(
            {
                "building_id": cls.building.id,
                "floor_from": 1,
                "floor_to": 3,
                "units_per_floor": 2,
                "area": 100,
                "list_price": 2_000_000,
                "price_step": 10_000,
                "layout": "3室2厅",
            }
        ).action_create()
        cls.Unit = cls.env["real.estate.unit"]

    def unit(self, number="101"):
        return self.building.unit_ids.filtered(lambda unit: unit.number == number)

    def customer(self, phone="13812345678", name="王伟", at=T0, **vals):
        return self.env["crm.lead"].browse(self.register(at=at, phone=phone, customer_name=name, **vals)["lead_id"])

    def as_user(self, user):
        return self.Unit.with_user(user)

    def hold(self, unit, lead, at=T0):
        with freeze_time(at):
            self.as_user(lead.user_id).reserve({"unit_id": unit.id, "lead_id": lead.id})
            return self.as_user(self.sales_manager).confirm_hold({"unit_id": unit.id, "handed_over": "money"})

    def subscribe(self, unit, at=T0, amount=50_000, **vals):
        with freeze_time(at):
            return self.as_user(self.sales_manager).subscribe(dict({"unit_id": unit.id, "amount": amount}, **vals))

    # ------------------------------------------------------------------
    def test_uc1_units_by_floor_and_state_change_only_through_deals(self):
        """UC-1: a building's floors of units at once; a unit's state and customer change through its
        reservation and deal only, whoever the user."""
        self.assertEqual(len(self.building.unit_ids), 6)
        self.assertEqual(self.unit("302").list_price, 2_020_000)
        self.assertEqual(self.unit("302").name, "1栋-302")
        lead = self.customer()
        for user in (self.sales_manager, self.manager):
            with self.assertRaisesRegex(UserError, "never by hand"):
                self.unit().with_user(user).write({"state": "signed"})
            with self.assertRaisesRegex(UserError, "never by hand"):
                self.unit().with_user(user).write({"lead_id": lead.id})
        with self.assertRaises(AccessError):
            self.unit().with_user(self.li).write({"list_price": 1})
        self.unit().with_user(self.sales_manager).write({"list_price": 1_990_000})  # the inventory is the 销控's
        grid = self.as_user(self.li).unit_grid(self.team.id, self.building.id)
        self.assertEqual([floor["floor"] for floor in grid["floors"]], [3, 2, 1])
        self.assertEqual(grid["counts"]["available"], 6)

    def test_uc1_the_chart_refuses_bad_arguments_with_a_clear_message(self):
        """UC-1: the 销控表's arguments are checked: a wrong office, building or state is refused, never a
        traceback; one state alone is a list of one."""
        Unit = self.as_user(self.li)
        for args, message in (
            (({"a": 1},), "team_id"),
            (("x",), "team_id"),
            ((self.team.id, "b"), "building_id"),
            ((self.team.id, self.building.id, {"a": 1}), "state is one of"),
            ((self.team.id, self.building.id, ["sold"]), "state is one of"),
        ):
            with self.assertRaisesRegex(ValidationError, message):
                Unit.unit_grid(*args)
        grid = Unit.unit_grid(self.team.id, self.building.id, "available")
        self.assertTrue(all(unit["state"] == "available" for floor in grid["floors"] for unit in floor["units"]))

    def test_uc1_units_import_from_the_sample_spreadsheet(self):
        """UC-1: the units of docs/units_sample.csv load with Odoo's import, as a sales manager."""
        rows = (DOCS / "units_sample.csv").read_text(encoding="utf-8").splitlines()
        header = rows[0].split(",")
        data = [row.split(",") for row in rows[1:] if row]
        building = self.env["real.estate.building"].create({"name": "5栋", "team_id": self.team.id})
        data = [[building.name if h == "building_id" else v for h, v in zip(header, row, strict=True)] for row in data]
        result = self.Unit.with_user(self.sales_manager).load(header, data)
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(len(result["ids"]), len(data))
        self.assertEqual(set(self.Unit.browse(result["ids"]).mapped("state")), {"available"})

    def test_uc2_a_consultant_requests_the_sales_manager_holds(self):
        """UC-2: a consultant asks a hold for their own customer; only the sales manager holds it, once the
        customer handed over the subscription money or an original ID; every step is in the register."""
        lead = self.customer()
        other = self.customer(phone="13900001111", name="李四")
        stranger = next(user for user in self.consultants if user not in (lead.user_id, other.user_id))
        unit = self.unit()
        with freeze_time(T0), self.assertRaises(AccessError):  # the record rules hide another's customer
            self.as_user(stranger).reserve({"unit_id": unit.id, "lead_id": lead.id})
        pool = self.customer(phone="13700002222", name="公客")
        pool.sudo().protection_id.holder_user_id = lead.user_id
        with freeze_time(T0), self.assertRaisesRegex(AccessError, "their own customers"):
            self.as_user(stranger).reserve({"unit_id": unit.id, "lead_id": pool.id})
        with freeze_time(T0):
            request = self.as_user(lead.user_id).reserve(
                {"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money"}
            )
        self.assertEqual(request["state"], "requested", "a consultant's hold waits for the sales manager")
        self.assertEqual(unit.state, "available")
        self.assertTrue(unit.reservation_id.activity_ids, "the sales manager is asked")
        with freeze_time(T0), self.assertRaisesRegex(UserError, "not available"):
            self.as_user(other.user_id).reserve({"unit_id": unit.id, "lead_id": other.id})
        with self.assertRaises(AccessError):
            self.as_user(lead.user_id).confirm_hold({"unit_id": unit.id, "handed_over": "money"})
        with freeze_time(T0), self.assertRaisesRegex(UserError, "handed over"):
            self.as_user(self.sales_manager).confirm_hold({"unit_id": unit.id})
        with freeze_time(T0 + timedelta(minutes=5)):
            held = self.as_user(self.sales_manager).confirm_hold({"unit_id": unit.id, "handed_over": "id_card"})
        self.assertEqual((held["state"], held["handed_over"]), ("held", "id_card"))
        self.assertEqual((unit.state, unit.lead_id, unit.user_id), ("reserved", lead, lead.user_id))
        self.assertEqual(unit.reservation_id.confirmed_by, self.sales_manager)
        self.assertFalse(unit.reservation_id.activity_ids)
        register = self.env["real.estate.reservation"].search([("unit_id", "=", unit.id)])
        self.assertEqual(register.mapped("state"), ["held"])
        grid = self.as_user(stranger).unit_grid(self.team.id, self.building.id)  # another's customer on the chart
        [cell] = [c for floor in grid["floors"] for c in floor["units"] if c["id"] == unit.id]
        self.assertEqual((cell["state"], cell["customer"]), ("reserved", lead.name))
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("real_estate_attribution.action_report_reservation_register", register.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_uc3_an_unfollowed_hold_is_released_after_the_hold_time(self):
        """UC-3: a hold without a deposit within the office's hold time (24 hours) is released."""
        lead = self.customer()
        unit = self.unit()
        self.hold(unit, lead)
        with freeze_time(T0 + timedelta(hours=23)):
            self.env["real.estate.reservation"]._cron_expire()
        self.assertEqual(unit.state, "reserved")
        with freeze_time(T0 + timedelta(hours=25)):
            self.env["real.estate.reservation"]._cron_expire()
        reservation = self.env["real.estate.reservation"].search([("unit_id", "=", unit.id)])
        self.assertEqual((unit.state, unit.lead_id.id, reservation.state), ("available", False, "expired"))
        self.team.unit_hold_hours = 48  # the office's setting when the hold is confirmed
        self.hold(unit, lead, at=T0 + timedelta(days=2))
        with freeze_time(T0 + timedelta(days=2, hours=47)):
            self.env["real.estate.reservation"]._cron_expire()
        self.assertEqual(unit.state, "reserved")
        with freeze_time(T0 + timedelta(days=2, hours=49)):
            self.env["real.estate.reservation"]._cron_expire()
        self.assertEqual(unit.state, "available")

    def test_uc4_a_deposit_below_the_minimum_waits_for_approval_and_its_time_is_recorded(self):
        """UC-4: the deposit is at least the office's minimum, or waits for the sales manager's approval;
        the deposit time is the moment it is recorded: nobody but a data import names another."""
        lead = self.customer()
        unit = self.unit()
        self.hold(unit, lead)
        with self.assertRaisesRegex(AccessError, "Data Import"):
            self.as_user(self.sales_manager).subscribe(
                {"unit_id": unit.id, "amount": 50_000, "at": "2026-03-01 00:00:00"}
            )
        deal = self.subscribe(unit, at=T0 + timedelta(hours=1), amount=5_000)
        self.assertEqual(deal["state"], "to_approve")
        self.assertEqual(deal["subscribed_at"], "2026-03-02 03:00:00")
        self.assertEqual(unit.state, "reserved")
        with freeze_time(T0 + timedelta(hours=2)), self.assertRaisesRegex(UserError, "no approved subscription"):
            self.as_user(self.sales_manager).sign({"unit_id": unit.id, "contract_amount": 2_000_000})
        subscription = unit.subscription_id
        with self.assertRaises(AccessError):
            subscription.with_user(lead.user_id).action_approve()
        subscription.with_user(self.sales_manager).action_approve()
        self.assertEqual((subscription.state, unit.state), ("subscribed", "subscribed"))
        self.assertEqual(lead.deposit_at, subscription.subscribed_at)

    def test_uc5_cs15_a_unit_is_subscribed_once_the_first_deposit_wins(self):
        """UC-5, CS-15: two customers for one unit: the first deposit wins; the database refuses a second live
        deal on a unit."""
        first, second = self.customer(), self.customer(phone="13900001111", name="李四")
        unit = self.unit()
        self.subscribe(unit, lead_id=first.id)
        with self.assertRaisesRegex(UserError, "first deposit wins"):
            self.subscribe(unit, at=T0 + timedelta(minutes=1), lead_id=second.id)
        self.assertEqual(unit.subscription_ids.lead_id, first)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env["real.estate.subscription"].sudo().with_context(attribution_engine=True).create(
                {"unit_id": unit.id, "lead_id": second.id, "state": "subscribed", "amount": 1}
            )

    def test_uc5_signing_wins_the_deal_on_the_contract_amount(self):
        """UC-5, CC-1, CS-1: the signing wins the customer's deal; the split rests on the contract amount."""
        lead = self.customer()
        unit = self.unit()
        self.hold(unit, lead)
        self.subscribe(unit, at=T0 + timedelta(hours=1))
        with freeze_time(T0 + timedelta(days=1)):
            deal = self.as_user(self.sales_manager).sign({"unit_id": unit.id, "contract_amount": 1_950_000})
        self.assertEqual((deal["state"], unit.state), ("signed", "signed"))
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual((lead.deal_amount, lead.unit_ref), (1_950_000, "1栋-101"))
        self.assertEqual(lead.date_closed, T0 + timedelta(days=1))
        self.assertEqual(lead.protection_id.state, "converted")
        self.assertEqual([(s.user_id, s.percent) for s in lead.share_ids], [(lead.user_id, 100.0)])
        sales = self.env["real.estate.subscription"].read_group(
            [("state", "=", "signed"), ("building_id", "=", self.building.id)],
            ["area:sum", "contract_amount:sum"],
            ["building_id", "signed_at:month"],
        )
        self.assertEqual((sales[0]["area"], sales[0]["contract_amount"]), (100.0, 1_950_000))

    def test_uc6_a_deposit_without_a_reservation_is_flagged(self):
        """UC-6: a deposit taken without a hold confirmed by the sales manager is flagged, and the site
        manager is told."""
        lead = self.customer()
        unit = self.unit()
        deal = self.subscribe(unit, lead_id=lead.id)
        self.assertTrue(deal["without_reservation"])
        self.assertIn("UC-6", "".join(unit.subscription_id.message_ids.mapped("body")))
        violation = self.env["real.estate.violation"].search([("subscription_id", "=", unit.subscription_id.id)])
        self.assertEqual(
            (violation.kind, violation.user_id, violation.state), ("ds3_no_reservation", lead.user_id, "draft")
        )
        self.assertIn(self.manager, violation.activity_ids.user_id, "the site manager is told")
        held = self.customer(phone="13900001111", name="李四")
        self.hold(self.unit("102"), held)
        self.assertFalse(self.subscribe(self.unit("102"))["without_reservation"])

    def test_uc1_a_cancelled_deal_returns_the_unit_and_reverses_the_credit(self):
        """UC-1: a cancelled signing returns the unit; the deal reopens, its split goes, with an audit line."""
        lead = self.customer()
        unit = self.sign_deal(lead, 2_000_000, at=T0 + timedelta(days=1), user=self.sales_manager)
        self.assertTrue(lead.share_ids)
        with freeze_time(T0 + timedelta(days=2)), self.assertRaisesRegex(UserError, "Say why"):
            self.as_user(self.sales_manager).cancel({"unit_id": unit.id})
        with freeze_time(T0 + timedelta(days=2)):
            self.as_user(self.sales_manager).cancel({"unit_id": unit.id, "reason": "客户退房"})
        self.assertEqual((unit.state, unit.lead_id.id, unit.subscription_ids.state), ("available", False, "cancelled"))
        self.assertFalse(lead.stage_id.is_won)
        self.assertEqual((lead.deal_amount, lead.unit_ref, lead.deposit_at), (0.0, False, False))
        self.assertFalse(lead.share_ids)
        log = lead.ownership_log_ids.filtered(lambda log: log.event == "cancel")
        self.assertEqual((log.rule, log.author_id), ("UC-1", self.sales_manager))
        self.assertIn("客户退房", log.explanation)
        again = self.customer(phone="13900001111", name="李四")
        self.subscribe(unit, at=T0 + timedelta(days=3), lead_id=again.id)
        self.assertEqual(unit.lead_id, again, "the unit is sold again")

    def test_cs8_a_double_sale_opens_a_dispute_with_both_parties(self):
        """CS-8: the unit went to A's customer while C's customer was buying it: the sales manager opens the
        dispute, in C's name over A's deal, for C to submit; upheld, A and C share 50/50."""
        sold = self.customer()
        lost = self.customer(phone="13900001111", name="李四")
        self.assertNotEqual(sold.user_id, lost.user_id)
        unit = self.sign_deal(sold, 2_000_000, at=T0 + timedelta(days=1), user=self.sales_manager)
        wizard = (
            self.env["real.estate.unit.deal"]
            .with_user(self.sales_manager)
            .create({"unit_id": unit.id, "step": "double_sale", "lost_lead_id": lost.id})
        )
        action = wizard.action_apply()
        dispute = self.env["real.estate.dispute"].browse(action["res_id"])
        self.assertEqual(
            (dispute.kind, dispute.lead_id, dispute.claimant_user_id, dispute.related_lead_id),
            ("double_sale", sold, lost.user_id, lost),
        )
        self.assertIn(lost.user_id, dispute.activity_ids.user_id)
        dispute.with_user(lost.user_id).action_submit()
        leader = new_test_user(self.env, "re_leader_cs8", groups="real_estate_attribution.group_team_leader")
        dispute.with_user(leader).write({"decision_note": "销控失误，一房两卖"})
        dispute.with_user(leader).action_uphold()
        self.assertEqual(
            sorted((s.user_id.id, s.percent, s.rule) for s in sold.share_ids),
            sorted([(sold.user_id.id, 50.0, "CS-8"), (lost.user_id.id, 50.0, "CS-8")]),
        )

    def test_the_api_refuses_bad_input_cleanly_and_writes_nothing(self):
        """docs/api.md: an unknown unit, a unit in the wrong state, an amount below zero, another office's
        unit: a clean error, nothing written."""
        lead = self.customer()
        unit = self.unit()
        other_team = self.env["crm.team"].create({"name": "Other Office", "is_sales_office": True})
        other_unit = self.Unit.create(
            {
                "building_id": self.env["real.estate.building"].create({"name": "X", "team_id": other_team.id}).id,
                "number": "1",
                "floor": 1,
            }
        )
        manager = self.as_user(self.sales_manager)
        before = (
            self.env["real.estate.reservation"].search_count([]),
            self.env["real.estate.subscription"].search_count([]),
        )
        cases = [
            (manager.subscribe, {"unit_id": 999_999, "amount": 1, "lead_id": lead.id}, ValidationError, "no record"),
            (manager.subscribe, {"unit_id": unit.id, "amount": -5, "lead_id": lead.id}, ValidationError, "above zero"),
            (
                manager.subscribe,
                {"unit_id": other_unit.id, "amount": 50_000, "lead_id": lead.id},
                UserError,
                "not a customer of",
            ),
            (manager.sign, {"unit_id": unit.id, "contract_amount": 1}, UserError, "no approved subscription"),
            (manager.cancel, {"unit_id": unit.id, "reason": "x"}, UserError, "no hold or deal"),
            (manager.reserve, {"unit_id": unit.id, "lead_id": lead.id, "surprise": 1}, ValidationError, "Unknown key"),
            (manager.reserve, [unit.id], ValidationError, "dictionary"),
            (manager.units, self.team.id, None, None),
        ]
        for method, vals, error, message in cases:
            if error is None:
                self.assertEqual(len(method(vals)), 6)
                continue
            with self.subTest(vals=vals), freeze_time(T0), self.assertRaisesRegex(error, message):
                method(vals)
        self.assertEqual(
            before,
            (
                self.env["real.estate.reservation"].search_count([]),
                self.env["real.estate.subscription"].search_count([]),
            ),
        )

    def test_uc4_a_data_import_replays_deals_in_time_order(self):
        """UC-4, UC-5: a data import replays history with ``at``, in time order."""
        lead = self.customer()
        unit = self.unit()
        importer = self.as_user(self.importer)
        importer.reserve({"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money", "at": "2026-03-02 03:00:00"})
        with self.assertRaisesRegex(UserError, "in time order"):
            importer.subscribe({"unit_id": unit.id, "amount": 50_000, "at": "2026-03-02 02:30:00"})
        deal = importer.subscribe({"unit_id": unit.id, "amount": 50_000, "at": "2026-03-02 04:00:00"})
        self.assertEqual(deal["subscribed_at"], "2026-03-02 04:00:00")
        self.assertEqual(
            importer.sign({"unit_id": unit.id, "contract_amount": 2_000_000, "at": "2026-03-05 04:00:00"})["signed_at"],
            "2026-03-05 04:00:00",
        )
        self.assertEqual(lead.date_closed.strftime("%Y-%m-%d %H:%M"), "2026-03-05 04:00")

    def test_evidence_of_a_hold_is_printable(self):
        """UC-2: the register prints (销控登记表) with the office's holds."""
        lead = self.customer()
        self.hold(self.unit(), lead)
        report = self.env.ref("real_estate_attribution.action_report_reservation_register")
        html = report._render_qweb_html(report.report_name, self.env["real.estate.reservation"].search([]).ids)[0]
        self.assertIn("销控登记表", html.decode())
        self.assertIn(lead.name, html.decode())
