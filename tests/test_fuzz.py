"""Property-based tests of the public XML-RPC methods, against the live server (hypothesis).

Each public method gets at least ``FUZZ_EXAMPLES`` (500) generated inputs, sent over XML-RPC by the roles that
call it (consultants of a sales office, the site manager and director ``admin``, a team leader, a channel
manager, a data-import user, a portal agent), from well-formed values to hostile ones (see
``fuzz_strategies``). Two properties hold for every call:

* it answers either a result of the documented shape (``docs/api.md``; never None), or a clean fault. Odoo 18's
  XML-RPC controller (``odoo/addons/base/controllers/rpc.py``, ``xmlrpc_handle_exception_int``) answers
  ``UserError`` and its subclasses ``ValidationError`` and ``MissingError`` with faultCode 2 (as it does
  ``RedirectWarning``), ``AccessError`` with 4 and ``AccessDenied`` with 3, each with the message alone; any
  other exception (``ValueError``, ``TypeError``, ``KeyError``, a psycopg2 error, a result it cannot marshal
  such as None) with faultCode 1 and the formatted traceback as faultString, and ``odoo.http`` logs it as an
  ERROR. A clean fault therefore has a code in {2, 3, 4} and no traceback;
* a refused call writes nothing: no row of the office's tables (customers, visits, protections, follow-ups,
  ownership log, reports, confirmations, disputes, penalties, agreements, chatter, activities, attachments...)
  is inserted or updated by a committed transaction during the call (rows whose ``xmin`` is a transaction id
  given out after the call began), none is deleted (row counts), and no document number is consumed (the
  PostgreSQL sequences behind the addons' ``ir.sequence``).

The counts of inputs tried, accepted and refused per method are printed at the end of the run in a section
"fuzz: inputs per public XML-RPC method" of pytest's terminal summary (``make test`` shows it; no ``-s``
needed), and recorded per test in the JUnit report (``record_property``: ``fuzz:<model>.<method>``).

Hypothesis is derandomized (a fixed seed per test: CI runs the same inputs) and keeps no example database.
"""

import collections
import gc
import os
import re
import uuid
import xmlrpc.client
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import odoo

from . import fuzz_strategies as fz

#: Inputs per public method (the issue asks for at least 500).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
CLEAN_FAULT_CODES = (2, 3, 4)
TRACEBACK = "Traceback (most recent call last)"
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")

DISPUTE_KINDS = [
    "spouse",
    "parent_child",
    "partner",
    "sibling",
    "friend_on_spot",
    "two_numbers",
    "first_received",
    "customer_refuses",
    "double_sale",
    "customer_prefers",
]
DISPUTE_STATES = ["submitted", "team_leader", "manager", "director", "decided"]
DISPUTE_BUTTONS = ["action_submit", "action_escalate", "action_uphold", "action_reject", "action_forfeit"]
REASON_CODES = {
    "too_late",
    "already_customer",
    "protected_by_other",
    "duplicate_report",
    "repeat_limit",
    "flagged",
    "masked_not_allowed",
    "full_not_allowed",
    "invalid_phone",
    "employee",
    "repeat_purchase",
    "parking",
    "out_of_scope",
    "channel_suspended",
    "agent_barred",
    "accompanied_by_other",
    "old_customer_referral",
}
PROTECTION_STATES = {"none", "active", "household", "expired", "released", "converted"}
#: Contexts callers send; the last one forges the engine's flags (they must give no rights, DI-3, CH-13).
CONTEXTS = st.sampled_from(
    [
        None,
        None,
        {"lang": "zh_CN"},
        {"lang": "en_US", "tz": "Asia/Shanghai"},
        {"active_test": False},
        {"attribution_engine": True, "penalty_workflow": True, "attribution_engine_followup": True},
    ]
)


# ----------------------------------------------------------------------------------------------------
# Counting, and the summary printed at the end of the run
# ----------------------------------------------------------------------------------------------------
class _Counts:
    def __init__(self):
        self.tried = self.accepted = self.refused = 0
        self.codes = collections.Counter()

    def __str__(self):
        codes = ", ".join("%s: %s" % (code, n) for code, n in sorted(self.codes.items()))
        return "tried %d, accepted %d, refused %d (fault codes %s)" % (
            self.tried,
            self.accepted,
            self.refused,
            codes or "-",
        )


class _FuzzSummary:
    """A plugin registered for the session: its ``pytest_terminal_summary`` prints the counts."""

    def __init__(self):
        self.counts = {}
        self.defects = {}

    def count(self, method):
        return self.counts.setdefault(method, _Counts())

    def pytest_terminal_summary(self, terminalreporter):
        if not self.counts:
            return
        terminalreporter.section("fuzz: inputs per public XML-RPC method")
        for method, counts in self.counts.items():
            terminalreporter.write_line("%-46s %s" % (method, counts))


@pytest.fixture(scope="module")
def summary(request):
    plugin = _FuzzSummary()
    request.config.pluginmanager.register(plugin, "fuzz-summary-%s" % uuid.uuid4().hex)
    return plugin


# ----------------------------------------------------------------------------------------------------
# What a refused call must not have written
# ----------------------------------------------------------------------------------------------------
class Ledger:
    """Reads the database directly (a cursor of the registry, not the server) to tell whether a call wrote.

    One probe after each call (and before the first): the next transaction id PostgreSQL will give out, the
    positions of the addons' document sequences and the row counts of the tables the calls write (customers,
    visits, protections, follow-ups, ownership log, reports, confirmations, disputes, penalties...); it is
    the next call's "before". After a refused call, the counts and the sequences must be unchanged, and if
    any transaction id given out during the call committed, no row of the addons' tables, the chatter, the
    activities, the attachments, the partners or the users may carry it (``xmin``): none was inserted or
    updated by it.
    """

    CORE_TABLES = (
        "crm_lead",
        "crm_team",
        "crm_team_member",
        "res_partner",
        "res_users",
        "ir_attachment",
        "ir_sequence",
        "ir_sequence_date_range",
        "mail_message",
        "mail_tracking_value",
        "mail_followers",
        "mail_activity",
        "mail_notification",
        "mail_mail",
        "bus_bus",
    )

    #: Counted before and after each call (a deletion leaves no row to look at).
    COUNTED_TABLES = (
        "crm_lead",
        "real_estate_visit",
        "real_estate_protection",
        "real_estate_followup",
        "real_estate_ownership_log",
        "real_estate_report",
        "real_estate_visit_confirmation",
        "real_estate_dispute",
        "real_estate_dispute_share",
        "real_estate_channel_penalty",
        "real_estate_channel_agreement",
        "real_estate_commission_share",
        "real_estate_reservation",
        "real_estate_subscription",
    )

    def __init__(self, db):
        self.registry = odoo.modules.registry.Registry(db)
        self.cr = self.registry.cursor()
        self.tables = [
            row[0]
            for row in self._query(
                """
                SELECT table_name FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                   AND (table_name LIKE 'real\\_estate\\_%%' OR table_name IN %s)
                 ORDER BY table_name
                """,
                [self.CORE_TABLES],
            )
        ]
        self.sequences = {
            "ir_sequence_%03d" % seq_id: code
            for seq_id, code in self._query(
                "SELECT id, code FROM ir_sequence WHERE code LIKE 'real.estate.%%' AND implementation = 'standard'"
            )
        }
        self._probe_sql = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint%s%s" % (
            "".join(", (SELECT last_value || '/' || is_called FROM %s)" % name for name in sorted(self.sequences)),
            "".join(", (SELECT count(*) FROM %s)" % table for table in self.COUNTED_TABLES),
        )
        self._written_sql = " UNION ALL ".join(
            "SELECT '%s', count(*) FROM %s WHERE xmin::text::bigint >= %%(xid)s" % (t, t) for t in self.tables
        )
        self._last = None

    def close(self):
        self.cr.close()

    def _query(self, sql, params=None):
        try:
            self.cr.execute(sql, params)
            return self.cr.fetchall()
        finally:
            self.cr.rollback()  # a fresh snapshot for the next query

    def _probe(self):
        [row] = self._query(self._probe_sql)
        n = len(self.sequences)
        sequences = dict(zip(sorted(self.sequences), row[1 : 1 + n], strict=True))
        counts = dict(zip(self.COUNTED_TABLES, row[1 + n :], strict=True))
        return row[0], sequences, counts

    def invalidate(self):
        """Something was written outside a checked call (set-up): probe again before the next one."""
        self._last = None

    def mark(self):
        if self._last is None:
            self._last = self._probe()
        return self._last

    def written_since(self, mark, refused):
        """After a call: ``{table or sequence: what changed}`` when it was refused (``{}`` otherwise)."""
        self._last = after = self._probe()
        if not refused:
            return {}
        (next_xid, sequences, counts), (xid_after, sequences_after, counts_after) = mark, after
        changes = {
            table: "%+d row(s)" % (counts_after[table] - counts[table])
            for table in self.COUNTED_TABLES
            if counts_after[table] != counts[table]
        }
        changes.update(
            {
                name: "number of %s consumed (%s -> %s)" % (code, sequences[name], sequences_after[name])
                for name, code in self.sequences.items()
                if sequences_after[name] != sequences[name]
            }
        )
        if xid_after > next_xid:
            [[committed]] = self._query(
                "SELECT count(*) FROM generate_series(%s::bigint, %s::bigint - 1) AS xid"
                " WHERE pg_xact_status(xid::text::xid8) = 'committed'",
                [next_xid, xid_after],
            )
            if committed:  # a transaction committed meanwhile (maybe in another database): which rows are its?
                for table, n in self._query(self._written_sql, {"xid": next_xid % 2**32}):
                    if n:
                        changes[table] = "%d row(s) inserted or updated" % n
        return changes


