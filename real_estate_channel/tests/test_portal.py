from datetime import datetime, timedelta

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

SHANGHAI = pytz.timezone("Asia/Shanghai")


@tagged("post_install", "-at_install")
class TestAgentPortal(HttpCase):
    """The agent portal (全民经纪): the channel's reports, the report form and the agent's signature.

    HttpCase runs at the real time: reports expect their customer two hours from now.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.consultant = new_test_user(
            cls.env, "portal_li", groups="real_estate_attribution.group_consultant", name="Li Na"
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Portal Tour Office",
                "is_sales_office": True,
                "office_tz": "Asia/Shanghai",
                "crm_team_member_ids": [(0, 0, {"user_id": cls.consultant.id})],
            }
        )
        Partner = cls.env["res.partner"]
        cls.dist = Partner.create({"name": "安居分销", "is_company": True, "channel_kind": "distributor"})
        cls.agency = Partner.create({"name": "链家中介", "is_company": True, "channel_kind": "agency"})
        cls.dist_agent = Partner.create({"name": "经纪人甲", "parent_id": cls.dist.id})
        cls.dist_colleague = Partner.create({"name": "经纪人丁", "parent_id": cls.dist.id})
        cls.agency_agent = Partner.create({"name": "经纪人乙", "parent_id": cls.agency.id})
        cls.env["real.estate.channel.agreement"].create(
            [
                {"name": "%s 协议" % channel.name, "channel_id": channel.id, "team_ids": [(6, 0, cls.team.ids)]}
                for channel in (cls.dist, cls.agency)
            ]
        )
        cls.agent_user = cls._portal_user("portal_agent", cls.dist_agent)
        cls.colleague_user = cls._portal_user("portal_colleague", cls.dist_colleague)
        Report = cls.env["real.estate.report"].with_user(cls.consultant)
        cls.own, cls.colleagues, cls.others = (
            Report.browse(Report.submit(cls._vals(channel, agent, name, phone))["report_id"])
            for channel, agent, name, phone in (
                (cls.dist, cls.dist_agent, "王伟", "13812345678"),
                (cls.dist, cls.dist_colleague, "李四", "13900001111"),
                (cls.agency, cls.agency_agent, "张三", "13700002222"),
            )
        )

    @classmethod
    def _portal_user(cls, login, partner):
        return new_test_user(
            cls.env,
            login,
            groups="base.group_portal",
            partner_id=partner.id,
            name=partner.name,
            tz="Asia/Shanghai",
            lang="en_US",
        )

    @classmethod
    def _vals(cls, channel, agent, name, phone):
        expected = fields.Datetime.now() + timedelta(hours=2)
        return {
            "team_id": cls.team.id,
            "channel_id": channel.id,
            "agent_id": agent.id,
            "customer_name": name,
            "phone": phone,
            "expected_visit": expected.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def _local(self, delta):
        """A datetime-local value ``delta`` from now, in the agent's time zone (Shanghai)."""
        return (datetime.now(pytz.utc) + delta).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    def _post_report(self, **form):
        values = {
            "csrf_token": http.Request.csrf_token(self),
            "customer_name": "赵敏",
            "phone": "13612345678",
            "expected_visit": self._local(timedelta(hours=2)),
            "team_id": str(self.team.id),
        }
        values.update(form)
        return self.url_open("/my/reports/new", data=values)

    def _reports(self):
        return self.env["real.estate.report"].sudo().search([("channel_id", "=", self.dist.id)])

    # ------------------------------------------------------------------
    def test_home_entry_for_agents_only(self):
        """/my shows the Channel Reports entry and counts the channel's reports, for agents only."""
        self.authenticate("portal_agent", "portal_agent")
        self.assertIn('href="/my/reports"', self.url_open("/my").text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["report_count"]})
        self.assertEqual(counters["report_count"], 2)

        new_test_user(self.env, "portal_customer", groups="base.group_portal")
        self.authenticate("portal_customer", "portal_customer")
        self.assertNotIn('href="/my/reports"', self.url_open("/my").text)
        response = self.url_open("/my/reports")
        self.assertTrue(response.url.endswith("/my"), "no channel, no reports")
        self.assertEqual(self.make_jsonrpc_request("/my/counters", {"counters": ["report_count"]})["report_count"], 0)

    def test_list_shows_the_agents_channel_only(self):
        """The list shows the reports of the agent's channel, never another channel's."""
        self.authenticate("portal_agent", "portal_agent")
        response = self.url_open("/my/reports")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own.name, response.text)
        self.assertIn(self.colleagues.name, response.text)
        self.assertIn("李四", response.text)
        self.assertNotIn(self.others.name, response.text)
        self.assertNotIn("张三", response.text)
        self.assertIn("Report accepted", response.text, "the reason message is listed")

    def test_id2_colleague_reports_show_masked_numbers(self):
        """ID-2: the agent sees the full number of their own reports, the masked number of colleagues'."""
        self.authenticate("portal_agent", "portal_agent")
        text = self.url_open("/my/reports").text
        self.assertIn("13812345678", text)
        self.assertIn("139****1111", text)
        self.assertNotIn("13900001111", text)
        detail = self.url_open("/my/reports/%s" % self.colleagues.id).text
        self.assertIn("139****1111", detail)
        self.assertNotIn("13900001111", detail)
        self.authenticate("portal_colleague", "portal_colleague")
        self.assertIn("13900001111", self.url_open("/my/reports/%s" % self.colleagues.id).text)

    def test_ch1_form_creates_a_valid_report_in_the_agents_time_zone(self):
        """CH-1, CH-3: the form submits as the agent; the local expected visit is sent in UTC; the state shows."""
        self.authenticate("portal_agent", "portal_agent")
        form = self.url_open("/my/reports/new").text
        self.assertIn("Portal Tour Office", form, "the offices of the channel's agreements are offered")
        self.assertIn("Asia/Shanghai", form)
        local = self._local(timedelta(hours=2))
        response = self._post_report(expected_visit=local)
        report = self._reports() - self.own - self.colleagues
        self.assertEqual(len(report), 1)
        self.assertTrue(response.url.endswith("/my/reports/%s" % report.id), response.url)
        self.assertIn("Valid", response.text)
        self.assertIn("Report accepted", response.text)
        self.assertIn("13612345678", response.text)
        self.assertEqual((report.state, report.agent_id, report.channel_id), ("valid", self.dist_agent, self.dist))
        expected = SHANGHAI.localize(datetime.strptime(local, "%Y-%m-%dT%H:%M")).astimezone(pytz.utc)
        self.assertEqual(report.expected_visit, expected.replace(tzinfo=None))

    def test_ch1_too_late_report_shows_the_refusal(self):
        """CH-1: a report less than 30 minutes before the arrival is recorded as rejected, with the reason."""
        self.authenticate("portal_agent", "portal_agent")
        response = self._post_report(expected_visit=self._local(timedelta(minutes=10)))
        report = self._reports() - self.own - self.colleagues
        self.assertEqual((report.state, report.reason_code), ("rejected", "too_late"))
        self.assertTrue(response.url.endswith("/my/reports/%s" % report.id), response.url)
        self.assertIn("Rejected", response.text)
        self.assertIn("30", response.text)

    def test_bad_input_keeps_the_entered_values(self):
        """Input refused by submit re-renders the form with the error; nothing entered is lost, nothing is saved."""
        self.authenticate("portal_agent", "portal_agent")
        count = len(self._reports())
        local = self._local(timedelta(hours=2))
        response = self._post_report(customer_name="", phone="13512340000", expected_visit=local)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my/reports/new"))
        self.assertIn("name is required", response.text)
        self.assertIn('value="13512340000"', response.text)
        self.assertIn('value="%s"' % local, response.text)
        self.assertRegex(response.text, r'<option value="%s"\s+selected=' % self.team.id)
        response = self._post_report(expected_visit="tomorrow")
        self.assertIn("date and time of the expected visit", response.text)
        self.assertIn('value="赵敏"', response.text)
        response = self._post_report(team_id="")
        self.assertIn("Choose the sales office", response.text)
        self.assertEqual(len(self._reports()), count)

    def test_other_channels_report_is_refused(self):
        """Another channel's report cannot be opened nor signed: the agent is sent back to /my."""
        self.authenticate("portal_agent", "portal_agent")
        response = self.url_open("/my/reports/%s" % self.others.id)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn(self.others.name, response.text)
        response = self.url_open(
            "/my/reports/%s/sign" % self.others.id, data={"csrf_token": http.Request.csrf_token(self)}
        )
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertTrue(self.url_open("/my/reports/999999").url.endswith("/my"))

    def test_id2_agents_never_see_whose_customer_file_a_report_matched(self):
        """ID-2, CH-2: a rejected report tells the reason, not the office's customer file behind it."""
        self.env["real.estate.visit"].with_user(self.consultant).register(
            {"team_id": self.team.id, "kind": "visit", "customer_name": "刘总", "phone": "13900004444"}
        )
        Report = self.env["real.estate.report"].with_user(self.agent_user)
        result = Report.submit(self._vals(self.dist, self.dist_agent, "刘总", "13900004444"))
        report = Report.browse(result["report_id"])
        self.assertEqual(result["state"], "rejected")
        self.assertTrue(report.sudo().lead_id, "the office knows the match")
        for name in ("lead_id", "visit_id", "protection_id"):
            with self.assertRaises(AccessError):
                report.read([name])

    def test_ch7_agent_signs_the_visit_confirmation(self):
        """CH-7: the agent who reported signs the visit confirmation from the report; colleagues cannot."""
        visit = self.env["real.estate.visit"].with_user(self.consultant)
        visit.register(
            {
                "team_id": self.team.id,
                "kind": "visit",
                "customer_name": "王伟",
                "phone": "13812345678",
            }
        )  # the rules find the report that claims the customer (CH-5)
        confirmation = self.own.confirmation_id
        self.assertEqual(confirmation.state, "pending")
        url = "/my/reports/%s" % self.own.id

        self.authenticate("portal_colleague", "portal_colleague")
        self.assertNotIn("Sign the visit confirmation", self.url_open(url).text)
        response = self.url_open(url + "/sign", data={"csrf_token": http.Request.csrf_token(self)})
        self.assertIn("Only the agent", response.text)
        confirmation.invalidate_recordset()
        self.assertFalse(confirmation.agent_signed_at)

        self.authenticate("portal_agent", "portal_agent")
        self.assertIn("Sign the visit confirmation", self.url_open(url).text)
        response = self.url_open(url + "/sign", data={"csrf_token": http.Request.csrf_token(self)})
        self.assertTrue(response.url.endswith(url), response.url)
        confirmation.invalidate_recordset()
        self.assertTrue(confirmation.agent_signed_at)
        self.assertEqual(confirmation.agent_signed_by, self.agent_user)
        self.assertNotIn("Sign the visit confirmation", response.text)
        self.assertIn("o_report_agent_signed", response.text)

    def test_ch15_agent_lists_a_companion_on_the_report(self):
        """CH-15: the agent lists a new customer who came along; a mistyped mobile lists nothing, a colleague
        cannot list, and the page shows the listed companion without their number."""
        self.env["real.estate.visit"].with_user(self.consultant).register(
            {"team_id": self.team.id, "kind": "visit", "customer_name": "王伟", "phone": "13812345678"}
        )
        confirmation = self.own.confirmation_id
        url = "/my/reports/%s" % self.own.id

        self.authenticate("portal_colleague", "portal_colleague")
        self.assertNotIn("o_report_add_companion", self.url_open(url).text)
        form = {
            "csrf_token": http.Request.csrf_token(self),
            "companion_name": "周同行",
            "companion_phone": "13611112222",
        }
        self.assertIn("lists the companions", self.url_open(url + "/companion", data=form).text)

        self.authenticate("portal_agent", "portal_agent")
        self.assertIn("o_report_add_companion", self.url_open(url).text)
        form["csrf_token"] = http.Request.csrf_token(self)
        response = self.url_open(url + "/companion", data=dict(form, companion_phone="1361111"))
        self.assertIn("not a valid mobile number", response.text)
        self.assertFalse(confirmation.companion_ids)
        response = self.url_open(url + "/companion", data=form)
        self.assertTrue(response.url.endswith(url), response.url)
        self.assertEqual(confirmation.companion_ids.mapped("name"), ["周同行"])
        self.assertIn("周同行", response.text)
        self.assertNotIn("13611112222", response.text)

    def test_ch18_agent_claims_a_deposit_with_evidence_files(self):
        """CH-18: from the portal, the agent claims a customer who paid a deposit without a report, with evidence
        files; a claim without evidence, or for an unknown number, returns the form with the reason and files
        nothing."""
        lead = self.env["crm.lead"].browse(
            self.env["real.estate.visit"]
            .with_user(self.consultant)
            .register({"team_id": self.team.id, "customer_name": "赵六", "phone": "13655556666"})["lead_id"]
        )
        building = self.env["real.estate.building"].create({"name": "认领楼", "team_id": self.team.id})
        unit = self.env["real.estate.unit"].create({"building_id": building.id, "number": "1801", "floor": 18})
        Unit = self.env["real.estate.unit"]
        Unit.reserve({"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money"})
        Unit.subscribe({"unit_id": unit.id, "amount": 50_000})
        Claim = self.env["real.estate.deposit.claim"].sudo()

        self.authenticate("portal_agent", "portal_agent")
        self.assertIn("o_deposit_claim_new", self.url_open("/my/deposit-claims").text)
        self.assertIn("o_deposit_claim_form", self.url_open("/my/deposit-claims/new").text)
        form = {
            "csrf_token": http.Request.csrf_token(self),
            "team_id": str(self.team.id),
            "customer_name": "赵六",
            "phone": "13655556666",
        }
        response = self.url_open("/my/deposit-claims/new", data=form)
        self.assertIn("o_deposit_claim_error", response.text)
        self.assertIn("Give the channel&#39;s formal report", response.text)
        self.assertIn("13655556666", response.text)
        response = self.url_open("/my/deposit-claims/new", data=dict(form, phone="13600000000", evidence="约访记录"))
        self.assertIn("No deposit", response.text)
        self.assertFalse(Claim.search([("team_id", "=", self.team.id)]))
        self.assertFalse(
            self.env["ir.attachment"].sudo().search([("res_model", "=", Claim._name), ("name", "=", "wechat.png")])
        )
        response = self.url_open(
            "/my/deposit-claims/new",
            data=dict(form, evidence="约访记录"),
            files={"evidence_files": ("wechat.png", b"\x89PNG evidence", "image/png")},
        )
        self.assertTrue(response.url.endswith("/my/deposit-claims"), response.url)
        claim = Claim.search([("team_id", "=", self.team.id)])
        self.assertEqual((claim.state, claim.lead_id, claim.agent_id), ("submitted", lead, self.dist_agent))
        self.assertEqual(claim.attachment_ids.mapped("name"), ["wechat.png"])
        self.assertEqual((claim.attachment_ids.res_model, claim.attachment_ids.res_id), (Claim._name, claim.id))
        self.assertIn(claim.name, response.text)

        self.authenticate("portal_colleague", "portal_colleague")  # the same channel reads its claims
        self.assertIn(claim.name, self.url_open("/my/deposit-claims").text)

    def test_uc5_agents_see_their_own_customers_deals_and_no_unit(self):
        """UC-5, RF-4: an agent follows their customer's deal (subscribed, signed), never a unit or another
        channel's deal."""
        register = self.env["real.estate.visit"].with_user(self.consultant).register
        register({"team_id": self.team.id, "kind": "visit", "customer_name": "王伟", "phone": "13812345678"})
        register({"team_id": self.team.id, "kind": "visit", "customer_name": "张三", "phone": "13700002222"})
        manager = new_test_user(self.env, "portal_xk", groups="real_estate_attribution.group_sales_manager")
        building = self.env["real.estate.building"].create({"name": "门户楼", "team_id": self.team.id})
        Unit = self.env["real.estate.unit"].with_user(manager)
        for number, report in (("101", self.own), ("102", self.others)):
            unit = self.env["real.estate.unit"].create({"building_id": building.id, "number": number, "floor": 1})
            Unit.reserve({"unit_id": unit.id, "lead_id": report.sudo().lead_id.id, "handed_over": "money"})
            Unit.subscribe({"unit_id": unit.id, "amount": 50_000})
        Unit.sign({"unit_id": building.unit_ids[0].id, "contract_amount": 2_000_000})
        self.assertEqual((self.own.deal_state, self.others.deal_state), ("signed", "subscribed"))
        self.authenticate("portal_agent", "portal_agent")
        text = self.url_open("/my/reports").text
        self.assertEqual(text.count("o_report_deal"), 2, "one badge per view (cards and table) of the own deal")
        self.assertIn("Signed", self.url_open("/my/reports/%s" % self.own.id).text)
        for model in ("real.estate.unit", "real.estate.subscription", "real.estate.reservation"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.agent_user).search([])

    def test_report_tour(self):
        """The agent reports a customer in the browser and reads the state and the reason at once."""
        self.start_tour("/my/reports", "real_estate_channel_portal_report_tour", login="portal_agent")
        report = self._reports().filtered(lambda r: r.customer_name == "王小明")
        self.assertEqual(report.state, "valid")
