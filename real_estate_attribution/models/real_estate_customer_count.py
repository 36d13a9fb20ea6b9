import logging
import re
from contextlib import closing

import psycopg2

from odoo import api, fields, models, sql_db
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The customer columns the counts are kept by: what the boards group and filter on, and what the
# record rules of customers read (company, owner, pool).
DIMENSIONS = ("company_id", "team_id", "user_id", "type", "active", "grade", "in_public_pool")
#: The customer fields a grouping of the counts may be by.
COUNTED_FIELDS = ("company_id", "team_id", "user_id", "type", "grade", "in_public_pool")
#: Context key under which a grouping's own search reads the counts (see ``crm.lead._search``).
COUNTS_KEY = "real_estate_counts"
#: A folding that removes this many rows or more has them vacuumed after its commit.
VACUUM_AFTER_ROWS = 1000
VACUUM_KEY = "real_estate_customer_count.vacuum"
COLUMN_REFERENCE = re.compile(r'"crm_lead"\."(\w+)"')
COUNTS_TABLE = SQL(
    "(SELECT company_id, team_id, user_id, type, lead_active AS active, grade, in_public_pool,"
    " sum(delta) AS delta FROM real_estate_customer_count GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(delta) <> 0)"
)

#: The folding: one row per combination, in one statement; gives how many rows it removed.
FOLD = """
    WITH folded AS (DELETE FROM real_estate_customer_count RETURNING *),
         kept AS (
            INSERT INTO real_estate_customer_count
                (company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta)
            SELECT company_id, team_id, user_id, type, lead_active, grade, in_public_pool, sum(delta)
              FROM folded GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(delta) <> 0
            RETURNING 1)
    SELECT (SELECT count(*) FROM folded) - (SELECT count(*) FROM kept)
"""


