"""Benchmark at scale (``make bench``, issue 12): 10k, 100k and 1M customers, measured over XML-RPC.

One database grows from 10,000 to 100,000 to 1,000,000 customers of one sales office. At each size a
multi-worker server is started on it and every call is timed over XML-RPC with a fresh connection per call,
next to the platform's floor (a trivial authenticated call, ``res.partner.search_count``) and stock
``crm.lead.create``, in the same run. Figures are ratios, so they hold on any machine. The run also measures
the platform's own cost of the least each target needs: a stock ``read`` of the customers ``attribution``
explains, the bare ``UPDATE`` of the expiring customers' owner on ``crm_lead`` (rolled back), and 8 clients
making the trivial call.

The data are made set-based: a template customer is registered through the rules once (visit, protection,
report), then cloned by ``INSERT … SELECT … generate_series`` with its own number, consultant, grade, dates
and protection state (active, expired, released, converted; one customer in ten reported, a third of the
reports masked), one in five in a household (ID-3), and each with its ownership history (registration,
redistribution, the end of a protection not active), the office's hash chain sealed over it by ``_seal()``.
The ORM then reads a sample of the clones (attributions, households, the form's ownership history, the chain)
to check they are whole. The grown tables are vacuumed and a checkpoint taken before any figure. At the
smallest and the largest size, 8 concurrent clients measure ``submit`` against stock ``crm.lead.create`` and
race one customer's reports and registrations (``bench_concurrency.py``).

Usage: ``python3 tests/load/bench_scale.py DB ROOT [--sizes 10000,100000,1000000] [--calls 40]``.
"""

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import xmlrpc.client
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from bench_concurrency import Concurrency

import odoo
from odoo import api
from odoo.tools import SQL

CONSULTANTS = 20
#: Households per hundred customers (half of three members, half of two: one customer in five).
HOUSEHOLDS = 8
#: The office's hash chain is walked (``_verify_chain``) after the sizes up to this one.
VERIFY_UP_TO = 100_000
#: Concurrent clients of the throughput and race measures (issue 12: 8 against a 2-worker server).
CLIENTS = 8
#: Protection states of the clones, by ``g % 10`` (60% active, 20% expired, 10% released, 10% converted).
STATES_SQL = """CASE WHEN mod(g, 10) < 6 THEN 'active' WHEN mod(g, 10) < 8 THEN 'expired'
                     WHEN mod(g, 10) = 8 THEN 'released' ELSE 'converted' END"""
PASSWORD = "bench"

#: The tables the generator writes.
GROWN_TABLES = (
    "crm_lead",
    "real_estate_visit",
    "real_estate_protection",
    "real_estate_report",
    "real_estate_household",
    "real_estate_household_member",
    "real_estate_ownership_log",
)


def number(g):
    """The mobile number of clone ``g`` (the same expression as the SQL's)."""
    return "+86139%08d" % g


# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
class Data:
    def __init__(self, db):
        self.db = db
        self.registry = odoo.modules.registry.Registry(db)

    def env(self, cr, uid=odoo.SUPERUSER_ID):
        return api.Environment(cr, uid, {"tracking_disable": True})

    def setup(self):
        """The office, its consultants, a channel, the stock team and the template customer (through the rules)."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            env["ir.config_parameter"].set_param("crm.iap.lead.enrich.setting", "manual")
            admin = env.ref("base.user_admin")
            admin.write(
                {
                    "password": PASSWORD,
                    "groups_id": [
                        (4, env.ref("real_estate_attribution.group_data_import").id),
                        (4, env.ref("real_estate_attribution.group_site_manager").id),
                    ],
                }
            )
            consultant = env.ref("real_estate_attribution.group_consultant")
            users = env["res.users"].create(
                [
                    {"name": "顾问%02d" % n, "login": "bench-%02d" % n, "groups_id": [(6, 0, consultant.ids)]}
                    for n in range(CONSULTANTS)
                ]
            )
            team = env["crm.team"].create(
                {
                    "name": "规模案场 Scale Office",
                    "is_sales_office": True,
                    "office_tz": "Asia/Shanghai",
                    "user_id": admin.id,
                    "crm_team_member_ids": [(0, 0, {"user_id": u.id}) for u in users],
                }
            )
            stock = env["crm.team"].create({"name": "Stock Pipeline", "member_ids": [(6, 0, users[:5].ids)]})
            channel = env["res.partner"].create({"name": "规模渠道", "is_company": True, "channel_kind": "distributor"})
            agent = env["res.partner"].create({"name": "规模经纪人", "parent_id": channel.id})
            env["real.estate.channel.agreement"].create(
                {
                    "name": "规模协议",
                    "channel_id": channel.id,
                    "team_ids": [(6, 0, team.ids)],
                    "date_start": "2020-01-01",
                }
            )
            Visit = env["real.estate.visit"].with_user(admin)
            lead = env["crm.lead"].browse(
                Visit.register({"team_id": team.id, "customer_name": "模板客户", "phone": "13800000001"})["lead_id"]
            )
            expected = (datetime.utcnow() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
            report = env["real.estate.report"].browse(
                env["real.estate.report"]
                .with_user(admin)
                .submit(
                    {
                        "team_id": team.id,
                        "channel_id": channel.id,
                        "agent_id": agent.id,
                        "customer_name": "模板报备",
                        "phone": "13800000002",
                        "expected_visit": expected,
                    }
                )["report_id"]
            )
            household = env["real.estate.household"].create(
                {
                    "name": "模板家庭",
                    "team_id": team.id,
                    "member_ids": [(0, 0, {"lead_id": lead.id, "relation": "head"})],
                }
            )
            racers = self._racing_channels(env, team)
            self.ids = {
                "team": team.id,
                "stock_team": stock.id,
                "channel": channel.id,
                "agent": agent.id,
                "lead": lead.id,
                "visit": lead.visit_ids.id,
                "protection": lead.protection_id.id,
                "report": report.id,
                "users": users.ids,
                "user_names": users.mapped("name"),
                "household": household.id,
                "member": household.member_ids.id,
                "log": lead.ownership_log_ids.id,
                "racers": racers,
                "keys": {
                    uid: env["res.users.apikeys"].with_user(uid).sudo()._generate(None, "bench", None)
                    for uid in users[:CLIENTS].ids
                },
            }
        return self.ids

    @staticmethod
    def _racing_channels(env, team):
        """``CLIENTS`` channels with an agent and an agreement covering the office: ``[(channel, agent)]``."""
        channels = env["res.partner"].create(
            [{"name": "竞速渠道%d" % n, "is_company": True, "channel_kind": "distributor"} for n in range(CLIENTS)]
        )
        agents = env["res.partner"].create(
            [{"name": "竞速经纪人%d" % n, "parent_id": c.id} for n, c in enumerate(channels)]
        )
        env["real.estate.channel.agreement"].create(
            [
                {
                    "name": "竞速协议%d" % n,
                    "channel_id": c.id,
                    "team_ids": [(6, 0, team.ids)],
                    "date_start": "2020-01-01",
                }
                for n, c in enumerate(channels)
            ]
        )
        return list(zip(channels.ids, agents.ids, strict=True))

    @staticmethod
    def _columns(cr, table):
        cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id'",
            [table],
        )
        return [row[0] for row in cr.fetchall()]

    def _clone(self, cr, table, template, overrides, source, where=""):
        """INSERT into ``table`` one row per row of ``source`` (SQL giving ``g`` and joined rows), copying the
        template row except the ``overrides`` (column → SQL expression)."""
        cr.execute(self._clone_sql(cr, table, overrides, source, where), [template])
        return cr.rowcount

    def _clone_sql(self, cr, table, overrides, source, where=""):
        """The INSERT of ``_clone``, its template's id left as a parameter; an ``id`` override gives the rows
        their ids (taken by ``_reserve``)."""
        columns = self._columns(cr, table) + (["id"] if "id" in overrides else [])
        select = ", ".join(overrides.get(c, "t.%s" % c) for c in columns)
        return "INSERT INTO {table} ({cols}) SELECT {select} FROM {table} t, {source} WHERE t.id = %s {where}".format(
            table=table, cols=", ".join('"%s"' % c for c in columns), select=select, source=source, where=where
        )

    @staticmethod
    def _reserve(cr, table, count):
        """The first of ``count`` consecutive ids taken from ``table``'s sequence."""
        cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        [first] = cr.fetchone()
        cr.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
        return first

    def grow(self, start, end):
        """Customers ``start`` to ``end - 1`` with their households and ownership history, set-based; the
        office's hash chain sealed over the new log rows. Returns ``{step: seconds}``."""
        times = {}
        with self.registry.cursor() as cr:
            began = time.time()
            bulk = self._bulk_load(cr)
            last_ids = self._last_ids(cr)
            self._grow_customers(cr, start, end)
            times["customers"] = time.time() - began
            began = time.time()
            self._grow_history(cr, start, end)
            if bulk:
                self._end_bulk_load(cr, last_ids)
            cr.execute(SQL("ANALYZE %s", SQL(", ").join(map(SQL.identifier, GROWN_TABLES))))
            times["history"] = time.time() - began
            began = time.time()
            # the chain's UPDATE per chunk joins its entries by id: without these the planner reads the whole log
            # for each chunk (a hash join over a sequential scan), minutes at 1M
            cr.execute(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
            )
            self.env(cr)["real.estate.ownership.log"]._seal([self.ids["team"]])
            times["seal"] = time.time() - began
            # what the 5-minute compaction cron does to the boards' counts after a bulk change
            self.env(cr)["real.estate.customer.count"]._cron_compact()
        began = time.time()
        self.vacuum()
        times["vacuum"] = time.time() - began
        return times

    @staticmethod
    def _bulk_load(cr):
        """Write the clones as a bulk load does (``pg_restore --disable-triggers``), when the role may: without
        PostgreSQL's row-by-row foreign-key checks (one query per row and key, the bulk of the generator's time
        at 100,000 customers and more on a small ``shared_buffers``), checked afterwards set-based
        (``_end_bulk_load``). Returns whether it does."""
        if not is_superuser(cr):
            return False
        cr.execute("SET LOCAL session_replication_role = replica")
        return True

    @staticmethod
    def _last_ids(cr):
        """``{table: its highest id}`` before the clones."""
        last = {}
        for table in GROWN_TABLES:
            cr.execute(SQL("SELECT COALESCE(max(id), 0) FROM %s", SQL.identifier(table)))
            last[table] = cr.fetchone()[0]
        return last

    def _end_bulk_load(self, cr, last_ids):
        """After a bulk load: every foreign key of the new rows of the grown tables points at a row (one
        anti-join per key), and the customer counts, whose triggers did not run, are counted afresh."""
        cr.execute("SET LOCAL session_replication_role = origin")
        cr.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
              FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
              JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)
            """,
            [list(GROWN_TABLES)],
        )
        for table, column, target, target_column in cr.fetchall():
            cr.execute(
                SQL(
                    "SELECT count(*) FROM %(table)s t WHERE t.id > %(last)s AND t.%(column)s IS NOT NULL"
                    " AND NOT EXISTS (SELECT 1 FROM %(target)s f WHERE f.%(target_column)s = t.%(column)s)",
                    table=SQL.identifier(table),
                    last=last_ids[table],
                    column=SQL.identifier(column),
                    target=SQL.identifier(target),
                    target_column=SQL.identifier(target_column),
                )
            )
            dangling = cr.fetchone()[0]
            assert not dangling, "%s new %s rows point at no %s (%s)" % (dangling, table, target, column)
        self.env(cr)["real.estate.customer.count"]._rebuild()

    def vacuum(self):
        """What autovacuum does after a bulk load, before the figures rather than during them: the generator's
        updates leave dead rows and dead index entries that a column's first cards would otherwise walk. Then a
        checkpoint (as a superuser), as an operator takes one after a bulk load."""
        with closing(odoo.sql_db.db_connect(self.db).cursor()) as cr:
            cr._cnx.autocommit = True  # VACUUM runs outside a transaction
            for table in GROWN_TABLES:
                cr.execute(SQL("VACUUM (ANALYZE) %s", SQL.identifier(table)))
            # the bulk load's dirty pages are written now, not by the checkpointer while the calls are timed
            # (at 1M, some gigabytes: every call of a timed phase slowed alike, the floor too)
            if is_superuser(cr):
                cr.execute("CHECKPOINT")

    def _lead_of(self, start, end, where=""):
        """The clones ``start`` to ``end - 1`` as SQL rows ``n`` (lead_id, user_id, customer_mobile,
        registered_at, protection_id, g)."""
        return (
            "(SELECT l.id AS lead_id, l.user_id, l.customer_mobile, l.registered_at, l.protection_id,"
            " substr(l.customer_mobile, 7)::int AS g FROM crm_lead l"
            " WHERE l.team_id = %d AND l.customer_mobile >= '+86139%08d' AND l.customer_mobile <= '+86139%08d' %s)"
            " n" % (self.ids["team"], start, end - 1, where)
        )

    def _grow_customers(self, cr, start, end):
        """Leads, visits, protections, households (ID-3) and reports.

        The customers, their visits and protections, their households and the households' members are
        written by one statement, each row with its id taken beforehand, so that each row is written once
        with the ids it points at (a customer and its protection point at each other: PostgreSQL checks
        their foreign keys at the end of the statement). One customer in five is in a household: in each
        hundred, four households of three (head, spouse, child) and four of two, the members 20 numbers
        apart, so with the head's consultant and protection state (a family registered together)."""
        ids = self.ids
        count = end - start
        assert start % 100 == 0 and end % 100 == 0, "households are laid out by the hundred"
        users = "ARRAY[%s]" % ",".join(map(str, ids["users"]))
        cr.execute("SELECT id, is_won FROM crm_stage WHERE team_id IS NULL ORDER BY sequence, id")
        rows = cr.fetchall()
        stages = {"won": next(i for i, won in rows if won), "open": [i for i, won in rows if not won]}
        first = {
            table: self._reserve(cr, table, size)
            for table, size in (
                ("crm_lead", count),
                ("real_estate_visit", count),
                ("real_estate_protection", count),
                ("real_estate_household", count // 100 * HOUSEHOLDS),
            )
        }
        # the head of g's household (g itself, g - 20 for a spouse, g - 40 for a child), if any
        head = (
            f"CASE WHEN mod(g, 100) < {HOUSEHOLDS} THEN g WHEN mod(g, 100) - 20 BETWEEN 0 AND {HOUSEHOLDS - 1} "
            f"THEN g - 20 WHEN mod(g, 100) - 40 BETWEEN 0 AND {HOUSEHOLDS // 2 - 1} THEN g - 40 END"
        )
        registered = "(now() at time zone 'utc') - mod({}, 300) * interval '1 day' - interval '1 hour'"
        at = registered.format("g")
        phone = "'+86139' || lpad(g::text, 8, '0')"
        state = STATES_SQL
        ended = "LEAST(%s + interval '60 days', (now() at time zone 'utc') - interval '1 hour')" % at
        end_at = (
            "CASE WHEN mod(g, 10) < 6 THEN (now() at time zone 'utc') + (mod(g, 50) + 1) * interval '1 day' "
            "ELSE %s END" % ended
        )
        # every clone's row: g, its ids and facts, named for the clones' expressions
        clones = (
            "(SELECT g, {lead} + g - {start} AS lead_id, {visit} + g - {start} AS visit_id,"
            " {protection} + g - {start} AS protection_id, ({users})[mod(g, {consultants}) + 1] AS user_id,"
            " {phone} AS customer_mobile, {at} AS registered_at, {state} AS state, {end_at} AS protection_end,"
            " {ended} AS ended, {head} AS head,"
            " {household} + (({head}) - {start}) / 100 * {households} + mod({head}, 100) AS household_id"
            " FROM generate_series({start}, {last}) g) n"
        ).format(
            lead=first["crm_lead"],
            visit=first["real_estate_visit"],
            protection=first["real_estate_protection"],
            household=first["real_estate_household"],
            households=HOUSEHOLDS,
            users=users,
            consultants=CONSULTANTS,
            phone=phone,
            at=at,
            state=state,
            end_at=end_at,
            ended=ended,
            head=head,
            start=start,
            last=end - 1,
        )
        leads = self._clone_sql(
            cr,
            "crm_lead",
            {
                "id": "n.lead_id",
                "name": "'客户' || n.g",
                "contact_name": "'客户' || n.g",
                "customer_surname": "'客'",
                "customer_mobile": "n.customer_mobile",
                "phone": "n.customer_mobile",
                "phone_sanitized": "n.customer_mobile",
                "user_id": "n.user_id",
                "grade": "(ARRAY['A','B','C','D'])[mod(n.g, 4) + 1]",
                # a pipeline spread over the stages: the converted tenth won, the others over the open stages
                "stage_id": "CASE WHEN mod(n.g, 10) = 9 THEN %s ELSE (ARRAY[%s])[mod(n.g / 10, %d) + 1] END"
                % (stages["won"], ",".join(map(str, stages["open"])), len(stages["open"])),
                # stored from the stage's is_won, as the ORM keeps it
                "won_percent": "CASE WHEN mod(n.g, 10) = 9 THEN 100.0 ELSE 0.0 END",
                "protection_id": "n.protection_id",
                "protection_end": "n.protection_end",
                "in_public_pool": "n.state IN ('expired', 'released')",
                "household_id": "n.household_id",
                "registered_at": "n.registered_at",
                "last_contact_at": "n.registered_at",
                "create_date": "n.registered_at",
                "write_date": "n.registered_at",
            },
            clones,
        )
        visits = self._clone_sql(
            cr,
            "real_estate_visit",
            {
                "id": "n.visit_id",
                "lead_id": "n.lead_id",
                "consultant_id": "n.user_id",
                "owner_user_id": "n.user_id",
                "customer_name": "'客户' || n.g",
                "phone": "n.customer_mobile",
                "customer_mobile": "n.customer_mobile",
                "visit_at": "n.registered_at",
                "protection_id": "n.protection_id",
                "create_date": "n.registered_at",
            },
            clones,
        )
        # active protections were followed up within PR-2's 30 days
        recent = (
            "CASE WHEN mod(n.g, 10) < 6 THEN (now() at time zone 'utc') - mod(n.g, 25) * interval '1 day' "
            "ELSE n.registered_at END"
        )
        protections = self._clone_sql(
            cr,
            "real_estate_protection",
            {
                "id": "n.protection_id",
                "lead_id": "n.lead_id",
                "holder_user_id": "n.user_id",
                "identity": "n.customer_mobile",
                "visit_id": "n.visit_id",
                "start": "n.registered_at",
                "last_contact": recent,
                "last_followup": recent,
                "state": "n.state",
                "end": "n.protection_end",
                "ended_at": "CASE WHEN mod(n.g, 10) < 6 THEN NULL ELSE n.ended END",
                "release_reason": "CASE WHEN mod(n.g, 10) = 8 THEN '客户要求更换顾问' END",
                "create_date": "n.registered_at",
            },
            clones,
        )
        households = self._clone_sql(
            cr,
            "real_estate_household",
            {
                "id": "n.household_id",
                "name": "'客户' || n.g || '家'",
                "create_date": "n.registered_at",
                "write_date": "n.registered_at",
            },
            clones,
            where="AND n.head = n.g",
        )
        members = self._clone_sql(
            cr,
            "real_estate_household_member",
            {
                "household_id": "n.household_id",
                "lead_id": "n.lead_id",
                "relation": "CASE n.g - n.head WHEN 0 THEN 'head' WHEN 20 THEN 'spouse' ELSE 'child' END",
                "create_date": registered.format("n.head"),
                "write_date": registered.format("n.head"),
            },
            clones,
            where="AND n.head IS NOT NULL",
        )
        cr.execute(
            "WITH leads AS ({}), visits AS ({}), protections AS ({}), households AS ({}), members AS ({})"
            " SELECT 1".format(*(sql + " RETURNING 1" for sql in (leads, visits, protections, households, members))),
            [ids["lead"], ids["visit"], ids["protection"], ids["household"], ids["member"]],
        )
        masked = "mod(n.g, 3) = 0"
        self._clone(
            cr,
            "real_estate_report",
            ids["report"],
            {
                "name": "'BBS-' || n.g",
                "lead_id": "n.lead_id",
                "customer_name": "'客户' || n.g",
                "customer_surname": "'客'",
                "phone": "CASE WHEN %s THEN '139****' || right(n.customer_mobile, 4) ELSE n.customer_mobile END"
                % masked,
                "customer_mobile": "CASE WHEN %s THEN NULL ELSE n.customer_mobile END" % masked,
                "masked_prefix": "CASE WHEN %s THEN '139' END" % masked,
                "masked_suffix": "CASE WHEN %s THEN right(n.customer_mobile, 4) END" % masked,
                "match_key": "'139:' || right(n.customer_mobile, 4)",
                "claim_key": "CASE WHEN %s THEN 'masked:139:' || right(n.customer_mobile, 4) || ':客' "
                "ELSE n.customer_mobile END" % masked,
                "state": "(ARRAY['lapsed','confirmed','rejected','won'])[mod(n.g / 10, 4) + 1]",
                "reported_at": "n.registered_at - interval '2 hours'",
                "expected_visit": "n.registered_at",
                "valid_until": "n.registered_at + interval '1 day'",
                "visit_id": "NULL",
                "confirmation_id": "NULL",
                "protection_id": "NULL",
                "create_date": "n.registered_at",
            },
            self._lead_of(start, end),
            where="AND mod(n.g, 10) = 0",
        )

    def _grow_history(self, cr, start, end):
        """The ownership log of each clone, as the engine writes it: the registration (RO-1); one in ten
        first registered by another consultant a month before and redistributed (GR-4); the end of every
        protection not active (PR-2 expiry, PR-3 release, conversion), its facts built by the expiry cron's
        own SQL. The registrations' ``explanation_params`` are the template's real ones with the clone's
        consultant and dates."""
        ids = self.ids
        users = "ARRAY[%s]" % ",".join(map(str, ids["users"]))
        names = "ARRAY[%s]" % ",".join("'%s'" % name for name in ids["user_names"])
        rows = self._lead_of(start, end) + " JOIN real_estate_protection p ON p.id = n.protection_id"
        moved = "mod(n.g / 10, 10) = 3"
        former, former_name = ("(%s)[mod(n.g + 7, %d) + 1]" % (array, CONSULTANTS) for array in (users, names))
        holder_name = "(%s)[mod(n.g, %d) + 1]" % (names, CONSULTANTS)
        first_name = "(%s)[mod(n.g + CASE WHEN %s THEN 7 ELSE 0 END, %d) + 1]" % (names, moved, CONSULTANTS)
        unsealed = {"seal_seq": "NULL", "prev_hash": "NULL", "entry_hash": "NULL"}
        first = "CASE WHEN %s THEN n.registered_at - interval '30 days' ELSE n.registered_at END" % moved

        def params(name, at, **facts):
            moment = "to_char(%s, 'YYYY-MM-DD HH24:MI:SS')" % at
            facts.update(owner=name, holder=name, receiver=name, start=moment, contact=moment, anchor=moment)
            facts["end"] = "to_char(%s + interval '60 days', 'YYYY-MM-DD HH24:MI:SS')" % at
            pairs = ", ".join("'%s', %s" % item for item in facts.items())
            return "t.explanation_params || jsonb_build_object(%s)" % pairs

        self._clone(
            cr,
            "real_estate_ownership_log",
            ids["log"],
            {
                "lead_id": "n.lead_id",
                "new_user_id": "CASE WHEN %s THEN %s ELSE n.user_id END" % (moved, former),
                "protection_id": "p.id",
                "visit_id": "p.visit_id",
                "date": first,
                "explanation_params": params(first_name, first),
                "create_date": first,
                "write_date": first,
                **unsealed,
            },
            rows,
        )
        self._clone(
            cr,
            "real_estate_ownership_log",
            ids["log"],
            {
                "lead_id": "n.lead_id",
                "event": "'transfer'",
                "rule": "'GR-4'",
                "source": "'redistribution'",
                "reason": "'transferred'",
                "old_user_id": former,
                "new_user_id": "n.user_id",
                "protection_id": "p.id",
                "visit_id": "p.visit_id",
                "date": "n.registered_at",
                "explanation_params": params(
                    holder_name,
                    "n.registered_at",
                    former=former_name,
                    origin_rule="'GR-4'",
                    reason="'D 类客户重新分配'",
                ),
                "create_date": "n.registered_at",
                "write_date": "n.registered_at",
                **unsealed,
            },
            rows,
            where="AND " + moved,
        )
        self._log_ends(cr, rows)

    def _log_ends(self, cr, rows):
        """One log row per protection of ``rows`` not active, with the expiry cron's columns (PR-3)."""
        columns = self.env(cr)["real.estate.ownership.engine"]._expiry_log_columns("cron")

        def by_state(expired, released, converted):
            return SQL(
                "CASE p.state WHEN 'expired' THEN %s WHEN 'released' THEN %s ELSE %s END", expired, released, converted
            )

        columns.update(
            event=by_state("expire", "release", "convert"),
            rule=by_state(SQL("p.end_rule"), "PR-3", SQL("p.rule")),
            reason=by_state(SQL("'expired.' || p.end_rule"), "released", "converted"),
            source=by_state("cron", "manual", "deal"),
            new_user_id=SQL("CASE WHEN p.state = 'converted' THEN p.holder_user_id END"),
            date=SQL("p.ended_at"),
            create_date=SQL("p.ended_at"),
            write_date=SQL("p.ended_at"),
        )
        cr.execute(
            SQL(
                "INSERT INTO real_estate_ownership_log (%s) SELECT %s FROM %s JOIN crm_team t ON t.id = p.team_id"
                " WHERE p.state <> 'active' ORDER BY p.id",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL(", ").join(columns.values()),
                SQL(rows),
            )
        )

    def check(self, start, end):
        """The ORM reads clones whole: 100 attributions, each with its owner or its pool; households with their
        members; the ownership history as the customer's form shows it. Returns the chain's verification
        (``None`` where the office's log is too long to walk within the budget)."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            leads = env["crm.lead"].search(
                [("team_id", "=", self.ids["team"]), ("customer_mobile", ">=", number(start))], limit=100
            )
            answers = leads.attribution()
            assert len(answers) == len(leads) == 100, len(answers)
            assert all(a["rule"] for a in answers), answers[:3]
            active = [a for a in answers if a["protection_state"] == "active"]
            assert active and all(a["owner_user_id"] for a in active), answers[:3]
            assert all(lead.won_percent == (100.0 if lead.stage_id.is_won else 0.0) for lead in leads)
            self._check_households(env, start)
            self._check_history(env, leads)
            verified = None
            if end <= VERIFY_UP_TO:
                verified = env["real.estate.ownership.log"]._verify_chain(env["crm.team"].browse(self.ids["team"]))
                assert verified["ok"], verified
            cr.rollback()
        return verified

    def _check_households(self, env, start):
        """ID-3: households of two or three members of the office, each member's ``household_id`` stored."""
        households = env["real.estate.household"].search(
            [("team_id", "=", self.ids["team"]), ("member_ids.lead_id.customer_mobile", ">=", number(start))],
            limit=50,
        )
        assert len(households) == 50, len(households)
        for household in households:
            members = household.member_ids
            assert len(members) in (2, 3), (household.name, len(members))
            assert set(members.mapped("relation")) <= {"head", "spouse", "child"}, members.mapped("relation")
            assert members.lead_id.household_id == household, household.name
            assert len(members.lead_id.user_id) == 1, household.name  # registered together, by one consultant

    def _check_history(self, env, leads):
        """Each customer's ownership history, read as the form's page does: its registration first, a redistribution
        where there was one, the end of a protection that is not active; every line explained."""
        form = env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        assert 'name="ownership_log_ids"' in form
        unknown = env["real.estate.ownership.engine"]._explain("", {})
        ending = {"expired": "expire", "released": "release", "converted": "convert"}
        spec = {"ownership_log_ids": {"fields": {"date": {}, "event": {}, "rule": {}, "explanation": {}}}}
        for lead, values in zip(leads, leads.web_read(spec), strict=True):
            history = sorted(values["ownership_log_ids"], key=lambda log: (log["date"], log["id"]))
            events = [log["event"] for log in history]
            assert events[0] == "assign" and set(events) <= {"assign", "transfer", *ending.values()}, events
            state = lead.protection_id.state
            assert (ending[state] in events) if state in ending else len(events) <= 2, (state, events)
            assert all(log["explanation"] and log["explanation"] != unknown for log in history), history

    def expire(self, count):
        """PR-3: ``count`` active protections end an hour ago; the expiry cron's rate (protections a second)."""
        with self.registry.cursor() as cr:
            cr.execute(
                """UPDATE real_estate_protection SET "end" = (now() at time zone 'utc') - interval '1 hour'
                    WHERE id IN (SELECT id FROM real_estate_protection WHERE state = 'active' AND team_id = %s
                                 ORDER BY id LIMIT %s)""",
                [self.ids["team"], count],
            )
            cr.commit()
            bare = self._bare_update_rate(cr)
            began = time.perf_counter()
            done = self.env(cr)["real.estate.protection"]._cron_expire()
            elapsed = time.perf_counter() - began
        return {"p50": done / elapsed, "p90": done / elapsed, "bare": bare}

    def _bare_update_rate(self, cr):
        """The platform's floor for an expiry: the bare UPDATE of the expiring customers' owner on ``crm_lead``
        (its indexes maintained, nothing else), in batches of the cron's size, rolled back."""
        cr.execute(
            """SELECT l.id FROM crm_lead l JOIN real_estate_protection p ON p.id = l.protection_id
                WHERE p.state = 'active' AND p."end" <= now() at time zone 'utc' ORDER BY p.id"""
        )
        ids = [row[0] for row in cr.fetchall()]
        size = self.env(cr)["real.estate.protection"]._expiry_batch_size()
        began = time.perf_counter()
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            cr.execute("UPDATE crm_lead SET user_id = NULL, in_public_pool = TRUE WHERE id = ANY(%s)", [batch])
        elapsed = time.perf_counter() - began
        cr.rollback()
        return len(ids) / elapsed if ids else 0.0


def is_superuser(cr):
    """Whether the database role may bulk-load (``session_replication_role``) and take a checkpoint."""
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return cr.fetchone()[0]


# ----------------------------------------------------------------------
# Server and calls
# ----------------------------------------------------------------------
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command():
    """The server's command: the ``odoo-bin`` script beside the imported ``odoo`` (the prefork master re-runs its
    ``argv[0]`` for the gevent worker, which ``python3 -m odoo`` cannot give it)."""
    beside = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    script = str(beside) if beside.is_file() else shutil.which("odoo")
    return [sys.executable, script] if script else [sys.executable, "-m", "odoo"]


class Server:
    def __init__(self, db, root, workers=2):
        self.db, self.port = db, free_port()
        log = Path(root) / "test-reports" / "bench-server.log"
        log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                *odoo_command(),
                "-d",
                db,
                "--db-filter=^%s$" % db,
                "--addons-path=%s" % root,
                "--http-port=%d" % self.port,
                "--workers=%d" % workers,
                "--max-cron-threads=0",
                "--log-level=warn",
                "--logfile=%s" % log,
                "--limit-time-real=600",
                "--limit-memory-hard=4294967296",
                "--limit-memory-soft=3221225472",
            ]
        )
        self.url = "http://127.0.0.1:%d" % self.port
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common").version()
                break
            except OSError:
                time.sleep(0.5)
        self.uid = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common").authenticate(db, "admin", PASSWORD, {})

    def call(self, model, method, *args, **kw):
        """One call on a fresh connection, as an integrator's client makes it."""
        proxy = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, self.uid, PASSWORD, model, method, list(args), kw)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


