import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.sql_db import Cursor
from odoo.tests import TransactionCase, new_test_user

#: Monday 2 March 2026, 10:00 in Shanghai.
T0 = datetime(2026, 3, 2, 2, 0, 0)
#: A read of records by the ORM, and their table (the engine's own SQL names its tables unquoted).
ORM_READ = re.compile(r'^\s*SELECT "(\w+)"\."id"')


@contextmanager
def orm_reads():
    """The tables the ORM reads from while the block runs, counted (the queries themselves run as usual, as
    Odoo's own ``assertQueries`` collects them). ``tables.widest[table]``: the most columns one read took."""
    tables = Counter()
    tables.widest = Counter()
    execute = Cursor.execute

    def counting(cursor, query, params=None, log_exceptions=True):
        code = str(query.code if hasattr(query, "code") else query)
        match = ORM_READ.match(code)
        if match:
            table = match.group(1)
            tables[table] += 1
            columns = code[: code.find(" FROM ")].count('"%s".' % table)
            tables.widest[table] = max(tables.widest[table], columns)
        return execute(cursor, query, params, log_exceptions)

    with patch.object(Cursor, "execute", counting):
        yield tables


class AttributionCase(TransactionCase):
    """A sales office with five consultants, a manager and an importer.

    Time is frozen around every registration so that the rules see the
    moment of the scenario; nothing depends on the real clock.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.manager = new_test_user(
            cls.env, "re_manager", groups="real_estate_attribution.group_site_manager", name="Manager Zhao"
        )
        cls.importer = new_test_user(
            cls.env,
            "re_importer",
            groups="real_estate_attribution.group_consultant,real_estate_attribution.group_data_import",
            name="Importer",
        )
        cls.consultants = [
            new_test_user(cls.env, login, groups="real_estate_attribution.group_consultant", name=name)
            for login, name in (
                ("re_li", "Li Na"),
                ("re_wang", "Wang Qiang"),
                ("re_zhang", "Zhang Wei"),
                ("re_liu", "Liu Yang"),
                ("re_chen", "Chen Jing"),
            )
        ]
        cls.li, cls.wang, cls.zhang, cls.liu, cls.chen = cls.consultants
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Test Office",
                "is_sales_office": True,
                "office_tz": "Asia/Shanghai",
                "user_id": cls.manager.id,
                "crm_team_member_ids": [(0, 0, {"user_id": user.id}) for user in cls.consultants],
            }
        )
        cls.engine = cls.env["real.estate.ownership.engine"]
        cls.Visit = cls.env["real.estate.visit"]

    # ------------------------------------------------------------------
    def register(self, at=T0, user=None, **vals):
        """Register a contact at ``at`` (time frozen) as ``user`` (default: Li Na)."""
        values = {"team_id": self.team.id, "kind": "visit", "customer_name": "王伟", "phone": "13812345678"}
        values.update(vals)
        if user is None:  # RO-1, CH-5: the reception desk names the receiver or attaches a channel's claim
            reception = ("consultant_id", "report_id", "accompanied_by")
            user = self.manager if any(vals.get(key) for key in reception) else self.li
        with freeze_time(at):
            return self.Visit.with_user(user).register(values)

    def attribution(self, lead_id, at):
        with freeze_time(at):
            return self.env["crm.lead"].browse(lead_id).attribution()[0]

    def roster(self, at=T0):
        return self.engine._roster_for(self.team, at)

    def set_status(self, user, status, at=T0):
        line = self.roster(at).line_ids.filtered(lambda line: line.user_id == user)
        line.write({"status": status, "status_until": False})
        return line

    def follow_up(self, lead_id, user, at):
        with freeze_time(at):
            return self.env["crm.lead"].browse(lead_id).with_user(user).log_followup(note="call back")

    @staticmethod
    def days(n, hours=0):
        return T0 + timedelta(days=n, hours=hours)

    def make_roster(self, users, at=T0):
        """Today's roster with ``users`` in this order, all available."""
        day = self.engine._office_date(self.team, at)
        return self.env["real.estate.roster"].create(
            {
                "team_id": self.team.id,
                "date": day,
                "line_ids": [(0, 0, {"sequence": seq, "user_id": user.id}) for seq, user in enumerate(users, 1)],
            }
        )

    def walk_in(self, n, at=T0, **vals):
        """Register the ``n``-th distinct first-time walk-in."""
        vals.setdefault("customer_name", "客户%s" % n)
        vals.setdefault("phone", "1390000%04d" % n)
        return self.register(at=at, **vals)

    def sign_deal(self, lead, amount=1_000_000, at=T0, user=None):
        """UC-2 to UC-5: a unit of the customer's office is held for them, subscribed and signed at ``at``
        (time frozen), by the site manager: the deal is won on its contract amount."""
        user = user or self.manager
        team = lead.team_id
        Building = self.env["real.estate.building"]
        building = Building.search([("team_id", "=", team.id)], limit=1) or Building.create(
            {"name": "T%s" % team.id, "team_id": team.id}
        )
        unit = self.env["real.estate.unit"].create(
            {
                "building_id": building.id,
                "number": str(1000 + len(building.unit_ids) + 1),
                "floor": 10,
                "position": len(building.unit_ids) + 1,
                "area": 100,
                "list_price": amount,
            }
        )
        Unit = self.env["real.estate.unit"].with_user(user)
        with freeze_time(at):
            Unit.reserve({"unit_id": unit.id, "lead_id": lead.id, "handed_over": "money"})
            Unit.subscribe({"unit_id": unit.id, "amount": max(team.deposit_minimum, 50_000)})
            Unit.sign({"unit_id": unit.id, "contract_amount": amount})
        return unit