# ----------------------------------------------------------------------------------------------------
# Clients and the call under test
# ----------------------------------------------------------------------------------------------------
class Client:
    """An XML-RPC client of one user, as the conftest's ``Rpc`` (without its login round trip)."""

    def __init__(self, server, uid, login, password):
        self.uid, self.login, self.password, self.db = uid, login, password, server.db
        self.models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


class Refused:
    def __init__(self, fault):
        self.fault = fault


_defect_classes = {}


def _defect(kind, signature):
    """An AssertionError subclass per kind of defect, so that hypothesis reports each one separately."""
    key = re.sub(r"\W+", "_", "%s_%s" % (kind, signature))[:120]
    if key not in _defect_classes:
        _defect_classes[key] = type("Defect_" + key, (AssertionError,), {})
    return _defect_classes[key]


def _traceback_signature(text):
    """``ExceptionType at file:line`` of a traceback text (the deepest frame of the addons, else the deepest
    frame): one defect, whatever the input that shows it."""
    lines = text.splitlines()
    frames = [(n, match) for n, line in enumerate(lines) if (match := re.match(r'\s+File "([^"]+)", line (\d+)', line))]
    if not frames:
        return "no traceback"
    ours = [match for _n, match in frames if "/real_estate_" in match.group(1)]
    frame = (ours or [frames[-1][1]])[-1]
    exception = next((line for line in lines[frames[-1][0] + 1 :] if line and not line[0].isspace()), "?")
    exc_type = exception.split(":", 1)[0].rsplit(".", 1)[-1]
    return "%s at %s:%s" % (exc_type, os.path.basename(frame.group(1)), frame.group(2))


