"""Benchmark across servers (``make bench``, issue 12, "out to several servers").

On the database bench_scale.py left at its largest size (or a database of its own, grown with bench_scale's
``Data`` when it has no scale office yet), this stands up on one machine what production spreads over hosts:

* a second PostgreSQL cluster, a streaming hot standby of the running one (``cluster.Standby``);
* two Odoo servers on the same database, ``--workers=2`` each, both reading from the standby
  (``--db_replica_host``/``--db_replica_port``), no cron;
* a round-robin TCP balancer in front (``balancer.Balancer``), through which every call goes.

It measures, a fresh connection per call: the floor, ``register`` and ``submit`` of a new customer,
``attribution`` of 100 customers over ``/xmlrpc/2/object`` (the primary) and ``/xmlrpc/2/readonly`` (the
replica), and 8 concurrent clients' rates; it runs the race checks across the two servers (8 clients
reporting one new customer: one valid report; 8 clients registering one new customer: one owner, one active
protection) and counts violations; it checks that reads stay correct within the replica's lag (a write on
the primary, then the read-only endpoint polled until it shows it). Everything is torn down at the end, also
on failure. Results: ``docs/benchmark.md`` between ``<!-- bench-cluster -->`` markers, the figures of
``docs/deploy.md`` between ``<!-- deploy-figures -->`` markers, and ``test-reports/bench-cluster.json``.

Usage: ``python3 tests/load/bench_cluster.py DB ROOT [--size 10000] [--calls 30] [--rounds 5]``.
"""

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import threading
import time
import uuid
import xmlrpc.client
from collections import Counter
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import psycopg2

# run as a script, beside bench_scale.py (as bench_scale.py imports its own neighbours)
from balancer import Balancer
from bench_scale import PASSWORD, Data, timed
from cluster import Client, ClusterError, OdooServer, Standby

import odoo

OFFICE = "规模案场 Scale Office"
PARALLEL = 8
MARKER = "<!-- bench-cluster -->", "<!-- /bench-cluster -->"
DEPLOY_MARKER = "<!-- deploy-figures -->", "<!-- /deploy-figures -->"


