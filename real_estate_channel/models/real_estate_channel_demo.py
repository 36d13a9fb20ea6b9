"""Demo reports of the three demo channels, in every state, replayed through the engine."""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.real_estate_attribution.models.ownership_engine import Contact
from odoo.addons.real_estate_attribution.tools import identity

from .rule_channel import ReportClaim


class RealEstateChannelDemoLoader(models.AbstractModel):
    _name = "real.estate.channel.demo.loader"
    _description = "Channel Demo History"

    @api.model
    def _load_demo(self, team_xmlid):
        team = self.env.ref(team_xmlid)
        admin = self.env.ref("base.user_admin")
        loader = self.with_user(admin).with_context(tracking_disable=True)
        loader._replay(team)
        loader.env["real.estate.report"]._cron_lapse()
        self.env.ref("real_estate_channel.penalty_bees_1").action_confirm()
        loader._open_statement()
        loader._claim_deposit(team)

    def _open_statement(self):
        """CC-1, CC-2: the distributor's statement of the last thirty days, in draft."""
        today = fields.Date.context_today(self)
        self.env["real.estate.channel.statement"].create(
            {
                "agreement_id": self.env.ref("real_estate_channel.agreement_anju").id,
                "date_from": today - timedelta(days=30),
                "date_to": today,
            }
        )

    def _claim_deposit(self, team):
        """CH-18: a distributor claims, within three days, a customer who paid today's deposit without a report;
        the site manager has it to decide."""
        engine = self.env["real.estate.ownership.engine"]
        since = fields.Datetime.now() - timedelta(days=1)
        deposits = self.env["real.estate.subscription"].search(
            [("team_id", "=", team.id), ("state", "=", "subscribed"), ("subscribed_at", ">=", since)], order="id"
        )
        deposit = next(
            (d for d in deposits if not engine._attribute_lead(d.lead_id, d.subscribed_at).owner_channel), None
        )
        if deposit:
            self.env["real.estate.deposit.claim"].create(
                {
                    "team_id": team.id,
                    "channel_id": self.env.ref("real_estate_channel.channel_anju").id,
                    "agent_id": self.env.ref("real_estate_channel.agent_zhou").id,
                    "customer_name": deposit.lead_id.contact_name or deposit.lead_id.name,
                    "phone": deposit.lead_id.customer_mobile,
                    "evidence": "经纪人周杰上周带客户看过样板间，微信聊天记录与约访截图为证；客户自行到访时未报备。",
                }
            )

    def _at(self, days_ago, hours=10):
        now = fields.Datetime.now()
        return min(now - timedelta(days=days_ago) + timedelta(hours=hours - 10), now - timedelta(minutes=10))

    def _report(self, team, channel, agent, name, phone, at, expected_in=timedelta(hours=3), **extra):
        masked = identity.parse_masked(phone)
        claim = ReportClaim(
            team=team,
            channel=channel,
            agent=agent,
            at=at,
            customer_name=name,
            phone=phone,
            expected_visit=at + expected_in,
            surname=identity.surname(name),
            **extra,
        )
        if masked:
            claim.masked = masked
        else:
            claim.identity = identity.normalize_phone(phone, team.phone_region)
        return self.env["real.estate.ownership.engine"].submit_report(claim)

    def _visit(self, team, name, phone, at, report=None, confirmed=False, accompanied=None):
        engine = self.env["real.estate.ownership.engine"]
        contact = Contact(
            team=team,
            kind="visit",
            at=at,
            customer_name=name,
            phone=phone,
            identity=identity.normalize_phone(phone, team.phone_region),
            source="channel",
        )
        if report:
            contact.extra["report"] = report
        if accompanied:
            contact.extra["accompanied_agent"] = accompanied
        contact.extra["confirmed"] = confirmed
        return engine.register_contact(contact)

    def _replay(self, team):
        ref = self.env.ref
        anju, lianjia = ref("real_estate_channel.channel_anju"), ref("real_estate_channel.channel_lianjia")
        zhou, wu, xu = (
            ref("real_estate_channel.agent_zhou"),
            ref("real_estate_channel.agent_wu"),
            ref("real_estate_channel.agent_xu"),
        )
        bee = ref("real_estate_channel.agent_bee")
        # won: reported, visited and confirmed 20 days ago, signed 5 days ago (CH-9)
        won = self._report(team, anju, zhou, "方志远", "13957100101", self._at(20, 9))
        visit = self._visit(team, "方志远", "13957100101", self._at(20, 11), won, confirmed=True)
        visit.lead_id.write({"expected_revenue": 2_360_000})
        self.env["real.estate.unit.demo.loader"]._sign(visit.lead_id, self._at(5), 2_360_000)
        # confirmed, under channel protection (CH-8)
        confirmed = self._report(team, lianjia, xu, "白晓燕", "13957100102", self._at(10, 9))
        self._visit(team, "白晓燕", "13957100102", self._at(10, 12), confirmed, confirmed=True)
        # masked report (ID-2), visited, confirmed
        masked = self._report(team, anju, wu, "钟先生", "139****0103", self._at(8, 9))
        self._visit(team, "钟明", "13957100103", self._at(8, 14), masked, confirmed=True)
        # lapsed: reported five days ago, never came (CH-3)
        self._report(team, anju, zhou, "陆佳", "13957100104", self._at(5, 9))
        # visited today, confirmation awaiting signatures (CH-7)
        pending = self._report(team, anju, zhou, "贺子轩", "13957100105", self._at(0, 8), timedelta(hours=1))
        self._visit(
            team,
            "贺子轩",
            "13957100105",
            self._at(
                0,
                9,
            )
            + timedelta(minutes=30),
            pending,
        )
        # valid: reported today, expected this evening
        self._report(team, lianjia, xu, "谭雅", "13957100106", self._at(0, 8), timedelta(hours=10))
        # rejected: too late (CH-1), held by another party (CH-2, CH-4), already a customer (CH-2)
        self._report(team, lianjia, xu, "韦强", "13957100107", self._at(1, 9), timedelta(minutes=10))
        self._report(team, anju, zhou, "白晓燕", "13957100102", self._at(9, 9))
        existing = self.env["crm.lead"].search(
            [("team_id", "=", team.id), ("visit_ids", "!=", False), ("protection_id.state", "=", "expired")], limit=1
        )
        if existing:
            self._report(
                team, anju, wu, existing.contact_name or existing.name, existing.customer_mobile, self._at(1, 10)
            )
        # a field canvasser brings a customer in person (CH-12)
        self._visit(team, "邵阳", "13957100108", self._at(3, 15), accompanied=bee, confirmed=True)
