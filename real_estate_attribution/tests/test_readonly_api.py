from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReadonlyApi(HttpCase):
    """The read-only API methods are marked so (``@api.readonly``): Odoo 18 serves them from a read replica
    (``--db_replica_host``) and they work on a read-only cursor."""

    READONLY = {
        "crm.lead": ["attribution", "commission_shares"],
        "real.estate.unit": ["units", "unit_grid"],
    }

    def test_read_only_methods_are_marked_and_answer_on_a_read_only_cursor(self):
        for model, methods in self.READONLY.items():
            for method in methods:
                self.assertTrue(
                    getattr(getattr(self.registry[model], method), "_readonly", False), "%s.%s" % (model, method)
                )
        consultant = new_test_user(self.env, "ro_li", groups="real_estate_attribution.group_consultant")
        team = self.env["crm.team"].create(
            {"name": "RO Office", "is_sales_office": True, "crm_team_member_ids": [(0, 0, {"user_id": consultant.id})]}
        )
        result = (
            self.env["real.estate.visit"]
            .with_user(consultant)
            .register({"team_id": team.id, "customer_name": "只读", "phone": "13911112222"})
        )
        self.authenticate("ro_li", "ro_li")
        calls = [
            ("crm.lead", "attribution", [[result["lead_id"]]], {}),
            ("crm.lead", "commission_shares", [[result["lead_id"]]], {}),
            ("real.estate.unit", "units", [team.id], {}),
            ("real.estate.unit", "unit_grid", [team.id], {}),
        ]
        answers = [
            self.make_jsonrpc_request(
                "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs}
            )
            for model, method, args, kwargs in calls
        ]
        self.assertEqual(answers[0][0]["owner_user_id"], consultant.id)
        self.assertEqual(answers[1], [{"lead_id": result["lead_id"], "shares": []}])
        self.assertEqual(answers[2], [])
        self.assertEqual(answers[3]["buildings"], [])
