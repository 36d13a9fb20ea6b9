"""The access matrix of docs/security.md, checked over XML-RPC as each role.

The two tables of docs/security.md (records, buttons) are the specification:
each cell is read from the document and tried against the live server, as a
user of that role. A forbidden operation must be refused with an AccessError
(XML-RPC fault 4); an allowed one must work.
"""

import pathlib
import re
import uuid
import xmlrpc.client
from datetime import datetime, timedelta

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ACCESS_ERROR = 4
#: The groups of each role of the matrix (see docs/security.md, "Roles").
ROLE_GROUPS = {
    "consultant": ["real_estate_attribution.group_consultant"],
    "team leader": ["real_estate_attribution.group_team_leader"],
    "site manager": ["real_estate_attribution.group_site_manager"],
    "sales manager": ["real_estate_attribution.group_sales_manager"],
    "channel manager": ["real_estate_channel.group_channel_manager"],
    "marketing director": ["real_estate_attribution.group_director"],
    "data import": ["real_estate_attribution.group_consultant", "real_estate_attribution.group_data_import"],
    "integrator": ["real_estate_attribution.group_integrator"],
    "agent": ["base.group_portal"],
    "broker": ["base.group_portal"],
}
OPERATIONS = {"R": "read", "C": "create", "W": "write", "D": "unlink"}


