from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestXmlRpc(HttpCase):
    """The integrator API over real XML-RPC, through Odoo's HTTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant = new_test_user(
            cls.env, "rpc_li", password="rpc_li", groups="real_estate_attribution.group_consultant"
        )
        cls.importer = new_test_user(
            cls.env,
            "rpc_importer",
            password="rpc_importer",
            groups="real_estate_attribution.group_consultant,real_estate_attribution.group_data_import",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "RPC Office",
                "is_sales_office": True,
                "crm_team_member_ids": [(0, 0, {"user_id": cls.consultant.id})],
            }
        )

    def call(self, login, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, login, model, method, list(args), kwargs)

    def test_register_then_attribution(self):
        """RO-1 over XML-RPC: register a visit, then read who owns the customer."""
        result = self.call(
            "rpc_li",
            "real.estate.visit",
            "register",
            {"team_id": self.team.id, "customer_name": "王伟", "phone": "138-1234-5678", "kind": "visit"},
        )
        self.assertEqual(result["owner_user_id"], self.consultant.id)
        self.assertIs(result["owner_channel_id"], False)
        self.assertEqual(result["rule"], "RO-1")
        self.assertRegex(result["protected_until"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        (attribution,) = self.call("rpc_li", "crm.lead", "attribution", [result["lead_id"]])
        self.assertEqual(attribution["lead_id"], result["lead_id"])
        self.assertEqual(attribution["owner_user_id"], self.consultant.id)
        self.assertEqual(attribution["protection_state"], "active")
        self.assertEqual(attribution["protected_until"], result["protected_until"])

    def test_errors_are_clear_faults_and_write_nothing(self):
        leads = self.env["crm.lead"].search_count([])
        for vals, message in (
            ({"team_id": 0, "customer_name": "x", "phone": "13812345678"}, "Unknown sales office"),
            ({"team_id": self.team.id, "customer_name": "x", "phone": "12ab"}, "not a valid mobile number"),
            ({"team_id": self.team.id, "customer_name": "", "phone": "13812345678"}, "name is required"),
            ({"team_id": self.team.id, "customer_name": "x", "phone": "13812345678", "kind": 3}, "kind must be"),
        ):
            with self.assertRaises(Fault) as caught:
                self.call("rpc_li", "real.estate.visit", "register", vals)
            self.assertIn(message, caught.exception.faultString)
            self.assertNotIn("Traceback", caught.exception.faultString)
        self.assertEqual(self.env["crm.lead"].search_count([]), leads)

    def test_at_is_refused_outside_the_import_group(self):
        vals = {"team_id": self.team.id, "customer_name": "王伟", "phone": "13812345678", "at": "2026-01-05 02:00:00"}
        with self.assertRaises(Fault) as caught:
            self.call("rpc_li", "real.estate.visit", "register", vals)
        self.assertIn("Only members of the group Attribution Data Import", caught.exception.faultString)
        result = self.call(
            "rpc_importer", "real.estate.visit", "register", dict(vals, consultant_id=self.consultant.id)
        )
        self.assertEqual(result["protected_until"], "2026-02-04 02:00:00")
