from datetime import timedelta

from freezegun import freeze_time

from odoo.addons.real_estate_attribution.tests.common import T0, AttributionCase


class ChannelCase(AttributionCase):
    """The attribution test office, plus three channels with an agent each and their agreements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.dist = Partner.create({"name": "安居分销", "is_company": True, "channel_kind": "distributor"})
        cls.agency = Partner.create({"name": "链家中介", "is_company": True, "channel_kind": "agency"})
        cls.bees = Partner.create({"name": "小蜜蜂拓客", "is_company": True, "channel_kind": "canvasser"})
        cls.dist_agent = Partner.create({"name": "经纪人甲", "parent_id": cls.dist.id})
        cls.agency_agent = Partner.create({"name": "经纪人乙", "parent_id": cls.agency.id})
        cls.bee = Partner.create({"name": "小蜜蜂丙", "parent_id": cls.bees.id})
        cls.agreements = cls.env["real.estate.channel.agreement"].create(
            [
                {
                    "name": "%s 协议" % channel.name,
                    "channel_id": channel.id,
                    "team_ids": [(6, 0, cls.team.ids)],
                    "date_start": "2026-01-01",
                }
                for channel in (cls.dist, cls.agency, cls.bees)
            ]
        )
        cls.Report = cls.env["real.estate.report"]

    def submit(self, at=T0, user=None, expected=None, **vals):
        """Submit a report at ``at`` (time frozen); the customer is expected two hours later."""
        values = {
            "team_id": self.team.id,
            "channel_id": self.dist.id,
            "agent_id": self.dist_agent.id,
            "customer_name": "王伟",
            "phone": "13812345678",
            "expected_visit": (expected or at + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"),
        }
        values.update(vals)
        with freeze_time(at):
            return self.Report.with_user(user or self.li).submit(values)

    def report(self, result):
        return self.Report.browse(result["report_id"])

    def household(self, head_id, member, relation):
        """ID-3: a household of the office's customer ``head_id`` and the file ``member``."""
        return self.env["real.estate.household"].create(
            {
                "name": "王家",
                "team_id": self.team.id,
                "member_ids": [
                    (0, 0, {"lead_id": head_id, "relation": "head"}),
                    (0, 0, {"lead_id": member.id, "relation": relation}),
                ],
            }
        )

    def sign_all(self, visit_result, at):
        """CH-7: agent (portal), receiving consultant and site manager sign."""
        visit = self.Visit.browse(visit_result["visit_id"])
        confirmation = visit.confirmation_id
        agent_user = self.env["res.users"].search([("partner_id", "=", confirmation.agent_id.id)], limit=1)
        if not agent_user:
            agent_user = self.env["res.users"].create(
                {
                    "name": confirmation.agent_id.name,
                    "login": "agent-%s" % confirmation.agent_id.id,
                    "partner_id": confirmation.agent_id.id,
                    "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
                }
            )
        with freeze_time(at):
            confirmation.with_user(agent_user).action_sign_agent()
            confirmation.with_user(visit.consultant_id).action_sign_consultant()
            confirmation.with_user(self.manager).action_sign_manager()
        return confirmation
