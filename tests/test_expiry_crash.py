"""PR-3: the expiry cron commits per batch and is safe to re-run after a crash.

The cron runs in a separate Odoo process; a row lock held by the test stalls
its second batch, and the process is killed there, like a server dying
mid-run. A second run must finish the job: every protection expired exactly
once, with one audit line and one chatter message each.
"""

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta

import psycopg2

RUN_CRON = """
import sys, odoo
odoo.tools.config.parse_config(["-d", sys.argv[1], "--addons-path", sys.argv[2], "--log-level", "warn"])
registry = odoo.modules.registry.Registry(sys.argv[1])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    print("expired", env["real.estate.protection"]._cron_expire(batch_size=2), flush=True)
"""
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cron_process(db):
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CRON, db, ROOT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _connect(db):
    return psycopg2.connect(dbname=db)


def test_expiry_cron_survives_a_crash_mid_run(server, admin, office, new_phone):
    """PR-3: batches commit one by one; a re-run after a crash finishes exactly the rest."""
    # five customers whose protections ended long ago (PR-2), earliest first
    start = datetime.utcnow() - timedelta(days=400)
    leads = []
    for n in range(5):
        at = (start + timedelta(hours=n)).strftime("%Y-%m-%d %H:%M:%S")
        result = admin(
            "real.estate.visit",
            "register",
            {
                "team_id": office["team_id"],
                "customer_name": f"到期{n}",
                "phone": new_phone(),
                "at": at,
                "consultant_id": office["users"][n],
            },
        )
        leads.append(result["lead_id"])
    protections = admin(
        "real.estate.protection", "search_read", [("lead_id", "in", leads)], fields=["id", "lead_id"], order="end, id"
    )
    assert len(protections) == 5
    third = protections[2]["id"]

    blocker = _connect(server.db)
    blocker.cursor().execute("SELECT id FROM real_estate_protection WHERE id = %s FOR UPDATE", [third])
    process = _cron_process(server.db)
    try:
        watcher = _connect(server.db)
        watcher.autocommit = True
        deadline = time.time() + 120
        waiting = None
        while time.time() < deadline and not waiting:
            with watcher.cursor() as cr:
                cr.execute(
                    """SELECT pid FROM pg_stat_activity
                               WHERE datname = %s AND wait_event_type = 'Lock' AND pid != pg_backend_pid()""",
                    [server.db],
                )
                waiting = cr.fetchone()
            time.sleep(0.2)
        assert waiting, "the cron never reached the locked protection"
        process.kill()  # the crash
        process.wait(timeout=30)
        with watcher.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(%s)", [waiting[0]])
    finally:
        blocker.rollback()
        blocker.close()

    states = {
        p["id"]: p["state"]
        for p in admin("real.estate.protection", "search_read", [("lead_id", "in", leads)], fields=["state"])
    }
    done_before_crash = [pid for pid, state in states.items() if state == "expired"]
    assert len(done_before_crash) >= 2, "the first batch was committed before the crash"
    assert states[third] == "active", "the interrupted batch was rolled back"

    rerun = _cron_process(server.db)
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output

    records = admin("real.estate.protection", "search_read", [("lead_id", "in", leads)], fields=["state"])
    assert {p["state"] for p in records} == {"expired"}
    expiries = admin(
        "real.estate.ownership.log",
        "read_group",
        [("lead_id", "in", leads), ("event", "=", "expire")],
        ["lead_id"],
        ["lead_id"],
    )
    assert sorted(group["lead_id_count"] for group in expiries) == [1] * 5
    pool = admin(
        "crm.lead", "search_count", [("id", "in", leads), ("in_public_pool", "=", True), ("user_id", "=", False)]
    )
    assert pool == 5
