"""One full story over XML-RPC: report → visit → confirmation → dispute → decision → won → shares → statement."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo


def _utc(delta):
    return (dt.datetime.utcnow() + delta).strftime("%Y-%m-%d %H:%M:%S")


def test_report_to_statement(server, admin, office, new_phone):
    """CH-4, CH-7, CH-8, DI-1, CH-9, CS-16, CC-1, CC-2 in one run against the live server."""
    tag = uuid.uuid4().hex[:6]
    channel_id = admin("res.partner", "create", {"name": f"渠道{tag}", "is_company": True, "channel_kind": "agency"})
    agent_id = admin("res.partner", "create", {"name": f"经纪人{tag}", "parent_id": channel_id})
    portal = admin("ir.model.data", "check_object_reference", "base", "group_portal")[1]
    admin(
        "res.users",
        "create",
        {
            "name": f"经纪人{tag}",
            "login": f"agent_{tag}",
            "password": f"agent_{tag}",
            "partner_id": agent_id,
            "groups_id": [(6, 0, [portal])],
        },
    )
    scheme = admin(
        "real.estate.commission.scheme",
        "create",
        {
            "name": f"跳点{tag}",
            "tier_ids": [(0, 0, {"min_units": 1, "rate": 1.5}), (0, 0, {"min_units": 4, "rate": 2})],
        },
    )
    agreement = admin(
        "real.estate.channel.agreement",
        "create",
        {
            "name": f"协议{tag}",
            "channel_id": channel_id,
            "team_ids": [(6, 0, [office["team_id"]])],
            "date_start": "2020-01-01",
            "commission_scheme_id": scheme,
        },
    )
    phone = new_phone()

    # 1. the agent reports the customer (portal user, over XML-RPC)
    agent = server.rpc(f"agent_{tag}", f"agent_{tag}")
    report = agent(
        "real.estate.report",
        "submit",
        {
            "team_id": office["team_id"],
            "customer_name": "冯先生",
            "phone": phone,
            "expected_visit": _utc(dt.timedelta(hours=1)),
        },
    )
    assert report["state"] == "valid", report

    # 2. the customer arrives; the rotation chooses the consultant; confirmation pending
    consultant = server.rpc(office["logins"][0], office["logins"][0])
    visit = consultant(
        "real.estate.visit",
        "register",
        {
            "team_id": office["team_id"],
            "customer_name": "冯先生",
            "phone": phone,
        },
    )  # the rules find the channel's report (CH-5)
    assert (visit["rule"], visit["owner_channel_id"]) == ("CH-7", False)
    receiver = server.rpc(*[office["logins"][office["users"].index(visit["owner_user_id"])]] * 2)

    # 3. three signatures, each by its role
    [confirmation] = admin("real.estate.visit.confirmation", "search", [("report_id", "=", report["report_id"])])
    agent("real.estate.visit.confirmation", "action_sign_agent", [confirmation])
    receiver("real.estate.visit.confirmation", "action_sign_consultant", [confirmation])
    admin("real.estate.visit.confirmation", "action_sign_manager", [confirmation])
    [now] = admin("crm.lead", "attribution", [visit["lead_id"]])
    assert (now["owner_channel_id"], now["rule"]) == (channel_id, "CH-8")

    # 4. another consultant disputes; the manager upholds with a 70/30 split decided at once
    claimant_login = next(
        login for login, uid in zip(office["logins"], office["users"], strict=True) if uid != visit["owner_user_id"]
    )
    claimant = server.rpc(claimant_login, claimant_login)
    claimant_id = office["users"][office["logins"].index(claimant_login)]
    dispute = claimant(
        "real.estate.dispute",
        "create",
        {
            "team_id": office["team_id"],
            "customer_phone": phone,
            "kind": "first_received",
            "statement": "客户上周已由我接待",
        },
    )
    claimant("real.estate.dispute", "action_submit", [dispute])
    admin(
        "real.estate.dispute",
        "write",
        [dispute],
        {
            "share_ids": [
                (0, 0, {"channel_id": channel_id, "percent": 70}),
                (0, 0, {"user_id": claimant_id, "percent": 30}),
            ]
        },
    )
    admin("real.estate.dispute", "write", [dispute], {"decision_note": "渠道报备在先，确认单三方已签"})
    admin("real.estate.dispute", "action_uphold", [dispute])
    [decided] = admin("real.estate.dispute", "read", [dispute], ["state", "outcome"])
    assert (decided["state"], decided["outcome"]) == ("decided", "upheld")

    # 5. the deal is signed; the split applies, exactly 100%
    building = admin("real.estate.building", "create", {"name": f"楼{tag}", "team_id": office["team_id"]})
    unit = admin(
        "real.estate.unit",
        "create",
        {"building_id": building, "number": "1801", "floor": 18, "area": 120, "list_price": 2_000_000},
    )
    admin("real.estate.unit", "reserve", {"unit_id": unit, "lead_id": visit["lead_id"], "handed_over": "money"})
    admin("real.estate.unit", "subscribe", {"unit_id": unit, "amount": 50_000, "payment_ref": "POS-18"})
    admin("real.estate.unit", "sign", {"unit_id": unit, "contract_amount": 2_000_000})
    [split] = admin("crm.lead", "commission_shares", [visit["lead_id"]])
    shares = sorted((s["channel_id"] or s["user_id"], s["percent"], s["rule"]) for s in split["shares"])
    assert shares == sorted([(channel_id, 70.0, "DI-1"), (claimant_id, 30.0, "DI-1")])
    assert sum(s["percent"] for s in split["shares"]) == 100

    # 6. the channel's statement for the month applies the tier
    [team] = admin("crm.team", "read", [office["team_id"]], ["office_tz"])
    today = dt.datetime.now(ZoneInfo(team["office_tz"])).date()  # periods are the office's days (CC-2)
    statement = admin(
        "real.estate.channel.statement",
        "create",
        {
            "agreement_id": agreement,
            "date_from": today.replace(day=1).isoformat(),
            "date_to": today.isoformat(),
        },
    )
    [figures] = admin(
        "real.estate.channel.statement", "read", [statement], ["deal_count", "rate", "gross_amount", "net_amount"]
    )
    assert (figures["deal_count"], figures["rate"]) == (1, 1.5)
    assert figures["gross_amount"] == 2_000_000 * 0.70 * 0.015
    admin("real.estate.channel.statement", "action_confirm", [statement])