def _table(marker):
    """The rows of the table between ``<!-- marker -->`` and ``<!-- /marker -->``: a dict per row."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    body = re.search(r"<!-- %s -->\n(.*?)<!-- /%s -->" % (marker, marker), text, re.S).group(1)
    lines = [line.strip().strip("|").split("|") for line in body.strip().splitlines()]
    header = [cell.strip() for cell in lines[0]]
    return [dict(zip(header, (cell.strip().strip("`") for cell in line), strict=True)) for line in lines[2:]]


RECORDS = _table("access-matrix:records")
BUTTONS = _table("access-matrix:buttons")


def _utc(delta):
    return (datetime.utcnow() + delta).strftime("%Y-%m-%d %H:%M:%S")


class World:
    """The office, its users of every role, and one record of each kind, made through the API."""

    def __init__(self, server, admin):
        self.server, self.admin = server, admin
        tag = uuid.uuid4().hex[:6]
        self.tag = tag
        ref = lambda xmlid: admin("ir.model.data", "check_object_reference", *xmlid.split("."))[1]  # noqa: E731
        self.users, self.logins, self.clients, self.samples = {}, {}, {}, {}
        self.agent_partner = None
        for role, groups in ROLE_GROUPS.items():
            login = "mx_%s_%s" % (role.replace(" ", "_"), tag)
            values = {
                "name": "%s %s" % (role, tag),
                "login": login,
                "password": login,
                "groups_id": [
                    (6, 0, [ref(g) for g in groups] + ([] if role in ("agent", "broker") else [ref("base.group_user")]))
                ],
            }
            if role == "agent":
                self.channel = admin(
                    "res.partner",
                    "create",
                    {"name": "矩阵渠道 %s" % tag, "is_company": True, "channel_kind": "distributor"},
                )
                self.agent_partner = admin(
                    "res.partner", "create", {"name": "矩阵经纪人 %s" % tag, "parent_id": self.channel}
                )
                values["partner_id"] = self.agent_partner
            self.users[role] = admin("res.users", "create", values)
            self.logins[role] = login
        # the team leader decides disputes of the office without holding its customers (DI-3)
        consultants = [self.users[r] for r in ("consultant", "integrator", "data import")]
        self.team = admin(
            "crm.team",
            "create",
            {
                "name": "Matrix Office %s" % tag,
                "is_sales_office": True,
                "user_id": self.users["site manager"],
                "crm_team_member_ids": [(0, 0, {"user_id": uid}) for uid in consultants],
            },
        )
        self.agreement = admin(
            "real.estate.channel.agreement",
            "create",
            {
                "name": "矩阵协议 %s" % tag,
                "channel_id": self.channel,
                "team_ids": [(6, 0, [self.team])],
                "date_start": "2020-01-01",
            },
        )
        self.phones = iter("13%09d" % (int(uuid.uuid4().int % 10**8) * 10 + n) for n in range(10**6))

    def rpc(self, role):
        if role not in self.clients:
            self.clients[role] = self.server.rpc(self.logins[role], self.logins[role])
        return self.clients[role]

    def customer(self):
        """A customer received by the rotation (a consultant of the office holds them)."""
        return self.rpc("consultant")(
            "real.estate.visit",
            "register",
            {"team_id": self.team, "customer_name": "矩阵客户", "phone": next(self.phones)},
        )

    def report_visit(self):
        """A reported customer who came: a visit confirmation awaiting signatures."""
        phone = next(self.phones)
        report = self.rpc("agent")(
            "real.estate.report",
            "submit",
            {
                "team_id": self.team,
                "customer_name": "矩阵报备",
                "phone": phone,
                "expected_visit": _utc(timedelta(hours=2)),
            },
        )
        self.admin("real.estate.visit", "register", {"team_id": self.team, "customer_name": "矩阵报备", "phone": phone})
        [confirmation] = self.admin(
            "real.estate.visit.confirmation", "search", [("report_id", "=", report["report_id"])]
        )
        return report["report_id"], confirmation

    def dispute(self):
        """A claim by the integrator on a customer of another consultant, at the team leader's step."""
        lead = self.customer()["lead_id"]
        claimant = (
            "integrator"
            if self.admin("crm.lead", "read", [lead], ["user_id"])[0]["user_id"][0] != self.users["integrator"]
            else "data import"
        )
        dispute = self.rpc(claimant)(
            "real.estate.dispute",
            "create",
            {"team_id": self.team, "lead_id": lead, "kind": "first_received", "statement": "矩阵申诉"},
        )
        self.rpc(claimant)("real.estate.dispute", "action_submit", [dispute])
        return dispute

    def unit_in_deal(self, model, button):
        """A unit of the office in the state the button applies to (UC-1 to UC-5), or its hold or deal."""
        admin = self.admin
        if not getattr(self, "building", None):
            self.building = admin(
                "real.estate.building", "create", {"name": "矩阵楼 %s" % self.tag, "team_id": self.team}
            )
        self.units = getattr(self, "units", 0) + 1
        unit = admin(
            "real.estate.unit", "create", {"building_id": self.building, "number": str(self.units), "floor": 1}
        )
        lead = self.customer()["lead_id"]
        if button == "action_confirm_hold" or model == "real.estate.reservation":
            admin("real.estate.unit", "reserve", {"unit_id": unit, "lead_id": lead})
            [reservation] = admin("real.estate.unit", "read", [unit], ["reservation_id"])
            return reservation["reservation_id"][0] if model == "real.estate.reservation" else unit
        if button in ("action_sign", "action_cancel_deal", "action_report_double_sale", "action_approve"):
            admin("real.estate.unit", "reserve", {"unit_id": unit, "lead_id": lead, "handed_over": "money"})
            deal = admin("real.estate.unit", "subscribe", {"unit_id": unit, "amount": 1000})  # below the minimum
            if model == "real.estate.subscription":
                return deal["subscription_id"]
            admin("real.estate.subscription", "action_approve", [deal["subscription_id"]])
        return unit

    def companion(self):
        """A new customer the agent listed on a confirmation awaiting signatures (CH-15)."""
        confirmation = self.report_visit()[1]
        return self.rpc("agent")(
            "real.estate.visit.companion",
            "create",
            {"confirmation_id": confirmation, "name": "矩阵同行", "phone": next(self.phones)},
        )

    def deposit_claim(self):
        """A deposit paid without any report, claimed by the agent with evidence the same day (CH-18)."""
        admin = self.admin
        if not getattr(self, "building", None):
            self.building = admin(
                "real.estate.building", "create", {"name": "矩阵楼 %s" % self.tag, "team_id": self.team}
            )
        self.units = getattr(self, "units", 0) + 1
        unit = admin(
            "real.estate.unit", "create", {"building_id": self.building, "number": str(self.units), "floor": 1}
        )
        phone = next(self.phones)
        lead = admin(
            "real.estate.visit", "register", {"team_id": self.team, "customer_name": "矩阵认领", "phone": phone}
        )
        admin("real.estate.unit", "reserve", {"unit_id": unit, "lead_id": lead["lead_id"], "handed_over": "money"})
        admin("real.estate.unit", "subscribe", {"unit_id": unit, "amount": 1000})
        # a channel of its own: the penalty buttons' tests end the world channel's agreement (CH-13)
        channel = admin(
            "res.partner",
            "create",
            {"name": "认领渠道 %s" % uuid.uuid4().hex[:4], "is_company": True, "channel_kind": "distributor"},
        )
        admin(
            "real.estate.channel.agreement",
            "create",
            {"name": "认领协议", "channel_id": channel, "team_ids": [(6, 0, [self.team])], "date_start": "2020-01-01"},
        )
        return admin(
            "real.estate.deposit.claim",
            "create",
            {
                "team_id": self.team,
                "channel_id": channel,
                "customer_name": "矩阵认领",
                "phone": phone,
                "evidence": "矩阵证据",
            },
        )

    def protection(self):
        lead = self.customer()["lead_id"]
        return self.admin("crm.lead", "read", [lead], ["protection_id"])[0]["protection_id"][0]

    def sample(self, model):
        """The id of a record of ``model`` of this office (made once for the test), or None."""
        if model not in self.samples:
            self.samples[model] = self._make_sample(model)
        return self.samples[model]

    def harmless_write(self, model, target):
        """Values that change nothing: a stored, writable field set to what it holds."""
        described = self.admin(model, "fields_get", [], ["type", "readonly", "store"])
        for name, field in sorted(described.items()):
            if field["type"] in ("char", "text", "boolean") and field.get("store") and not field.get("readonly"):
                return {name: self.admin(model, "read", [target], [name])[0][name]}
        return {}

    def _make_sample(self, model):
        makers = {
            "crm.lead": lambda: self.customer()["lead_id"],
            "crm.team": lambda: self.team,
            "real.estate.visit": lambda: self.customer()["visit_id"],
            "real.estate.protection": self.protection,
            "real.estate.dispute": self.dispute,
            "real.estate.report": lambda: self.report_visit()[0],
            "real.estate.visit.confirmation": lambda: self.report_visit()[1],
            "real.estate.channel.agreement": lambda: self.agreement,
            "real.estate.visit.companion": self.companion,
            "real.estate.deposit.claim": self.deposit_claim,
        }
        if model in makers:
            return makers[model]()
        return self._first(model, [])

    def _first(self, model, domain):
        found = self.admin(model, "search", domain, limit=1, order="id desc")
        return found[0] if found else None


