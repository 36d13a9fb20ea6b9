from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class RealEstateVisit(models.Model):
    """Visits of reported or accompanied customers (CH-5, CH-7, CH-12)."""

    _inherit = "real.estate.visit"

    report_id = fields.Many2one("real.estate.report", readonly=True, index="btree_not_null")
    channel_id = fields.Many2one(related="report_id.channel_id", store=True, precompute=True)
    confirmation_id = fields.Many2one(related="report_id.confirmation_id")

    @api.model
    def _register_keys(self):
        return super()._register_keys() | {"report_id", "confirmed", "accompanied_by"}

    @api.model
    def _prepare_contact(self, vals):
        contact = super()._prepare_contact(vals)
        if (vals.get("report_id") or vals.get("accompanied_by")) and not self._may_name_receiver():
            raise AccessError(
                self.env._(
                    "Only the reception desk (site manager), data imports and integrators attach a channel's report or "
                    "canvasser to a visit: the rules find the report that claims the customer (CH-5, CH-12)."
                )
            )
        report_id = vals.get("report_id")
        if report_id:
            if not isinstance(report_id, int) or isinstance(report_id, bool):
                raise ValidationError(self.env._("report_id must be the integer id of a report."))
            report = self.env["real.estate.report"].sudo().browse(report_id).exists()
            if not report or report.team_id != contact.team:
                raise ValidationError(
                    self.env._("Report %(id)s is not a report of %(office)s.", id=report_id, office=contact.team.name)
                )
            contact.extra["report"] = report
        agent_id = vals.get("accompanied_by")
        if agent_id:
            if not isinstance(agent_id, int) or isinstance(agent_id, bool):
                raise ValidationError(self.env._("accompanied_by must be the integer id of an agent."))
            agent = self.env["res.partner"].sudo().browse(agent_id).exists()
            if not agent or agent.channel_id.channel_kind not in ("canvasser", "in_house"):
                raise ValidationError(
                    self.env._(
                        "accompanied_by: %(id)s is not an agent of a field-canvasser or in-house channel.", id=agent_id
                    )
                )
            # CH-12, CH-13: the canvasser's claim needs the channel's agreement in force now
            self.env["real.estate.ownership.engine"]._check_channel_standing(
                agent.channel_id, contact.team, contact.at, agent=agent
            )
            contact.extra["accompanied_agent"] = agent
        confirmed = self._api_bool(vals, "confirmed", False)
        if confirmed:
            if not self.env.user.has_group("real_estate_attribution.group_data_import"):
                raise AccessError(
                    self.env._("Only members of the group Attribution Data Import may record signed confirmations.")
                )
            if not contact.extra.get("report") and not contact.extra.get("accompanied_agent"):
                raise ValidationError(self.env._("confirmed needs a report_id or accompanied_by."))
            contact.extra["confirmed"] = True
        return contact

    def _api_result(self):
        result = super()._api_result()
        protection = self.protection_id
        if protection.holder_channel_id and protection.state == "active":
            result["owner_channel_id"] = protection.holder_channel_id.id
        return result
