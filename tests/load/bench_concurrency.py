"""Concurrent clients against the multi-worker server (``make bench``, issue 12).

At each size ``bench_scale.py`` runs, against the same 2-worker server:

* **throughput**: ``CLIENTS`` threads, each making one call after the other for a fixed time (a fresh
  XML-RPC connection per call, after two warm-up calls each): stock ``crm.lead.create`` → leads a second,
  and channel reports of new customers (``submit``, each thread for its own channel) → reports a second, in
  alternating windows (the machine's other load falls on both alike); the ratio of the two (issue 12's
  target: at least twice); and, in the same windows, the trivial call (the floor): its rate bounds any call's
  with these clients on this server, so floor ÷ stock is the highest ratio a call can reach here;
* **races**: the ``CLIENTS`` channels report one new customer at the same moment (a barrier), round after
  round; then the office's consultants register one new customer at the same moment, each with their own
  API key; then the committed database is read by SQL (outside the server) and every violation of the
  ownership invariants is counted (the target is none): one valid report per customer and office (CH-2),
  at most one active protection per customer (PR-1), one owner per customer file (RO-3), one customer file
  per identity in the office (ID-1). ``tests/test_races.py`` asserts the same invariants, round by round.
"""

import threading
import time
import xmlrpc.client
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import count

import odoo

#: The throughput measures alternate in this many windows each.
WINDOWS = 4
#: Report states holding a claim on the customer (``tests/test_races.py``).
CLAIM_STATES = ("valid", "visited")

#: The office-wide invariants, as SQL counting the violations over the office ``%(team)s``.
INVARIANTS = {
    "two valid reports of one customer": """
        SELECT count(*) FROM (SELECT 1 FROM real_estate_report WHERE team_id = %(team)s AND state IN %(claims)s
                               GROUP BY claim_key HAVING count(*) > 1) x""",
    "two active protections of one customer": """
        SELECT count(*) FROM (SELECT 1 FROM real_estate_protection WHERE team_id = %(team)s AND state = 'active'
                               GROUP BY identity HAVING count(*) > 1) x""",
    "owner of the file other than its protection's holder": """
        SELECT count(*) FROM crm_lead l JOIN real_estate_protection p ON p.id = l.protection_id
         WHERE l.team_id = %(team)s AND p.state = 'active' AND p.holder_user_id IS NOT NULL
           AND l.user_id IS DISTINCT FROM p.holder_user_id""",
    "two customer files of one identity": """
        SELECT count(*) FROM (SELECT 1 FROM crm_lead WHERE team_id = %(team)s AND customer_mobile IS NOT NULL
                               GROUP BY customer_mobile HAVING count(*) > 1) x""",
}


def sql(db, query, params=None):
    """The database as it is committed now, outside the server."""
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute(query, params)
        return cr.fetchall()


