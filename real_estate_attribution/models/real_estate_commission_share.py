from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

SHARE_POOLS = [("public", "Public (House)"), ("team", "Team")]


class RealEstateCommissionShare(models.Model):
    """One line of a deal's credit and commission split (业绩 / 佣金分配, CS-1 to CS-16).

    Computed by the split engine when the deal is won; changed only by a
    dispute decision. The database keeps each deal's lines at exactly 100%.
    """

    _name = "real.estate.commission.share"
    _inherit = ["real.estate.customer.record", "real.estate.api.values"]
    _description = "Commission Share"
    _order = "lead_id, sequence, id"

    lead_id = fields.Many2one("crm.lead", string="Deal", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one("res.users", string="Consultant")
    share_pool = fields.Selection(SHARE_POOLS, string="Pool")
    percent = fields.Float(required=True, digits=(5, 2))
    rule = fields.Char(required=True)
    dispute_id = fields.Many2one("real.estate.dispute", ondelete="set null")
    beneficiary = fields.Char(compute="_compute_beneficiary")

    _sql_constraints = [
        ("percent_range", "CHECK(percent > 0 AND percent <= 100)", "A share lies between 0 and 100%."),
    ]

    def init(self):
        # plain strings: PL/pgSQL's RAISE uses % placeholders
        self.env.cr.execute("""
            CREATE OR REPLACE FUNCTION real_estate_check_share_sum() RETURNS trigger AS $$
            DECLARE
                deal integer := COALESCE(NEW.lead_id, OLD.lead_id);
                total numeric;
            BEGIN
                SELECT SUM(percent) INTO total FROM real_estate_commission_share WHERE lead_id = deal;
                IF total IS NOT NULL AND total <> 100 THEN
                    RAISE EXCEPTION 'The shares of deal % sum to % percent, not 100 (CS-16).', deal, total
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql
        """)
        self.env.cr.execute(
            SQL("""
            DROP TRIGGER IF EXISTS real_estate_share_sum ON real_estate_commission_share;
            CREATE CONSTRAINT TRIGGER real_estate_share_sum
                AFTER INSERT OR UPDATE OR DELETE ON real_estate_commission_share
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION real_estate_check_share_sum()
        """)
        )

    @api.constrains("user_id", "share_pool")
    def _check_one_beneficiary(self):
        for share in self:
            if len([b for b in share._beneficiaries() if b]) != 1:
                raise UserError(self.env._("A share goes to exactly one beneficiary (CS-16)."))

    def _beneficiaries(self):
        """The beneficiary fields of a line (the channel addon adds the channel)."""
        return [self.user_id, self.share_pool]

    def _api_values(self):
        self.ensure_one()
        return {
            "user_id": self.user_id.id or False,
            "channel_id": False,
            "pool": self.share_pool or False,
            "percent": self.percent,
            "rule": self.rule,
        }

    @api.depends("user_id", "share_pool")
    def _compute_beneficiary(self):
        pools = dict(self._fields["share_pool"]._description_selection(self.env))
        for share in self:
            share.beneficiary = share.user_id.name or pools.get(share.share_pool) or ""