def _expected_visit():
    return (datetime.utcnow() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")


# ----------------------------------------------------------------------
# The data: bench_scale's office, or one of our own
# ----------------------------------------------------------------------
def office(db, root, size):
    """The scale office's ids and its number of customers; grown to ``size`` with bench_scale's ``Data``
    when the database has none yet (run on its own)."""
    odoo.tools.config.parse_config(["-d", db, "--addons-path=%s" % root])
    data = Data(db)
    with data.registry.cursor() as cr:
        env = data.env(cr)
        team = env["crm.team"].search([("name", "=", OFFICE)], limit=1)
    if not team:
        print("== No scale office in %s: growing one of %s customers" % (db, f"{size:,}"), flush=True)
        data.setup()
        data.grow(0, size)
    with data.registry.cursor() as cr:
        env = data.env(cr)
        team = env["crm.team"].search([("name", "=", OFFICE)], limit=1)
        cr.execute("SELECT count(*) FROM crm_lead WHERE team_id = %s", [team.id])
        customers = cr.fetchone()[0]
        old_customer_minutes = team.old_customer_minutes
        rotation_off(env, team, 0)
    return {"team": team.id, "customers": customers, "old_customer_minutes": old_customer_minutes}


def rotation_off(env, team, minutes):
    """RO-5 set to ``minutes`` for the run, everybody back in the rotation: each race round registers a
    returning customer, which takes its consultant out of the rotation for an hour (bench_scale's
    returning-customer calls took out the office's 20 already). Decisions are what is measured, not RO-5."""
    team.old_customer_minutes = minutes
    for line in env["real.estate.roster.line"].search(
        [("roster_id.team_id", "=", team.id), ("status", "=", "old_customer")]
    ):
        line._set_status("available")


def restore_rotation(db, ids):
    with odoo.modules.registry.Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["crm.team"].browse(ids["team"]).old_customer_minutes = ids["old_customer_minutes"]


def racing_channels(client, team, tag):
    """``PARALLEL`` channels, each with its agreement with the office (a report each in the race)."""
    channels = []
    for n in range(PARALLEL):
        channel = client.call(
            "res.partner", "create", {"name": "集群渠道%d %s" % (n, tag), "is_company": True, "channel_kind": "agency"}
        )
        client.call(
            "real.estate.channel.agreement",
            "create",
            {
                "name": "集群协议%d %s" % (n, tag),
                "channel_id": channel,
                "team_ids": [(6, 0, [team])],
                "date_start": "2020-01-01",
            },
        )
        channels.append(channel)
    return channels


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------
def latencies(client, direct, ids, channels, calls, fresh):
    team = ids["team"]
    sample = client.call("crm.lead", "search", [("team_id", "=", team)], limit=100, offset=ids["customers"] // 2)
    results = timed(
        {
            "floor, /xmlrpc/2/object": lambda i: client.call("res.partner", "search_count", []),
            "floor, /xmlrpc/2/readonly (replica)": lambda i: client.read("res.partner", "search_count", []),
            "floor, one server without the balancer": lambda i: direct.call("res.partner", "search_count", []),
            "register, new customer": lambda i: client.call(
                "real.estate.visit", "register", {"team_id": team, "customer_name": "集群", "phone": next(fresh)}
            ),
            "submit, new customer (valid)": lambda i: client.call(
                "real.estate.report",
                "submit",
                {
                    "team_id": team,
                    "channel_id": channels[i % len(channels)],
                    "customer_name": "集群报备",
                    "phone": next(fresh),
                    "expected_visit": _expected_visit(),
                },
            ),
            "attribution of 100, /xmlrpc/2/object": lambda i: client.call("crm.lead", "attribution", sample),
            "attribution of 100, /xmlrpc/2/readonly (replica)": lambda i: client.read(
                "crm.lead", "attribution", sample
            ),
        },
        calls,
    )
    assert client.read("crm.lead", "attribution", sample) == client.call("crm.lead", "attribution", sample)
    return results, sample


def served_by(client, standby, team, fresh, customers=3):
    """Which database each endpoint reads: with the standby's replay paused, customers registered on the
    primary are counted by ``/xmlrpc/2/object`` and not by ``/xmlrpc/2/readonly``; once replay resumes, by
    both. ``{paused: {object, readonly}, resumed: {object, readonly}}``, customers counted."""
    phones = [next(fresh) for _ in range(customers)]
    domain = [("team_id", "=", team), ("customer_mobile", "in", ["+86" + phone for phone in phones])]
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        for phone in phones:
            client.call("real.estate.visit", "register", {"team_id": team, "customer_name": "暂停", "phone": phone})
        paused = {
            "object": client.call("crm.lead", "search_count", domain),
            "readonly": client.read("crm.lead", "search_count", domain),
        }
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    deadline = time.time() + 30
    while client.read("crm.lead", "search_count", domain) < customers and time.time() < deadline:
        time.sleep(0.01)
    resumed = {
        "object": client.call("crm.lead", "search_count", domain),
        "readonly": client.read("crm.lead", "search_count", domain),
    }
    return {"customers": customers, "paused": paused, "resumed": resumed}


def _together(functions):
    """Run ``functions`` in threads started at one barrier; their answers (or faults) in order."""
    barrier = threading.Barrier(len(functions))
    answers = [None] * len(functions)

    def run(index, fn):
        barrier.wait()
        try:
            answers[index] = fn()
        except (xmlrpc.client.Fault, OSError) as exc:
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(n, fn)) for n, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def rate(functions_per_client):
    """Calls a second of ``PARALLEL`` clients, each running its list of calls one after the other."""
    began = time.perf_counter()
    answers = _together([lambda calls=calls: [fn() for fn in calls] for calls in functions_per_client])
    elapsed = time.perf_counter() - began
    failures = [a for a in answers if isinstance(a, Exception)]
    if failures:
        raise RuntimeError("concurrent calls failed: %s" % failures[0])
    return sum(len(c) for c in functions_per_client) / elapsed


def throughput(client, direct, ids, channels, sample, fresh, per_client):
    team = ids["team"]

    def submits(target):
        return [
            [
                partial(
                    target.call,
                    "real.estate.report",
                    "submit",
                    {
                        "team_id": team,
                        "channel_id": channels[n],
                        "customer_name": "并发",
                        "phone": next(fresh),
                        "expected_visit": _expected_visit(),
                    },
                )
                for _ in range(per_client)
            ]
            for n in range(PARALLEL)
        ]

    measures = {
        "submit, 2 servers behind the balancer": lambda: rate(submits(client)),
        "submit, one server": lambda: rate(submits(direct)),
        "attribution of 100, /xmlrpc/2/object": lambda: rate(
            [[lambda: client.call("crm.lead", "attribution", sample)] * per_client for _ in range(PARALLEL)]
        ),
        "attribution of 100, /xmlrpc/2/readonly (replica)": lambda: rate(
            [[lambda: client.read("crm.lead", "attribution", sample)] * per_client for _ in range(PARALLEL)]
        ),
    }
    # each measure twice, in turn with the one it is compared with (load drifts on a shared machine): the mean
    rates = {name: [] for name in measures}
    for _repeat in range(2):
        for name, measure in measures.items():
            rates[name].append(measure())
    return {name: statistics.mean(values) for name, values in rates.items()}


# ----------------------------------------------------------------------
# Races across the two servers
# ----------------------------------------------------------------------
def _primary(db, query, *params):
    connection = psycopg2.connect(dbname=db, host="127.0.0.1", port=5432)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
    finally:
        connection.close()


def race_reports(client, db, team, channels, fresh, rounds):
    """CH-2, CH-4: 8 channels report one new customer at once through the balancer: one valid report, one
    claim on the customer."""
    violations, outcomes = [], Counter()
    for _round in range(rounds):
        vals = {"team_id": team, "customer_name": "抢报", "phone": next(fresh), "expected_visit": _expected_visit()}
        answers = _together(
            [partial(client.call, "real.estate.report", "submit", dict(vals, channel_id=c)) for c in channels]
        )
        faults = [a for a in answers if isinstance(a, Exception)]
        valid = [a for a in answers if not isinstance(a, Exception) and a["state"] == "valid"]
        claims = _primary(
            db,
            "SELECT count(*) FROM real_estate_report WHERE team_id = %s AND customer_mobile = %s "
            "AND state IN ('valid', 'visited')",
            team,
            "+86" + vals["phone"],
        )[0][0]
        if faults or len(valid) != 1 or claims != 1:
            violations.append({"valid": len(valid), "claims": claims, "faults": [str(f)[:200] for f in faults]})
        outcomes["%d valid, %d claim" % (len(valid), claims)] += 1
    return {"rounds": rounds, "violations": violations, "outcomes": dict(outcomes)}


def race_registrations(client, db, team, fresh, rounds):
    """ID-1, PR-1, RO-1: 8 clients register one new customer at once through the balancer: one customer
    file, one owner, one active protection held by that owner."""
    violations, outcomes = [], Counter()
    for _round in range(rounds):
        vals = {"team_id": team, "customer_name": "抢登", "phone": next(fresh)}
        answers = _together([partial(client.call, "real.estate.visit", "register", dict(vals))] * PARALLEL)
        faults = [a for a in answers if isinstance(a, Exception)]
        good = [a for a in answers if not isinstance(a, Exception)]
        leads, owners = {a["lead_id"] for a in good}, {a["owner_user_id"] for a in good}
        files = _primary(
            db, "SELECT count(*) FROM crm_lead WHERE team_id = %s AND customer_mobile = %s", team, "+86" + vals["phone"]
        )[0][0]
        active = _primary(
            db,
            """SELECT p.holder_user_id FROM real_estate_protection p JOIN crm_lead l ON l.id = p.lead_id
                WHERE l.team_id = %s AND l.customer_mobile = %s AND p.state = 'active'""",
            team,
            "+86" + vals["phone"],
        )
        if faults or len(leads) != 1 or len(owners) != 1 or files != 1 or [h for (h,) in active] != list(owners):
            violations.append(
                {
                    "leads": len(leads),
                    "owners": len(owners),
                    "files": files,
                    "active": len(active),
                    "faults": len(faults),
                }
            )
        outcomes["%d file, %d owner, %d active protection" % (files, len(owners), len(active))] += 1
    return {"rounds": rounds, "violations": violations, "outcomes": dict(outcomes)}


# ----------------------------------------------------------------------
# Reads within the replica's lag
# ----------------------------------------------------------------------
def replica_lag(client, standby, team, fresh, rounds):
    """A customer registered on the primary, then the read-only endpoint polled until it counts them: the
    time until visible (ms), and the answers compared once visible."""
    seen, polls, replay, wrong = [], [], [], 0
    for _round in range(rounds):
        answer = client.call(
            "real.estate.visit", "register", {"team_id": team, "customer_name": "延迟", "phone": next(fresh)}
        )
        written, tries = time.perf_counter(), 0
        while True:
            tries += 1
            if client.read("crm.lead", "search_count", [("id", "=", answer["lead_id"])]):
                break
            time.sleep(0.005)
            if time.perf_counter() - written > 30:
                raise RuntimeError("the replica did not show a committed write within 30 s")
        seen.append((time.perf_counter() - written) * 1000)
        polls.append(tries)
        replay.append(standby.replay_lag()[1])
        [read] = client.read("crm.lead", "attribution", [answer["lead_id"]])
        wrong += (read["owner_user_id"], read["protection_state"]) != (answer["owner_user_id"], "active")
    return {
        "rounds": rounds,
        "visible_after_ms": {"p50": statistics.median(seen), "max": max(seen)},
        "polls": {"p50": statistics.median(polls), "max": max(polls)},
        "wrong_after_visible": wrong,
        "postgres_replay_lag_ms": {"p50": statistics.median(replay), "max": max(replay)},
    }


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------
def run(args):
    ids = office(args.db, args.root, args.size)
    try:
        return _run(args, ids)
    finally:
        restore_rotation(args.db, ids)


def _run(args, ids):
    print("== Cluster benchmark on %s (%s customers)" % (args.db, f"{ids['customers']:,}"), flush=True)
    servers, balancer, meta = [], None, {}
    with Standby() as standby:
        meta["standby_copy_s"] = standby.copy_seconds
        print("   standby streaming on port %d (copied in %.0f s)" % (standby.port, standby.copy_seconds), flush=True)
        try:
            servers = [OdooServer(args.db, args.root, name, 2, standby.port) for name in ("a", "b")]
            for server in servers:
                server.wait()
            balancer = Balancer([s.address for s in servers])
            uid = xmlrpc.client.ServerProxy(balancer.url + "/xmlrpc/2/common").authenticate(
                args.db, "admin", PASSWORD, {}
            )
            client, direct = Client(balancer.url, args.db, uid), Client(servers[0].url, args.db, uid)
            tag = uuid.uuid4().hex[:6]
            channels = racing_channels(client, ids["team"], tag)
            serial = int(time.time()) % 100000
            fresh = iter("135%03d%05d" % (serial % 1000, n) for n in range(100000))
            results, sample = latencies(client, direct, ids, channels, args.calls, fresh)
            served = served_by(client, standby, ids["team"], fresh)
            print("   latencies done", flush=True)
            rates = throughput(client, direct, ids, channels, sample, fresh, args.per_client)
            print("   rates done", flush=True)
            races = {
                "reports": race_reports(client, args.db, ids["team"], channels, fresh, args.rounds),
                "registrations": race_registrations(client, args.db, ids["team"], fresh, args.rounds),
            }
            print("   races done", flush=True)
            lag = replica_lag(client, standby, ids["team"], fresh, args.rounds * 2)
            meta.update(
                {
                    "date": datetime.utcnow().strftime("%Y-%m-%d"),
                    "machine": platform.node() or "this machine",
                    "python": platform.python_version(),
                    "cores": os.cpu_count(),
                    "customers": ids["customers"],
                    "calls": args.calls,
                    "per_client": args.per_client,
                    "servers": len(servers),
                    "workers": 2,
                    "balanced": dict(sorted((servers[k].name, v) for k, v in balancer.served.items())),
                    "balancer_failures": balancer.failed,
                    "served_by": served,
                }
            )
        finally:
            if balancer:
                balancer.close()
            for server in servers:
                server.stop()
    return {"meta": meta, "latency": results, "rates": rates, "races": races, "lag": lag}


def _write_between(doc, markers, section, heading):
    """``section`` (markers included) in place of the one between ``markers`` in ``doc``, else at its end."""
    text = doc.read_text(encoding="utf-8")
    if markers[0] in text:
        head, rest = text.split(markers[0], 1)
        text = head + section + rest.split(markers[1], 1)[1]
    else:
        text += "\n%s\n\n%s\n" % (heading, section)
    doc.write_text(text, encoding="utf-8")


def deploy_figures(result):
    """docs/deploy.md's figures: the run's few numbers a deployment is sized with."""
    meta, latency, rates, races, lag = (result[k] for k in ("meta", "latency", "rates", "races", "lag"))
    rounds = sum(r["rounds"] for r in races.values())
    violations = sum(len(r["violations"]) for r in races.values())
    return "\n".join(
        [
            DEPLOY_MARKER[0],
            "From `tests/load/bench_cluster.py` (run by `make bench`; %s, %s customers), one %s-core machine "
            "standing for the hosts: a hot standby, two Odoo servers of %d workers, a round-robin balancer."
            % (meta["date"], f"{meta['customers']:,}", meta["cores"], meta["workers"]),
            "",
            "* Floor (a trivial authenticated call) through the balancer: %.1f ms; on the replica's endpoint %.1f ms."
            % (latency["floor, /xmlrpc/2/object"]["p50"], latency["floor, /xmlrpc/2/readonly (replica)"]["p50"]),
            "* A new customer's `register` %.1f ms, a valid `submit` %.1f ms (p50, on the primary)."
            % (latency["register, new customer"]["p50"], latency["submit, new customer (valid)"]["p50"]),
            "* `attribution` of 100 customers: %.1f ms on the primary, %.1f ms on the replica."
            % (
                latency["attribution of 100, /xmlrpc/2/object"]["p50"],
                latency["attribution of 100, /xmlrpc/2/readonly (replica)"]["p50"],
            ),
            "* %d clients at once: %.1f valid reports a second through two servers, %.1f on one server; %.1f "
            "attributions of 100 a second from the primary, %.1f from the replica. On one machine the second "
            "server adds processes, not cores: these rates show that the work spreads and stays correct, not the "
            "gain of a second host, which adds its cores to the web tier (the primary then bounds the writes)."
            % (
                PARALLEL,
                rates["submit, 2 servers behind the balancer"],
                rates["submit, one server"],
                rates["attribution of 100, /xmlrpc/2/object"],
                rates["attribution of 100, /xmlrpc/2/readonly (replica)"],
            ),
            "* Races across the two servers: %d rounds of %d clients, %d violations." % (rounds, PARALLEL, violations),
            "* A write on the primary is visible on the replica's endpoint after %.1f ms at the median, %.1f ms at "
            "most (PostgreSQL's replay lag %.1f ms at the median)."
            % (
                lag["visible_after_ms"]["p50"],
                lag["visible_after_ms"]["max"],
                lag["postgres_replay_lag_ms"]["p50"],
            ),
            DEPLOY_MARKER[1],
        ]
    )


def report(root, result):
    meta, latency, rates, races, lag = (result[k] for k in ("meta", "latency", "rates", "races", "lag"))
    floor = latency["floor, /xmlrpc/2/object"]["p50"]
    violations = sum(len(r["violations"]) for r in races.values())
    lines = [
        MARKER[0],
        "Run of %s on %s (%s, %s cores), %s customers: a streaming hot standby of the PostgreSQL server (a second "
        "cluster on this machine, copied in %.0f s), two Odoo servers of %d workers each reading from it, a "
        "round-robin balancer in front (connections served: %s). %d calls per figure, p50 in ms, fresh connection "
        "per call; every kind of call taken in turn (one of each per round)."
        % (
            meta["date"],
            meta["machine"],
            meta["python"],
            meta["cores"],
            f"{meta['customers']:,}",
            meta["standby_copy_s"],
            meta["workers"],
            ", ".join("%s %s" % (k, f"{v:,}") for k, v in meta["balanced"].items()),
            meta["calls"],
        ),
        "",
        "| call, through the balancer | p50 | p90 | ÷ floor |",
        "|---|---|---|---|",
    ]
    for name, figures in latency.items():
        lines.append("| %s | %.1f | %.1f | %.1f× |" % (name, figures["p50"], figures["p90"], figures["p50"] / floor))
    lines += [
        "",
        "Which database each endpoint reads: with the standby's replay paused (`pg_wal_replay_pause()`), %d new "
        "customers registered on the primary are counted %d by `/xmlrpc/2/object` and %d by `/xmlrpc/2/readonly`; "
        "replay resumed, %d and %d. %d clients at once, %d calls each (each rate the mean of two runs, in turn "
        "with the one it is compared with):"
        % (
            meta["served_by"]["customers"],
            meta["served_by"]["paused"]["object"],
            meta["served_by"]["paused"]["readonly"],
            meta["served_by"]["resumed"]["object"],
            meta["served_by"]["resumed"]["readonly"],
            PARALLEL,
            meta["per_client"],
        ),
        "",
        "| %d clients | calls a second |" % PARALLEL,
        "|---|---|",
        *("| %s | %.1f |" % (name, value) for name, value in rates.items()),
        "",
        "Races across the two servers (%d clients through the balancer, %d rounds each): %s; **%d violations**."
        % (
            PARALLEL,
            races["reports"]["rounds"],
            "; ".join(
                "%s: %s" % (name, ", ".join("%s × %d" % (k, v) for k, v in race["outcomes"].items()))
                for name, race in races.items()
            ),
            violations,
        ),
        "",
        "Reads within the replica's lag (%d writes on the primary, the read-only endpoint polled until it shows "
        "each, the write's answer and each poll a call of its own): visible after %.1f ms at the median, %.1f ms "
        "at most (%s polls at the median, %s at most); %d wrong answers once visible; PostgreSQL's replay lag "
        "(pg_stat_replication) %.1f ms at the median, %.1f ms at most."
        % (
            lag["rounds"],
            lag["visible_after_ms"]["p50"],
            lag["visible_after_ms"]["max"],
            lag["polls"]["p50"],
            lag["polls"]["max"],
            lag["wrong_after_visible"],
            lag["postgres_replay_lag_ms"]["p50"],
            lag["postgres_replay_lag_ms"]["max"],
        ),
        MARKER[1],
    ]
    section = "\n".join(lines)
    _write_between(Path(root) / "docs" / "benchmark.md", MARKER, section, "## Out to several servers")
    _write_between(Path(root) / "docs" / "deploy.md", DEPLOY_MARKER, deploy_figures(result), "## Figures")
    (Path(root) / "test-reports").mkdir(exist_ok=True)
    (Path(root) / "test-reports" / "bench-cluster.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(section)
    return violations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("root")
    parser.add_argument("--size", type=int, default=10000, help="customers to grow when the database has no office")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # a terminated run still tears the cluster down (the finally clauses run on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = run(args)
    except ClusterError as exc:
        print("== Cluster benchmark not run: %s" % exc, file=sys.stderr, flush=True)
        return 2
    violations = report(args.root, result)
    served = result["meta"]["served_by"]
    replica_serves = served["paused"] == {"object": served["customers"], "readonly": 0} and served["resumed"] == {
        "object": served["customers"],
        "readonly": served["customers"],
    }
    return 1 if violations or result["lag"]["wrong_after_visible"] or not replica_serves else 0


if __name__ == "__main__":
    sys.exit(main())