class Concurrency:
    """The concurrent measures of one size on a running ``bench_scale.Server``."""

    def __init__(self, server, ids, clients, serial):
        self.server, self.ids, self.clients = server, ids, clients
        self.fresh = count(serial)
        self.expected = (datetime.utcnow() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")

    def call_as(self, uid, secret, model, method, *args):
        """One call on a fresh connection, as ``uid`` (password or API key)."""
        proxy = xmlrpc.client.ServerProxy(self.server.url + "/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.server.db, uid, secret, model, method, list(args), {})

    def submit(self, client, phone):
        """A channel report of ``phone`` by the client's own channel (as admin, as ``measure`` submits)."""
        channel, agent = self.ids["racers"][client]
        vals = {
            "team_id": self.ids["team"],
            "channel_id": channel,
            "agent_id": agent,
            "customer_name": "并发报备",
            "phone": phone,
            "expected_visit": self.expected,
        }
        return self.server.call("real.estate.report", "submit", vals)

    def stock_create(self, _client, _phone):
        return self.server.call("crm.lead", "create", {"name": "stock lead", "team_id": self.ids["stock_team"]})

    def floor(self, _client, _phone):
        """The platform's floor: the trivial authenticated call, as ``measure`` times it alone."""
        return self.server.call("res.partner", "search_count", [])

    # ------------------------------------------------------------------
    # Throughput
    # ------------------------------------------------------------------
    def throughput(self, call, prefix, seconds, warm_up=2):
        """``call(client, phone)`` by every client, one after the other, for ``seconds``: ``{calls, faults,
        elapsed}``."""
        done, faults = Counter(), Counter()
        barrier = threading.Barrier(self.clients)
        deadline = []

        def client(n):
            for _warm_up in range(warm_up):
                call(n, "%s%08d" % (prefix, next(self.fresh)))
            if barrier.wait() == 0:
                deadline.append(time.perf_counter() + seconds)
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                try:
                    call(n, "%s%08d" % (prefix, next(self.fresh)))
                    done[n] += 1
                except xmlrpc.client.Fault:
                    faults[n] += 1
            return time.perf_counter()

        with ThreadPoolExecutor(self.clients) as pool:
            ends = list(pool.map(client, range(self.clients)))
        return {
            "calls": sum(done.values()),
            "faults": sum(faults.values()),
            "elapsed": max(ends) - deadline[0] + seconds,
        }

    def rates(self, seconds, windows):
        """Stock creations, reports and the trivial call in alternating windows (``seconds`` of each in all), so
        that all see the same machine when others share it: ``(stock, submit, floor)``, each ``{rate, calls,
        faults, elapsed}``. The trivial call's rate bounds any call's on this server and these clients: a
        request's fixed cost (connection, HTTP, XML-RPC, authentication) is paid by every call."""
        workloads = (("stock", self.stock_create, ""), ("submit", self.submit, "135"), ("floor", self.floor, ""))
        totals = {name: Counter() for name, _call, _prefix in workloads}
        for window in range(windows):
            for name, call, prefix in workloads:
                totals[name].update(self.throughput(call, prefix, seconds / windows, warm_up=2 if not window else 0))
        for total in totals.values():
            total["rate"] = total["calls"] / total["elapsed"]
        return dict(totals["stock"]), dict(totals["submit"]), dict(totals["floor"])

    # ------------------------------------------------------------------
    # Races
    # ------------------------------------------------------------------
    def race(self, calls):
        """The calls at the same moment: ``[("ok", value) | ("fault", Fault)]`` in call order."""
        barrier = threading.Barrier(len(calls))

        def go(call):
            barrier.wait()
            try:
                return "ok", call()
            except xmlrpc.client.Fault as fault:
                return "fault", fault

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(go, calls))

    def race_reports(self, rounds):
        """CH-2: the channels report one new customer at once; the customer's claims, read by SQL."""
        began = time.perf_counter()
        violations = faults = 0
        for _round in range(rounds):
            phone = "133%08d" % next(self.fresh)
            results = self.race([lambda n=n, p=phone: self.submit(n, p) for n in range(self.clients)])
            faults += sum(kind == "fault" for kind, _value in results)
            [(claims,)] = sql(
                self.server.db,
                "SELECT count(*) FROM real_estate_report WHERE team_id = %s AND state IN %s AND claim_key = %s",
                [self.ids["team"], CLAIM_STATES, "+86" + phone],
            )
            violations += claims != 1
        return {"rounds": rounds, "violations": violations, "faults": faults, "elapsed": time.perf_counter() - began}

    def race_registrations(self, rounds):
        """ID-1, PR-1, RO-3: the consultants register one new customer at once: one file, one active
        protection, held by the file's owner, whom every answer names."""
        keys = self.ids["keys"]
        began = time.perf_counter()
        violations = faults = 0
        with self._rotation_open():
            for _round in range(rounds):
                phone = "132%08d" % next(self.fresh)
                vals = {"team_id": self.ids["team"], "customer_name": "并发来访", "phone": phone}
                results = self.race(
                    [
                        lambda uid=uid, key=key, vals=vals: self.call_as(
                            uid, key, "real.estate.visit", "register", dict(vals)
                        )
                        for uid, key in sorted(keys.items())[: self.clients]
                    ]
                )
                faults += sum(kind == "fault" for kind, _value in results)
                owners = {value["owner_user_id"] for kind, value in results if kind == "ok"}
                files = sql(
                    self.server.db,
                    """SELECT l.user_id, (SELECT array_agg(p.holder_user_id) FROM real_estate_protection p
                                           WHERE p.lead_id = l.id AND p.state = 'active')
                         FROM crm_lead l WHERE l.team_id = %s AND l.customer_mobile = %s""",
                    [self.ids["team"], "+86" + phone],
                )
                whole = len(files) == 1 and files[0][1] == [files[0][0]] and owners == {files[0][0]}
                violations += not whole
        return {"rounds": rounds, "violations": violations, "faults": faults, "elapsed": time.perf_counter() - began}

    def _rotation_open(self):
        """RO-5 takes the owner of a returning customer out of the rotation for a while: the races' seven
        returning registrations a round would leave nobody to receive the next walk-in, so the office counts
        no old-customer time during the races (as ``tests/test_races.py``'s office) and its consultants are
        available again."""
        db, team = self.server.db, self.ids["team"]

        class Open:
            def __enter__(self):
                [(self.minutes,)] = sql(db, "SELECT old_customer_minutes FROM crm_team WHERE id = %s", [team])
                sql(
                    db,
                    """UPDATE crm_team SET old_customer_minutes = 0 WHERE id = %(team)s;
                       UPDATE real_estate_roster_line SET status = 'available', status_until = NULL
                        WHERE status <> 'available'
                          AND roster_id IN (SELECT id FROM real_estate_roster WHERE team_id = %(team)s)
                       RETURNING id""",
                    {"team": team},
                )

            def __exit__(self, *exc):
                sql(
                    db, "UPDATE crm_team SET old_customer_minutes = %s WHERE id = %s RETURNING id", [self.minutes, team]
                )

        return Open()

    def invariants(self):
        """The office-wide violations of the ownership invariants, by SQL."""
        params = {"team": self.ids["team"], "claims": CLAIM_STATES}
        return {name: sql(self.server.db, query, params)[0][0] for name, query in INVARIANTS.items()}

    # ------------------------------------------------------------------
    def run(self, seconds, rounds, windows=WINDOWS):
        """Every concurrent figure of one size."""
        stock, submit, floor = self.rates(seconds, windows)
        reports = self.race_reports(rounds)
        registrations = self.race_registrations(rounds)
        return {
            "clients": self.clients,
            "seconds": seconds,
            "windows": windows,
            "submit": submit,
            "stock": stock,
            "ratio": submit["rate"] / stock["rate"],
            "floor": floor,
            "floor ratio": floor["rate"] / stock["rate"],
            "race reports": reports,
            "race registrations": registrations,
            "invariants": self.invariants(),
        }
