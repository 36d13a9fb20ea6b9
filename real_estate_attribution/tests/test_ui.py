from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLeadFormTour(HttpCase):
    """The lead form shows owner, protection end, rule and explanation (browser tour)."""

    def test_lead_form_shows_attribution(self):
        consultant = new_test_user(
            self.env, "tour_consultant", groups="real_estate_attribution.group_consultant", name="Tour Consultant"
        )
        members = [(0, 0, {"user_id": consultant.id})]
        team = self.env["crm.team"].create(
            {"name": "Tour Office", "is_sales_office": True, "crm_team_member_ids": members}
        )
        self.env["real.estate.visit"].with_user(consultant).register(
            {"team_id": team.id, "customer_name": "巡检客户", "phone": "13512340000"}
        )
        self.start_tour("/odoo", "real_estate_attribution_lead_tour", login="admin")


@tagged("post_install", "-at_install")
class TestGradeBoardTour(HttpCase):
    """GR-1 to GR-3 in the browser: drag between grade columns; a D drop becomes an approval request."""

    def test_grade_board_drag_and_drop(self):
        consultant = new_test_user(
            self.env,
            "grade_consultant",
            password="grade_consultant",
            groups="real_estate_attribution.group_consultant",
            name="Grade Consultant",
            tz="Asia/Shanghai",
        )
        members = [(0, 0, {"user_id": consultant.id})]
        team = self.env["crm.team"].create(
            {"name": "Grade Office", "is_sales_office": True, "crm_team_member_ids": members}
        )
        Visit = self.env["real.estate.visit"].with_user(consultant)
        leads = self.env["crm.lead"]
        ten_days_ago = fields.Datetime.now() - timedelta(days=10)
        for name, phone in (("甲客户", "13511110001"), ("乙客户", "13511110002")):
            with freeze_time(ten_days_ago):  # registered and followed up ten days ago: C's weekly call is overdue
                lead = self.env["crm.lead"].browse(
                    Visit.register({"team_id": team.id, "customer_name": name, "phone": phone})["lead_id"]
                )
                lead.with_user(consultant).log_followup(note="回访")
                lead.with_user(consultant).write({"grade": "C"})
            leads |= lead
        first, second = leads
        self.assertEqual(first.followup_status, "overdue")
        self.start_tour("/odoo", "real_estate_grade_board_tour", login="grade_consultant")
        self.assertEqual(first.grade, "B")
        self.assertEqual(second.grade, "C")
        self.assertEqual(second.grade_request_ids.state, "pending")
