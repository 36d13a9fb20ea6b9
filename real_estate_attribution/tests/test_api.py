from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from .common import T0, AttributionCase


class TestRegisterApi(AttributionCase):
    """The ``register`` and ``attribution`` entry points and their input checks."""

    def counts(self):
        return [
            self.env[model].sudo().search_count([])
            for model in (
                "crm.lead",
                "real.estate.visit",
                "real.estate.protection",
                "real.estate.ownership.log",
                "real.estate.rotation.turn",
            )
        ]

    def assert_refused(self, exception, pattern, user=None, **vals):
        before = self.counts()
        with self.assertRaisesRegex(exception, pattern):
            self.register(user=user, **vals)
        self.assertEqual(self.counts(), before, "nothing may be written on bad input")

    def test_result_shape(self):
        """register returns integer ids, False for missing values and UTC strings."""
        result = self.register()
        self.assertEqual(
            set(result),
            {"visit_id", "lead_id", "owner_user_id", "owner_channel_id", "protected_until", "rule", "explanation"},
        )
        self.assertIsInstance(result["visit_id"], int)
        self.assertIsInstance(result["lead_id"], int)
        self.assertIs(result["owner_channel_id"], False)
        self.assertEqual(result["protected_until"], "2026-04-01 02:00:00")
        attribution = self.attribution(result["lead_id"], T0)
        self.assertEqual(
            set(attribution),
            {
                "lead_id",
                "owner_user_id",
                "owner_channel_id",
                "protection_state",
                "protected_until",
                "rule",
                "explanation",
            },
        )
        self.assertEqual(attribution["protection_state"], "active")

    def test_unknown_office(self):
        self.assert_refused(UserError, "Unknown sales office", team_id=999999)

    def test_team_that_is_not_a_sales_office(self):
        team = self.env["crm.team"].create({"name": "Online shop"})
        self.assert_refused(UserError, "Unknown sales office", team_id=team.id)

    def test_wrong_types(self):
        self.assert_refused(ValidationError, "team_id must be the integer", team_id=str(self.team.id))
        self.assert_refused(ValidationError, "team_id must be the integer", team_id=True)
        self.assert_refused(ValidationError, "phone must be a text", phone=13812345678)
        self.assert_refused(ValidationError, "questions_asked must be true or false", questions_asked="yes")
        self.assert_refused(ValidationError, "consultant_id must be the integer", consultant_id="li")

    def test_malformed_phone(self):
        self.assert_refused(ValidationError, "12345 is not a valid mobile number", phone="12345")
        self.assert_refused(ValidationError, "not a valid mobile number", phone="010-65529988")

    def test_empty_name_and_missing_phone(self):
        self.assert_refused(ValidationError, "name is required", customer_name="  ")
        self.assert_refused(ValidationError, "mobile number is required", phone="")

    def test_bad_kind_and_unknown_keys(self):
        self.assert_refused(ValidationError, "kind must be one of", kind="walk-in")
        self.assert_refused(ValidationError, "kind must be one of", kind=["visit"])
        self.assert_refused(ValidationError, "Unknown keys: mobile", mobile="13812345678")

    def test_log_followup_checks_its_input(self):
        """PR-1: a follow-up over the API with a bad kind or note is refused, nothing written."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"]).with_user(self.li)
        before = len(lead.followup_ids)
        with self.assertRaisesRegex(ValidationError, "kind must be one of"):
            lead.log_followup(note="回访", kind="x")
        with self.assertRaisesRegex(ValidationError, "note must be a text"):
            lead.log_followup(note={"text": "回访"})
        self.assertEqual(len(lead.followup_ids), before)

    def test_consultant_must_belong_to_the_office(self):
        stranger = self.env["res.users"].create({"name": "Stranger", "login": "stranger"})
        self.assert_refused(ValidationError, "not a consultant of Test Office", consultant_id=stranger.id)
        self.assert_refused(ValidationError, "not a consultant of Test Office", designated_user_id=999999)

    def test_at_is_for_the_import_group_only(self):
        """``at`` replays history: anyone outside the import group gets an AccessError."""
        before = self.counts()
        with freeze_time(T0), self.assertRaisesRegex(AccessError, "Attribution Data Import"):
            self.Visit.with_user(self.li).register(
                {"team_id": self.team.id, "customer_name": "王伟", "phone": "13812345678", "at": "2026-03-01 10:00:00"}
            )
        self.assertEqual(self.counts(), before)

    def test_at_replays_history_for_importers(self):
        with freeze_time(T0 + timedelta(days=100)):
            result = self.Visit.with_user(self.importer).register(
                {
                    "team_id": self.team.id,
                    "customer_name": "王伟",
                    "phone": "13812345678",
                    "kind": "visit",
                    "at": "2026-03-02 02:00:00",
                    "consultant_id": self.zhang.id,
                }
            )
        self.assertEqual(result["owner_user_id"], self.zhang.id)
        self.assertEqual(result["protected_until"], "2026-04-01 02:00:00")
        visit = self.Visit.browse(result["visit_id"])
        self.assertEqual(visit.visit_at, T0)

    def test_at_in_the_future_or_malformed(self):
        with freeze_time(T0):
            for at, pattern in (
                ("2026-03-03 02:00:00", "lies in the future"),
                ("2026/03/01 10:00", "YYYY-MM-DD HH:MM:SS"),
                (1700000000, "YYYY-MM-DD HH:MM:SS"),
            ):
                before = self.counts()
                with self.assertRaisesRegex(ValidationError, pattern):
                    self.Visit.with_user(self.importer).register(
                        {"team_id": self.team.id, "customer_name": "王伟", "phone": "13812345678", "at": at}
                    )
                self.assertEqual(self.counts(), before)

    def test_history_must_come_in_time_order(self):
        """Replaying out of order for one customer is refused, naming the later event."""
        with freeze_time(T0 + timedelta(days=10)):
            Visit = self.Visit.with_user(self.importer)
            Visit.register(
                {"team_id": self.team.id, "customer_name": "王伟", "phone": "13812345678", "at": "2026-03-05 02:00:00"}
            )
            with self.assertRaisesRegex(ValidationError, "time order"):
                Visit.register(
                    {
                        "team_id": self.team.id,
                        "customer_name": "王伟",
                        "phone": "13812345678",
                        "at": "2026-03-04 02:00:00",
                    }
                )

    def test_register_needs_reception_rights(self):
        portal = self.env["res.users"].create(
            {"name": "Portal", "login": "portal_x", "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]}
        )
        self.assert_refused(AccessError, "", user=portal)

    def test_attribution_respects_record_rules(self):
        """A consultant reads the attribution of their customers, not of others' (stock CRM rules)."""
        mine = self.register()
        self.assertEqual(
            self.env["crm.lead"].browse(mine["lead_id"]).with_user(self.li).attribution()[0]["lead_id"], mine["lead_id"]
        )
        with self.assertRaises(AccessError):
            self.env["crm.lead"].browse(mine["lead_id"]).with_user(self.wang).attribution()

    def test_attribution_names_missing_ids_and_reads_archived_files(self):
        """PR-1: an id that is no customer is named in the error; an id given twice is answered twice; an archived
        file is still explained to whoever may read it."""
        mine = self.register()
        lead = self.env["crm.lead"].browse(mine["lead_id"])
        with self.assertRaisesRegex(MissingError, "No customer with the id 987654321"):
            self.env["crm.lead"].browse([lead.id, 987654321]).with_user(self.li).attribution()
        twice = self.env["crm.lead"].browse([lead.id, lead.id]).with_user(self.li).attribution()
        self.assertEqual([row["lead_id"] for row in twice], [lead.id, lead.id])
        self.assertEqual(twice[0], twice[1])
        lead.sudo().with_context(attribution_engine=True).action_archive()
        self.env.invalidate_all()
        archived = self.env["crm.lead"].browse(lead.id).with_user(self.li).attribution()
        self.assertEqual(archived[0]["lead_id"], lead.id)
        self.assertTrue(archived[0]["explanation"])
        with self.assertRaises(AccessError):
            self.env["crm.lead"].browse(lead.id).with_user(self.wang).attribution()
