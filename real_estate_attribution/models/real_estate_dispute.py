from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import LazyTranslate

from ..tools.engine import as_system
from ..tools.i18n import both_languages_plain

_lt = LazyTranslate(__name__)

DISPUTE_KINDS = [
    ("spouse", "Spouse"),
    ("parent_child", "Parent or Child"),
    ("partner", "Partner (Boyfriend, Girlfriend)"),
    ("sibling", "Sibling"),
    ("friend_on_spot", "Friend Buying on the Spot"),
    ("two_numbers", "One Customer under Two Numbers"),
    ("first_received", "I Received Them First"),
    ("customer_refuses", "The Customer Refuses Their Consultant"),
    ("double_sale", "Unit Sold Twice by Mistake"),
    ("customer_prefers", "The Customer Asks for Me, without a Complaint (CS-17)"),
]
#: DI-2: special relations need evidence and a site manager's decision, reviewed by the director.
SPECIAL_RELATIONS = ("spouse", "parent_child", "partner", "sibling", "friend_on_spot", "two_numbers")
DISPUTE_STATES = [
    ("submitted", "Submitted"),
    ("team_leader", "Team Leader"),
    ("manager", "Manager"),
    ("director", "Director"),
    ("decided", "Decided"),
]
OUTCOMES = [("upheld", "Upheld"), ("rejected", "Rejected"), ("forfeited", "Forfeited to the House")]
#: Who acts at each step of the escalation (DI-1); higher groups include the lower ones.
APPROVER_GROUPS = {
    "team_leader": "real_estate_attribution.group_team_leader",
    "manager": "real_estate_attribution.group_site_manager",
    "director": "real_estate_attribution.group_director",
}
NEXT_STEP = {"submitted": "team_leader", "team_leader": "manager", "manager": "director"}
PROTECTED_FIELDS = {
    "decision_note_by",
    "state",
    "proposed_outcome",
    "outcome",
    "decided_by",
    "decided_at",
    "owner_before_id",
    "lead_id",
    "claimant_user_id",
    "team_id",
    "claimed_at",
}


