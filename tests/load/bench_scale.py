"""Benchmark at scale (``make bench``, issue 12): 10k, 100k and 1M customers, measured over XML-RPC.

One database grows from 10,000 to 100,000 to 1,000,000 customers of one sales office. At each size a
multi-worker server is started on it and every call is timed over XML-RPC with a fresh connection per call,
next to the platform's floor (a trivial authenticated call, ``res.partner.search_count``) and stock
``crm.lead.create``, in the same run. Figures are ratios, so they hold on any machine.

The data are made set-based: a template customer is registered through the rules once (visit, protection,
report), then cloned by ``INSERT … SELECT … generate_series`` with its own number, consultant, grade, dates
and protection state (active, expired, released, converted; one customer in ten reported, a third of the
reports masked). The ORM then reads a sample of the clones (their attribution) to check they are whole.

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
from datetime import datetime, timedelta
from pathlib import Path

import odoo
from odoo import api

CONSULTANTS = 20
#: Protection states of the clones, by ``g % 10`` (60% active, 20% expired, 10% released, 10% converted).
STATES_SQL = """CASE WHEN mod(g, 10) < 6 THEN 'active' WHEN mod(g, 10) < 8 THEN 'expired'
                     WHEN mod(g, 10) = 8 THEN 'released' ELSE 'converted' END"""
PASSWORD = "bench"


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
            }
        return self.ids

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
        columns = self._columns(cr, table)
        select = ", ".join(overrides.get(c, "t.%s" % c) for c in columns)
        cr.execute(
            "INSERT INTO {table} ({cols}) SELECT {select} FROM {table} t, {source} WHERE t.id = %s {where}".format(
                table=table, cols=", ".join('"%s"' % c for c in columns), select=select, source=source, where=where
            ),
            [template],
        )
        return cr.rowcount

    def grow(self, start, end):
        """Customers ``start`` to ``end - 1``: leads, visits, protections, reports, set-based."""
        ids = self.ids
        users = "ARRAY[%s]" % ",".join(map(str, ids["users"]))
        began = time.time()
        with self.registry.cursor() as cr:
            series = "generate_series(%d, %d) g" % (start, end - 1)
            phone = "'+86139' || lpad(g::text, 8, '0')"
            at = "(now() at time zone 'utc') - mod(g, 300) * interval '1 day' - interval '1 hour'"
            self._clone(
                cr,
                "crm_lead",
                ids["lead"],
                {
                    "name": "'客户' || g",
                    "contact_name": "'客户' || g",
                    "customer_surname": "'客'",
                    "customer_mobile": phone,
                    "phone": phone,
                    "phone_sanitized": phone,
                    "user_id": "(%s)[mod(g, %d) + 1]" % (users, CONSULTANTS),
                    "grade": "(ARRAY['A','B','C','D'])[mod(g, 4) + 1]",
                    "protection_id": "NULL",
                    "registered_at": at,
                    "last_contact_at": at,
                    "create_date": at,
                    "write_date": at,
                },
                series,
            )
            lead_of = (
                "(SELECT l.id AS lead_id, l.user_id, l.customer_mobile, l.registered_at,"
                " substr(l.customer_mobile, 7)::int AS g FROM crm_lead l"
                " WHERE l.team_id = %d AND l.customer_mobile >= '+86139%08d' AND l.customer_mobile <= '+86139%08d')"
                " n" % (ids["team"], start, end - 1)
            )
            self._clone(
                cr,
                "real_estate_visit",
                ids["visit"],
                {
                    "lead_id": "n.lead_id",
                    "consultant_id": "n.user_id",
                    "owner_user_id": "n.user_id",
                    "customer_name": "'客户' || n.g",
                    "phone": "n.customer_mobile",
                    "customer_mobile": "n.customer_mobile",
                    "visit_at": "n.registered_at",
                    "protection_id": "NULL",
                    "create_date": "n.registered_at",
                },
                lead_of,
            )
            ended = "n.registered_at + interval '60 days'"
            # active protections were followed up within PR-2's 30 days
            recent = (
                "CASE WHEN mod(n.g, 10) < 6 THEN (now() at time zone 'utc') - mod(n.g, 25) * interval '1 day' "
                "ELSE n.registered_at END"
            )
            self._clone(
                cr,
                "real_estate_protection",
                ids["protection"],
                {
                    "lead_id": "n.lead_id",
                    "holder_user_id": "n.user_id",
                    "identity": "n.customer_mobile",
                    "visit_id": "(SELECT v.id FROM real_estate_visit v WHERE v.lead_id = n.lead_id LIMIT 1)",
                    "start": "n.registered_at",
                    "last_contact": recent,
                    "last_followup": recent,
                    "state": STATES_SQL.replace("(g,", "(n.g,"),
                    "end": "CASE WHEN mod(n.g, 10) < 6 THEN (now() at time zone 'utc') "
                    "+ (mod(n.g, 50) + 1) * interval '1 day' ELSE %s END" % ended,
                    "ended_at": "CASE WHEN mod(n.g, 10) < 6 THEN NULL ELSE %s END" % ended,
                    "create_date": "n.registered_at",
                },
                lead_of,
            )
            cr.execute(
                """
                UPDATE crm_lead l SET protection_id = p.id, protection_end = p."end",
                       in_public_pool = p.state IN ('expired', 'released')
                  FROM real_estate_protection p
                 WHERE p.lead_id = l.id AND l.team_id = %s AND l.protection_id IS NULL
                """,
                [ids["team"]],
            )
            cr.execute(
                """
                UPDATE real_estate_visit v SET protection_id = l.protection_id
                  FROM crm_lead l WHERE v.lead_id = l.id AND v.protection_id IS NULL AND l.team_id = %s
                """,
                [ids["team"]],
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
                lead_of,
                where="AND mod(n.g, 10) = 0",
            )
            cr.execute("ANALYZE crm_lead, real_estate_visit, real_estate_protection, real_estate_report")
        return time.time() - began

    def check(self, start, end):
        """The ORM reads clones whole: 100 attributions, each with its owner or its pool."""
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
            cr.rollback()

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
            began = time.perf_counter()
            done = self.env(cr)["real.estate.protection"]._cron_expire()
            elapsed = time.perf_counter() - began
        return {"p50": done / elapsed, "p90": done / elapsed}


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


def timed(fn, calls):
    """Median and p90 in ms of ``calls`` calls of ``fn(i)`` (after two warm-up calls)."""
    fn(-1)
    fn(-2)
    samples = []
    for i in range(calls):
        began = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p90": samples[int(len(samples) * 0.9) - 1]}


def measure(server, ids, size, calls, serial):
    team, expected = ids["team"], (datetime.utcnow() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    fresh = iter(range(serial, serial + 100_000))
    board_fields = ["name", "contact_name", "grade", "user_id", "protection_end", "next_followup_at"]
    domain = [("team_id", "=", team)]
    results = {
        "floor": timed(lambda i: server.call("res.partner", "search_count", []), calls),
        "stock crm.lead.create": timed(
            lambda i: server.call("crm.lead", "create", {"name": "stock lead", "team_id": ids["stock_team"]}), calls
        ),
        "register, new customer": timed(
            lambda i: server.call(
                "real.estate.visit",
                "register",
                {"team_id": team, "customer_name": "新客", "phone": "137%08d" % next(fresh)},
            ),
            calls,
        ),
        "register, returning customer": timed(
            lambda i: server.call(
                "real.estate.visit",
                "register",
                {"team_id": team, "customer_name": "客户", "phone": number((i * 7919 + 11) % size)},
            ),
            calls,
        ),
        "submit, new customer (valid)": timed(
            lambda i: server.call(
                "real.estate.report",
                "submit",
                {
                    "team_id": team,
                    "channel_id": ids["channel"],
                    "agent_id": ids["agent"],
                    "customer_name": "报备",
                    "phone": "136%08d" % next(fresh),
                    "expected_visit": expected,
                },
            ),
            calls,
        ),
        "submit, conflicting (rejected)": timed(
            lambda i: server.call(
                "real.estate.report",
                "submit",
                {
                    "team_id": team,
                    "channel_id": ids["channel"],
                    "agent_id": ids["agent"],
                    "customer_name": "客户",
                    "phone": number((i * 104729 + 3) % size),
                    "expected_visit": expected,
                },
            ),
            calls,
        ),
    }
    sample = server.call("crm.lead", "search", domain, limit=100, offset=size // 2)
    results["attribution of 100"] = timed(lambda i: server.call("crm.lead", "attribution", sample), calls)
    results["grade board (read_group + 80 cards)"] = timed(
        lambda i: (
            server.call("crm.lead", "web_read_group", domain, ["grade"], ["grade"], lazy=True),
            server.call("crm.lead", "web_search_read", domain, {f: {} for f in board_fields}, limit=80),
        ),
        calls,
    )
    results["stock pipeline board, same data"] = timed(
        lambda i: (
            server.call("crm.lead", "web_read_group", domain, ["stage_id"], ["stage_id"], lazy=True),
            server.call(
                "crm.lead",
                "web_search_read",
                domain,
                {f: {} for f in ["name", "contact_name", "stage_id", "user_id", "expected_revenue", "priority"]},
                limit=80,
            ),
        ),
        calls,
    )
    return results


def report(root, runs, meta):
    """docs/benchmark.md's section between its markers: the figures and their ratios."""
    sizes = sorted(runs)
    small, large = sizes[0], sizes[-1]
    lines = [
        "<!-- bench-scale -->",
        "Run of %s on %s (%s, %s cores); %d calls per figure, p50 in ms, fresh connection per call, a %d-worker "
        "server." % (meta["date"], meta["machine"], meta["python"], meta["cores"], meta["calls"], meta["workers"]),
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
    board = runs[large]["grade board (read_group + 80 cards)"]["p50"]
    pipeline = runs[large]["stock pipeline board, same data"]["p50"]
    lines += [
        "",
        "Grade board ÷ stock pipeline board at %s: %.2f×. Expiry cron (a backlog of a tenth of the customers, at "
        "most 20,000): %s protections a second. Data generated in %s."
        % (
            f"{large:,}",
            board / pipeline,
            ", ".join("%s at %s" % (f"{round(meta['expiry'][s]):,}", f"{s:,}") for s in sizes),
            ", ".join("%s s to %s" % (round(meta["grow"][s]), f"{s:,}") for s in sizes),
        ),
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
    (Path(root) / "test-reports" / "bench-scale.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=1))
    print(section)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("root")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.db, "--addons-path=%s" % args.root])
    data = Data(args.db)
    ids = data.setup()
    runs, grown, expiries, done = {}, {}, {}, 0
    for size in (int(s) for s in args.sizes.split(",")):
        grown[size] = data.grow(done, size)
        data.check(done, size)
        done = size
        print("== %s customers (generated in %.0f s)" % (f"{size:,}", grown[size]), flush=True)
        server = Server(args.db, args.root, args.workers)
        try:
            runs[size] = measure(server, ids, size, args.calls, serial=len(runs) * 1_000_000)
        finally:
            server.stop()
        expiry = data.expire(min(20_000, size // 10))
        print("   expiry cron: %.0f protections a second" % expiry["p50"], flush=True)
        expiries[size] = expiry["p50"]
        for name, figures in runs[size].items():
            print("   %-40s p50 %7.1f ms   p90 %7.1f ms" % (name, figures["p50"], figures["p90"]), flush=True)
    meta = {
        "date": datetime.utcnow().strftime("%Y-%m-%d"),
        "machine": platform.node() or "this machine",
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "calls": args.calls,
        "workers": args.workers,
        "grow": grown,
        "expiry": expiries,
    }
    report(args.root, runs, meta)


if __name__ == "__main__":
    main()