@pytest.fixture(scope="module")
def world(server, admin):
    return World(server, admin)


def _fault(call):
    """The fault code of a call (None when it worked)."""
    try:
        call()
    except xmlrpc.client.Fault as fault:
        return fault.faultCode, fault.faultString
    return None


def _cases(table, key):
    return [(row[key], role) for row in table for role in ROLE_GROUPS if row.get(role) is not None]


def _operate(rpc, model, operation, target, world_values):
    """Try one operation as a role: None when it worked, else (fault code, message)."""
    arguments = {
        "read": ("search_read", [], ["id"]),
        "create": ("create", world_values.get("create", {})),
        "write": ("write", [target], world_values.get("write", {})),
        "unlink": ("unlink", [target]),
    }[operation]
    return _fault(lambda: rpc(model, *arguments))


@pytest.mark.parametrize(("model", "role"), [(row["model"], role) for row in RECORDS for role in ROLE_GROUPS])
def test_records(world, model, role):
    """docs/security.md, Records: each letter of a cell is the role's right on the model."""
    [row] = [r for r in RECORDS if r["model"] == model]
    allowed = set(row[role].replace("—", ""))
    rpc = world.rpc(role)
    target = None
    for letter, operation in OPERATIONS.items():
        expected = letter in allowed
        assert rpc(model, "has_access", [], operation) == expected, "%s: %s on %s is %s in the matrix" % (
            role,
            operation,
            model,
            "allowed" if expected else "refused",
        )
        if letter in "WD" and not expected:
            target = target or world.sample(model)
            if not target:
                continue  # no such record in this database: the right alone is checked
        if expected and letter != "R":
            continue  # the right is there; what the role does with it is checked by the rule tests and tours
        values = {"write": world.harmless_write(model, target)} if operation == "write" else {}
        if operation == "create":  # stock models read their values before the access check
            values["create"] = {
                "crm.team.member": {"crm_team_id": world.team, "user_id": world.users["consultant"]},
                "crm.team": {"name": "矩阵团队"},
                "crm.lead": {"name": "矩阵线索"},
            }.get(model, {})
        result = _operate(rpc, model, operation, target, values)
        if expected:
            assert result is None, "%s may %s %s: %r" % (role, operation, model, result)
        else:
            assert result and result[0] == ACCESS_ERROR, "%s may not %s %s, but got %r" % (
                role,
                operation,
                model,
                result,
            )


