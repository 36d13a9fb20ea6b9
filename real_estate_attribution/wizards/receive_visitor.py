from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.real_estate_visit import FIRST_VISIT_ANSWERS, VISIT_KINDS, VISIT_PURPOSES, VISIT_SOURCES


class ReceiveVisitor(models.TransientModel):
    """Reception desk: ask the three questions (PR-5), match the identity, assign by the rules."""

    _name = "real.estate.receive.visitor"
    _inherit = ["real.estate.api.ids"]
    _description = "Receive a Visitor or Caller"

    team_id = fields.Many2one(
        "crm.team",
        string="Sales Office",
        required=True,
        domain=[("is_sales_office", "=", True)],
        default=lambda self: self._default_team(),
    )
    kind = fields.Selection(VISIT_KINDS, required=True, default="visit")
    purpose = fields.Selection(VISIT_PURPOSES, required=True, default="customer")
    customer_name = fields.Char()
    phone = fields.Char(string="Mobile")
    questions_asked = fields.Boolean(string="I asked the three questions")
    answer_first_visit = fields.Selection(FIRST_VISIT_ANSWERS, string="First visit?", default="unknown")
    answer_named_user_id = fields.Many2one(
        "res.users", string="Who contacted them before?", domain="[('id', 'in', member_ids)]"
    )
    answer_heard_from = fields.Char(string="How did they hear of us?")
    source = fields.Selection(VISIT_SOURCES, required=True, default="natural")
    designated_user_id = fields.Many2one(
        "res.users", string="Named a consultant on arrival", domain="[('id', 'in', member_ids)]"
    )
    on_the_way = fields.Boolean(string="Caller is on the way")
    member_ids = fields.Many2many(related="team_id.member_ids")
    match_lead_id = fields.Many2one("crm.lead", string="Matched Customer", compute="_compute_preview")
    preview_owner_id = fields.Many2one("res.users", string="Current Owner", compute="_compute_preview")
    preview_receiver_id = fields.Many2one("res.users", string="Next Up in Rotation", compute="_compute_preview")
    preview_rule = fields.Char(string="Rule", compute="_compute_preview")
    preview_explanation = fields.Text(string="Explanation", compute="_compute_preview")
    preview_error = fields.Char(compute="_compute_preview")

    @api.model
    def _default_team(self):
        teams = self.env.user.crm_team_ids.filtered("is_sales_office")
        return teams[:1] or self.env["crm.team"].search([("is_sales_office", "=", True)], limit=1)

    @api.depends("team_id", "phone", "kind")
    def _compute_preview(self):
        engine = self.env["real.estate.ownership.engine"]
        now = fields.Datetime.now()
        for wizard in self:
            wizard.update(
                {
                    "match_lead_id": False,
                    "preview_owner_id": False,
                    "preview_receiver_id": False,
                    "preview_rule": False,
                    "preview_explanation": False,
                    "preview_error": False,
                }
            )
            if not wizard.team_id:
                continue
            try:
                if wizard.phone:
                    customer_identity = engine._normalize_identity(wizard.team_id, wizard.phone)
                    verdict = engine.resolve(wizard.team_id, customer_identity, now)
                    wizard.match_lead_id = verdict.lead
                    wizard.preview_owner_id = verdict.owner_user
                    wizard.preview_rule = verdict.rule
                    wizard.preview_explanation = engine._explain(verdict.reason, verdict.params)
                roster = engine._roster_for(wizard.team_id, now, create=False, lock=False)
                if roster:
                    wizard.preview_receiver_id = engine._next_up(roster, now)[0].user_id
            except (UserError, ValidationError) as error:
                wizard.preview_error = str(error.args[0]) if error.args else str(error)

    def _register_values(self):
        self.ensure_one()
        return {
            "team_id": self.team_id.id,
            "kind": self.kind,
            "purpose": self.purpose,
            "customer_name": self.customer_name or "",
            "phone": self.phone or "",
            "source": self.source,
            "questions_asked": self.questions_asked,
            "first_visit": self.answer_first_visit,
            "named_user_id": self.answer_named_user_id.id,
            "heard_from": self.answer_heard_from or "",
            "designated_user_id": self.designated_user_id.id,
            "on_the_way": self.on_the_way,
        }

    def action_receive(self):
        """Register the visit or call through the engine and open the customer."""
        self.ensure_one()
        if self.team_id.require_three_questions and self.purpose == "customer" and not self.questions_asked:
            raise UserError(
                self.env._(
                    "Ask the visitor the three questions first (PR-5): first visit? did anyone contact you "
                    "already? how did you hear of us?"
                )
            )
        result = self.env["real.estate.visit"].register(self._register_values())
        lead = self.env["crm.lead"].browse(result["lead_id"])
        if lead and lead.has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "crm.lead",
                "res_id": result["lead_id"],
                "view_mode": "form",
                "target": "current",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "real.estate.visit",
            "res_id": result["visit_id"],
            "view_mode": "form",
            "target": "current",
        }
