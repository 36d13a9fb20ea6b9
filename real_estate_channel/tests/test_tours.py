"""The channel side's daily tasks, each clicked through in the browser by the role that does it.

Each test prepares in Python, through the addons' own API (``real.estate.report.submit``,
``real.estate.visit.register``), the data its tour needs, runs the tour as the demo user of the role
(password = login), then checks that the database holds what the screens said. The tours are in
``static/tests/tours/daily_channel_tours.js``; they use the demo office 滨江壹号 and its channels.
"""

import os
import subprocess
import tempfile
import unicodedata
from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class ChannelTourCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.team = ref("real_estate_attribution.team_binjiang")
        cls.lina = ref("real_estate_attribution.user_consultant_li")
        cls.zhaomin = ref("real_estate_attribution.user_manager_zhao")
        cls.huangyong = ref("real_estate_channel.user_channel_manager_huang")
        cls.anju = ref("real_estate_channel.channel_anju")
        cls.zhou = ref("real_estate_channel.agent_zhou")
        cls.agent_user = ref("real_estate_channel.user_agent_zhou")
        cls.Report = cls.env["real.estate.report"]

    def _utc(self, delta):
        return fields.Datetime.to_string(fields.Datetime.now() + delta)


class TestVisitConfirmationTour(ChannelTourCase):
    """Daily task 6: the three signatures of a visit confirmation, then its print (CH-7, CH-8)."""

    CUSTOMER = "蒋雨桐"

    def _reported_visit(self):
        """周杰 (portal user agent) reports 蒋雨桐; she arrives and 李娜 receives her: a confirmation opens."""
        submitted = self.Report.with_user(self.agent_user).submit(
            {
                "team_id": self.team.id,
                "customer_name": self.CUSTOMER,
                "phone": "135 0000 6655",
                "expected_visit": self._utc(timedelta(hours=1)),
            }
        )
        self.assertEqual(submitted["state"], "valid", submitted["message"])
        report = self.Report.browse(submitted["report_id"])
        visit = self.env["real.estate.visit"].register(
            {
                "team_id": self.team.id,
                "customer_name": self.CUSTOMER,
                "phone": "135 0000 6655",
                "report_id": report.id,
                "consultant_id": self.lina.id,
            }
        )
        self.assertEqual(visit["rule"], "CH-7")
        self.assertFalse(visit["owner_channel_id"], "CH-7: unconfirmed, the visit counts as a natural visit")
        confirmation = report.confirmation_id
        self.assertEqual((confirmation.state, confirmation.consultant_id), ("pending", self.lina))
        self.assertEqual((confirmation.agent_id, confirmation.channel_id), (self.zhou, self.anju))
        return report, confirmation

    def test_three_signatures_then_print(self):
        report, confirmation = self._reported_visit()
        lead = confirmation.lead_id

        self.start_tour("/my", "real_estate_daily_confirmation_agent", login="agent")
        self.env.invalidate_all()
        self.assertTrue(confirmation.agent_signed_at)
        self.assertEqual(confirmation.agent_signed_by, self.agent_user)
        self.assertEqual(confirmation.state, "pending")

        self.start_tour("/odoo", "real_estate_daily_confirmation_consultant", login="lina")
        self.env.invalidate_all()
        self.assertTrue(confirmation.consultant_signed_at)
        self.assertEqual(confirmation.state, "pending", "CH-7: two signatures of three confirm nothing")
        self.assertFalse(lead.protection_id.holder_channel_id)

        self.start_tour("/odoo", "real_estate_daily_confirmation_manager", login="zhaomin")
        self.env.invalidate_all()
        self.assertEqual(confirmation.state, "confirmed", "CH-7: the three signatures confirm the channel visit")
        self.assertEqual(confirmation.manager_signed_by, self.zhaomin)
        self.assertEqual(report.state, "confirmed")
        # CH-8: the channel holds the customer for 30 days from the visit, with the receiving consultant
        protection = lead.protection_id
        self.assertEqual(report.protection_id, protection)
        self.assertEqual((protection.kind, protection.rule, protection.state), ("channel", "CH-8", "active"))
        self.assertEqual((protection.holder_channel_id, protection.holder_user_id), (self.anju, self.lina))
        self.assertEqual(protection.start, confirmation.visit_at)
        self.assertEqual(protection.end, confirmation.visit_at + timedelta(days=self.team.channel_protection_days))
        attribution = lead.attribution()[0]
        self.assertEqual((attribution["owner_channel_id"], attribution["owner_user_id"]), (self.anju.id, self.lina.id))
        self.assertEqual(attribution["rule"], "CH-8")

        # the printed 来访客户确认单 names the customer and the three signers
        text = self._pdf_text(confirmation)
        self.assertIn(self.CUSTOMER, text)
        for signer in ("周杰", "李娜", "赵敏"):
            self.assertIn(signer, text)
        self.assertEqual(text.count("来访客户确认单"), 2, "one copy for the developer, one for the channel")

    def _pdf_text(self, confirmation):
        """The confirmation printed by wkhtmltopdf (Odoo prints HTML in tests unless forced), as text.

        Only the Chinese text is extracted: wkhtmltopdf draws the layout's Latin web font as outlines."""
        report = self.env.ref("real_estate_channel.action_report_visit_confirmation")
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, confirmation.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "confirmation.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True).stdout
        # the CJK font maps some ideographs back to their Kangxi radicals (雨 → ⾬, 人 → ⼈): NFKC folds them
        return unicodedata.normalize("NFKC", text.decode())


class TestStatementTour(ChannelTourCase):
    """Daily task 7: the channel manager confirms the draft commission statement and prints it (CC-2)."""

    def test_confirm_and_print_statement(self):
        statement = self.env["real.estate.channel.statement"].search(
            [("channel_id", "=", self.anju.id), ("state", "=", "draft")]
        )
        self.assertEqual(len(statement), 1, "the demo has the distributor's draft statement")
        self.assertTrue(statement.line_ids)
        self.start_tour("/odoo", "real_estate_daily_statement", login="huangyong")
        self.env.invalidate_all()
        self.assertEqual(statement.state, "confirmed")
        self.assertEqual(statement.write_uid, self.huangyong)
        self.assertEqual(statement.deal_count, len(statement.line_ids))
        self.assertEqual(statement.net_amount, statement.gross_amount - statement.penalty_amount)


@tagged("post_install", "-at_install")
class TestPortalReportOnPhoneTour(ChannelTourCase):
    """Daily task 8: the agent reports a customer from a phone (390x844); a bad number writes nothing."""

    browser_size = "390x844"
    touch_enabled = True

    def test_report_from_phone(self):
        mine = [("channel_id", "=", self.anju.id)]
        before = self.Report.search(mine)
        self.assertTrue(before, "the phone shows the channel's reports as cards")
        self.start_tour("/my/reports", "real_estate_daily_portal_report_phone", login="agent")
        self.env.invalidate_all()
        new = self.Report.search(mine) - before
        self.assertEqual(len(new), 1, "ID-1: the mistyped number wrote no report; the corrected one did")
        self.assertEqual((new.customer_name, new.customer_mobile), ("邹晓彤", "+8613812345670"))
        self.assertEqual((new.agent_id, new.team_id, new.state), (self.zhou, self.team, "valid"))
        # the expected visit was typed in the agent's time zone (Asia/Shanghai): 10:30 there, two days on
        expected = pytz.utc.localize(new.expected_visit).astimezone(pytz.timezone("Asia/Shanghai"))
        self.assertEqual((expected.hour, expected.minute), (10, 30))
        self.assertTrue(new.valid_until, "CH-3: a valid report has its validity")