def _button_target(world, model, button):
    if model == "crm.team":
        return world.team
    if model == "crm.lead":
        return world.customer()["lead_id"]
    if model == "real.estate.dispute":
        return world.dispute()
    if model == "real.estate.protection":
        lead = world.customer()["lead_id"]
        return world.admin("crm.lead", "read", [lead], ["protection_id"])[0]["protection_id"][0]
    if model == "real.estate.grade.request":
        lead = world.customer()["lead_id"]
        [holder] = world.admin("crm.lead", "read", [lead], ["user_id"])
        login = next(role for role, uid in world.users.items() if uid == holder["user_id"][0])
        world.rpc(login)("crm.lead", "log_followup", [lead], "回访")
        return world.rpc(login)("real.estate.grade.request", "create", {"lead_id": lead, "reason": "无意向"})
    if model == "real.estate.roster.line":
        world.customer()  # opens today's roster
        return world.admin("real.estate.roster.line", "search", [("roster_id.team_id", "=", world.team)], limit=1)[0]
    if model == "real.estate.visit.confirmation":
        return world.report_visit()[1]
    if model == "real.estate.channel.agreement":
        channel = world.admin(
            "res.partner",
            "create",
            {"name": "暂停渠道 %s" % uuid.uuid4().hex[:4], "is_company": True, "channel_kind": "agency"},
        )
        return world.admin(
            "real.estate.channel.agreement",
            "create",
            {"name": "暂停", "channel_id": channel, "team_ids": [(6, 0, [world.team])]},
        )
    if model == "real.estate.channel.statement":
        world.statements = getattr(world, "statements", 0) + 1  # one statement per agreement and period
        today = datetime.utcnow().date() - timedelta(days=40 * world.statements)
        return world.admin(
            "real.estate.channel.statement",
            "create",
            {"agreement_id": world.agreement, "date_from": str(today - timedelta(days=30)), "date_to": str(today)},
        )
    if model in ("real.estate.unit", "real.estate.reservation", "real.estate.subscription"):
        return world.unit_in_deal(model, button)
    if model == "real.estate.violation":
        return world.admin(
            "real.estate.violation",
            "create",
            {"team_id": world.team, "user_id": world.users["consultant"], "kind": "ds1_grab", "description": "矩阵"},
        )
    if model == "real.estate.deposit.claim":
        return world.deposit_claim()
    if model == "real.estate.channel.penalty":
        return world.admin(
            "real.estate.channel.penalty",
            "create",
            {"agreement_id": world.agreement, "distance_m": 100},
        )
    return None


@pytest.mark.parametrize(
    ("model", "button", "role"), [(row["model"], row["button"], role) for row in BUTTONS for role in ROLE_GROUPS]
)
def test_buttons(world, model, button, role):
    """docs/security.md, Buttons: ✓ works (or refuses for the record's state), — is an AccessError."""
    [row] = [r for r in BUTTONS if r["model"] == model and r["button"] == button]
    rpc = world.rpc(role)
    if model == "real.estate.ownership.log":
        call = lambda: rpc(model, button, world.team)  # noqa: E731
    else:
        if row[role] == "✓":
            target = _button_target(world, model, button)  # a fresh record: pressing it changes it
        else:  # a refused press changes nothing: one record serves every refused role
            key = (model, button)
            world.samples[key] = world.samples.get(key) or _button_target(world, model, button)
            target = world.samples[key]
        if model == "real.estate.dispute" and row[role] == "✓":
            rpc(model, "write", [target], {"decision_note": "矩阵裁定"})
        call = lambda: rpc(model, button, [target])  # noqa: E731
    result = _fault(call)
    if row[role] == "✓":
        assert result is None or (result[0] != ACCESS_ERROR and "Traceback" not in result[1]), result
    else:
        assert result and result[0] == ACCESS_ERROR, "%s may not press %s on %s, but got %r" % (
            role,
            button,
            model,
            result,
        )