def _short(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(%d chars)" % len(text)


class Fuzzer:
    """Calls a method and checks the two properties.

    A violation raises an AssertionError of its own class (see ``_defect``), which hypothesis shrinks to a
    minimal input. With ``FUZZ_SURVEY=1`` in the environment, violations are collected instead, every input
    is tried, and each test ends by listing every distinct defect with its shortest input.
    """

    survey = bool(os.environ.get("FUZZ_SURVEY"))

    def __init__(self, ledger, summary):
        self.ledger, self.summary = ledger, summary

    def fail(self, label, kind, message):
        if not self.survey:
            raise _defect(label, kind)(message)
        found = self.summary.defects.setdefault(label, {})
        if kind not in found or len(message) < len(found[kind]):
            found[kind] = message

    def call(self, label, client, model, method, args, context=None, check=None):
        """Call ``model.method(*args)`` as ``client``; check the answer or the fault and what it wrote."""
        counts = self.summary.count(label)
        counts.tried += 1
        mark = self.ledger.mark()
        kwargs = {"context": context} if context is not None else {}

        def where():
            text = "%s as %s: %s(%s)" % (label, client.login, method, ", ".join(_short(arg) for arg in args))
            return text + (" context=%r" % context if context else "")

        fault = None
        try:
            result = client(model, method, *args, **kwargs)
        except xmlrpc.client.Fault as error:
            fault = error
        written = self.ledger.written_since(mark, refused=fault is not None)
        if fault is None:
            counts.accepted += 1
            if result is None:
                self.fail(label, "None", "%s\nanswered None" % where())
            elif check:
                try:
                    check(result)
                except AssertionError as error:
                    problem = error
                else:
                    problem = None
                if problem:
                    self.fail(
                        label, "shape: %s" % problem, "%s\nanswered %s: %s" % (where(), _short(result, 1000), problem)
                    )
            return result
        counts.refused += 1
        counts.codes[fault.faultCode] += 1
        text = fault.faultString
        if fault.faultCode not in CLEAN_FAULT_CODES or TRACEBACK in text:
            self.fail(
                label,
                "fault %s: %s" % (fault.faultCode, _traceback_signature(text)),
                "%s\nanswered faultCode %r with a traceback:\n%s" % (where(), fault.faultCode, text[-3000:]),
            )
        elif not text.strip():
            self.fail(label, "empty fault", "%s\nanswered a fault without a message" % where())
        if written:
            self.fail(
                label,
                "wrote " + " ".join(sorted(written)),
                "%s\nwas refused (%s: %s) but wrote: %s" % (where(), fault.faultCode, text.strip()[-300:], written),
            )
        return Refused(fault)


def _finish(summary, record_property, *labels):
    for label in labels:
        counts = summary.count(label)
        record_property("fuzz:" + label, str(counts))
        defects = summary.defects.get(label)
        if defects:
            pytest.fail(
                "%s: %d kind(s) of defect\n\n%s"
                % (label, len(defects), "\n\n".join("[%s]\n%s" % (kind, defects[kind]) for kind in sorted(defects))),
                pytrace=False,
            )
        assert counts.tried >= FUZZ_EXAMPLES, "%s: only %d inputs tried" % (label, counts.tried)


# ----------------------------------------------------------------------------------------------------
# The world: two sales offices, their people, channels, customers, disputes and penalties
# ----------------------------------------------------------------------------------------------------
def _api_keys(db, uids):
    """An XML-RPC API key per user (Odoo's integrator credential), made in-process.

    A password costs two hashes of 600,000 rounds per user (one when set, one at the first call): seconds
    each on this machine. A key is hashed with 6,000.
    """
    with odoo.modules.registry.Registry(db).cursor() as cr:
        return {
            uid: odoo.api.Environment(cr, uid, {})["res.users.apikeys"].sudo()._generate(None, "fuzz", None)
            for uid in uids
        }


class World:
    """Built once for the module over XML-RPC, as the ``office`` fixture builds its office.

    A fresh ``office`` per test costs about fourteen seconds here (five users and their password hashes);
    sixteen methods would spend the run's whole budget on it. Office A below is made by the same recipe (a
    new sales office of five consultants) and its consultants, like the other roles, call with API keys;
    office B is the other office, whose ids must be refused.
    """

    def __init__(self, server, admin_rpc):
        admin = Client(server, admin_rpc.uid, "admin", _api_keys(server.db, [admin_rpc.uid])[admin_rpc.uid])
        self.server, self.admin = server, admin
        self.tag = tag = uuid.uuid4().hex[:8]
        self.now = fz.utc_now()

        def ref(module, name):
            return admin("ir.model.data", "check_object_reference", module, name)[1]

        consultant = ref("real_estate_attribution", "group_consultant")
        leader = ref("real_estate_attribution", "group_team_leader")
        importer = ref("real_estate_attribution", "group_data_import")
        channel_manager = ref("real_estate_channel", "group_channel_manager")
        portal = ref("base", "group_portal")

        def users(specs):
            vals = [
                {"name": "%s %s" % (login, tag), "login": "fz_%s_%s" % (login, tag), "groups_id": [(6, 0, groups)]}
                for login, groups in specs
            ]
            return dict(zip([spec[0] for spec in specs], admin("res.users", "create", vals), strict=True))

        # office A: five consultants as in the office fixture (two of them log in)
        self.uid = users(
            [
                ("c0", [consultant]),
                ("c1", [consultant]),
                ("c2", [consultant]),
                ("c3", [consultant]),
                ("c4", [consultant]),
                ("b0", [consultant]),
                ("b1", [consultant]),
                ("leader", [leader]),
                ("importer", [consultant, importer]),
                ("chanmgr", [channel_manager]),
            ]
        )
        self.uid["admin"] = admin.uid
        self.office_a = [self.uid["c%d" % n] for n in range(5)]
        self.office_b = [self.uid["b0"], self.uid["b1"]]
        self.team_a = admin(
            "crm.team",
            "create",
            {
                "name": "Fuzz Office A %s" % tag,
                "is_sales_office": True,
                "crm_team_member_ids": [(0, 0, {"user_id": uid}) for uid in self.office_a],
            },
        )
        self.team_b = admin(
            "crm.team",
            "create",
            {
                "name": "Fuzz Office B %s" % tag,
                "is_sales_office": True,
                "crm_team_member_ids": [(0, 0, {"user_id": uid}) for uid in self.office_b],
            },
        )
        self.plain_team = admin("crm.team", "create", {"name": "Fuzz Plain Team %s" % tag})
        self.teams = [self.team_a, self.team_b, self.plain_team]

        # channels: one reporting to A (with a portal agent), a canvasser, one of B, two for penalties
        self.channel, self.agent_partner, self.agreement = self._channel("distributor", [self.team_a])
        self.agent_partner_2 = admin("res.partner", "create", {"name": "经纪人乙", "parent_id": self.channel})
        self.canvasser, self.canvasser_agent, _ = self._channel("canvasser", [self.team_a])
        self.channel_b, self.agent_b, _ = self._channel("agency", [self.team_b])
        self.penalty_channel, self.penalty_agent, self.penalty_agreement = self._channel("agency", [self.team_a])
        _channel, self.penalty_agent_b, self.penalty_agreement_b = self._channel("agency", [self.team_b])
        self.uid["agent"] = admin(
            "res.users",
            "create",
            {
                "name": "经纪人 %s" % tag,
                "login": "fz_agent_%s" % tag,
                "partner_id": self.agent_partner,
                "groups_id": [(6, 0, [portal])],
            },
        )
        self.channels = [self.channel, self.canvasser, self.channel_b, self.penalty_channel, _channel]
        self.agents = [self.agent_partner, self.agent_partner_2, self.canvasser_agent, self.agent_b]
        self.agents += [self.penalty_agent, self.penalty_agent_b]
        self.agreements = [self.agreement, self.penalty_agreement, self.penalty_agreement_b]

        self.clients = {"admin": admin}
        roles = ("c0", "c1", "leader", "importer", "chanmgr", "agent")
        keys = _api_keys(server.db, [self.uid[role] for role in roles])
        for role in roles:
            self.clients[role] = Client(server, self.uid[role], "fz_%s_%s" % (role, tag), keys[self.uid[role]])
            self.clients[role]("res.users", "context_get")

        # customers: office A's, received by the consultants the reception desk names, and office B's
        self.phones_a, self.leads_a, self.visits = [], [], []
        for n, receiver in enumerate(["c0", "c1", "c2", "c0", "c1", "c3", "c4", "c0"]):
            self._register(self.team_a, receiver, "客户%s%d" % (tag[:2], n), self.phones_a, self.leads_a)
        self.phones_b, self.leads_b = [], []
        for n, receiver in enumerate(["b0", "b1"]):
            self._register(self.team_b, receiver, "乙客户%d" % n, self.phones_b, self.leads_b)
        self.won_lead = self.leads_a[-1]
        self.dispute_leads = self.leads_a[:-1]
        # leads that are no office's customers (stock CRM), and a person the site manager filed by hand
        self.leads_other = [
            admin("crm.lead", "create", {"name": "普通线索 %s" % tag, "team_id": False, "user_id": False}),
            admin("crm.lead", "create", {"name": "销售线索 %s" % tag, "team_id": self.plain_team, "user_id": False}),
        ]
        self.leads_a.append(
            admin(
                "crm.lead",
                "create",
                {"name": "登记客户 %s" % tag, "team_id": self.team_a, "phone": self.fresh_phone(), "type": "lead"},
            )
        )
        building = admin("real.estate.building", "create", {"name": "楼%s" % tag, "team_id": self.team_a})
        unit = admin("real.estate.unit", "create", {"building_id": building, "number": "801", "floor": 8})
        admin("real.estate.unit", "reserve", {"unit_id": unit, "lead_id": self.won_lead, "handed_over": "money"})
        admin("real.estate.unit", "subscribe", {"unit_id": unit, "amount": 50_000})
        admin("real.estate.unit", "sign", {"unit_id": unit, "contract_amount": 1_500_000})
        self.reports = []
        for team, channel, phones in ((self.team_a, self.channel, 2), (self.team_b, self.channel_b, 1)):
            for _ in range(phones):
                self.reports.append(
                    admin(
                        "real.estate.report",
                        "submit",
                        {
                            "team_id": team,
                            "channel_id": channel,
                            "customer_name": "报备客户",
                            "phone": self.fresh_phone(),
                            "expected_visit": fz.fmt_datetime(fz.utc_now() + timedelta(hours=3)),
                        },
                    )["report_id"]
                )

        # disputes at every step (A), and one of B
        self.evidence = admin(
            "ir.attachment", "create", {"name": "结婚证.pdf", "datas": "eA==", "res_model": "real.estate.dispute"}
        )
        self.disputes_a, self.disputes_b = [], []
        for step, kind, note in (
            ("submitted", "customer_refuses", False),
            ("team_leader", "first_received", False),
            ("manager", "double_sale", True),
            ("director", "first_received", True),
            ("team_leader", "spouse", True),
            ("decided", "first_received", True),
        ):
            self.new_dispute(step, kind, note)
        self.disputes_b.append(
            admin(
                "real.estate.dispute",
                "create",
                {
                    "team_id": self.team_b,
                    "lead_id": self.leads_b[0],
                    "claimant_user_id": self.uid["b1"],
                    "kind": "first_received",
                    "statement": "乙案场的申诉",
                },
            )
        )
        # units: office A's building (refilled as the fuzz holds and sells them) and one unit of B
        self.building_a = admin("real.estate.building", "create", {"name": "甲楼 %s" % tag, "team_id": self.team_a})
        self.building_b = admin("real.estate.building", "create", {"name": "乙楼 %s" % tag, "team_id": self.team_b})
        self.units_a = []
        self.refill_units()
        self.units_b = [
            admin("real.estate.unit", "create", {"building_id": self.building_b, "number": "101", "floor": 1})
        ]
        # penalties: violations, a distance outside the zone, a confirmed one, one of B
        self.penalties_a, self.penalties_b = [], []
        for distance in (300, 999, 1500, 10):
            self.new_penalty(distance)
        admin("real.estate.channel.penalty", "action_confirm", [self.penalties_a[-1]])
        self.penalties_b.append(
            admin(
                "real.estate.channel.penalty",
                "create",
                {"agreement_id": self.penalty_agreement_b, "distance_m": 200, "team_id": self.team_b},
            )
        )

    # -- builders ----------------------------------------------------------------------------------
    _phone_counter = 0

    def fresh_phone(self):
        World._phone_counter += 1
        return "139%04d%04d" % (os.getpid() % 10_000, World._phone_counter)

    def _channel(self, kind, teams):
        channel = self.admin(
            "res.partner", "create", {"name": "渠道%s%s" % (kind, self.tag), "is_company": True, "channel_kind": kind}
        )
        agent = self.admin("res.partner", "create", {"name": "经纪人%s" % self.tag, "parent_id": channel})
        agreement = self.admin(
            "real.estate.channel.agreement",
            "create",
            {
                "name": "协议%s%s" % (kind, self.tag),
                "channel_id": channel,
                "team_ids": [(6, 0, teams)],
                "date_start": "2020-01-01",
            },
        )
        return channel, agent, agreement

    def _register(self, team, receiver, name, phones, leads):
        phone = self.fresh_phone()
        decision = self.admin(
            "real.estate.visit",
            "register",
            {"team_id": team, "customer_name": name, "phone": phone, "consultant_id": self.uid[receiver]},
        )
        phones.append(phone)
        leads.append(decision["lead_id"])
        self.visits.append(decision["visit_id"])

    def owner(self, lead):
        return self.admin("crm.lead", "attribution", [lead])[0]["owner_user_id"]

    def new_dispute(self, step, kind="first_received", note=True):
        """A dispute of office A brought by the site manager (admin) to ``step``."""
        admin = self.admin
        lead = self.dispute_leads[len(self.disputes_a) % len(self.dispute_leads)]
        owner = self.owner(lead)
        claimant = next(uid for uid in self.office_a if uid != owner)
        vals = {
            "team_id": self.team_a,
            "lead_id": lead,
            "claimant_user_id": claimant,
            "kind": kind,
            "statement": "我先接待的客户 %s" % step,
        }
        if kind == "spouse":
            vals.update(evidence_ids=[(6, 0, [self.evidence])], related_lead_id=self.leads_a[0])
        dispute = admin("real.estate.dispute", "create", vals)
        self.disputes_a.append(dispute)
        if step != "submitted":
            admin("real.estate.dispute", "action_submit", [dispute])
        if note:
            admin("real.estate.dispute", "write", [dispute], {"decision_note": "经核实"})
        for _ in range(DISPUTE_STATES.index(step) - 1 if step != "decided" else 0):
            admin("real.estate.dispute", "action_escalate", [dispute])
        if step == "decided":
            admin("real.estate.dispute", "action_reject", [dispute])
        return dispute

    def new_penalty(self, distance):
        penalty = self.admin(
            "real.estate.channel.penalty",
            "create",
            {
                "agreement_id": self.penalty_agreement,
                "agent_id": self.penalty_agent,
                "team_id": self.team_a,
                "distance_m": distance,
                "description": "在禁区内拦截客户",
            },
        )
        self.penalties_a.append(penalty)
        return penalty

    def refill_disputes(self, ledger):
        """Keep a dispute of office A at every step of the escalation for the buttons to act on."""
        with ledger.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM real_estate_dispute WHERE id IN %s GROUP BY state",
                [tuple(self.disputes_a)],
            )
            steps = dict(cr.fetchall())
        for step in ("submitted", "team_leader", "manager", "director"):
            if steps.get(step, 0) < 1:
                self.new_dispute(step, "first_received", note=len(self.disputes_a) % 3 != 0)
        ledger.invalidate()

    def refill_penalties(self, ledger):
        """Keep draft penalties, inside and outside the forbidden zone, for the Confirm button."""
        with ledger.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM real_estate_channel_penalty WHERE id IN %s AND state = 'draft'",
                [tuple(self.penalties_a)],
            )
            drafts = cr.fetchone()[0]
        if drafts < 2:
            self.new_penalty(100)
            self.new_penalty(2000)
        ledger.invalidate()

    def refill_units(self, ledger=None):
        """Keep available units in office A for holds and deposits (UC-1)."""
        states = {}
        if self.units_a:
            states = {u["id"]: u["state"] for u in self.admin("real.estate.unit", "read", self.units_a, ["state"])}
        if sum(1 for state in states.values() if state == "available") < 3:
            start = len(self.units_a)
            self.units_a += self.admin(
                "real.estate.unit",
                "create",
                [
                    {"building_id": self.building_a, "number": str(1001 + start + n), "floor": 10, "list_price": 2e6}
                    for n in range(4)
                ],
            )
        if ledger:
            ledger.invalidate()

    # -- pools of ids --------------------------------------------------------------------------------
    def all_users(self):
        return list(self.uid.values())

    def other_ids(self):
        """Ids of other models (and other offices): what a caller may pass by mistake or on purpose."""
        return (
            self.leads_other + self.visits + self.reports + self.channels + self.agents + self.agreements + self.teams
        )


