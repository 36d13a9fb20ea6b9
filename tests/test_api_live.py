"""The integrator API against the running server, over XML-RPC (ID-1, RO-1, RO-3)."""

import xmlrpc.client
from datetime import datetime, timedelta

import pytest

import odoo


def test_register_and_read_back(server, office, new_phone):
    """RO-1 then RO-3 over XML-RPC, each call in its own committed transaction."""
    rpc = server.rpc(office["logins"][0], office["logins"][0])
    phone = new_phone()
    first = rpc(
        "real.estate.visit",
        "register",
        {"team_id": office["team_id"], "customer_name": "周先生", "phone": phone, "kind": "visit"},
    )
    assert first["rule"] == "RO-1"
    assert first["owner_user_id"] in office["users"]
    again = rpc(
        "real.estate.visit",
        "register",
        {"team_id": office["team_id"], "customer_name": "周先生", "phone": "+86 " + phone, "kind": "call"},
    )
    assert again["lead_id"] == first["lead_id"]
    assert again["owner_user_id"] == first["owner_user_id"]
    assert again["rule"] in ("RO-3", "PR-5")
    [now] = server.rpc("admin", "admin")("crm.lead", "attribution", [first["lead_id"]])
    assert now["owner_user_id"] == first["owner_user_id"]
    assert now["protection_state"] == "active"


def test_bad_input_is_refused_without_traceback_and_writes_nothing(admin, office):
    before = admin("crm.lead", "search_count", [("team_id", "=", office["team_id"])])
    for vals, expected in (
        ({"team_id": office["team_id"], "customer_name": "x", "phone": "not a phone"}, "not a valid mobile number"),
        ({"team_id": "1", "customer_name": "x", "phone": "13800000000"}, "team_id must be the integer"),
        (
            {"team_id": office["team_id"], "customer_name": "x", "phone": "13800000000", "at": "2999-01-01 00:00:00"},
            "lies in the future",
        ),
    ):
        with pytest.raises(xmlrpc.client.Fault) as caught:
            admin("real.estate.visit", "register", vals)
        assert expected in caught.value.faultString
        assert "Traceback" not in caught.value.faultString
    assert admin("crm.lead", "search_count", [("team_id", "=", office["team_id"])]) == before


def test_explanations_in_chinese(admin, office, new_phone):
    decision = admin(
        "real.estate.visit",
        "register",
        {"team_id": office["team_id"], "customer_name": "吴女士", "phone": new_phone()},
        context={"lang": "zh_CN"},
    )
    assert "RO-1" in decision["explanation"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in decision["explanation"].replace("吴女士", "")), decision


def test_ownership_log_is_sealed_after_commit_and_verify_finds_a_hand_edited_entry(server, admin, office, new_phone):
    """Tamper evidence over XML-RPC: each committed decision is chained at once; an entry changed with SQL
    is the one ``verify`` names."""
    rpc = server.rpc(office["logins"][0], office["logins"][0])
    for name in ("甲", "乙", "丙"):
        rpc(
            "real.estate.visit", "register", {"team_id": office["team_id"], "customer_name": name, "phone": new_phone()}
        )
    entries = admin(
        "real.estate.ownership.log",
        "search_read",
        [("team_id", "=", office["team_id"])],
        ["seal_seq", "entry_hash"],
        order="seal_seq",
    )
    assert len(entries) == 3 and all(entry["entry_hash"] for entry in entries), entries
    assert [entry["seal_seq"] for entry in entries] == [1, 2, 3]
    assert admin("real.estate.ownership.log", "verify", office["team_id"])["ok"]
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        cr.execute("UPDATE real_estate_ownership_log SET rule = 'DI-1' WHERE id = %s", [entries[1]["id"]])
    result = admin("real.estate.ownership.log", "verify", office["team_id"])
    assert (result["ok"], result["first_bad_id"]) == (False, entries[1]["id"])
    with pytest.raises(xmlrpc.client.Fault) as refused:
        rpc("real.estate.ownership.log", "verify", office["team_id"])
    assert refused.value.faultCode == 4  # AccessError: consultants do not audit


