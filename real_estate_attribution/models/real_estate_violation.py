from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.engine import as_system, engine_writes
from ..tools.i18n import html_lines, lines_in_both

VIOLATION_KINDS = [
    ("ds1_grab", "Grabbing or Fighting over a Customer (DS-1)"),
    ("ds1_neglect", "Neglecting a Customer (DS-1)"),
    ("ds2_provoke", "Provoking a Conflict between Colleagues (DS-2)"),
    ("ds3_questions", "Three Questions Not Asked (DS-3, PR-5)"),
    ("ds3_unprepared", "Unprepared for the Turn (DS-3)"),
    ("ds3_no_reservation", "Subscription without a Reservation (DS-3, UC-6)"),
]
VIOLATION_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("disputed", "Contested"),
    ("cancelled", "Cancelled"),
]
#: What the workflow writes (DS-4): the fine, its basis, the state, the decider.
WORKFLOW_FIELDS = {"state", "fine_amount", "fine_share", "decided_by", "contest_reason", "turn_lost"}


class RealEstateViolation(models.Model):
    """A consultant's violation of the office's discipline (违规处罚), DS-1 to DS-4.

    Recorded by the site manager with its evidence, or proposed by the rules (a dispute decision that finds
    a customer grabbed, a deposit taken without a reservation); confirmed with the fine of the office's scale;
    the consultant is told and may contest it (DI-1), and the director decides.
    """

    _name = "real.estate.violation"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.api.values"]
    _description = "Consultant Violation"
    _order = "date desc, id desc"

    name = fields.Char(default="/", readonly=True, copy=False)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Office",
        required=True,
        index=True,
        domain=[("is_sales_office", "=", True)],
        default=lambda self: self.env.user.crm_team_ids.filtered("is_sales_office")[:1],
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    currency_id = fields.Many2one(related="team_id.office_currency_id")
    user_id = fields.Many2one("res.users", string="Consultant", required=True, index=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kind = fields.Selection(VIOLATION_KINDS, required=True, tracking=True)
    serious = fields.Boolean(help="DS-1: a serious case is fined the month's base pay and a share of the bonus.")
    description = fields.Text(required=True)
    evidence_ids = fields.Many2many("ir.attachment", help="DS-4: the evidence of the violation.")
    lead_id = fields.Many2one("crm.lead", string="Customer", index="btree_not_null")
    dispute_id = fields.Many2one("real.estate.dispute", readonly=True, help="The dispute whose decision found it.")
    subscription_id = fields.Many2one("real.estate.subscription", string="Deal", readonly=True)
    state = fields.Selection(VIOLATION_STATES, required=True, default="draft", readonly=True, tracking=True)
    fine_amount = fields.Monetary(string="Fine", readonly=True, currency_field="currency_id", tracking=True)
    fine_share = fields.Float(string="Bonus Share (%)", readonly=True, help="DS-1, DS-2: the bonus share applied.")
    fine_basis = fields.Char(compute="_compute_fine_basis", help="How the fine follows the office's scale.")
    turn_lost = fields.Boolean(readonly=True, help="DS-3: the consultant loses the turn.")
    contest_reason = fields.Text(readonly=True, help="DI-1: why the consultant contests the violation.")
    decided_by = fields.Many2one("res.users", readonly=True)
    month = fields.Char(compute="_compute_month", store=True, help="The month of the violation (YYYY-MM).")
    is_concerned = fields.Boolean(compute="_compute_is_concerned", help="The current user is the consultant.")

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_is_concerned(self):
        for violation in self:
            violation.is_concerned = violation.user_id == self.env.user

    @api.depends_context("lang")
    @api.depends("kind", "serious", "fine_share", "state")
    def _compute_fine_basis(self):
        """The fine's basis in the reader's language, from what was recorded at the confirmation."""
        env = self.env
        for violation in self:
            share = "%g" % violation.fine_share
            if violation.state in ("draft", "cancelled") or not violation.kind:
                violation.fine_basis = False
            elif violation.kind in ("ds1_grab", "ds1_neglect") and not violation.serious:
                violation.fine_basis = env._("DS-1: the day's base pay")
            elif violation.kind in ("ds1_grab", "ds1_neglect"):
                violation.fine_basis = env._(
                    "DS-1, serious: the month's base pay and %(share)s%% of the month's bonus", share=share
                )
            elif violation.kind == "ds2_provoke":
                violation.fine_basis = env._("DS-2: dismissal and %(share)s%% of the month's deal bonus", share=share)
            else:
                violation.fine_basis = env._("DS-3: a violation; the turn is lost")

    @api.depends("date")
    def _compute_month(self):
        for violation in self:
            violation.month = violation.date.strftime("%Y-%m") if violation.date else False

    @api.model_create_multi
    def create(self, vals_list):
        """DS-4: the site manager records a violation; the workflow writes its fine and state."""
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        if not engine_writes(self.env):
            self._check_recorder()
            for vals in vals_list:
                self._check_workflow_write(vals)
        violations = super().create(vals_list)
        for violation in violations:
            violation.sudo().name = self.env["ir.sequence"].sudo().next_by_code("real.estate.violation") or "/"
        return violations

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not engine_writes(self.env):
            self._check_workflow_write(vals)
            if self.filtered(lambda violation: violation.state != "draft"):
                raise UserError(self.env._("A violation is changed while it is a draft; then by its buttons only."))
        return super().write(vals)

    @api.model
    def _check_workflow_write(self, vals):
        if WORKFLOW_FIELDS & set(vals):
            raise UserError(self.env._("A violation's fine and state follow the office's scale and its buttons."))

    @api.model
    def _check_recorder(self):
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("The site manager records violations (DS-4)."))

    def _workflow(self):
        return self.sudo().with_context(attribution_engine=True)

    # ------------------------------------------------------------------
    # The fine (DS-1 to DS-3)
    # ------------------------------------------------------------------
    def _fine(self):
        """``(amount, bonus share, turn lost)`` on the office's scale, for the consultant's pay and bonus."""
        self.ensure_one()
        member = self.team_id.sudo().crm_team_member_ids.filtered(lambda m: m.user_id == self.user_id)[:1]
        team = self.team_id
        day = member.daily_base_pay or team.default_daily_base_pay
        month = member.monthly_base_pay or team.default_monthly_base_pay
        bonus = member.monthly_bonus or team.default_monthly_bonus
        if self.kind in ("ds1_grab", "ds1_neglect") and not self.serious:
            return day, 0.0, False
        if self.kind in ("ds1_grab", "ds1_neglect"):
            share = team.ds1_serious_bonus_percent
            return month + bonus * share / 100.0, share, False
        if self.kind == "ds2_provoke":
            share = team.ds2_bonus_percent
            return bonus * share / 100.0, share, False
        return team.ds3_fine, 0.0, True

    # ------------------------------------------------------------------
    # Buttons (DS-4, DI-1)
    # ------------------------------------------------------------------
    def action_confirm(self):
        """DS-4: confirmed with its fine; the consultant is told and may contest it."""
        self._check_recorder()
        for violation in self:
            if violation.state not in ("draft", "disputed"):
                raise UserError(self.env._("%(name)s is already decided.", name=violation.name))
            if violation.state == "disputed" and not self.env.user.has_group("real_estate_attribution.group_director"):
                raise AccessError(self.env._("The marketing director decides a contested violation (DI-1)."))
            amount, share, turn_lost = violation._fine()
            violation._workflow().write(
                {
                    "state": "confirmed",
                    "fine_amount": amount,
                    "fine_share": share,
                    "turn_lost": turn_lost,
                    "decided_by": self.env.uid,
                }
            )
            as_system(violation).activity_ids.unlink()
            violation._tell_consultant()
        return True

    def action_contest(self):
        """DI-1: the consultant contests their violation; the marketing director decides."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contest the Violation"),
            "res_model": "real.estate.violation.contest",
            "view_mode": "form",
            "target": "new",
            "context": {"default_violation_id": self.id},
        }

    def _contest(self, reason):
        self.ensure_one()
        if self.user_id != self.env.user:
            raise AccessError(self.env._("Only the consultant concerned contests a violation (DI-1)."))
        if self.state != "confirmed":
            raise UserError(self.env._("Only a confirmed violation is contested."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why you contest the violation."))
        self._workflow().write({"state": "disputed", "contest_reason": reason.strip()})
        directors = self.env.ref("real_estate_attribution.group_director").sudo().users - self.user_id
        directors = directors.filtered(lambda user: not user._is_admin()) or directors
        for director in directors:
            as_system(self).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=director.id,
                summary=" / ".join(
                    lines_in_both(
                        self.env, lambda env: env._("Decide the contested violation %(name)s", name=self.name)
                    )
                ),
            )

    def action_cancel(self):
        """DS-4, DI-1: a violation recorded by mistake, or a contest upheld, is cancelled."""
        self._check_recorder()
        for violation in self:
            if violation.state == "disputed" and not self.env.user.has_group("real_estate_attribution.group_director"):
                raise AccessError(self.env._("The marketing director decides a contested violation (DI-1)."))
            if violation.state == "cancelled":
                continue
            violation._workflow().write({"state": "cancelled", "decided_by": self.env.uid})
            as_system(violation).activity_ids.unlink()
        return True

    def _tell_consultant(self):
        """DS-4: the consultant is told, with the fine and how to contest it."""
        body = html_lines(
            lines_in_both(
                self.env,
                lambda env: env._(
                    "%(name)s confirmed: %(kind)s, fine %(fine)s (%(basis)s). You may contest it (DI-1).",
                    name=self.name,
                    kind=dict(self._fields["kind"]._description_selection(env))[self.kind],
                    fine="%.2f" % self.fine_amount,
                    basis=self.with_env(env).fine_basis,
                ),
            )
        )
        as_system(self).message_post(
            body=body, partner_ids=self.user_id.partner_id.ids, subtype_xmlid="mail.mt_comment"
        )

    @api.model
    def _propose(self, values):
        """A violation the rules found (UC-6, a dispute that finds a customer grabbed), as a draft for the site
        manager, who confirms or cancels it (DS-4)."""
        violation = self._workflow().create(values)
        if violation.team_id.user_id:
            as_system(violation).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=violation.team_id.user_id.id,
                summary=" / ".join(
                    lines_in_both(
                        self.env, lambda env: env._("Confirm or cancel the violation %(name)s", name=violation.name)
                    )
                ),
            )
        return violation

    def action_print_month(self):
        """DS-4: the month's violations of the consultants shown, printable."""
        return self.env.ref("real_estate_attribution.action_report_violations").report_action(self)