@pytest.fixture(scope="module")
def world(server, admin):
    world = World(server, admin)
    # the registry's millions of objects live on: the many collections hypothesis causes need not scan them
    gc.collect()
    gc.freeze()
    yield world
    gc.unfreeze()


@pytest.fixture(scope="module")
def ledger(server):
    ledger = Ledger(server.db)
    yield ledger
    ledger.close()


@pytest.fixture(scope="module")
def fuzzer(ledger, summary):
    return Fuzzer(ledger, summary)


def _roles(*names):
    return st.sampled_from(names)


def _is_id(value):
    return type(value) is int and value > 0


def _id_or_false(value):
    return value is False or _is_id(value)


def _moment_or_false(value):
    return value is False or (isinstance(value, str) and bool(DATETIME_RE.match(value)))


def _record_count(ids):
    """How many records ``browse(ids)`` names (a bare id is one, None, False and 0 none)."""
    if not ids:
        return 0
    return 1 if isinstance(ids, int) else len(ids)


def _id_sequence(ids):
    if not ids:
        return []
    return [ids] if isinstance(ids, int) else list(ids)


# ----------------------------------------------------------------------------------------------------
# real.estate.visit — register(vals)
# ----------------------------------------------------------------------------------------------------
REGISTER_KEYS = {"visit_id", "lead_id", "owner_user_id", "owner_channel_id", "protected_until", "rule", "explanation"}


def _check_register(result):
    assert isinstance(result, dict) and set(result) == REGISTER_KEYS, "keys %s" % sorted(result)
    assert _is_id(result["visit_id"]), "visit_id"
    for key in ("lead_id", "owner_user_id", "owner_channel_id"):
        assert _id_or_false(result[key]), key
    assert _moment_or_false(result["protected_until"]), "protected_until"
    assert isinstance(result["rule"], str) and result["rule"], "rule"
    assert isinstance(result["explanation"], str), "explanation"
    if result["protected_until"]:
        assert result["owner_user_id"] or result["owner_channel_id"], "protected for nobody"


