import hashlib
import logging

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.i18n import html_lines, lines_in_both

_logger = logging.getLogger(__name__)

#: The first entry of an office's chain links to this value.
GENESIS = "0" * 64
#: Advisory lock class of the chain sealing (one lock per office).
CHAIN_LOCK = 7_420_318

OWNERSHIP_EVENTS = [
    ("assign", "Assigned"),
    ("renew", "Renewed"),
    ("expire", "Expired"),
    ("release", "Released"),
    ("convert", "Converted"),
    ("transfer", "Transferred"),
    ("cancel", "Deal Cancelled"),
]
OWNERSHIP_SOURCES = [
    ("visit", "Visit"),
    ("call", "Call"),
    ("followup", "Follow-up"),
    ("cron", "Scheduled Expiry"),
    ("manual", "Manager"),
    ("deal", "Deal"),
    ("dispute", "Dispute Decision"),
    ("handover", "Handover"),
    ("redistribution", "Redistribution"),
]


class RealEstateOwnershipLog(models.Model):
    """The audit trail of ownership: who, when, by which rule, before and after.

    Written by the ownership engine only; nobody may edit or delete it.
    """

    _name = "real.estate.ownership.log"
    _inherit = ["real.estate.api.values"]
    _description = "Ownership Audit Log"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    date = fields.Datetime(required=True, index=True, help="Moment the rule applied (UTC).")
    lead_id = fields.Many2one("crm.lead", string="Customer", required=True, index=True, ondelete="cascade")
    # no index of its own: ``seal_seq_unique`` (team_id, seal_seq) serves the office's searches
    team_id = fields.Many2one("crm.team", string="Sales Office", required=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True, precompute=True)
    event = fields.Selection(OWNERSHIP_EVENTS, required=True)
    rule = fields.Char(required=True)
    old_user_id = fields.Many2one("res.users", string="Owner Before")
    new_user_id = fields.Many2one("res.users", string="Owner After")
    protection_id = fields.Many2one("real.estate.protection", ondelete="set null")
    visit_id = fields.Many2one("real.estate.visit", ondelete="set null")
    source = fields.Selection(OWNERSHIP_SOURCES, required=True)
    author_id = fields.Many2one("res.users", string="Recorded By", required=True)
    reason = fields.Char(required=True)
    explanation_params = fields.Json()
    explanation = fields.Text(compute="_compute_explanation")
    # the office's hash chain (tamper evidence): each entry seals its content and the previous entry's hash
    # indexed with the office by ``seal_seq_unique``
    seal_seq = fields.Integer(string="Chain Position", readonly=True, copy=False)
    prev_hash = fields.Char(string="Previous Hash", readonly=True, copy=False)
    entry_hash = fields.Char(string="Hash", readonly=True, copy=False)

    _sql_constraints = [
        ("seal_seq_unique", "UNIQUE(team_id, seal_seq)", "An office's chain has one entry per position."),
    ]

    def init(self):
        # every entry is written twice (logged, then sealed): no index that the chain's own index covers
        for column in ("team_id", "seal_seq"):
            self.env.cr.execute(
                SQL("DROP INDEX IF EXISTS %s", SQL.identifier("real_estate_ownership_log__%s_index" % column))
            )
        # the sealing picks the unsealed entries of an office without reading its sealed history; the chain's
        # head and its walk in order use the (team_id, seal_seq) index of ``seal_seq_unique``
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS real_estate_ownership_log_unsealed
                    ON real_estate_ownership_log (team_id, id)
                 WHERE seal_seq IS NULL
                """
            )
        )

    @api.depends_context("lang")
    @api.depends("reason", "explanation_params", "rule")
    def _compute_explanation(self):
        engine = self.env["real.estate.ownership.engine"]
        for log in self:
            log.explanation = engine._explain(log.reason, dict(log.explanation_params or {}, rule=log.rule))

    def _owner_label(self, side):
        """Owner before or after, as words (a channel addon adds channels)."""
        user = self.old_user_id if side == "old" else self.new_user_id
        return user.name or self.env._("nobody")

    def _chatter_body(self):
        """The ownership change for the chatter: who before and after, by which rule, and why, in English
        and in Chinese (the chatter is stored once and read by everyone)."""
        self.ensure_one()
        params = dict(self.explanation_params or {}, rule=self.rule)

        def title(env):
            log = self.with_env(env)
            events = dict(self._fields["event"]._description_selection(env))
            return "%s: %s → %s (%s)" % (
                events[self.event],
                log._owner_label("old"),
                log._owner_label("new"),
                self.rule,
            )

        titles = lines_in_both(self.env, title)
        texts = self.env["real.estate.ownership.engine"]._explain_bilingual(self.reason, params)
        return Markup("<p><b>%s</b></p>") % html_lines(titles) + Markup("").join(
            Markup("<p>%s</p>") % escape(text) for text in texts
        )

    # ------------------------------------------------------------------
    # Tamper evidence: a hash chain per office
    # ------------------------------------------------------------------
    @api.model
    def _chain_columns(self):
        """The columns an entry's hash covers (other addons add theirs to ``_chain_extension_columns``)."""
        return [
            "lead_id",
            "team_id",
            "event",
            "rule",
            "old_user_id",
            "new_user_id",
            "protection_id",
            "visit_id",
            "date",
            "source",
            "author_id",
            "reason",
            "explanation_params",
        ]

    @api.model
    def _chain_extension_columns(self):
        """Columns other addons add to what an entry's hash covers (DI-3).

        Each counts only when set, by name: an entry written before the addon was installed keeps its
        hash, and setting or clearing the column afterwards breaks it.
        """
        return []

    @api.model
    def _chain_payload(self, values, extensions):
        """The text an entry's hash covers: its columns, then its extension columns that are set."""
        payload = "\x1f".join(value or "" for value in values)
        return payload + "".join("\x1e%s=%s" % (name, value) for name, value in extensions if value)

    @api.model
    def _chain_rows(self, where, order=None, limit=None):
        """``(id, seal_seq, prev_hash, entry_hash, payload)`` of the entries matching ``where`` (SQL), in
        ``order`` (SQL) and at most ``limit`` of them."""
        base, extensions = self._chain_columns(), self._chain_extension_columns()
        columns = SQL(", ").join(SQL("%s::text", SQL.identifier(column)) for column in base + extensions)
        self.env.cr.execute(
            SQL(
                "SELECT id, seal_seq, prev_hash, entry_hash, %s FROM real_estate_ownership_log WHERE %s%s%s",
                columns,
                where,
                SQL(" ORDER BY %s", order) if order else SQL(),
                SQL(" LIMIT %s", limit) if limit else SQL(),
            )
        )
        cut = 4 + len(base)
        return [
            (row[0], row[1], row[2], row[3], self._chain_payload(row[4:cut], zip(extensions, row[cut:], strict=True)))
            for row in self.env.cr.fetchall()
        ]

    @api.model
    def _chain_range_size(self):
        """How many entries the sealing and the verification read per query: memory stays flat whatever the
        size of the log."""
        size = self.env["ir.config_parameter"].sudo().get_param("real_estate_attribution.audit_chain_range_size")
        return max(int(size or 10_000), 1)

    @api.model
    def _chain_walk(self, team_id):
        """The sealed entries of an office in chain order (as :meth:`_chain_rows`), read one range of
        ``seal_seq`` at a time."""
        size, after = self._chain_range_size(), SQL("seal_seq IS NOT NULL")
        while True:
            rows = self._chain_rows(SQL("team_id = %s AND %s", team_id, after), order=SQL("seal_seq"), limit=size)
            yield from rows
            if len(rows) < size:
                return
            after = SQL("seal_seq > %s", rows[-1][1])

    @api.model
    def _unsealed_chunks(self, team_id):
        """The entries of an office not yet sealed, in the order they were written, one chunk at a time (the
        partial index ``real_estate_ownership_log_unsealed`` never reads the sealed history)."""
        size, after = self._chain_range_size(), 0
        while True:
            rows = self._chain_rows(
                SQL("team_id = %s AND seal_seq IS NULL AND id > %s", team_id, after), order=SQL("id"), limit=size
            )
            if rows:
                yield rows
            if len(rows) < size:
                return
            after = rows[-1][0]

    @api.model
    def _chain_hash(self, entry_id, prev_hash, payload):
        return hashlib.sha256(("%s\x1e%s\x1e%s" % (prev_hash, entry_id, payload)).encode()).hexdigest()

    @api.model
    def _chain_head(self, team_id):
        """``(seal_seq, entry_hash)`` of the last sealed entry of an office (``(0, GENESIS)`` if none)."""
        self.env.cr.execute(
            SQL(
                "SELECT seal_seq, entry_hash FROM real_estate_ownership_log"
                " WHERE team_id = %s AND seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1",
                team_id,
            )
        )
        return self.env.cr.fetchone() or (0, GENESIS)

    @api.model
    def _seal(self, team_ids=None):
        """Link the entries not yet sealed to their office's chain, in the order they were written.

        One office at a time under an advisory lock; the caller's transaction must see the entries
        committed before the lock (the sealing cursor reads committed data, see ``_seal_after_commit``).
        The entries are read and linked one chunk at a time, keeping only the chain's head.
        Returns the number of entries sealed.
        """
        if team_ids is None:
            self.env.cr.execute("SELECT DISTINCT team_id FROM real_estate_ownership_log WHERE seal_seq IS NULL")
            team_ids = [row[0] for row in self.env.cr.fetchall()]
        self.flush_model()
        sealed = 0
        for team_id in sorted(set(team_ids)):
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", CHAIN_LOCK, team_id))
            seq, head = self._chain_head(team_id)
            for chunk in self._unsealed_chunks(team_id):
                links = []
                for entry_id, _seq, _prev, _hash, payload in chunk:
                    seq += 1
                    entry_hash = self._chain_hash(entry_id, head, payload)
                    links.append((entry_id, seq, head, entry_hash))
                    head = entry_hash
                self._write_links(links)
                sealed += len(links)
        if sealed:
            self.invalidate_model(["seal_seq", "prev_hash", "entry_hash"])
        if sealed >= self._chain_range_size():
            # after a backlog the planner's statistics still count it unsealed: it would then find the next
            # entries to seal by walking the whole log in id order instead of the unsealed entries' index
            self.env.cr.execute("ANALYZE real_estate_ownership_log")
        return sealed

    @api.model
    def _write_links(self, links):
        """Store ``(id, seal_seq, prev_hash, entry_hash)`` of a chunk of entries in one UPDATE."""
        ids, seqs, prevs, hashes = zip(*links, strict=True)
        self.env.cr.execute(
            SQL(
                "UPDATE real_estate_ownership_log l SET seal_seq = v.seq, prev_hash = v.prev, entry_hash = v.hash"
                " FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[]) AS v(id, seq, prev, hash)"
                " WHERE l.id = v.id",
                list(ids),
                list(seqs),
                list(prevs),
                list(hashes),
            )
        )

    @api.model
    def _seal_after_commit(self, team_ids):
        """Seal the entries of this transaction once it is committed, in a transaction of its own."""
        pending = self.env.cr.postcommit.data.setdefault("real_estate_ownership_log.seal", set())
        if not pending:
            self.env.cr.postcommit.add(self._postcommit_seal)
        pending.update(team_ids)

    def _postcommit_seal(self):
        team_ids = self.env.cr.postcommit.data.pop("real_estate_ownership_log.seal", set())
        try:
            with self.env.registry.cursor() as cr:
                if not self.env.registry.in_test_mode():
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                self.with_env(self.env(cr=cr, su=True))._seal(team_ids)
        except Exception:
            # the entries stay unsealed and the next sealing (or the daily cron) links them
            _logger.warning("Sealing the ownership log after commit failed; the cron will seal it.", exc_info=True)

    @api.model
    def _cron_seal_and_verify(self):
        """Daily: seal what is left unsealed, verify every office's chain and tell the office of a break."""
        self._seal()
        for team in self.env["crm.team"].search([("is_sales_office", "=", True)]):
            result = self._verify_chain(team)
            if not result["ok"]:
                team.message_post(body=result["message"], subtype_xmlid="mail.mt_note")

    @api.model
    def verify(self, team_id):
        """XML-RPC: check the ownership log of an office. Returns ``{ok, checked, first_bad_id,
        first_bad_position, message}``: ``first_bad_id`` is the first entry whose content or link does
        not match its hash (``False`` when the chain holds)."""
        if not isinstance(team_id, int) or isinstance(team_id, bool):
            raise UserError(self.env._("team_id must be the integer id of a sales office."))
        team = self.env["crm.team"].browse(team_id).exists()
        if not team or not team.is_sales_office:
            raise UserError(self.env._("Unknown sales office: %(id)s.", id=team_id))
        if not self.env.user.has_group("real_estate_attribution.group_site_manager"):
            raise AccessError(self.env._("Only site managers and auditors verify the ownership log."))
        return self.sudo()._verify_chain(team)

    @api.model
    def _verify_chain(self, team):
        """Walk the office's chain in order and recompute every hash, one range of positions at a time."""
        head, expected_seq = GENESIS, 1
        for entry_id, seq, prev_hash, entry_hash, payload in self._chain_walk(team.id):
            if seq != expected_seq or prev_hash != head or self._chain_hash(entry_id, head, payload) != entry_hash:
                return {
                    "ok": False,
                    "checked": expected_seq - 1,
                    "first_bad_id": entry_id,
                    "first_bad_position": seq,
                    "message": self.env._(
                        "The ownership log of %(office)s does not match its hashes from entry %(id)s (position "
                        "%(position)s) on: it was changed outside the rules.",
                        office=team.name,
                        id=entry_id,
                        position=seq,
                    ),
                }
            head, expected_seq = entry_hash, expected_seq + 1
        return {
            "ok": True,
            "checked": expected_seq - 1,
            "first_bad_id": False,
            "first_bad_position": False,
            "message": self.env._(
                "The ownership log of %(office)s holds: %(count)s entries, each matching its hash.",
                office=team.name,
                count=expected_seq - 1,
            ),
        }