class RealEstateCustomerCount(models.Model):
    """How many customers each office holds per owner, grade and state, kept by the database.

    A board's column counts (the grade board's A/B/C/D, a consultant's own customers) are a
    ``COUNT(*)`` over every customer the board's domain matches: at a million customers, a read of
    the whole table whatever the index. PostgreSQL statement triggers on ``crm_lead`` write here one
    row per changed combination of the counted columns, +n for the rows a statement added, -n for
    the rows it removed (a row trigger for an UPDATE that changes one of them): insert-only, so
    concurrent decisions never wait on one another for a counter row. A cron folds the rows into
    one per combination. ``crm.lead`` answers its counts from this table when the query reads only
    the counted columns (``_counts_query``), and reads the customers otherwise: the answer is the
    same, in the same transaction.
    """

    _name = "real.estate.customer.count"
    _description = "Customer Counts"
    _auto = False
    _log_access = False

    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    type = fields.Char(readonly=True)
    lead_active = fields.Boolean(readonly=True)
    grade = fields.Char(readonly=True)
    in_public_pool = fields.Boolean(readonly=True)
    delta = fields.Integer(readonly=True)

    @api.model
    def _install(self):
        """The table, the triggers that keep it, and its rows rebuilt from the customers.

        Called by ``crm.lead.init``, once the customers' columns exist (at install and update).
        """
        cr = self.env.cr
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS real_estate_customer_count (
                id bigserial PRIMARY KEY,
                company_id integer, team_id integer, user_id integer, type varchar,
                lead_active boolean, grade varchar, in_public_pool boolean,
                delta bigint NOT NULL
            );
            CREATE OR REPLACE FUNCTION real_estate_customer_count_delta() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    INSERT INTO real_estate_customer_count
                        (company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta)
                    SELECT company_id, team_id, user_id, type, active, grade, in_public_pool, -count(*)
                      FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    INSERT INTO real_estate_customer_count
                        (company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta)
                    SELECT company_id, team_id, user_id, type, active, grade, in_public_pool, count(*)
                      FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
                END IF;
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS real_estate_customer_count_insert ON crm_lead;
            DROP TRIGGER IF EXISTS real_estate_customer_count_update ON crm_lead;
            DROP TRIGGER IF EXISTS real_estate_customer_count_delete ON crm_lead;
            CREATE TRIGGER real_estate_customer_count_insert AFTER INSERT ON crm_lead
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION real_estate_customer_count_delta();
            CREATE TRIGGER real_estate_customer_count_delete AFTER DELETE ON crm_lead
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION real_estate_customer_count_delta();
            """
        )
        # a folding deletes every row: autovacuum comes after as many as a folding vacuums after, not after a
        # fifth of the table
        cr.execute(
            SQL(
                "ALTER TABLE real_estate_customer_count"
                " SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = %s)",
                VACUUM_AFTER_ROWS,
            )
        )
        # An UPDATE changes the counts only when a counted column changes: a row trigger on those columns,
        # with its condition checked by PostgreSQL, costs the many other writes of a customer nothing (a
        # statement trigger would copy every updated row into its transition tables).
        cr.execute(
            """
            CREATE OR REPLACE FUNCTION real_estate_customer_count_update() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO real_estate_customer_count
                    (company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta)
                VALUES (OLD.company_id, OLD.team_id, OLD.user_id, OLD.type, OLD.active, OLD.grade,
                        OLD.in_public_pool, -1),
                       (NEW.company_id, NEW.team_id, NEW.user_id, NEW.type, NEW.active, NEW.grade,
                        NEW.in_public_pool, 1);
                RETURN NULL;
            END $$;
            CREATE TRIGGER real_estate_customer_count_update
                AFTER UPDATE OF company_id, team_id, user_id, type, active, grade, in_public_pool ON crm_lead
                FOR EACH ROW
                WHEN ((OLD.company_id, OLD.team_id, OLD.user_id, OLD.type, OLD.active, OLD.grade, OLD.in_public_pool)
                      IS DISTINCT FROM
                      (NEW.company_id, NEW.team_id, NEW.user_id, NEW.type, NEW.active, NEW.grade, NEW.in_public_pool))
                EXECUTE FUNCTION real_estate_customer_count_update();
            """
        )
        self._rebuild()

    @api.model
    def _uninstall(self):
        """Drop the triggers, their functions and the table (the addon's uninstall hook)."""
        self.env.cr.execute(
            """
            DROP TRIGGER IF EXISTS real_estate_customer_count_insert ON crm_lead;
            DROP TRIGGER IF EXISTS real_estate_customer_count_update ON crm_lead;
            DROP TRIGGER IF EXISTS real_estate_customer_count_delete ON crm_lead;
            DROP FUNCTION IF EXISTS real_estate_customer_count_delta();
            DROP FUNCTION IF EXISTS real_estate_customer_count_update();
            DROP TABLE IF EXISTS real_estate_customer_count;
            """
        )

    @api.model
    def _rebuild(self):
        """The rows, one per combination, counted afresh from the customers (at install and update)."""
        self.env.cr.execute(
            """
            LOCK TABLE real_estate_customer_count IN EXCLUSIVE MODE;
            DELETE FROM real_estate_customer_count;
            INSERT INTO real_estate_customer_count
                (company_id, team_id, user_id, type, lead_active, grade, in_public_pool, delta)
            SELECT company_id, team_id, user_id, type, active, grade, in_public_pool, count(*)
              FROM crm_lead GROUP BY 1, 2, 3, 4, 5, 6, 7;
            """
        )

    @api.model
    def _cron_compact(self):
        """Fold the rows written since the last run into one per combination.

        One statement: it deletes the rows it sees and writes back their sums, so rows that
        concurrent transactions add meanwhile are kept for the next run, and no writer waits. When
        another folding committed since this transaction began (the other cron, or the one after a
        bulk change), this one is left to the next run.
        """
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(FOLD, log_exceptions=False)
                [(removed,)] = self.env.cr.fetchall()
        except psycopg2.errors.SerializationFailure:
            return
        if removed >= VACUUM_AFTER_ROWS and not self.env.cr.postcommit.data.get(VACUUM_KEY):
            self.env.cr.postcommit.data[VACUUM_KEY] = True
            self.env.cr.postcommit.add(self._postcommit_vacuum)

    def _postcommit_vacuum(self):
        """Once the folding is committed, free the rows it removed.

        Every count reads the whole table (a handful of rows once folded); the rows a folding deleted stay
        in it until a vacuum. After a bulk change (an import, the expiry of a backlog: one row per changed
        customer), that was a read of 200,000 dead rows for each column of the board at 100,000 customers
        (10 ms a count), until autovacuum came by.
        """
        self.env.cr.postcommit.data.pop(VACUUM_KEY, None)
        try:
            with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                cr._cnx.autocommit = True  # VACUUM runs outside a transaction; so does each statement here
                # the rows the folding kept were written after the ones it deleted, at the end of the table:
                # free the deleted ones, fold again (into the first pages, now free), and free the end of the
                # table. INDEX_CLEANUP: else the deleted rows' last item pointers keep their pages in the table.
                # A folding in progress elsewhere holds its rows: give up rather than wait for it.
                cr.execute("SET lock_timeout = '5s'")
                cr.execute("VACUUM (INDEX_CLEANUP ON) real_estate_customer_count", log_exceptions=False)
                cr.execute(FOLD, log_exceptions=False)
                cr.execute("VACUUM (INDEX_CLEANUP ON, ANALYZE) real_estate_customer_count", log_exceptions=False)
        except psycopg2.Error as error:
            # autovacuum frees them later (the table's own thresholds, set at install)
            _logger.warning("Vacuuming the customer counts after their folding failed: %s", error)

    @api.model
    def _counts_query(self, query):
        """``query`` (a ``crm.lead`` query) made to read the counts instead of the customers, or None.

        Possible when the query reads no other column of the customers than the counted ones: its
        conditions are then the same on the counts, each row standing for ``delta`` customers.
        """
        if query._joins or query.table != "crm_lead" or len(query._tables) != 1:
            return None
        columns = set(COLUMN_REFERENCE.findall(query.where_clause.code))
        if not columns <= set(DIMENSIONS):
            return None
        query._tables[query.table] = COUNTS_TABLE
        return query

    @api.model
    def _is_counts(self, query):
        """Whether ``query`` reads the counts (made by ``_counts_query``)."""
        return query._tables.get(query.table) is COUNTS_TABLE