def test_fuzz_register(world, fuzzer, summary, record_property):
    users = world.all_users() + world.office_b
    user_ids = fz.ids(world.office_a, world.office_a, users)
    values = {
        "kind": fz.mostly(st.sampled_from(["visit", "call"])),
        "purpose": fz.mostly(
            st.sampled_from(
                [
                    "customer",
                    "deposit_sign",
                    "passerby",
                    "salesperson",
                    "job_seeker",
                    "looking_for_someone",
                    "market_research",
                ]
            )
        ),
        "source": fz.mostly(st.sampled_from(["natural", "channel", "referral", "company", "employee"])),
        "questions_asked": fz.mostly(st.booleans()),
        "first_visit": fz.mostly(st.sampled_from(["yes", "no", "unknown"])),
        "named_user_id": fz.mostly(user_ids),
        "designated_user_id": fz.mostly(user_ids),
        "consultant_id": fz.mostly(user_ids),
        "heard_from": fz.mostly(fz.any_text),
        "on_the_way": fz.mostly(st.booleans()),
        "at": fz.mostly(fz.moments(), fz.junk, 9),
        "party_ref": fz.mostly(fz.any_text),
        "assisting_user_id": fz.mostly(user_ids),
        "switched_to_user_id": fz.mostly(user_ids),
        "switch_instigated": fz.mostly(st.booleans()),
        "company_mode": fz.mostly(st.sampled_from(["consultant", "company", "non_sales"])),
        "referrer_phone": fz.phones(world.phones_a),
        "report_id": fz.ids(world.reports, world.leads_a),
        "accompanied_by": fz.ids([world.canvasser_agent], world.agents),
        "confirmed": fz.mostly(st.booleans()),
    }
    optional = st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
    )
    base = st.fixed_dictionaries(
        {
            "team_id": fz.mostly(st.just(world.team_a), fz.ids(world.teams, world.other_ids()), 9),
            "customer_name": fz.mostly(fz.names, fz.any_text, 9),
            "phone": fz.phones(world.phones_a),
        }
    )
    vals_strategy = fz.with_hostile_keys(
        st.tuples(base, st.integers(0, 2).flatmap(lambda n: optional if n == 0 else st.just({}))).map(
            lambda pair: {**pair[0], **pair[1]}
        ),
        set(values) | {"team_id", "customer_name", "phone"},
    )

    @FUZZ_SETTINGS
    @given(
        role=_roles("c0", "c0", "c0", "c1", "importer", "admin", "leader", "agent"), vals=vals_strategy, ctx=CONTEXTS
    )
    def register(role, vals, ctx):
        result = fuzzer.call(
            "real.estate.visit.register",
            world.clients[role],
            "real.estate.visit",
            "register",
            [vals],
            context=ctx,
            check=_check_register,
        )
        if isinstance(result, dict) and result.get("lead_id") and len(world.leads_a) < 60:
            if isinstance(vals, dict) and vals.get("team_id") == world.team_a:
                world.leads_a.append(result["lead_id"])

    register()
    _finish(summary, record_property, "real.estate.visit.register")


# ----------------------------------------------------------------------------------------------------
# real.estate.report — submit(vals)
# ----------------------------------------------------------------------------------------------------
SUBMIT_KEYS = {"report_id", "state", "reason_code", "message", "valid_until"}


def _check_submit(result):
    assert isinstance(result, dict) and set(result) == SUBMIT_KEYS, "keys %s" % sorted(result)
    assert _is_id(result["report_id"]), "report_id"
    assert result["state"] in ("valid", "rejected"), "state"
    assert isinstance(result["message"], str) and result["message"], "message"
    if result["state"] == "valid":
        assert result["reason_code"] is False, "a valid report has no reason"
        assert _moment_or_false(result["valid_until"]) and result["valid_until"], "valid_until"
    else:
        assert result["reason_code"] in REASON_CODES, "reason_code"
        assert result["valid_until"] is False, "a rejected report has no validity"


def test_fuzz_submit(world, fuzzer, summary, record_property):
    values = {
        "agent_id": fz.ids([world.agent_partner, world.agent_partner_2], world.agents, world.office_a),
        "at": fz.mostly(fz.moments(), fz.junk, 9),
        "product": fz.mostly(st.sampled_from(["home", "parking"])),
        "referrer_phone": fz.phones(world.phones_a),
    }
    optional = st.lists(st.sampled_from(sorted(values)), max_size=2, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
    )
    base = st.fixed_dictionaries(
        {
            "team_id": fz.mostly(st.just(world.team_a), fz.ids(world.teams, world.other_ids()), 9),
            "channel_id": fz.mostly(st.just(world.channel), fz.ids(world.channels, world.agents, world.teams), 8),
            "customer_name": fz.mostly(fz.names, fz.any_text, 9),
            "phone": fz.phones(world.phones_a),
            "expected_visit": fz.mostly(
                st.integers(35 * 60, 20 * 86_400).map(lambda s: fz.fmt_datetime(fz.utc_now() + timedelta(seconds=s))),
                fz.moments(),
                5,
            ),
        }
    )
    vals_strategy = fz.with_hostile_keys(
        st.tuples(base, st.integers(0, 2).flatmap(lambda n: optional if n == 0 else st.just({}))).map(
            lambda pair: {**pair[0], **pair[1]}
        ),
        set(values) | {"team_id", "channel_id", "customer_name", "phone", "expected_visit"},
    )

    @FUZZ_SETTINGS
    @given(role=_roles("admin", "chanmgr", "agent", "agent", "c0", "importer"), vals=vals_strategy, ctx=CONTEXTS)
    def submit(role, vals, ctx):
        if role == "agent" and isinstance(vals, dict) and vals.get("channel_id") == world.channel:
            vals = {key: value for key, value in vals.items() if key != "channel_id"}  # agents name no channel
        result = fuzzer.call(
            "real.estate.report.submit",
            world.clients[role],
            "real.estate.report",
            "submit",
            [vals],
            context=ctx,
            check=_check_submit,
        )
        if isinstance(result, dict) and len(world.reports) < 40:
            world.reports.append(result["report_id"])

    submit()
    _finish(summary, record_property, "real.estate.report.submit")


# ----------------------------------------------------------------------------------------------------
# crm.lead — log_followup(ids, note, kind, at), attribution(ids), commission_shares(ids)
# ----------------------------------------------------------------------------------------------------
ATTRIBUTION_KEYS = {
    "lead_id",
    "owner_user_id",
    "owner_channel_id",
    "protection_state",
    "protected_until",
    "rule",
    "explanation",
}


def _lead_ids(world):
    return fz.id_lists(
        fz.ids(world.leads_a, world.leads_a, world.leads_b, world.leads_other, world.other_ids() + world.disputes_a)
    )


def test_fuzz_log_followup(world, fuzzer, summary, record_property):
    args = st.tuples(
        _lead_ids(world),
        fz.mostly(fz.any_text),
        fz.mostly(st.sampled_from(["call", "message", "meeting", "other"])),
        fz.mostly(st.none(), fz.moments(), 5),
        st.integers(0, 3),
    ).map(lambda a: [a[0], *a[1 : 1 + a[4]]])

    def check(ids):
        def _check(result):
            assert isinstance(result, list) and all(_is_id(i) for i in result), "a list of follow-up ids"
            assert len(result) == _record_count(ids), "one follow-up per customer"

        return _check

    @FUZZ_SETTINGS
    @given(role=_roles("c0", "c0", "c1", "importer", "admin", "agent", "leader"), args=args, ctx=CONTEXTS)
    def log_followup(role, args, ctx):
        fuzzer.call(
            "crm.lead.log_followup",
            world.clients[role],
            "crm.lead",
            "log_followup",
            args,
            context=ctx,
            check=check(args[0]),
        )

    log_followup()
    _finish(summary, record_property, "crm.lead.log_followup")