STOCK_READ = "stock crm.lead.read of the 100, two fields"
GRADE_BOARD = "grade board (columns + first 40 cards each)"
STOCK_BOARD = "stock pipeline board, same data"
#: Loads of each board timed (each several calls; the stock board takes seconds at 1M)
BOARD_LOADS = 15
#: the fields of a card, as the grade board's and stock CRM's kanban views read them
GRADE_CARDS = ["name", "mobile_masked", "grade", "followup_status", "grade_d_pending", "next_followup_at", "user_id"]
STOCK_CARDS = ["name", "partner_id", "expected_revenue", "priority", "user_id", "activity_state", "stage_id"]


def load_board(server, domain, groupby, cards, aggregates=()):
    """A grouped kanban as the web client loads it: its columns, then each open column's first 40 cards."""
    columns = server.call("crm.lead", "web_read_group", domain, list(aggregates), [groupby], lazy=True)
    for column in columns["groups"]:
        if column["%s_count" % groupby] and not column.get("__fold"):
            server.call(
                "crm.lead", "web_search_read", column["__domain"], {f: {} for f in cards}, limit=40, count_limit=10001
            )


def timed(fns, calls):
    """``{name: {p50, p90}}`` in ms of ``calls`` calls of each ``fns[name](i)``, taken in turn: each round makes
    one call of every kind (after two warm-up rounds), so that the machine's drift during the run weighs on
    every figure alike and a ratio compares calls made at the same moments."""
    for warm_up in (-1, -2):
        for fn in fns.values():
            fn(warm_up)
    samples = {name: [] for name in fns}
    for i in range(calls):
        for name, fn in fns.items():
            began = time.perf_counter()
            fn(i)
            samples[name].append((time.perf_counter() - began) * 1000)
    return {
        name: {"p50": statistics.median(taken), "p90": sorted(taken)[int(len(taken) * 0.9) - 1]}
        for name, taken in samples.items()
    }