def _readonly(server, login, password):
    """An ``execute_kw`` on ``/xmlrpc/2/readonly`` (issue 12), logged in as the stock client is."""
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(server.db, login, password, {})
    proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/readonly", allow_none=True)

    def call(model, method, *args, password=password, **kwargs):
        return proxy.execute_kw(server.db, uid, password, model, method, list(args), kwargs)

    return call


def test_readonly_endpoint_answers_as_the_object_endpoint(server, office, new_phone):
    """The read-only methods (``@api.readonly``) answer over ``/xmlrpc/2/readonly`` as over ``/xmlrpc/2/object``."""
    login = office["logins"][0]
    rpc, readonly = server.rpc(login, login), _readonly(server, login, login)
    lead_id = rpc(
        "real.estate.visit", "register", {"team_id": office["team_id"], "customer_name": "钱女士", "phone": new_phone()}
    )["lead_id"]
    for model, method, args in (
        ("crm.lead", "attribution", [[lead_id]]),
        ("crm.lead", "commission_shares", [[lead_id]]),
        ("real.estate.unit", "unit_grid", [office["team_id"]]),
        ("crm.lead", "search_count", [[("team_id", "=", office["team_id"])]]),
    ):
        assert readonly(model, method, *args) == rpc(model, method, *args), (model, method)
    [answer] = readonly("crm.lead", "attribution", [lead_id])
    assert (answer["owner_user_id"], answer["protection_state"]) == (office["users"][0], "active")


def test_readonly_endpoint_refuses_writes_and_writes_nothing(server, admin, office, new_phone):
    readonly = _readonly(server, "admin", "admin")
    channel_id = admin("res.partner", "create", {"name": "只读渠道", "is_company": True, "channel_kind": "distributor"})
    admin(
        "real.estate.channel.agreement",
        "create",
        {
            "name": "只读协议",
            "channel_id": channel_id,
            "team_ids": [(6, 0, [office["team_id"]])],
            "date_start": "2020-01-01",
        },
    )
    phone = new_phone()
    submit = {
        "team_id": office["team_id"],
        "channel_id": channel_id,
        "customer_name": "孙先生",
        "phone": phone,
        "expected_visit": (datetime.utcnow() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S"),
    }
    leads = admin("crm.lead", "search_count", [("team_id", "=", office["team_id"])])
    for model, method, args in (
        ("res.partner", "create", [{"name": "只读 %s" % phone}]),
        ("real.estate.report", "submit", [submit]),
        ("real.estate.visit", "register", [{"team_id": office["team_id"], "customer_name": "孙", "phone": phone}]),
    ):
        with pytest.raises(xmlrpc.client.Fault) as refused:
            readonly(model, method, *args)
        assert refused.value.faultCode == 4, refused.value.faultString  # AccessError
        assert f"{model}.{method} is not a read-only method" in refused.value.faultString
        assert "Traceback" not in refused.value.faultString
    assert admin("crm.lead", "search_count", [("team_id", "=", office["team_id"])]) == leads
    assert admin("res.partner", "search_count", [("name", "=", "只读 %s" % phone)]) == 0
    assert admin("real.estate.report", "search_count", [("team_id", "=", office["team_id"])]) == 0
    # the same submit over the stock endpoint is valid: the refusal above was the endpoint's, not the rules'
    assert admin("real.estate.report", "submit", submit)["state"] == "valid"


def test_readonly_endpoint_authenticates_as_stock(server, office):
    login = office["logins"][1]
    readonly = _readonly(server, login, login)
    for password in ("wrong", ""):
        with pytest.raises(xmlrpc.client.Fault) as denied:
            readonly("crm.lead", "search_count", [], password=password)
        assert denied.value.faultCode == 3  # AccessDenied, as /xmlrpc/2/object answers
    with pytest.raises(xmlrpc.client.Fault) as private:
        readonly("crm.lead", "_check_api_ids")
    assert private.value.faultCode == 4
    with pytest.raises(xmlrpc.client.Fault) as settings:
        readonly("ir.config_parameter", "search_read", [], ["key"])
    assert settings.value.faultCode == 4  # AccessError: the user's rights hold on the read-only endpoint too