def test_fuzz_attribution(world, fuzzer, summary, record_property):
    def check(ids):
        def _check(result):
            assert isinstance(result, list) and len(result) == _record_count(ids), "one answer per customer"
            for lead_id, answer in zip(_id_sequence(ids), result, strict=True):
                assert isinstance(answer, dict) and set(answer) == ATTRIBUTION_KEYS, "keys %s" % sorted(answer)
                assert answer["lead_id"] == lead_id, "lead_id"
                assert _id_or_false(answer["owner_user_id"]) and _id_or_false(answer["owner_channel_id"]), "owner"
                assert answer["protection_state"] in PROTECTION_STATES, "protection_state"
                assert _moment_or_false(answer["protected_until"]), "protected_until"
                assert isinstance(answer["rule"], str) and isinstance(answer["explanation"], str), "rule"

        return _check

    @FUZZ_SETTINGS
    @given(role=_roles("c0", "c0", "c1", "admin", "leader", "agent"), ids=_lead_ids(world), ctx=CONTEXTS)
    def attribution(role, ids, ctx):
        fuzzer.call(
            "crm.lead.attribution",
            world.clients[role],
            "crm.lead",
            "attribution",
            [ids],
            context=ctx,
            check=check(ids),
        )

    attribution()
    _finish(summary, record_property, "crm.lead.attribution")


def test_fuzz_commission_shares(world, fuzzer, summary, record_property):
    one = fz.ids([world.won_lead], world.leads_a, world.leads_b, world.other_ids())

    def check(ids):
        def _check(result):
            assert isinstance(result, list) and len(result) == _record_count(ids), "one answer per deal"
            for lead_id, deal in zip(_id_sequence(ids), result, strict=True):
                assert isinstance(deal, dict) and set(deal) == {"lead_id", "shares"}, "keys %s" % sorted(deal)
                assert deal["lead_id"] == lead_id, "lead_id"
                assert isinstance(deal["shares"], list), "shares"
                for share in deal["shares"]:
                    assert set(share) == {"user_id", "channel_id", "pool", "percent", "rule"}, "share keys"
                    named = [bool(share["user_id"]), bool(share["channel_id"]), bool(share["pool"])]
                    assert named.count(True) == 1, "each share names one beneficiary"
                    assert share["pool"] in (False, "public", "team"), "pool"
                    assert isinstance(share["percent"], float | int) and share["percent"] > 0, "percent"
                    assert isinstance(share["rule"], str) and share["rule"], "rule"
                if deal["shares"]:
                    assert round(sum(s["percent"] for s in deal["shares"]), 2) == 100, "CS-16: 100% per deal"

        return _check

    @FUZZ_SETTINGS
    @given(role=_roles("c0", "c0", "c1", "admin", "leader", "agent"), ids=fz.id_lists(one), ctx=CONTEXTS)
    def commission_shares(role, ids, ctx):
        fuzzer.call(
            "crm.lead.commission_shares",
            world.clients[role],
            "crm.lead",
            "commission_shares",
            [ids],
            context=ctx,
            check=check(ids),
        )

    commission_shares()
    _finish(summary, record_property, "crm.lead.commission_shares")


# ----------------------------------------------------------------------------------------------------
# real.estate.ownership.log — verify(team_id)
# ----------------------------------------------------------------------------------------------------
def test_fuzz_verify(world, fuzzer, summary, record_property):
    def check(team_id):
        def _check(result):
            keys = {"ok", "checked", "first_bad_id", "first_bad_position", "message"}
            assert isinstance(result, dict) and set(result) == keys, "keys %s" % sorted(result)
            assert isinstance(result["ok"], bool), "ok"
            assert type(result["checked"]) is int and result["checked"] >= 0, "checked"
            assert _id_or_false(result["first_bad_id"]) and _id_or_false(result["first_bad_position"]), "first bad"
            assert result["ok"] == (result["first_bad_id"] is False), "ok and first_bad_id agree"
            assert isinstance(result["message"], str) and result["message"], "message"
            if team_id in (world.team_a, world.team_b):
                assert result["ok"], "the chain of an office nobody tampered with holds"

        return _check

    team_ids = fz.mostly(fz.ids([world.team_a, world.team_b], world.teams, world.other_ids()), fz.junk, 7)

    @FUZZ_SETTINGS
    @given(
        role=_roles("admin", "admin", "c0", "leader", "chanmgr", "agent", "importer"), team_id=team_ids, ctx=CONTEXTS
    )
    def verify(role, team_id, ctx):
        fuzzer.call(
            "real.estate.ownership.log.verify",
            world.clients[role],
            "real.estate.ownership.log",
            "verify",
            [team_id],
            context=ctx,
            check=check(team_id),
        )

    verify()
    _finish(summary, record_property, "real.estate.ownership.log.verify")


# ----------------------------------------------------------------------------------------------------
# real.estate.dispute — create(vals), write(ids, vals) and its buttons
# ----------------------------------------------------------------------------------------------------
def _share_lines(world):
    line = st.fixed_dictionaries(
        {"percent": fz.mostly(st.sampled_from([100, 50, 50.0, 70, 30, 33.33, 0, -10, 100.001, 1e9]))},
        optional={
            "user_id": fz.ids(world.office_a, world.all_users()),
            "channel_id": fz.ids(world.channels, world.agents),
            "share_pool": fz.mostly(st.sampled_from(["public", "team"])),
            "dispute_id": fz.ids(world.disputes_a, world.disputes_b),
        },
    )
    return st.one_of(
        st.lists(st.tuples(st.just(0), st.just(0), line), max_size=3),
        st.just([(0, 0, {"user_id": world.uid["c1"], "percent": 60}), (0, 0, {"share_pool": "public", "percent": 40})]),
        st.lists(
            st.one_of(
                st.tuples(st.sampled_from([1, 2, 3, 4]), fz.ids(world.disputes_a)),
                st.tuples(st.just(5)),
                st.tuples(st.just(6), st.just(0), st.lists(fz.ids(world.disputes_a), max_size=2)),
                st.tuples(st.sampled_from([0, 1]), fz.ids(world.disputes_a), fz.junk),
                fz.junk,
            ),
            max_size=2,
        ),
        fz.junk,
    )


def _dispute_values(world):
    """The fields of a dispute a caller may send, with plausible and hostile values."""
    leads = fz.ids(world.leads_a, world.leads_a, world.leads_b, world.other_ids())
    users = fz.ids(world.office_a, world.all_users())
    return {
        "team_id": fz.mostly(st.just(world.team_a), fz.ids(world.teams, world.other_ids()), 8),
        "lead_id": fz.mostly(leads),
        "customer_phone": fz.phones(world.phones_a + world.phones_b),
        "kind": fz.mostly(st.sampled_from(DISPUTE_KINDS)),
        "statement": fz.mostly(fz.any_text),
        "share_ids": _share_lines(world),
        "claimant_user_id": fz.mostly(users),
        "claimant_channel_id": fz.ids(world.channels, world.agents),
        "related_lead_id": leads,
        "evidence_ids": st.one_of(
            st.just([(6, 0, [world.evidence])]),
            st.just([(0, 0, {"name": "户口本.pdf", "datas": "eA=="})]),
            st.just([(4, world.evidence)]),
            fz.junk,
        ),
        "decision_note": fz.mostly(fz.any_text),
        "state": fz.mostly(st.sampled_from(DISPUTE_STATES)),
        "outcome": fz.mostly(st.sampled_from(["upheld", "rejected", "forfeited"])),
        "proposed_outcome": fz.mostly(st.sampled_from(["upheld", "rejected", "forfeited"])),
        "decided_by": users,
        "decided_at": fz.moments(),
        "owner_before_id": users,
        "channel_before_id": fz.ids(world.channels),
        "claimed_at": fz.moments(),
        "name": fz.any_text,
        "activity_ids": st.one_of(st.just([(5,)]), fz.junk),
        "message_follower_ids": st.one_of(st.just([(0, 0, {"partner_id": world.agent_partner})]), fz.junk),
        "company_id": fz.ids([1], world.teams),
    }


