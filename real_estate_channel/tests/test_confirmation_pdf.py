from datetime import timedelta

from .common import T0, ChannelCase


class TestConfirmationPdf(ChannelCase):
    def test_ch7_confirmation_prints_in_two_copies(self):
        """CH-7: the 来访客户确认单 has one copy for the developer and one for the channel.

        The PDF itself is printed by wkhtmltopdf against the live server in tests/test_channel_live.py.
        """
        result = self.register(at=T0 + timedelta(hours=2), report_id=self.submit()["report_id"])
        confirmation = self.sign_all(result, T0 + timedelta(hours=3))
        report = self.env.ref("real_estate_channel.action_report_visit_confirmation")
        html = report._render_qweb_html(report.report_name, confirmation.ids)[0].decode()
        self.assertIn("开发商存联", html)
        self.assertIn("渠道存联", html)
        self.assertEqual(html.count("来访客户确认单"), 2)
        self.assertIn("138****5678", html)
        self.assertNotIn("13812345678", html)
