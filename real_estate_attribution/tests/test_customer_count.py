from contextlib import closing

from freezegun import freeze_time

from odoo import sql_db
from odoo.tests import tagged

from ..models.real_estate_customer_count import VACUUM_AFTER_ROWS, VACUUM_KEY
from .common import AttributionCase

BOARD = [("team_id.is_sales_office", "=", True), ("type", "=", "opportunity")]
#: A condition on a column the counts do not keep: the same grouping, read from the customers.
FROM_CUSTOMERS = [("id", "!=", 0)]


class CountCase(AttributionCase):
    """Five customers of the office, graded A, A, B, C and D, and the board's counts checked against a count
    of the customers."""

    def setUp(self):
        super().setUp()
        self.office = [("team_id", "=", self.team.id)]
        self.Lead = self.env["crm.lead"]
        self.leads = self.Lead.browse(
            [self.register(phone="1390000%04d" % n, user=user)["lead_id"] for n, user in enumerate(self.consultants)]
        )
        for lead, grade in zip(self.leads, "AABCD", strict=True):
            lead.sudo().with_context(grade_approved=True).write({"grade": grade})
        self.env.flush_all()

    def board(self, user, domain=()):
        Lead = self.Lead.with_user(user)
        grouped = Lead._read_group(BOARD + list(domain), ["grade"], ["__count"])
        expected = Lead._read_group(BOARD + list(domain) + FROM_CUSTOMERS, ["grade"], ["__count"])
        return dict(grouped), dict(expected)

    def assertBoardHolds(self, user, domain=()):
        grouped, expected = self.board(user, domain)
        self.assertEqual(grouped, expected)
        return grouped


