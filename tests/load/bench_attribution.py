"""Benchmark of the ownership engine (``make bench``).

Runs in-process against a database with ``real_estate_attribution``
installed (``scripts/run-bench`` creates a fresh one). Every figure is
reported as a ratio of two measurements taken in the same run, so that the
machine's speed cancels out:

- decision cost with 2,000 customers on file vs with none (indexes keep a
  decision independent of the office's size); each timed decision starts
  with an empty record cache, as a server request does;
- ``attribution()`` for 1,000 customers in one call vs 1,000 calls;
- expiry cron: time per protection for 1,000 vs 250 protections, and peak
  Python memory of the run for 1,000 vs 250 (batches keep memory flat).

The office at scale (10k to 1M customers, over XML-RPC) is tests/load/bench_scale.py's.
"""

import sys
import time
import tracemalloc
from datetime import datetime, timedelta

import odoo
from odoo import api

CUSTOMERS_ON_FILE = 2000
SAMPLE = 300
READ_BATCH = 1000
EXPIRY_SMALL, EXPIRY_LARGE = 250, 1000


def phone(n):
    return "139%08d" % n


class Bench:
    def __init__(self, db):
        self.registry = odoo.modules.registry.Registry(db)
        self.cr = self.registry.cursor()
        self.env = api.Environment(self.cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        self.env["ir.config_parameter"].set_param("crm.iap.lead.enrich.setting", "manual")
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("real_estate_attribution.group_data_import")
        self.env = self.env(user=admin)
        now = datetime.utcnow()
        self.recent = now - timedelta(days=1)  # protections still running
        self.lapsed = now - timedelta(days=200)  # protections ended long ago (PR-2)
        self.serial = 0

    def office(self, name, consultants=5):
        users = (
            self.env["res.users"]
            .sudo()
            .create(
                [
                    {
                        "name": f"{name} 顾问{n}",
                        "login": f"{name}-{n}",
                        "groups_id": [(4, self.env.ref("real_estate_attribution.group_consultant").id)],
                    }
                    for n in range(consultants)
                ]
            )
        )
        return self.env["crm.team"].create(
            {
                "name": name,
                "is_sales_office": True,
                "crm_team_member_ids": [(0, 0, {"user_id": user.id}) for user in users],
            }
        )

    def register(self, team, count, at=None, fresh=False):
        """Register ``count`` first visits; ``fresh``: each with an empty record cache, as a server request."""
        Visit = self.env["real.estate.visit"]
        lead_ids = []
        if fresh:
            self.env.invalidate_all()
        for _ in range(count):
            self.serial += 1
            when = at or (self.recent + timedelta(seconds=self.serial))
            result = Visit.register(
                {
                    "team_id": team.id,
                    "customer_name": f"客户{self.serial}",
                    "phone": phone(self.serial),
                    "at": when.strftime("%Y-%m-%d %H:%M:%S"),
                }
            )
            lead_ids.append(result["lead_id"])
            if fresh:
                self.env.invalidate_all()
            if self.serial % 200 == 0:
                self.cr.commit()
        self.cr.commit()
        return lead_ids

    def timed(self, func, *args):
        began = time.perf_counter()
        result = func(*args)
        return time.perf_counter() - began, result

    def decision_scaling(self):
        empty = self.office("bench-empty")
        t_empty, _ = self.timed(self.register, empty, SAMPLE, None, True)
        full = self.office("bench-full")
        on_file = self.register(full, CUSTOMERS_ON_FILE)
        t_full, _ = self.timed(self.register, full, SAMPLE, None, True)
        return t_empty / SAMPLE, t_full / SAMPLE, on_file

    def read_batching(self, lead_ids):
        leads = self.env["crm.lead"].browse(lead_ids[:READ_BATCH])
        self.env.invalidate_all()
        t_batch, _ = self.timed(leads.attribution)
        self.env.invalidate_all()
        t_single, _ = self.timed(lambda: [lead.attribution() for lead in leads])
        return t_batch, t_single

    def expiry(self, count):
        team = self.office(f"bench-expiry-{count}")
        self.register(team, count, at=self.lapsed)
        self.env.invalidate_all()
        tracemalloc.start()
        began = time.perf_counter()
        done = self.env["real.estate.protection"]._cron_expire(batch_size=200)
        elapsed = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return done, elapsed / max(done, 1), peak


def main(db):
    bench = Bench(db)
    try:
        per_empty, per_full, leads = bench.decision_scaling()
        t_batch, t_single = bench.read_batching(leads)
        small = bench.expiry(EXPIRY_SMALL)
        large = bench.expiry(EXPIRY_LARGE)
    finally:
        bench.cr.close()
    rows = [
        (
            f"decision with {CUSTOMERS_ON_FILE:,} customers on file / with none",
            per_full / per_empty,
            "%.1f ms vs %.1f ms per visit" % (per_full * 1000, per_empty * 1000),
        ),
        (
            "attribution(): 1,000 single calls / one call of 1,000",
            t_single / t_batch,
            "%.2f s vs %.2f s" % (t_single, t_batch),
        ),
        (
            f"expiry cron: time per protection, {EXPIRY_LARGE:,} / {EXPIRY_SMALL:,}",
            large[1] / small[1],
            "%.2f ms vs %.2f ms" % (large[1] * 1000, small[1] * 1000),
        ),
        (
            f"expiry cron: peak Python memory, {EXPIRY_LARGE:,} / {EXPIRY_SMALL:,}",
            large[2] / small[2],
            "%.1f MiB vs %.1f MiB" % (large[2] / 2**20, small[2] / 2**20),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print("\nBenchmark (ratios of two measurements taken in this run)\n")
    for label, ratio, detail in rows:
        print(f"  {label:<{width}}  {ratio:6.2f}x   ({detail})")
    print()


if __name__ == "__main__":
    odoo.tools.config.parse_config(["-d", sys.argv[1], "--addons-path", sys.argv[2], "--log-level", "warn"])
    main(sys.argv[1])