def test_fuzz_dispute_create(world, fuzzer, summary, record_property):
    values = _dispute_values(world)
    claim = st.fixed_dictionaries(
        {"team_id": values["team_id"], "kind": values["kind"], "statement": values["statement"]},
    )
    customer = st.one_of(
        st.fixed_dictionaries({"lead_id": values["lead_id"]}),
        st.fixed_dictionaries({"customer_phone": values["customer_phone"]}),
        st.just({}),
    )
    extra_keys = sorted(set(values) - {"team_id", "kind", "statement", "lead_id", "customer_phone"})
    extras = st.lists(st.sampled_from(extra_keys), max_size=2, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
    )
    one = st.tuples(claim, customer, st.integers(0, 2).flatmap(lambda n: extras if n == 0 else st.just({}))).map(
        lambda parts: {**parts[0], **parts[1], **parts[2]}
    )
    vals_strategy = fz.with_hostile_keys(one, set(values))

    def check(vals):
        def _check(result):
            if isinstance(vals, list):
                assert isinstance(result, list) and len(result) == len(vals) and all(map(_is_id, result)), "ids"
            else:
                assert _is_id(result), "the new dispute's id"

        return _check

    @FUZZ_SETTINGS
    @given(role=_roles("c1", "c1", "c0", "leader", "admin", "agent", "chanmgr"), vals=vals_strategy, ctx=CONTEXTS)
    def create(role, vals, ctx):
        result = fuzzer.call(
            "real.estate.dispute.create",
            world.clients[role],
            "real.estate.dispute",
            "create",
            [vals],
            context=ctx,
            check=check(vals),
        )
        if _is_id(result) and len(world.disputes_a) < 40:
            world.disputes_a.append(result)

    create()
    _finish(summary, record_property, "real.estate.dispute.create")


def test_fuzz_dispute_write(world, fuzzer, summary, ledger, record_property):
    values = _dispute_values(world)
    common = ["statement", "kind", "decision_note", "share_ids", "evidence_ids", "related_lead_id"]
    vals_strategy = fz.with_hostile_keys(
        st.lists(st.sampled_from(common + sorted(set(values) - set(common))), min_size=1, max_size=2, unique=True)
        .filter(lambda keys: len(keys) == 1 or keys[1] in common)
        .flatmap(lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})),
        set(values),
    )
    dispute_ids = fz.id_lists(fz.ids(world.disputes_a, world.disputes_a, world.disputes_b, world.leads_a))

    @FUZZ_SETTINGS
    @given(
        role=_roles("c0", "c1", "c1", "leader", "admin", "admin", "agent", "chanmgr"),
        ids=dispute_ids,
        vals=vals_strategy,
        ctx=CONTEXTS,
    )
    def write(role, ids, vals, ctx):
        fuzzer.call(
            "real.estate.dispute.write",
            world.clients[role],
            "real.estate.dispute",
            "write",
            [ids, vals],
            context=ctx,
            check=lambda result: _assert(result is True, "write answers True"),
        )

    write()
    _finish(summary, record_property, "real.estate.dispute.write")


def _assert(condition, message):
    assert condition, message


@pytest.mark.parametrize("button", DISPUTE_BUTTONS)
def test_fuzz_dispute_buttons(button, world, fuzzer, summary, ledger, record_property):
    label = "real.estate.dispute.%s" % button

    @FUZZ_SETTINGS
    @given(
        role=_roles("c0", "c1", "c0", "c1", "leader", "admin", "agent", "chanmgr", "importer"),
        data=st.data(),
        ctx=CONTEXTS,
    )
    def press(role, data, ctx):
        if summary.count(label).tried % 50 == 0:
            world.refill_disputes(ledger)
        ids = data.draw(fz.id_lists(fz.ids(world.disputes_a, world.disputes_a, world.disputes_b, world.leads_a)))
        fuzzer.call(
            label,
            world.clients[role],
            "real.estate.dispute",
            button,
            [ids],
            context=ctx,
            check=lambda result: _assert(result is True, "a button answers True"),
        )

    press()
    _finish(summary, record_property, label)


# ----------------------------------------------------------------------------------------------------
# real.estate.channel.penalty — create(vals), write(ids, vals), action_confirm
# ----------------------------------------------------------------------------------------------------
def _penalty_values(world):
    return {
        "agreement_id": fz.mostly(
            fz.ids([world.penalty_agreement], [world.penalty_agreement_b], world.agreements, world.other_ids()),
            fz.junk,
            9,
        ),
        "distance_m": fz.mostly(
            st.one_of(st.integers(0, 2_000), st.sampled_from([-1, 0, 999, 1000, 1001, fz.INT_MAX, fz.INT_MIN]))
        ),
        "agent_id": fz.ids([world.penalty_agent], world.agents, world.channels, world.office_a),
        "team_id": fz.mostly(fz.ids([world.team_a], world.teams, world.other_ids())),
        "date": fz.mostly(fz.days()),
        "kind": fz.mostly(st.just("forbidden_zone")),
        "description": fz.mostly(fz.any_text),
        "agent_fine": fz.mostly(
            st.one_of(
                st.sampled_from([500, 750.5, 1000, 499.99, 1000.01, 0, -500, 1e15, 1e300]),
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(fz.INT_MIN, fz.INT_MAX),
            )
        ),
        "state": fz.mostly(st.sampled_from(["draft", "confirmed"])),
        "offence_number": st.integers(fz.INT_MIN, fz.INT_MAX),
        "company_fine": st.floats(),
        "channel_id": fz.ids(world.channels, world.agents),
        "currency_id": fz.ids([1, 2, 3, 7]),
        "message_follower_ids": st.one_of(st.just([(0, 0, {"partner_id": world.agent_partner})]), fz.junk),
    }


def test_fuzz_penalty_create(world, fuzzer, summary, record_property):
    values = _penalty_values(world)
    base = st.fixed_dictionaries({"agreement_id": values["agreement_id"], "distance_m": values["distance_m"]})
    optional_keys = sorted(set(values) - {"agreement_id", "distance_m"})
    common = ["agent_id", "team_id", "date", "description", "agent_fine", "kind"]
    extras = st.lists(st.sampled_from(common + optional_keys), max_size=3, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
    )
    vals_strategy = fz.with_hostile_keys(st.tuples(base, extras).map(lambda p: {**p[0], **p[1]}), set(values))

    def check(vals):
        def _check(result):
            if isinstance(vals, list):
                assert isinstance(result, list) and len(result) == len(vals) and all(map(_is_id, result)), "ids"
            else:
                assert _is_id(result), "the new penalty's id"

        return _check

    @FUZZ_SETTINGS
    @given(role=_roles("chanmgr", "chanmgr", "admin", "c0", "agent", "leader"), vals=vals_strategy, ctx=CONTEXTS)
    def create(role, vals, ctx):
        result = fuzzer.call(
            "real.estate.channel.penalty.create",
            world.clients[role],
            "real.estate.channel.penalty",
            "create",
            [vals],
            context=ctx,
            check=check(vals),
        )
        if _is_id(result) and len(world.penalties_a) < 40:
            world.penalties_a.append(result)

    create()
    _finish(summary, record_property, "real.estate.channel.penalty.create")


