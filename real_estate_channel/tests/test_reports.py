import importlib.util
import pathlib
from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import T0, ChannelCase


class TestReportSubmission(ChannelCase):
    """Reports decided at submission: CH-1 to CH-6, CH-10, CH-11, CH-14."""

    def test_result_shape_and_validity(self):
        """CH-3: a valid report answers at once and lasts until the end of the expected visit's day."""
        result = self.submit()
        self.assertEqual(set(result), {"report_id", "state", "reason_code", "message", "valid_until"})
        self.assertEqual(result["state"], "valid")
        self.assertIs(result["reason_code"], False)
        self.assertEqual(result["valid_until"], "2026-03-02 16:00:00")  # midnight in Shanghai
        self.assertIn("CH-3", result["message"])

    def test_ch3_validity_in_hours_or_days(self):
        """CH-3 setting: validity in hours or days from the report."""
        self.team.write({"report_validity_mode": "days", "report_validity_amount": 15})
        self.assertEqual(self.submit()["valid_until"], "2026-03-17 02:00:00")
        self.team.write({"report_validity_mode": "hours", "report_validity_amount": 3})
        self.assertEqual(self.submit(phone="13900001111", customer_name="李四")["valid_until"], "2026-03-02 05:00:00")

    def test_ch3_report_lapses_without_a_visit(self):
        """CH-3: past its validity a report reads as lapsed, and the cron records it."""
        report = self.report(self.submit())
        self.assertEqual(report._state_at(T0 + timedelta(days=1)), "lapsed")
        self.assertEqual(report.state, "valid")
        from freezegun import freeze_time  # noqa: PLC0415

        with freeze_time(T0 + timedelta(days=1)):
            self.Report._cron_lapse()
        self.assertEqual(report.state, "lapsed")

    def test_ch1_report_too_close_to_arrival_or_after_it(self):
        """CH-1: at least 30 minutes before the expected arrival; never after it."""
        late = self.submit(expected=T0 + timedelta(minutes=20))
        self.assertEqual((late["state"], late["reason_code"]), ("rejected", "too_late"))
        self.assertIn("30", late["message"])
        count = self.Report.search_count([])
        with self.assertRaisesRegex(ValidationError, "already past"):
            self.submit(expected=T0 - timedelta(hours=1), phone="13900001111", customer_name="李四")
        with self.assertRaisesRegex(ValidationError, "more than a year ahead"):
            self.submit(expected=T0 + timedelta(days=400), phone="13900001111", customer_name="李四")
        self.assertEqual(self.Report.search_count([]), count, "an arrival typed wrong writes nothing")
        self.team.report_lead_minutes = 60
        self.assertEqual(
            self.submit(expected=T0 + timedelta(minutes=45), phone="13900002222", customer_name="张三")["reason_code"],
            "too_late",
        )

    def test_ch2_customer_already_in_the_system(self):
        """CH-2, CH-10: a customer who visited or called before the report is not the channel's."""
        self.register(at=T0 - timedelta(days=40))  # visited, protection long lapsed
        result = self.submit()
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "already_customer"))

    def test_ch2_customer_held_by_another_party(self):
        """CH-2: a customer under someone's protection is refused, without naming who holds them."""
        self.register(at=T0 - timedelta(days=1))
        result = self.submit()
        self.assertEqual(result["reason_code"], "protected_by_other")
        self.assertIn("already held by another party", result["message"])
        self.assertNotIn("Li Na", result["message"])
        self.assertNotIn("Li Na", str(self.report(result).reason_params))

    def test_ch2_household_member_held_counts(self):
        """CH-2 with ID-3: the spouse of a held customer is held too."""
        husband = self.register(at=T0 - timedelta(days=1))
        wife = self.env["crm.lead"].create({"name": "张丽", "team_id": self.team.id, "phone": "13700001111"})
        self.household(husband["lead_id"], wife, "spouse")
        result = self.submit(customer_name="张丽", phone="13700001111")
        self.assertEqual(result["reason_code"], "protected_by_other")

    def test_ch4_ch11_two_channels_first_entry_wins(self):
        """CH-4, CH-11, CH-5: the earlier report wins; the later one is refused without naming the rival."""
        first = self.submit()
        second = self.submit(at=T0 + timedelta(minutes=1), channel_id=self.agency.id, agent_id=self.agency_agent.id)
        self.assertEqual(first["state"], "valid")
        self.assertEqual((second["state"], second["reason_code"]), ("rejected", "protected_by_other"))
        self.assertNotIn(self.dist.name, second["message"])
        self.assertIn("another party", second["message"])

    def test_ch4_masked_and_full_reports_of_one_customer_conflict(self):
        """ID-2, CH-4: a masked report conflicts with a full one of the same prefix, suffix and surname."""
        self.assertEqual(self.submit(phone="138****5678", customer_name="王先生")["state"], "valid")
        full = self.submit(at=T0 + timedelta(minutes=1), channel_id=self.agency.id, agent_id=self.agency_agent.id)
        self.assertEqual(full["reason_code"], "protected_by_other")
        other_surname = self.submit(
            at=T0 + timedelta(minutes=2), channel_id=self.agency.id, agent_id=self.agency_agent.id, customer_name="李雷"
        )
        self.assertEqual(other_surname["state"], "valid")

    def test_ch6_repeat_cap_per_channel_and_customer(self):
        """CH-6: one channel reports one customer at most three times."""
        for n in range(3):
            result = self.submit(at=T0 + timedelta(days=n))
            self.assertEqual(result["state"], "valid", result)
        fourth = self.submit(at=T0 + timedelta(days=3))
        self.assertEqual((fourth["state"], fourth["reason_code"]), ("rejected", "repeat_limit"))
        self.team.report_repeat_cap = 5
        self.assertEqual(self.submit(at=T0 + timedelta(days=4))["state"], "valid")

    def test_duplicate_report_of_a_report_in_force(self):
        """CH-4: the refusal names the channel's earlier report in force, not the refused one."""
        first = self.env["real.estate.report"].browse(self.submit()["report_id"])
        again = self.submit(at=T0 + timedelta(minutes=5))
        self.assertEqual(again["reason_code"], "duplicate_report")
        refused = self.env["real.estate.report"].browse(again["report_id"])
        self.assertIn(first.name, again["message"])
        self.assertNotIn(refused.name, again["message"])
        self.assertIn(first.name, refused.with_context(lang="zh_CN").message)

    def test_masked_numbers_follow_the_office_setting(self):
        """ID-2: the office chooses full or masked numbers."""
        self.team.report_phone_mode = "full"
        masked = self.submit(phone="138****5678")
        self.assertEqual((masked["state"], masked["reason_code"]), ("rejected", "masked_not_allowed"))
        self.team.report_phone_mode = "masked"
        self.assertEqual(self.submit(phone="13812345678")["reason_code"], "full_not_allowed")
        self.assertEqual(self.submit(phone="138****5678")["state"], "valid")

    def test_id1_invalid_phone_is_refused_and_writes_nothing(self):
        """ID-1: a mistyped number is bad input: refused with the reason, and no report is numbered for it."""
        count = self.Report.search_count([])
        with self.assertRaisesRegex(ValidationError, "12345 is not a mobile number"):
            self.submit(phone="12345")
        with self.assertRaisesRegex(ValidationError, "is not a mobile number"):
            self.submit(referrer_phone="abc")
        self.assertEqual(self.Report.search_count([]), count)

    def test_ch10_employees_and_relatives(self):
        """CH-10: employees and their direct relatives are not channel customers."""
        self.li.partner_id.mobile = "+86 139 1111 2222"
        self.assertEqual(self.submit(phone="13911112222", customer_name="李娜")["reason_code"], "employee")
        # the contacts' numbers are free text: full-width digits and separators are read as the number
        self.li.partner_id.phone = "１３９－２２２２－３３３３"
        self.assertEqual(self.submit(phone="13922223333", customer_name="李娜")["reason_code"], "employee")
        # a number whose digits only contain the customer's is another number
        self.li.partner_id.write({"phone": False, "mobile": "+86 139 1111 2222 9"})
        self.assertEqual(self.submit(phone="13911112222", customer_name="李娜")["state"], "valid")
        relative = self.env["crm.lead"].create({"name": "李母", "team_id": self.team.id, "phone": "13611112222"})
        relative.is_staff_relative = True
        self.assertEqual(self.submit(phone="13611112222", customer_name="李母")["reason_code"], "employee")

    def test_ch10_repeat_purchase_parking_and_scope(self):
        """CH-10: repeat purchases, parking spaces and offices outside the agreement are refused."""
        bought = self.register(at=T0 - timedelta(days=5))
        self.sign_deal(self.env["crm.lead"].browse(bought["lead_id"]), at=T0 - timedelta(days=4))
        self.assertEqual(self.submit()["reason_code"], "repeat_purchase")
        self.assertEqual(
            self.submit(phone="13900001111", customer_name="李四", product="parking")["reason_code"], "parking"
        )
        self.agreements.filtered(lambda a: a.channel_id == self.agency).team_ids = [(5, 0, 0)]
        result = self.submit(
            phone="13900002222", customer_name="张三", channel_id=self.agency.id, agent_id=self.agency_agent.id
        )
        self.assertEqual(result["reason_code"], "out_of_scope")

    def test_ch13_suspended_channel_cannot_report(self):
        self.agreements.filtered(lambda a: a.channel_id == self.dist).action_suspend()
        self.assertEqual(self.submit()["reason_code"], "channel_suspended")

    def test_ch16_before_the_first_opening_a_report_lasts_until_30_days_after_it(self):
        """CH-16: before the project's first opening a report stays valid until 30 days after the opening day
        (inclusive); after the opening, the office's validity from the report (CH-3)."""
        self.team.launch_date = date(2026, 3, 10)
        before = self.report(self.submit())
        self.assertEqual(before.valid_until, datetime(2026, 4, 9, 16, 0))  # 10 April 00:00 in Shanghai
        after = self.report(self.submit(at=T0 + timedelta(days=9), phone="13900004444", customer_name="开盘后"))
        self.assertEqual(after.valid_until, datetime(2026, 3, 11, 16, 0), "CH-3: the end of the expected day")

    def test_ch14_old_customer_brings_new(self):
        """CH-14: a new customer brought by an old customer of another party belongs to that party while the old
        customer is old; the refusal says until when."""
        self.register(at=T0 - timedelta(days=3), phone="13900009999", customer_name="老客户")
        result = self.submit(referrer_phone="13900009999")
        self.assertEqual(result["reason_code"], "old_customer_referral")
        self.assertIn("2026-03-29", result["message"], "old until 30 days after the old customer's visit")

    def test_ch14_an_old_customer_is_old_30_days_from_the_deposit_or_the_last_visit(self):
        """CH-14: old for 30 days from the deposit, or from the last visit without buying; the new customers they
        bring meanwhile are their owner's (CS-13) under the usual protection; afterwards the old customer is a
        public resource and a referral is decided as anyone's; 0 days: nobody is old."""
        self.make_roster([self.li, self.wang])
        old = self.env["crm.lead"].browse(self.register(phone="13900009999", customer_name="老客户")["lead_id"])  # li

        def bring(at, phone, name):
            return self.register(at=at, phone=phone, customer_name=name, referrer_phone="13900009999")

        brought = bring(T0 + timedelta(hours=1), "13900008888", "新客户")
        self.assertEqual((brought["rule"], brought["owner_user_id"]), ("CS-13", self.li.id))
        lead = self.env["crm.lead"].browse(brought["lead_id"])
        self.follow_up(lead.id, self.li, T0 + timedelta(days=10))
        self.assertEqual((lead.protection_id.end, lead.protection_id.end_rule), (T0 + timedelta(days=70), "PR-1"))
        late = bring(T0 + timedelta(days=31), "13900007777", "晚来的")
        self.assertNotEqual(late["rule"], "CS-13", "the old customer is old no more: the rotation decides")
        old.sudo().deposit_at = T0 + timedelta(days=32)  # the deposit makes them old again for 30 days
        again = bring(T0 + timedelta(days=40), "13900006666", "又一位")
        self.assertEqual((again["rule"], again["owner_user_id"]), ("CS-13", self.li.id))
        self.team.old_customer_days = 0
        none = bring(T0 + timedelta(days=41), "13900005555", "第四位")
        self.assertNotEqual(none["rule"], "CS-13")

    def test_ch14_migration_reads_the_rule_anew_from_now_on(self):
        """CH-14 (18.0.1.1.0): the office keeps its number of days; expired protections stay expired; a running one
        capped by the old reading takes its usual end from now on."""
        path = pathlib.Path(__file__).resolve().parents[1] / "migrations" / "18.0.1.1.0" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("ch14_post_migrate", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        running = self.env["crm.lead"].browse(self.register()["lead_id"]).protection_id
        ended = self.env["crm.lead"].browse(self.register(phone="13900001111", customer_name="李四")["lead_id"])
        ended = ended.protection_id
        capped_end = T0 + timedelta(days=10)
        (running | ended).sudo().write({"end": capped_end, "end_rule": "CH-14"})
        ended.sudo().state = "expired"
        module.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual((running.end, running.end_rule), (T0 + timedelta(days=30), "PR-2"))
        self.assertEqual((ended.state, ended.end, ended.end_rule), ("expired", capped_end, "CH-14"))

    def test_ch14_a_claim_after_the_window_is_void(self):
        """CH-14: another channel's report naming an old customer is refused while the old customer is old; once
        the 30 days have passed, the referral claims nothing and the report is decided as anyone's."""
        self.register(at=T0 - timedelta(days=31), phone="13900009999", customer_name="老客户")
        result = self.submit(referrer_phone="13900009999")
        self.assertNotEqual(result["reason_code"], "old_customer_referral")

    def test_bad_input_raises_and_writes_nothing(self):
        count = self.Report.sudo().search_count([])
        for vals, error, pattern in (
            ({"channel_id": 999999}, UserError, "Unknown channel"),
            ({"channel_id": "x"}, ValidationError, "channel_id must be"),
            ({"customer_name": ""}, ValidationError, "name is required"),
            ({"expected_visit": "tomorrow"}, ValidationError, "expected_visit must be"),
            ({"agent_id": self.agency_agent.id}, ValidationError, "does not work for"),
            ({"team_id": 0}, UserError, "Unknown sales office"),
        ):
            with self.assertRaisesRegex(error, pattern):
                self.submit(**vals)
        with self.assertRaisesRegex(AccessError, "Data Import"):
            self.Report.with_user(self.li).submit(
                {
                    "team_id": self.team.id,
                    "channel_id": self.dist.id,
                    "customer_name": "王伟",
                    "phone": "13812345678",
                    "expected_visit": "2026-03-02 04:00:00",
                    "at": "2026-03-01 02:00:00",
                }
            )
        self.assertEqual(self.Report.sudo().search_count([]), count)

    def test_ch4_a_report_cannot_be_written_valid_by_hand(self):
        """CH-4: reports are decided by the engine; the engine's context key does not open the door."""
        with self.assertRaisesRegex(UserError, "report form, the portal or the API"):
            self.Report.with_user(self.manager).with_context(attribution_engine=True).create(
                {
                    "team_id": self.team.id,
                    "channel_id": self.agency.id,
                    "customer_name": "王伟",
                    "customer_mobile": "+8613812345678",
                    "expected_visit": T0,
                    "reported_at": T0,
                    "state": "valid",
                }
            )

    def test_reports_are_unique_per_customer_in_the_database(self):
        """CH-4: two reports of one customer cannot both be in force (unique partial index)."""
        import psycopg2  # noqa: PLC0415

        from odoo.tools import mute_logger  # noqa: PLC0415

        first = self.report(self.submit())
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Report.with_context(attribution_engine=True).create(
                {
                    "team_id": self.team.id,
                    "channel_id": self.agency.id,
                    "customer_name": "王伟",
                    "customer_mobile": first.customer_mobile,
                    "claim_key": first.claim_key,
                    "expected_visit": T0,
                    "reported_at": T0,
                    "state": "valid",
                }
            )

    def test_id2_reported_numbers_are_read_masked_by_consultants_who_do_not_hold_the_customer(self):
        """ID-2: the full reported number is the office managers' (and the holder's), masked for others."""
        report = self.report(self.submit())
        fields_ = ["phone", "customer_mobile", "claim_key"]
        self.assertEqual(
            report.with_user(self.wang).read(fields_)[0],
            {"id": report.id, "phone": "138****5678", "customer_mobile": "138****5678", "claim_key": "138****5678"},
        )
        self.assertEqual(report.with_user(self.manager).read(["phone"])[0]["phone"], "13812345678")
        self.assertEqual(self.Report.with_user(self.wang).search([("customer_mobile", "=", "+8613812345678")]), report)