class RealEstateDispute(models.Model):
    """An ownership dispute (判客申诉), escalated step by step and decided by managers only (DI-1 to DI-3)."""

    _name = "real.estate.dispute"
    _description = "Ownership Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin", "real.estate.private.number", "real.estate.api.values"]
    _order = "id desc"
    _private_number_fields = ("customer_phone",)

    name = fields.Char(default="/", readonly=True, copy=False)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Office",
        required=True,
        domain=[("is_sales_office", "=", True)],
        default=lambda self: self.env.user.crm_team_ids.filtered("is_sales_office")[:1],
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    customer_phone = fields.Char(
        string="Customer's Mobile", help="Claim a customer you cannot open by typing their mobile number."
    )
    lead_id = fields.Many2one("crm.lead", string="Customer", index=True, tracking=True)
    claimant_user_id = fields.Many2one(
        "res.users",
        string="Claimant",
        default=lambda self: self.env.user,
        tracking=True,
        help="The consultant who claims the customer.",
    )
    kind = fields.Selection(DISPUTE_KINDS, required=True, default="first_received", tracking=True)
    statement = fields.Text(required=True)
    related_lead_id = fields.Many2one(
        "crm.lead", string="Related Customer", help="DI-2: the claimant's customer this one is related to."
    )
    evidence_ids = fields.Many2many("ir.attachment", help="DI-2: marriage or household certificate, call records.")
    state = fields.Selection(DISPUTE_STATES, default="submitted", required=True, tracking=True, index=True)
    proposed_outcome = fields.Selection(OUTCOMES, readonly=True, help="DI-2: the site manager's decision under review.")
    outcome = fields.Selection(OUTCOMES, readonly=True, tracking=True)
    decision_note = fields.Text()
    claimant_relation = fields.Boolean(
        string="A Relative or Friend of the Claimant",
        help="CS-17: a customer who asks for their relative or friend gives that consultant no credit.",
    )
    finds_grabbing = fields.Boolean(
        string="Finds a Customer Grabbed (DS-1)",
        help="DS-1, DS-4: upheld, the decision proposes a violation for the consultant who held the customer.",
    )
    decision_note_by = fields.Many2one(
        "res.users", string="Note Written by", readonly=True, copy=False, help="The approver whose decision note it is."
    )
    decided_by = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    share_ids = fields.One2many(
        "real.estate.dispute.share",
        "dispute_id",
        string="Split if Upheld",
        help="Leave empty to give the claimant the whole deal.",
    )
    owner_before_id = fields.Many2one("res.users", string="Owner when Claimed", readonly=True)
    claimed_at = fields.Datetime(string="Claimed On", default=fields.Datetime.now, readonly=True)
    is_special_relation = fields.Boolean(compute="_compute_is_special_relation")
    can_act = fields.Boolean(compute="_compute_can_act")
    can_submit = fields.Boolean(compute="_compute_can_act")

    def _private_number_holder(self):
        """The claimant typed the number; the customer's holder knows it."""
        return self.claimant_user_id

    @api.depends("kind")
    def _compute_is_special_relation(self):
        for dispute in self:
            dispute.is_special_relation = dispute.kind in SPECIAL_RELATIONS

    @api.depends_context("uid")
    @api.depends("state", "claimant_user_id")
    def _compute_can_act(self):
        on_behalf = self.env.user.has_group("real_estate_attribution.group_site_manager")
        for dispute in self:
            dispute.can_act = dispute._may_act()
            dispute.can_submit = dispute.state == "submitted" and (
                on_behalf or dispute.claimant_user_id == self.env.user
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        engine = self.env["real.estate.ownership.engine"]
        if not self.env.su:
            for vals in vals_list:
                self._check_api_values(vals)
            self._check_create_values(vals_list)
        for vals in vals_list:
            if not vals.get("lead_id") and vals.get("customer_phone"):
                team = self.env["crm.team"].browse(vals.get("team_id") or self.default_get(["team_id"])["team_id"])
                lead = engine._find_customer(team, engine._normalize_identity(team, vals["customer_phone"]))
                vals["lead_id"] = lead.id
            if not vals.get("lead_id"):
                raise ValidationError(self.env._("Name the customer claimed: choose them or type their mobile."))
        disputes = super().create(vals_list)
        for dispute in disputes.sudo():
            if dispute.lead_id.team_id != dispute.team_id:
                raise ValidationError(
                    self.env._("The customer is not a customer of %(office)s.", office=dispute.team_id.name)
                )
            dispute.owner_before_id = dispute.lead_id.protection_id.holder_user_id
            dispute._check_claim_against_owner()
        disputes._assign_number()
        return disputes

    def _assign_number(self):
        """A claim takes its number once it is accepted: a refused one consumes none."""
        for dispute in self.sudo().filtered(lambda dispute: dispute.name in (False, "/")):
            dispute.name = self.env["ir.sequence"].next_by_code("real.estate.dispute") or "/"

    def _check_create_values(self, vals_list):
        """DI-1, DI-3: a claim starts submitted, in the claimant's own name; the workflow writes the rest.
        Site managers may file a claim for a consultant."""
        workflow = self._protected_fields() | {"decision_note", "finds_grabbing", "claimant_relation"}
        workflow -= self._claim_fields()
        on_behalf = self.env.user.has_group("real_estate_attribution.group_site_manager")
        for vals in vals_list:
            if vals.get("state") == "submitted":  # the form sends the default state
                vals = {name: value for name, value in vals.items() if name != "state"}
            if workflow & {name for name, value in vals.items() if value} or (
                not on_behalf and not self._claims_in_own_name(vals)
            ):
                raise AccessError(
                    self.env._(
                        "A claim is filed in your own name and starts as submitted; "
                        "its state and outcome change by its buttons only."
                    )
                )

    def _claim_fields(self):
        """What the claimant fills in among the fields the workflow guards (other addons add theirs)."""
        return {"lead_id", "team_id", "claimant_user_id"}

    def _claims_in_own_name(self, vals):
        return vals.get("claimant_user_id", self.env.user.id) in (self.env.user.id, False)

    def _check_claim_against_owner(self):
        """DI-1: a claim moves a customer from someone else; owners claim only a split of their own."""
        owner = self.env["real.estate.ownership.engine"]._owner(self.lead_id)
        if self.claimant_user_id and self.claimant_user_id == owner and not self.share_ids:
            raise ValidationError(
                self.env._(
                    "%(user)s already owns %(customer)s: there is nothing to claim.",
                    user=owner.name,
                    customer=self.lead_id.name,
                )
            )

    def write(self, vals):
        """DI-3: the workflow fields move only by the buttons; claims are edited while submitted."""
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not self.env.su:
            self._check_api_values(vals)
            if self._protected_fields() & set(vals):
                raise AccessError(self.env._("The state and outcome of a dispute change by its buttons only."))
            if {"decision_note", "finds_grabbing", "claimant_relation"} & set(vals):
                if not all(dispute._may_act() for dispute in self):
                    raise AccessError(
                        self.env._("Only the approvers of the dispute's step write its decision note (DI-3).")
                    )
                if "decision_note" in vals:
                    vals = dict(vals, decision_note_by=self.env.user.id)
            self._check_editable()
        return super().write(vals)

    def _protected_fields(self):
        """Fields only the workflow writes (other addons add theirs)."""
        return PROTECTED_FIELDS

    def _check_editable(self):
        """The claimant edits a claim until it is submitted; then only the step's approvers add to it."""
        for dispute in self:
            if dispute.state == "decided" or (dispute.state != "submitted" and not dispute._may_act()):
                raise UserError(
                    self.env._("%(name)s is under review: only its approvers may add to it.", name=dispute.name)
                )

    # ------------------------------------------------------------------
    # Who may act (DI-1, DI-3)
    # ------------------------------------------------------------------
    def _is_party(self, user):
        """DI-3: no one judges their own case: the claimant, the customer's holder when claimed and now
        (and, with channels, the claiming channel's agents) never decide it, at any step."""
        self.ensure_one()
        holder = self.env["real.estate.ownership.engine"]._owner(self.lead_id.sudo()) if self.lead_id else user.browse()
        return user in (self.claimant_user_id | self.owner_before_id | holder)

    def _may_act(self, user=None):
        self.ensure_one()
        user = user or self.env.user
        group = APPROVER_GROUPS.get(self.state)
        return bool(group) and user.has_group(group) and not self._is_party(user)

    def _check_may_act(self):
        """DI-1, DI-3: the step's approvers act, one decision at a time: each takes the dispute's lock first, so
        that a second decision decided on the same state is retried, and then finds the dispute decided."""
        for dispute in self:
            self.env["real.estate.lock"]._acquire(dispute.sudo().team_id, "dispute:%s" % dispute.id)
            if dispute.state == "decided":
                raise UserError(self.env._("%(name)s is already decided.", name=dispute.name))
            if dispute._is_party(self.env.user):
                raise AccessError(
                    self.env._("The claimant and the customer's holder never decide their own dispute (DI-3).")
                )
            if not dispute._may_act():
                raise AccessError(
                    self.env._(
                        "Only the %(step)s step's approvers may act on %(name)s now (DI-1).",
                        step=dict(self._fields["state"]._description_selection(self.env))[dispute.state],
                        name=dispute.name,
                    )
                )

    # ------------------------------------------------------------------
    # Workflow buttons
    # ------------------------------------------------------------------
    def action_submit(self):
        """DI-1: the claim goes to the team leaders; DI-2 claims need evidence first."""
        for dispute in self:
            if not dispute.can_submit and dispute.state == "submitted":
                raise AccessError(self.env._("Only the claimant submits the claim %(name)s.", name=dispute.name))
            if dispute.state != "submitted":
                raise UserError(self.env._("%(name)s is already under review.", name=dispute.name))
            if dispute.kind in SPECIAL_RELATIONS and not dispute.evidence_ids:
                raise ValidationError(
                    self.env._("A special-relation claim needs evidence (certificate, call records) (DI-2).")
                )
            dispute._move_to("team_leader")
        return True

    def action_escalate(self):
        """DI-1: unresolved at this step, the dispute goes one step up."""
        self._check_may_act()
        for dispute in self:
            if dispute.state == "director":
                raise UserError(self.env._("The director is the last step: decide, or forfeit to the house."))
            dispute._move_to(NEXT_STEP[dispute.state])
        return True

    def action_uphold(self):
        return self._decide("upheld")

    def action_reject(self):
        return self._decide("rejected")

    def action_forfeit(self):
        """DI-1: unresolved at the top, credit and commission go to the house."""
        self._check_may_act()
        if any(dispute.state != "director" for dispute in self):
            raise UserError(self.env._("Only the director's step ends in forfeiture to the house (DI-1)."))
        return self._decide("forfeited")

    def _decide(self, outcome):
        self._check_may_act()
        self._check_decision_note()
        engine = self.env["real.estate.ownership.engine"]
        for dispute in self:
            if outcome == "upheld" and dispute.kind == "customer_prefers" and dispute.claimant_relation:
                raise UserError(
                    self.env._(
                        "%(name)s: the customer is a relative or friend of the claimant, so asking for them gives "
                        "no credit (CS-17): reject the claim.",
                        name=dispute.name,
                    )
                )
            if dispute.kind in SPECIAL_RELATIONS and dispute.state == "team_leader":
                raise UserError(self.env._("Special-relation claims are decided by a site manager (DI-2)."))
            if dispute.kind in SPECIAL_RELATIONS and dispute.state == "manager":
                dispute.sudo().proposed_outcome = outcome
                dispute._move_to("director")  # DI-2: reviewed by the marketing director
                continue
            engine.decide_dispute(dispute.sudo(), outcome, fields.Datetime.now(), self.env.user)
        return True

    def _check_decision_note(self):
        """DI-2: every party is told the result and why: a decision carries the deciding approver's own note."""
        for dispute in self:
            if dispute.decision_note and dispute.decision_note_by and dispute.decision_note_by != self.env.user:
                raise UserError(
                    self.env._(
                        "The decision note of %(name)s is %(author)s's: write your own before deciding.",
                        name=dispute.name,
                        author=dispute.decision_note_by.name,
                    )
                )
            if not (dispute.decision_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write the decision note of %(name)s first: every party reads why it was decided (DI-2).",
                        name=dispute.name,
                    )
                )

    def _move_to(self, step):
        self.ensure_one()
        self.sudo().state = step
        self.activity_unlink(["mail.mail_activity_data_todo"])
        for approver in self._approvers(step):
            as_system(self).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=approver.id,
                summary=both_languages_plain(self.env, _lt("Decide dispute %(name)s", name=self.name)),
                note=self.statement,
            )

    def _approvers(self, step):
        """The users whose level is the step's, who are not parties (DI-3); with nobody at that level,
        the next level up."""
        users = self.env.ref(APPROVER_GROUPS[step]).users
        higher = NEXT_STEP.get(step)
        if higher in APPROVER_GROUPS:
            users -= self.env.ref(APPROVER_GROUPS[higher]).users
        users = users.filtered(lambda u: not u.share and u.active and not self._is_party(u))
        if not users and higher in APPROVER_GROUPS:
            return self._approvers(higher)
        return users.sorted("id")

    def _rule(self):
        self.ensure_one()
        if self.kind == "customer_prefers":
            return "CS-17"
        return "DI-2" if self.kind in SPECIAL_RELATIONS else "DI-1"

    def _parties(self):
        """Everyone told the result (DI-2): claimant, owner before, approvers who acted."""
        self.ensure_one()
        return (self.claimant_user_id | self.owner_before_id | self.decided_by).partner_id

    @api.constrains("share_ids")
    def _check_split(self):
        for dispute in self.filtered("share_ids"):
            total = round(sum(dispute.share_ids.mapped("percent")), 2)
            if total != 100:
                raise ValidationError(
                    self.env._(
                        "The split of %(name)s sums to %(total)s%%, not 100%% (CS-16).", name=dispute.name, total=total
                    )
                )


class RealEstateDisputeShare(models.Model):
    """A line of the split a dispute decision applies."""

    _name = "real.estate.dispute.share"
    _inherit = ["real.estate.api.values"]
    _description = "Dispute Split Line"

    dispute_id = fields.Many2one("real.estate.dispute", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Consultant")
    share_pool = fields.Selection([("public", "Public (House)"), ("team", "Team")], string="Pool")
    percent = fields.Float(required=True, digits=(5, 2))

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the access rights first: a refusal is an AccessError
        self._check_vals_list(vals_list)
        lines = super().create(vals_list)
        if not self.env.su:
            lines.dispute_id._check_editable()
        return lines

    def write(self, vals):
        self.check_access("write")  # the access rights first: a refusal is an AccessError
        if not self.env.su:
            self.dispute_id._check_editable()
        return super().write(vals)

    def unlink(self):
        self.check_access("unlink")  # the access rights first: a refusal is an AccessError
        if not self.env.su:
            self.dispute_id._check_editable()
        return super().unlink()
