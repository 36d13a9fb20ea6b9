"""Race-freedom: simultaneous decisions about one customer, or one rotation, over XML-RPC."""

import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg2
import pytest

import odoo

from .test_channel_live import _channel, _utc

PARALLEL = 5


def _parallel(server, office, make_vals):
    """Run ``register`` from five consultants at the same moment.

    The day's roster exists beforehand, so that its creation does not
    serialise the calls by itself.
    """
    clients = [server.rpc(office["logins"][n], office["logins"][n]) for n in range(PARALLEL)]
    _warm_roster(server, office)
    barrier = threading.Barrier(PARALLEL)

    def go(n):
        barrier.wait()
        return clients[n]("real.estate.visit", "register", make_vals(n))

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(go, range(PARALLEL)))


def test_one_customer_received_at_once_by_five_consultants_has_one_owner(server, admin, office, new_phone):
    """PR-1, RO-3: five simultaneous first visits of one customer: one file, one active protection, one owner."""
    phone = new_phone()
    results = _parallel(
        server,
        office,
        lambda n: {
            "team_id": office["team_id"],
            "customer_name": "冯先生",
            "phone": phone,
        },
    )
    assert len({r["lead_id"] for r in results}) == 1
    assert len({r["owner_user_id"] for r in results}) == 1
    assert sorted(r["rule"] for r in results).count("RO-1") == 1
    lead_id = results[0]["lead_id"]
    active = admin("real.estate.protection", "search_count", [("lead_id", "=", lead_id), ("state", "=", "active")])
    assert active == 1
    assigned = admin("real.estate.ownership.log", "search_count", [("lead_id", "=", lead_id), ("event", "=", "assign")])
    assert assigned == 1


def test_simultaneous_walk_ins_take_distinct_turns(server, admin, office, new_phone):
    """RO-1: five first-time walk-ins at once go to the five consultants, one each."""
    phones = [new_phone() for _ in range(PARALLEL)]
    results = _parallel(
        server,
        office,
        lambda n: {
            "team_id": office["team_id"],
            "customer_name": f"客户{n}",
            "phone": phones[n],
        },
    )
    assert sorted(r["owner_user_id"] for r in results) == sorted(office["users"])
    assert {r["rule"] for r in results} == {"RO-1"}
    turns = admin(
        "real.estate.rotation.turn", "search_count", [("team_id", "=", office["team_id"]), ("event", "=", "turn")]
    )
    assert turns == PARALLEL


def _warm_roster(server, office):
    """Open the day's roster first, so that its creation does not serialise the test by itself
    (the reception desk, admin, records a passer-by received by a named consultant: no turn used)."""
    server.rpc("admin", "admin")(
        "real.estate.visit",
        "register",
        {"team_id": office["team_id"], "purpose": "passerby", "consultant_id": office["users"][0]},
    )


def _two_transactions(server):
    """Two independent cursors on the test database, as two server requests would have."""
    registry = odoo.modules.registry.Registry(server.db)
    return registry.cursor(), registry.cursor()


def _visit_model(cr, login):
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    user = env["res.users"].search([("login", "=", login)])
    return env(user=user)["real.estate.visit"]


def _fails_then_retried(visits, vals):
    """``register`` on a stale snapshot fails with a serialisation error (never a duplicate);
    Odoo's retry, as the server does for a request, decides it afresh."""
    with pytest.raises(psycopg2.errors.SerializationFailure):
        visits.register(vals)
        visits.env.flush_all()
    visits.env.cr.rollback()
    visits.env.invalidate_all()
    return odoo.service.model.retrying(functools.partial(visits.register, vals), visits.env)


def test_decision_on_a_stale_snapshot_is_retried_not_duplicated(server, admin, office, new_phone):
    """ID-1, PR-1: a decision that started before another one about the same customer committed
    fails with a serialisation error (never a duplicate), and Odoo's retry decides it afresh.

    The visitor names a consultant (RO-4), which uses no turn: nothing but the customer's
    own lock stands between the two decisions.
    """
    phone = new_phone()
    _warm_roster(server, office)
    cr1, cr2 = _two_transactions(server)
    try:
        first, second = _visit_model(cr1, office["logins"][0]), _visit_model(cr2, office["logins"][1])
        cr2.execute("SELECT 1")  # the second transaction's snapshot predates the first decision
        vals = {"team_id": office["team_id"], "customer_name": "冯先生", "phone": phone}
        won = first.register(dict(vals, designated_user_id=office["users"][0]))
        cr1.commit()
        retried = _fails_then_retried(second, dict(vals, designated_user_id=office["users"][1]))
    finally:
        cr1.close()
        cr2.close()
    assert retried["lead_id"] == won["lead_id"]
    assert retried["owner_user_id"] == office["users"][0]
    assert (
        admin("real.estate.protection", "search_count", [("lead_id", "=", won["lead_id"]), ("state", "=", "active")])
        == 1
    )


def test_rotation_turn_on_a_stale_snapshot_is_retried(server, office, new_phone):
    """RO-1: two walk-ins decided on the same rotation state cannot take the same turn."""
    _warm_roster(server, office)
    cr1, cr2 = _two_transactions(server)
    try:
        first, second = _visit_model(cr1, office["logins"][0]), _visit_model(cr2, office["logins"][1])
        cr2.execute("SELECT 1")
        taken = first.register({"team_id": office["team_id"], "customer_name": "甲", "phone": new_phone()})
        cr1.commit()
        vals = {"team_id": office["team_id"], "customer_name": "乙", "phone": new_phone()}
        retried = _fails_then_retried(second, vals)
    finally:
        cr1.close()
        cr2.close()
    assert taken["owner_user_id"] != retried["owner_user_id"]


def test_report_and_visit_of_one_customer_are_decided_one_after_the_other(server, admin, office, new_phone):
    """CH-2, CH-11: a report committed after a visit's snapshot was taken makes the visit retry, so the
    visit sees the report (a channel visit awaiting confirmation), never a natural visit beside a valid
    report."""
    channel_id, agent_id = _channel(admin, office)
    phone = new_phone()
    _warm_roster(server, office)
    cr1, cr2 = _two_transactions(server)
    try:
        env1 = odoo.api.Environment(cr1, odoo.SUPERUSER_ID, {})
        visits = _visit_model(cr2, office["logins"][0])
        cr2.execute("SELECT 1")  # the visit's snapshot predates the report
        report = env1["real.estate.report"].submit(
            {
                "team_id": office["team_id"],
                "channel_id": channel_id,
                "agent_id": agent_id,
                "customer_name": "钱女士",
                "phone": phone,
                "expected_visit": _utc(timedelta(hours=2)),
            }
        )
        cr1.commit()
        vals = {"team_id": office["team_id"], "customer_name": "钱女士", "phone": phone}
        retried = _fails_then_retried(visits, vals)
    finally:
        cr1.close()
        cr2.close()
    assert report["state"] == "valid"
    assert retried["rule"] == "CH-7", retried["explanation"]
    [state] = admin("real.estate.report", "read", [report["report_id"]], ["state"])
    assert state["state"] == "visited"
