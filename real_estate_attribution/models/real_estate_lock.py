from odoo import fields, models
from odoo.exceptions import MissingError
from odoo.tools import SQL


class RealEstateLock(models.Model):
    """One row per office and key (a customer identity, a roster day).

    Every ownership decision first upserts its row. Two transactions deciding
    about the same customer therefore serialise on that row: the second one
    waits, then fails with a serialisation error because the row changed
    after its snapshot, and Odoo replays it on a fresh snapshot that sees the
    first decision. The decision itself never runs on a stale view.
    """

    _name = "real.estate.lock"
    _description = "Ownership Decision Lock"
    _log_access = False

    team_id = fields.Many2one("crm.team", required=True, ondelete="cascade", index=False)
    key = fields.Char(required=True)
    touched = fields.Datetime()

    _sql_constraints = [
        ("team_key_unique", "UNIQUE(team_id, key)", "One lock row per office and key."),
    ]

    def _acquire(self, team, key):
        """Serialise every decision on ``key`` in ``team`` until commit.

        A decision that meets a concurrent one fails with a serialization error, which Odoo's request
        handling retries on a fresh snapshot: an expected outcome, not logged as a bad query.
        """
        if not team:
            raise MissingError(self.env._("No sales office to decide in: the record does not exist or has none."))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO real_estate_lock (team_id, key, touched)
                VALUES (%s, %s, now() AT TIME ZONE 'UTC')
                ON CONFLICT (team_id, key) DO UPDATE SET touched = EXCLUDED.touched
                """,
                team.id,
                key,
            ),
            log_exceptions=False,
        )
