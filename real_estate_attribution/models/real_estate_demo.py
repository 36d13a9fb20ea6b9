"""Demo history for the office 滨江壹号 Binjiang No.1 (loaded with demo data only).

The history is replayed through the ownership engine, in time order, relative
to the moment of installation: every protection state, rule and audit line
in the demo is one the engine really produced.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models

from .ownership_engine import Contact

CUSTOMERS = [
    "王建国",
    "刘芳",
    "陈志强",
    "陈老先生",
    "陈志明",
    "杨帆",
    "赵雪",
    "黄磊",
    "周婷",
    "吴昊",
    "徐静",
    "孙鹏",
    "马丽",
    "朱涛",
    "胡敏",
    "郭强",
    "何琳",
    "高峰",
    "林晓",
    "罗军",
    "梁燕",
    "宋杰",
    "郑欣",
    "谢斌",
    "韩梅",
    "唐亮",
    "冯雪",
    "于洋",
    "董琪",
    "萧然",
    "程浩",
    "曹颖",
    "袁野",
    "邓超",
    "许晴",
    "傅磊",
    "沈悦",
    "曾毅",
    "彭丽",
    "吕强",
    "苏婉",
    "蒋涛",
    "蔡琳",
    "贾鹏",
    "丁宁",
    "魏东",
    "薛梅",
    "龚总",
]


class RealEstateDemoLoader(models.AbstractModel):
    _name = "real.estate.demo.loader"
    _description = "Sales Office Demo History"

    @api.model
    def _load_demo(self, team_xmlid):
        team = self.env.ref(team_xmlid)
        importer = self.env.ref("base.user_admin")
        loader = self.with_user(importer).with_context(tracking_disable=True, mail_notrack=True)
        loader.env["real.estate.unit.demo.loader"]._load_buildings(team)
        loader._replay(team)
        loader.env["real.estate.protection"]._cron_expire()
        loader._grade_customers(team)
        loader._open_dispute(team)
        loader.env["real.estate.unit.demo.loader"]._load_today(team)
        loader._record_violation(team)

    # ------------------------------------------------------------------
    def _moment(self, team, days_ago, hour, minute=0):
        """UTC moment ``days_ago`` days before today, at ``hour`` in the office."""
        tz = pytz.timezone(team.office_tz)
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        local = tz.localize(datetime.combine(today - timedelta(days=days_ago), time(hour, minute)))
        return min(local.astimezone(pytz.utc).replace(tzinfo=None), fields.Datetime.now() - timedelta(minutes=5))

    @staticmethod
    def _phone(index):
        prefixes = ("138", "139", "136", "137", "158", "186")
        return "%s%08d" % (prefixes[index % len(prefixes)], 52001000 + index * 7919)

    def _consultants(self):
        ref = self.env.ref
        return {
            "li": ref("real_estate_attribution.user_consultant_li"),
            "wang": ref("real_estate_attribution.user_consultant_wang"),
            "zhang": ref("real_estate_attribution.user_consultant_zhang"),
            "liu": ref("real_estate_attribution.user_consultant_liu"),
            "chen": ref("real_estate_attribution.user_consultant_chen"),
        }

    def _events(self):
        """``(days_ago, hour, minute, action, args)`` of the demo story."""
        events = []
        # 1. walk-ins 65-60 days ago, never followed up: lapsed by PR-2, now in the public pool
        for n in range(10, 18):
            events.append((65 - (n - 10) % 6, 10 + (n - 10) // 2, 5 * n % 60, "visit", {"n": n}))
        # 2. walk-ins 40-22 days ago, followed up every ten days: active under PR-1
        for n in range(18, 28):
            day = 40 - 2 * (n - 18)
            events.append((day, 11, 0, "visit", {"n": n}))
            for later in (day - 9, day - 18):
                if later > 0:
                    events.append((later, 16, n, "followup", {"n": n}))
        # 3. calls 25-5 days ago
        for n in range(28, 33):
            day = 25 - 5 * (n - 28)
            events.append((day, 14, 30, "call", {"n": n}))
            if n % 2:
                events.append((day - 2, 17, 0, "followup", {"n": n}))
        # 3b. walk-ins 18-13 days ago, followed up once
        for n in range(40, 46):
            events.append((58 - n, 10, 15, "visit", {"n": n}))
            events.append((55 - n, 18, 0, "followup", {"n": n}))
        # 4. recent walk-ins, no follow-up yet (PR-2 pending)
        for n in range(33, 36):
            events.append((36 - n + 3, 15, 0, "visit", {"n": n}))
        # 5. households (ID-3): 王建国 then his wife 刘芳; 陈志强, his father and his brother
        events += [
            (30, 10, 30, "visit", {"n": 0}),
            (29, 9, 0, "followup", {"n": 0}),
            (12, 10, 30, "household", {"name": "王建国家庭", "members": [(0, "head"), (1, "spouse")]}),
            (11, 11, 0, "visit", {"n": 1}),
            (28, 10, 0, "visit", {"n": 2}),
            (27, 10, 0, "followup", {"n": 2}),
            (20, 9, 0, "household", {"name": "陈志强家庭", "members": [(2, "head"), (3, "parent"), (4, "sibling")]}),
            (9, 14, 0, "visit", {"n": 3}),
            (9, 14, 20, "visit", {"n": 4}),
        ]
        # 6. returning customers (RO-3), one while the owner is off (helper)
        events += [
            (15, 10, 0, "visit", {"n": 20}),
            (14, 8, 0, "status", {"who_of": 22, "status": "off"}),
            (14, 10, 0, "visit", {"n": 22}),
            (6, 16, 0, "visit", {"n": 24, "consultant_of_other": True, "questions_asked": False}),
        ]
        # 7. named consultants (RO-4), back from the pool (RO-1, PR-3), deposit only (RO-6)
        events += [
            (8, 11, 0, "visit", {"n": 36, "designated": "chen"}),
            (7, 11, 0, "visit", {"n": 37, "designated": "liu"}),
            (10, 15, 0, "visit", {"n": 10}),
            (8, 15, 0, "visit", {"n": 11, "named_former": True}),
            (4, 11, 0, "visit", {"n": 26, "purpose": "deposit_sign"}),
        ]
        # 8. calls without details and on the way (PR-4); not customers (ID-4)
        events += [
            (3, 9, 30, "call", {"n": None}),
            (2, 10, 0, "call", {"n": 38, "on_the_way": True}),
            (2, 10, 40, "visit", {"n": 38}),
            (2, 13, 0, "visit", {"n": None, "purpose": "passerby"}),
            (1, 14, 0, "visit", {"n": 39, "purpose": "market_research"}),
        ]
        # 9. deals (converted) and releases by the manager
        events += [
            (5, 17, 0, "won", {"n": 18}),
            (3, 17, 0, "won", {"n": 19}),
            (2, 18, 0, "won", {"n": 26}),
            (6, 12, 0, "release", {"n": 21, "reason": "客户投诉，经理核实后释放至公客池"}),
            (4, 12, 0, "release", {"n": 23, "reason": "顾问离职交接，客户转入公共资源"}),
        ]
        # 9b. a company customer (CS-11), signed: split 70/30 with the house
        events += [
            (12, 11, 0, "visit", {"n": 47, "source": "company"}),
            (2, 16, 30, "won", {"n": 47}),
        ]
        # 10. today: someone is busy, so the roster shows a make-up turn
        events += [
            (0, 9, 0, "status", {"who": "wang", "status": "with_customer"}),
            (0, 9, 30, "visit", {"n": 46}),
        ]
        return events

    def _replay(self, team):
        engine = self.env["real.estate.ownership.engine"]
        users = self._consultants()
        leads = {}
        for days_ago, hour, minute, action, args in sorted(self._events(), key=lambda e: (-e[0], e[1], e[2])):
            at = self._moment(team, days_ago, hour, minute)
            n = args.get("n")
            lead = leads.get(n)
            if action in ("visit", "call"):
                contact = self._contact(team, action, at, n, args, users, lead)
                visit = engine.register_contact(contact)
                if visit.lead_id:
                    leads[n] = visit.lead_id
            elif action == "followup" and lead and lead.protection_id.holder_user_id:
                engine.register_followup(lead, lead.protection_id.holder_user_id, at, note="电话回访，客户仍在比较")
            elif action == "household":
                for i, _relation in args["members"]:
                    if i not in leads:  # a relative known by name and number only, never registered
                        leads[i] = self.env["crm.lead"].create(
                            {
                                "name": CUSTOMERS[i],
                                "contact_name": CUSTOMERS[i],
                                "phone": self._phone(i),
                                "team_id": team.id,
                                "type": "opportunity",
                            }
                        )
                self.env["real.estate.household"].create(
                    {
                        "name": args["name"],
                        "team_id": team.id,
                        "member_ids": [(0, 0, {"lead_id": leads[i].id, "relation": rel}) for i, rel in args["members"]],
                    }
                )
            elif action == "status":
                roster = engine._roster_for(team, at)
                who = users.get(args.get("who")) or leads[args["who_of"]].protection_id.holder_user_id
                roster.line_ids.filtered(lambda line, u=who: line.user_id == u).write({"status": args["status"]})
            elif action == "won" and lead:  # UC-2 to UC-5: the deal is signed on a unit
                lead.write({"expected_revenue": 1_680_000 + 23_000 * n})
                self.env["real.estate.unit.demo.loader"]._sign(lead, at, 1_680_000 + 23_000 * n)
            elif action == "release" and lead:
                engine._release_protection(lead.protection_id, at, args["reason"])

    def _contact(self, team, kind, at, n, args, users, lead):
        name = CUSTOMERS[n % len(CUSTOMERS)] if n is not None else ""
        contact = Contact(
            team=team,
            kind=kind,
            at=at,
            customer_name=name,
            phone=self._phone(n) if n is not None else "",
            purpose=args.get("purpose", "customer"),
            source=args.get("source", "natural"),
            questions_asked=args.get("questions_asked", True),
            on_the_way=args.get("on_the_way", False),
            heard_from="朋友介绍" if n and n % 3 == 0 else "户外广告",
        )
        if contact.phone and contact.purpose in ("customer", "deposit_sign"):
            contact.identity = self.env["real.estate.ownership.engine"]._normalize_identity(team, contact.phone)
        if args.get("designated"):
            contact.designated = users[args["designated"]]
        if args.get("named_former") and lead:
            contact.named = lead.protection_id.holder_user_id
        if args.get("consultant_of_other") and lead:
            holder = lead.protection_id.holder_user_id
            contact.consultant = next(u for u in users.values() if u != holder)
        return contact

    def _open_dispute(self, team):
        """DI-1: 王强 claims a customer of 李娜; the claim waits for a decision."""
        users = self._consultants()
        lead = self.env["crm.lead"].search(
            [
                ("team_id", "=", team.id),
                ("protection_id.state", "=", "active"),
                ("protection_id.holder_user_id", "=", users["li"].id),
            ],
            order="id",
            limit=1,
        )
        if lead:
            dispute = (
                self.env["real.estate.dispute"]
                .with_user(users["wang"])
                .create(
                    {
                        "team_id": team.id,
                        "lead_id": lead.id,
                        "kind": "first_received",
                        "statement": "该客户上月由我电话接待并邀约到访，有通话记录为证。",
                    }
                )
            )
            dispute.action_submit()

    def _record_violation(self, team):
        """DS-1, DS-4: the site manager recorded 王强 fighting over a customer last week, and confirmed it."""
        users = self._consultants()
        manager = self.env.ref("real_estate_attribution.user_manager_zhao")
        violation = (
            self.env["real.estate.violation"]
            .with_user(manager)
            .create(
                {
                    "team_id": team.id,
                    "user_id": users["wang"].id,
                    "kind": "ds1_grab",
                    "date": self._office_day(team, 6),
                    "description": "接待区与同事争抢一组来访客户，经现场监控核实。",
                }
            )
        )
        violation.action_confirm()

    def _office_day(self, team, days_ago):
        return fields.Date.context_today(self.with_context(tz=team.office_tz)) - timedelta(days=days_ago)

    def _grade_customers(self, team):
        """GR-1 to GR-4: grades across the board, two D requests waiting, and a D pool to redistribute."""
        leads = self.env["crm.lead"].search(
            [("team_id", "=", team.id), ("protection_id.state", "=", "active")], order="id"
        )
        with_followups = leads.filtered("followup_ids")
        for index, lead in enumerate(leads - with_followups[:4]):
            lead.with_context(grade_approved=True).write({"grade": "ABC"[index % 3]})
        requested, pooled = with_followups[:2], with_followups[2:4]
        requested.with_context(grade_approved=True).write({"grade": "C"})
        for lead in requested:
            lead.with_user(lead.user_id).write({"grade": "D"})  # GR-3: a request for the manager
        pooled.with_context(grade_approved=True).write({"grade": "D"})
        self._due_today(team, leads.filtered(lambda lead: lead.grade == "C"))

    def _due_today(self, team, leads):
        """A few C customers last followed up a week ago at noon: their call-back is due today."""
        engine = self.env["real.estate.ownership.engine"]
        noon = self._moment(team, 7, 12)
        for lead in leads.filtered(lambda lead: lead.last_contact_at and lead.last_contact_at < noon)[:3]:
            engine.register_followup(lead, lead.protection_id.holder_user_id, noon, note="电话回访，约下周再联系")