def measure(server, ids, size, calls, serial):
    team, expected = ids["team"], (datetime.utcnow() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    fresh = iter(range(serial, serial + 100_000))
    domain = [("team_id", "=", team)]
    sample = server.call("crm.lead", "search", domain, limit=100, offset=size // 2)

    def submit(phone, name):
        values = {"team_id": team, "channel_id": ids["channel"], "agent_id": ids["agent"]}
        values.update(customer_name=name, phone=phone, expected_visit=expected)
        return server.call("real.estate.report", "submit", values)

    results = timed(
        {
            "floor": lambda i: server.call("res.partner", "search_count", []),
            "stock crm.lead.create": lambda i: server.call(
                "crm.lead", "create", {"name": "stock lead", "team_id": ids["stock_team"]}
            ),
            "register, new customer": lambda i: server.call(
                "real.estate.visit",
                "register",
                {"team_id": team, "customer_name": "新客", "phone": "137%08d" % next(fresh)},
            ),
            "register, returning customer": lambda i: server.call(
                "real.estate.visit",
                "register",
                {"team_id": team, "customer_name": "客户", "phone": number((i * 7919 + 11) % size)},
            ),
            "submit, new customer (valid)": lambda i: submit("136%08d" % next(fresh), "报备"),
            "submit, conflicting (rejected)": lambda i: submit(number((i * 104729 + 3) % size), "客户"),
            "attribution of 100": lambda i: server.call("crm.lead", "attribution", sample),
            # the platform's own cost of reading those 100 customers: stock `read` of two fields, no rule involved
            STOCK_READ: lambda i: server.call("crm.lead", "read", sample, ["user_id", "stage_id"]),
        },
        calls,
    )
    # the boards as the web client loads a grouped kanban: the columns (web_read_group), then each open
    # column's first 40 cards (web_search_read on the column's domain), one call after the other
    office = [("team_id.is_sales_office", "=", True), ("type", "=", "opportunity")]  # the Grade Board action
    pipeline = [("type", "=", "opportunity"), ("team_id", "=", team)]
    boards = {
        GRADE_BOARD: lambda i: load_board(server, office, "grade", GRADE_CARDS),
        STOCK_BOARD: lambda i: load_board(server, pipeline, "stage_id", STOCK_CARDS, ["expected_revenue:sum"]),
    }
    results.update(timed(boards, min(calls, BOARD_LOADS)))
    return results


def report(root, runs, meta, concurrent):
    """docs/benchmark.md's section between its markers: the figures and their ratios."""
    sizes = sorted(runs)
    small, large = sizes[0], sizes[-1]
    lines = [
        "<!-- bench-scale -->",
        "Run of %s on %s (%s, %s cores); %d calls per figure (%d loads of each board), p50 in ms, fresh connection "
        "per call, the calls of every kind taken in turn (one of each per round), a %d-worker server."
        % (
            meta["date"],
            meta["machine"],
            meta["python"],
            meta["cores"],
            meta["calls"],
            min(meta["calls"], BOARD_LOADS),
            meta["workers"],
        ),
        "",
        "| call | "
        + " | ".join("p50 at %s" % f"{s:,}" for s in sizes)
        + " | ÷ floor at %s | %s ÷ %s |" % (f"{large:,}", f"{large:,}", f"{small:,}"),
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    floor = runs[large]["floor"]["p50"]
    for name in runs[large]:
        cells = ["%.1f" % runs[s][name]["p50"] for s in sizes]
        lines.append(
            "| %s | %s | %.1f× | %.2f× |"
            % (
                name,
                " | ".join(cells),
                runs[large][name]["p50"] / floor,
                runs[large][name]["p50"] / runs[small][name]["p50"],
            )
        )
    board = runs[large][GRADE_BOARD]["p50"]
    pipeline = runs[large][STOCK_BOARD]["p50"]
    lines += [
        "",
        "Grade board ÷ stock pipeline board at %s: %.2f×. Expiry cron (a backlog of a tenth of the customers, at "
        "most 20,000): %s protections a second. The platform's floor for it, the bare UPDATE of those customers' "
        "owner on stock `crm_lead` alone (rolled back): %s rows a second. Attribution of 100 ÷ stock `read` of "
        "the same 100 at %s: %.2f×."
        % (
            f"{large:,}",
            board / pipeline,
            ", ".join("%s at %s" % (f"{round(meta['expiry'][s]):,}", f"{s:,}") for s in sizes),
            ", ".join("%s at %s" % (f"{round(meta['bare update'][s]):,}", f"{s:,}") for s in sizes),
            f"{large:,}",
            runs[large]["attribution of 100"]["p50"] / runs[large][STOCK_READ]["p50"],
        ),
        "",
        *concurrency_table(concurrent, sorted(concurrent)),
        "",
        *data_lines(meta, sizes),
        "<!-- /bench-scale -->",
    ]
    doc = Path(root) / "docs" / "benchmark.md"
    text = doc.read_text(encoding="utf-8")
    section = "\n".join(lines)
    if "<!-- bench-scale -->" in text:
        head, rest = text.split("<!-- bench-scale -->", 1)
        text = head + section + rest.split("<!-- /bench-scale -->", 1)[1]
    else:
        text += "\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")
    (Path(root) / "test-reports").mkdir(exist_ok=True)
    (Path(root) / "test-reports" / "bench-scale.json").write_text(
        json.dumps({"meta": meta, "runs": runs, "concurrency": concurrent}, indent=1)
    )
    print(section)


def concurrency_table(concurrent, sizes):
    """The concurrent clients' rates, their ratio and the races' violations, by size."""
    first = concurrent[sizes[0]]
    lines = [
        "%d concurrent clients, %d s each way after warm-up, in %d alternating windows; then %d rounds of each race:"
        % (first["clients"], first["seconds"], first["windows"], first["race reports"]["rounds"]),
        "",
        "| concurrent | " + " | ".join("at %s" % f"{s:,}" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def row(name, cell):
        lines.append("| %s | %s |" % (name, " | ".join(cell(concurrent[s]) for s in sizes)))

    row("`submit`, new customers: reports a second", lambda c: "%.1f" % c["submit"]["rate"])
    row("stock `crm.lead.create`: leads a second", lambda c: "%.1f" % c["stock"]["rate"])
    row("**submit ÷ stock**", lambda c: "**%.2f×**" % c["ratio"])
    row("the trivial call (the floor): calls a second", lambda c: "%.1f" % c["floor"]["rate"])
    row("floor ÷ stock: the highest ratio any call can reach here", lambda c: "%.2f×" % c["floor ratio"])
    row("faults while timed (submit / stock)", lambda c: "%d / %d" % (c["submit"]["faults"], c["stock"]["faults"]))
    row(
        "race: %d channels report one new customer, rounds not ending in one valid report" % first["clients"],
        lambda c: "%d" % c["race reports"]["violations"],
    )
    row(
        "race: %d consultants register one new customer, rounds not ending in one file, one active protection, "
        "one owner" % first["clients"],
        lambda c: "%d" % c["race registrations"]["violations"],
    )
    row(
        "faults in the races (reports / registrations)",
        lambda c: "%d / %d" % (c["race reports"]["faults"], c["race registrations"]["faults"]),
    )
    for name in first["invariants"]:
        row("office-wide SQL: %s" % name, lambda c, name=name: "%d" % c["invariants"][name])
    row("time of the concurrent measures, s", lambda c: "%.0f" % c["elapsed"])
    return lines


def data_lines(meta, sizes):
    """What was generated and how long it took."""
    return [
        "Data generated in %s (customers, visits, protections, reports and households / ownership history / "
        "hash chain sealed by `_seal()` / the grown tables vacuumed, in seconds). The office then holds %s."
        % (
            ", ".join(
                "%s to %s"
                % (
                    " / ".join("%.0f" % meta["grow"][s][k] for k in ("customers", "history", "seal", "vacuum")),
                    f"{s:,}",
                )
                for s in sizes
            ),
            "; ".join(
                "at %s: %s" % (f"{s:,}", ", ".join("%s %s" % (f"{n:,}", what) for what, n in meta["data"][s].items()))
                for s in sizes
            ),
        ),
        "The chain was verified whole (`_verify_chain`) at %s."
        % (
            ", ".join("%s (%s entries)" % (f"{s:,}", f"{v['checked']:,}") for s, v in meta["verified"].items() if v)
            or "no size"
        ),
    ]


def counts(db, team):
    """What the office holds: customers, households and their members, ownership-log rows."""
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute(
            """SELECT (SELECT count(*) FROM crm_lead WHERE team_id = %(team)s),
                      (SELECT count(*) FROM real_estate_household WHERE team_id = %(team)s),
                      (SELECT count(*) FROM real_estate_household_member m JOIN real_estate_household h
                          ON h.id = m.household_id WHERE h.team_id = %(team)s),
                      (SELECT count(*) FROM real_estate_ownership_log WHERE team_id = %(team)s)""",
            {"team": team},
        )
        row = cr.fetchone()
    return dict(zip(("customers", "households", "household members", "ownership-log rows"), row, strict=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("root")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20, help="each concurrent throughput measure")
    parser.add_argument("--rounds", type=int, default=30, help="rounds of each race")
    parser.add_argument(
        "--concurrent-all",
        action="store_true",
        help="the concurrent measures at every size (by default at the smallest and the largest, for the time budget)",
    )
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.db, "--addons-path=%s" % args.root])
    data = Data(args.db)
    ids = data.setup()
    runs, concurrent, grown, expiries, bare_updates, verified, held, done = {}, {}, {}, {}, {}, {}, {}, 0
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        grown[size] = data.grow(done, size)
        verified[size] = data.check(done, size)
        held[size] = counts(args.db, ids["team"])
        done = size
        print(
            "== %s customers (generated in %s s)"
            % (f"{size:,}", ", ".join("%s %.0f" % item for item in grown[size].items())),
            flush=True,
        )
        server = Server(args.db, args.root, args.workers)
        try:
            serial = len(runs) * 1_000_000
            runs[size] = measure(server, ids, size, args.calls, serial=serial)
            if args.concurrent_all or size in (sizes[0], sizes[-1]):
                began = time.time()
                concurrent[size] = Concurrency(server, ids, CLIENTS, serial + 200_000).run(args.seconds, args.rounds)
                concurrent[size]["elapsed"] = time.time() - began
        finally:
            server.stop()
        expiry = data.expire(min(20_000, size // 10))
        print(
            "   expiry cron: %.0f protections a second (bare crm_lead UPDATE: %.0f rows a second)"
            % (expiry["p50"], expiry["bare"]),
            flush=True,
        )
        expiries[size] = expiry["p50"]
        bare_updates[size] = expiry["bare"]
        for name, figures in runs[size].items():
            print("   %-40s p50 %7.1f ms   p90 %7.1f ms" % (name, figures["p50"], figures["p90"]), flush=True)
        if size in concurrent:
            print("   concurrent: %s" % json.dumps(concurrent[size], ensure_ascii=False), flush=True)
    meta = {
        "date": datetime.utcnow().strftime("%Y-%m-%d"),
        "machine": platform.node() or "this machine",
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "calls": args.calls,
        "workers": args.workers,
        "grow": grown,
        "expiry": expiries,
        "bare update": bare_updates,
        "verified": verified,
        "data": held,
    }
    report(args.root, runs, meta, concurrent)


if __name__ == "__main__":
    main()