@tagged("post_install", "-at_install")
class TestCustomerCount(CountCase):
    """The grade board's counts (GR-1 to GR-3) kept by the database in real.estate.customer.count."""

    def test_gr1_board_counts_are_read_from_the_counts(self):
        """GR-1: the board's column counts come from the counts table, not from a count of every customer."""
        query = self.Lead.with_context(real_estate_counts=[True])._search(BOARD)
        self.assertTrue(self.env["real.estate.customer.count"]._is_counts(query))
        query = self.Lead.with_context(real_estate_counts=[True])._search(BOARD + FROM_CUSTOMERS)
        self.assertFalse(self.env["real.estate.customer.count"]._is_counts(query))
        # a row written straight into the counts shows on the board: the board reads them
        before = self.assertBoardHolds(self.manager)
        team, company = self.team.id, self.team.company_id.id or None
        self.env.cr.execute(
            "INSERT INTO real_estate_customer_count (company_id, team_id, user_id, type, lead_active, grade,"
            " in_public_pool, delta) VALUES (%s, %s, %s, 'opportunity', TRUE, 'B', FALSE, 7)",
            [company or self.leads[0].company_id.id or None, team, self.li.id],
        )
        grouped, expected = self.board(self.manager)
        self.assertEqual(grouped["B"], before["B"] + 7)
        self.assertEqual(expected["B"], before["B"])

    def test_gr1_counts_follow_every_change_of_a_customer(self):
        """GR-1: grading, reassignment, the pool, archiving and deletion keep the counts exact."""
        self.assertEqual(self.assertBoardHolds(self.manager, self.office)["A"], 2)
        self.leads[0].with_user(self.li).write({"grade": "C"})
        self.assertEqual(self.assertBoardHolds(self.manager, self.office)["C"], 2)
        self.leads[1].sudo().write({"active": False})
        self.assertEqual(self.assertBoardHolds(self.manager, self.office).get("A", 0), 0)
        self.leads[2].sudo().with_context(attribution_engine=True).write({"in_public_pool": True, "user_id": False})
        self.assertBoardHolds(self.manager)
        self.assertBoardHolds(self.manager, [("in_public_pool", "=", True)])
        self.leads[3].sudo().unlink()
        self.assertEqual(self.assertBoardHolds(self.manager, self.office).get("C", 0), 1)
        stock = self.Lead.create({"name": "Stock pipeline lead", "type": "opportunity", "team_id": False})
        Lead = self.Lead.with_user(self.manager)
        by_team = dict(Lead._read_group([("type", "=", "opportunity")], ["team_id"], ["__count"]))
        self.assertEqual(
            by_team, dict(Lead._read_group([("type", "=", "opportunity"), *FROM_CUSTOMERS], ["team_id"], ["__count"]))
        )
        self.assertEqual(
            by_team[stock.team_id], len(Lead.search([("type", "=", "opportunity"), ("team_id", "=", False)]))
        )

    def test_gr1_a_consultant_counts_only_what_the_rules_let_them_read(self):
        """GR-1: a consultant's board counts their own customers, as their record rules allow."""
        mine = self.assertBoardHolds(self.li, [("user_id", "=", self.li.id)])
        self.assertEqual(sum(mine.values()), 1)
        self.assertBoardHolds(self.li)
        self.assertBoardHolds(self.wang)
        by_owner = dict(self.Lead.with_user(self.manager)._read_group(BOARD, ["user_id"], ["__count"]))
        self.assertEqual(by_owner[self.li], 1)
        self.assertEqual(next(iter(by_owner)).env, self.Lead.with_user(self.manager).env)

    def test_gr1_search_count_and_its_limit(self):
        """GR-1: a column's count and the list's bounded count read the counts too."""
        Lead = self.Lead.with_user(self.manager)
        self.assertEqual(Lead.search_count(BOARD), len(Lead.search(BOARD)))
        self.assertEqual(Lead.search_count(BOARD, limit=2), 2)
        self.assertEqual(Lead.search_count([*BOARD, *self.office, ("grade", "=", "A")]), 2)
        self.assertEqual(Lead.search_count(BOARD + FROM_CUSTOMERS), len(Lead.search(BOARD)))

    def test_compaction_keeps_the_counts(self):
        """The cron folds the counts into one row per combination, and the board says the same."""
        before = self.assertBoardHolds(self.manager)
        Count = self.env["real.estate.customer.count"]
        Count._cron_compact()
        self.env.cr.execute(
            "SELECT count(*) = count(DISTINCT (company_id, team_id, user_id, type, lead_active, grade,"
            " in_public_pool)) FROM real_estate_customer_count"
        )
        self.assertTrue(self.env.cr.fetchone()[0], "one row per combination after compaction")
        self.assertEqual(self.assertBoardHolds(self.manager), before)
        Count._rebuild()
        self.assertEqual(self.assertBoardHolds(self.manager), before)

    def test_gr1_a_bulk_change_is_vacuumed_after_its_folding(self):
        """GR-1: a folding that removes many rows (a bulk change: one row per changed customer) has them
        vacuumed once committed, so the board's counts do not read them until autovacuum comes by; a
        folding of a few rows leaves them to autovacuum."""
        Count = self.env["real.estate.customer.count"]
        postcommit = self.env.cr.postcommit
        Count._cron_compact()
        self.assertFalse(postcommit.data.get(VACUUM_KEY), "a few rows: no vacuum")
        # each grade change of a customer writes two rows (-1 for the old combination, +1 for the new)
        ids = tuple(self.leads.ids)
        for _round in range(VACUUM_AFTER_ROWS // (4 * len(ids)) + 1):
            self.env.cr.execute("UPDATE crm_lead SET grade = 'C' WHERE id IN %s", [ids])
            self.env.cr.execute("UPDATE crm_lead SET grade = 'B' WHERE id IN %s", [ids])
        self.env.invalidate_all()
        before = self.assertBoardHolds(self.manager)
        Count._cron_compact()
        self.assertTrue(postcommit.data.get(VACUUM_KEY), "a bulk change: vacuumed after the commit")
        self.assertEqual(self.assertBoardHolds(self.manager), before)
        Count._cron_compact()  # nothing more to fold, and one vacuum is enough
        self.assertEqual(self.assertBoardHolds(self.manager), before)

    def test_uninstall_leaves_stock_crm_working(self):
        """Uninstalling drops the triggers and the table: stock CRM keeps creating and counting leads."""
        self.env["real.estate.customer.count"]._uninstall()
        self.env.cr.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'real_estate_customer_count%%'")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("INSERT INTO crm_lead (name, type, active) VALUES ('after', 'lead', TRUE)")
        self.env.cr.execute("SELECT to_regclass('real_estate_customer_count')")
        self.assertIsNone(self.env.cr.fetchone()[0])

    def test_pr3_expiry_leaves_the_counts_folded(self):
        """PR-3, GR-1: the expiry cron moves customers to the pool and folds the counts it changed."""
        with freeze_time(self.days(60)):
            done = self.env["real.estate.protection"]._cron_expire()
        self.assertEqual(done, len(self.leads))
        self.env.cr.execute(
            "SELECT count(*) = count(DISTINCT (company_id, team_id, user_id, type, lead_active, grade,"
            " in_public_pool)) FROM real_estate_customer_count"
        )
        self.assertTrue(self.env.cr.fetchone()[0], "one row per combination after the expiry run")
        pooled = self.assertBoardHolds(self.manager, [*self.office, ("in_public_pool", "=", True)])
        self.assertEqual(sum(pooled.values()), len(self.leads))


@tagged("post_install", "-at_install")
class TestCustomerCountVacuum(CountCase):
    """The vacuum after a folding commits a folding of its own: in a class of its own, so that the other
    tests' transaction (one per class, its snapshot taken first) never meets a folding committed after it
    began (their own foldings would then be left to the next run, as the cron's are)."""

    def test_gr1_the_vacuum_refolds_what_is_committed(self):
        """GR-1: the vacuum after a folding runs on its own connection, outside any transaction, and folds
        the committed rows again into the table's first pages: the counts it leaves are the customers'."""
        Count = self.env["real.estate.customer.count"]
        before = self.board(self.manager)[1]
        Count._postcommit_vacuum()
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "SELECT count(*) = count(DISTINCT (company_id, team_id, user_id, type, lead_active, grade,"
                " in_public_pool)) FROM real_estate_customer_count"
            )
            self.assertTrue(cr.fetchone()[0], "one row per combination of the committed customers")
            cr.execute(
                """SELECT count(*) FROM (
                       SELECT company_id, team_id, user_id, type, active, grade, in_public_pool, count(*) AS n
                         FROM crm_lead GROUP BY 1, 2, 3, 4, 5, 6, 7
                       EXCEPT
                       SELECT company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta
                         FROM real_estate_customer_count) AS differ"""
            )
            self.assertEqual(cr.fetchone()[0], 0, "the committed counts are the committed customers'")
        grouped, expected = self.board(self.manager)
        self.assertEqual(grouped, expected)
        self.assertEqual(expected, before)

    def test_gr1_the_vacuum_gives_way_to_a_folding_in_progress(self):
        """GR-1: while another transaction folds (here, this test's own, not committed), the vacuum's folding
        gives up after its lock timeout with a warning, instead of waiting on it (a wait for a transaction that
        waits for it would never end)."""
        Count = self.env["real.estate.customer.count"]
        before = self.assertBoardHolds(self.manager)
        Count._cron_compact()  # holds the rows it deleted until this transaction ends
        with self.assertLogs("odoo.addons.real_estate_attribution.models.real_estate_customer_count", "WARNING") as log:
            Count._postcommit_vacuum()
        self.assertIn("lock timeout", log.output[0])
        self.assertEqual(self.assertBoardHolds(self.manager), before)