def test_fuzz_penalty_write(world, fuzzer, summary, ledger, record_property):
    values = _penalty_values(world)
    vals_strategy = fz.with_hostile_keys(
        st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=2, unique=True).flatmap(
            lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
        ),
        set(values),
    )
    penalty_ids = fz.id_lists(fz.ids(world.penalties_a, world.penalties_a, world.penalties_b, world.disputes_a))

    @FUZZ_SETTINGS
    @given(role=_roles("chanmgr", "chanmgr", "admin", "c0", "agent"), ids=penalty_ids, vals=vals_strategy, ctx=CONTEXTS)
    def write(role, ids, vals, ctx):
        fuzzer.call(
            "real.estate.channel.penalty.write",
            world.clients[role],
            "real.estate.channel.penalty",
            "write",
            [ids, vals],
            context=ctx,
            check=lambda result: _assert(result is True, "write answers True"),
        )

    write()
    _finish(summary, record_property, "real.estate.channel.penalty.write")


def test_fuzz_penalty_confirm(world, fuzzer, summary, ledger, record_property):
    label = "real.estate.channel.penalty.action_confirm"

    @FUZZ_SETTINGS
    @given(role=_roles("chanmgr", "chanmgr", "admin", "c0", "agent", "leader"), data=st.data(), ctx=CONTEXTS)
    def confirm(role, data, ctx):
        if summary.count(label).tried % 50 == 0:
            world.refill_penalties(ledger)
        ids = data.draw(fz.id_lists(fz.ids(world.penalties_a, world.penalties_a, world.penalties_b, world.disputes_a)))
        fuzzer.call(
            label,
            world.clients[role],
            "real.estate.channel.penalty",
            "action_confirm",
            [ids],
            context=ctx,
            check=lambda result: _assert(result is True, "a button answers True"),
        )

    confirm()
    _finish(summary, record_property, label)


# ----------------------------------------------------------------------------------------------------
# real.estate.unit — units, reserve, confirm_hold, subscribe, sign, cancel (UC-1 to UC-5)
# ----------------------------------------------------------------------------------------------------
UNIT_METHODS = ["units", "unit_grid", "reserve", "confirm_hold", "subscribe", "sign", "cancel"]
UNIT_STATES = {"available", "reserved", "subscribed", "signed"}
RESERVATION_KEYS = {"reservation_id", "name", "unit_id", "lead_id", "user_id", "state", "handed_over", "hold_until"}
DEAL_KEYS = {"subscription_id", "name", "unit_id", "lead_id", "user_id", "state", "amount", "subscribed_at"}
DEAL_KEYS |= {"without_reservation", "contract_amount", "signed_at"}


def _check_unit(result):
    assert isinstance(result, dict) and _is_id(result["unit_id"]) and result["state"] in UNIT_STATES, result
    for key in ("lead_id", "user_id", "reservation_id", "subscription_id"):
        assert _id_or_false(result[key]), key
    for key in ("hold_until", "subscribed_at", "signed_at"):
        assert _moment_or_false(result[key]), key


def _check_unit_answer(method):
    def check(result):
        if method == "units":
            assert isinstance(result, list), "a list of units"
            for unit in result:
                _check_unit(unit)
        elif method == "unit_grid":
            assert isinstance(result, dict) and {"buildings", "building_id", "floors", "counts"} <= set(result), result
            for floor in result["floors"]:
                assert all(cell["state"] in UNIT_STATES for cell in floor["units"]), floor
        elif method in ("reserve", "confirm_hold"):
            assert isinstance(result, dict) and set(result) == RESERVATION_KEYS, sorted(result)
            assert result["state"] in ("requested", "held") and _is_id(result["reservation_id"]), result
        elif method in ("subscribe", "sign"):
            assert isinstance(result, dict) and set(result) == DEAL_KEYS, sorted(result)
            assert result["state"] in ("to_approve", "subscribed", "signed"), result
            assert _moment_or_false(result["subscribed_at"]) and _moment_or_false(result["signed_at"])
        else:
            _check_unit(result)
            assert result["state"] == "available", "a cancelled deal or hold returns the unit"

    return check


@pytest.mark.parametrize("method", UNIT_METHODS)
def test_fuzz_units(method, world, fuzzer, summary, ledger, record_property):
    units = fz.ids(*[world.units_a] * 6, world.units_b, world.leads_a, world.other_ids())
    values = {
        "unit_id": fz.mostly(units),
        "lead_id": fz.mostly(fz.ids(*[world.leads_a] * 4, world.leads_b, world.other_ids())),
        "handed_over": fz.mostly(st.sampled_from(["money", "id_card"])),
        "amount": fz.mostly(st.sampled_from([50_000, 20_000, 5_000, 1e6]), fz.junk, 7),
        "contract_amount": fz.mostly(st.sampled_from([2_000_000, 1_980_000.5]), fz.junk, 7),
        "payment_ref": fz.mostly(fz.any_text),
        "contract_ref": fz.mostly(fz.any_text),
        "reason": fz.mostly(fz.any_text),
        "note": fz.mostly(fz.any_text),
        "at": fz.mostly(fz.moments(), fz.junk, 9),
    }
    keys = {
        "reserve": ["unit_id", "lead_id", "handed_over", "note", "at"],
        "confirm_hold": ["unit_id", "handed_over", "at"],
        "subscribe": ["unit_id", "lead_id", "amount", "payment_ref", "at"],
        "sign": ["unit_id", "contract_amount", "contract_ref", "at"],
        "cancel": ["unit_id", "reason", "at"],
    }
    roles = _roles("admin", "admin", "admin", "admin", "importer", "importer", "c0", "c1", "leader", "chanmgr", "agent")
    if method == "units":
        team = fz.mostly(st.just(world.team_a), fz.ids(world.teams, world.other_ids()), 7)
        filters = fz.mostly(
            st.fixed_dictionaries(
                {},
                optional={
                    "building_id": fz.mostly(st.just(world.building_a)),
                    "state": fz.mostly(st.sampled_from(sorted(UNIT_STATES))),
                    "floor": fz.mostly(st.integers(-2, 30)),
                },
            ),
            fz.junk,
            7,
        )
        args_strategy = st.tuples(team, filters).map(list)
    elif method == "unit_grid":
        team = fz.mostly(st.just(world.team_a), fz.ids(world.teams, world.other_ids()), 7)
        building = fz.mostly(st.just(world.building_a), fz.junk, 7)
        states = fz.mostly(
            st.one_of(st.sampled_from(sorted(UNIT_STATES)), st.lists(st.sampled_from(sorted(UNIT_STATES)))),
            fz.junk,
            7,
        )
        args_strategy = st.tuples(team, building, states).map(list)
    else:
        required = {
            "reserve": {"unit_id", "lead_id"},
            "confirm_hold": {"unit_id", "handed_over"},
            "subscribe": {"unit_id", "lead_id", "amount"},
            "sign": {"unit_id", "contract_amount"},
            "cancel": {"unit_id", "reason"},
        }[method]
        base = st.fixed_dictionaries({key: values[key] for key in required})
        optional = st.lists(st.sampled_from(keys[method]), max_size=3, unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries({key: values[key] for key in chosen})
        )
        vals = fz.with_hostile_keys(st.tuples(base, optional).map(lambda p: {**p[0], **p[1]}), set(keys[method]))
        args_strategy = vals.map(lambda v: [v])

    @FUZZ_SETTINGS
    @given(role=roles, args=args_strategy, ctx=CONTEXTS)
    def call(role, args, ctx):
        fuzzer.call(
            "real.estate.unit.%s" % method,
            world.clients[role],
            "real.estate.unit",
            method,
            args,
            context=ctx,
            check=_check_unit_answer(method),
        )
        world.refill_units(ledger)

    call()
    _finish(summary, record_property, "real.estate.unit.%s" % method)
