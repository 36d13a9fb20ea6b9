import re
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo.sql_db import Cursor

from .common import T0, ChannelCase

#: A read of records by the ORM, and their table (the engine's own SQL names its tables unquoted).
ORM_READ = re.compile(r'^\s*SELECT "(\w+)"\."id"')


class TestReportQueries(ChannelCase):
    """Issue 12: a submit reads each record it decides on once, with the fields its rules read."""

    @contextmanager
    def reads(self):
        """The tables the ORM reads from while the block runs, counted (the queries themselves run as usual,
        as Odoo's own ``assertQueries`` collects them)."""
        tables = Counter()
        execute = Cursor.execute

        def counting(cursor, query, params=None, log_exceptions=True):
            match = ORM_READ.match(str(query.code if hasattr(query, "code") else query))
            if match:
                tables[match.group(1)] += 1
            return execute(cursor, query, params, log_exceptions)

        with patch.object(Cursor, "execute", counting):
            yield tables

    def submit_cold(self, **vals):
        """A submit as a request makes it: Odoo's caches warm, no record in the transaction's cache."""
        self.env.invalidate_all()
        with self.reads() as tables:
            result = self.submit(**vals)
        return result, tables

    def test_submit_reads_the_office_channel_and_customer_once(self):
        """CH-1 to CH-6: one query reads the office, one the channel with its agent, one the customer's file;
        the user's record is not read (their groups and companies are Odoo's cached ones)."""
        self.submit(phone="13900000001", customer_name="预热")  # Odoo's caches (groups, rules, sequences)
        result, tables = self.submit_cold(phone="13900000002", customer_name="新客")
        self.assertEqual(result["state"], "valid")
        self.assertEqual(tables["crm_team"], 1, tables)
        self.assertEqual(tables["res_partner"], 1, tables)
        self.assertEqual(tables["crm_lead"], 1, tables)
        self.assertEqual(tables["ir_sequence"], 1, tables)
        self.assertEqual(tables["res_users"], 0, tables)

    def test_rejected_submit_reads_the_customer_once(self):
        """CH-2: refusing a customer held by a consultant reads their file once, with the fields the rules
        read, and still names the right reason."""
        self.submit(phone="13900000001", customer_name="预热")
        self.register(at=T0 - timedelta(days=1))
        result, tables = self.submit_cold()
        self.assertEqual((result["state"], result["reason_code"]), ("rejected", "protected_by_other"))
        self.assertEqual(tables["crm_lead"], 1, tables)
        self.assertEqual(tables["crm_team"], 1, tables)
        self.assertEqual(tables["res_users"], 0, tables)
