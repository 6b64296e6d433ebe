import hashlib
import json
import logging

from psycopg2 import errors
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The first key of the advisory lock that serialises the sealing of a company's
# journal ("PSRJ"); the second is the company's id.
SEAL_LOCK_KEY = 0x5053524A
# How long a sealing waits for another one of the same company before leaving
# its entries to the next: sealing runs after a cashier's request is committed,
# and must not keep its answer waiting.
SEAL_LOCK_TIMEOUT = "2s"
SEAL_BATCH_SIZE = 1000
# Where a transaction gathers the companies whose entries it added, to seal
# them once it commits.
SEAL_DATA_KEY = "pos_session_event.seal"
# The fields an entry's hash covers (see _journal_hashed_values).
HASHED_FIELDS = (
    "date",
    "event",
    "session_name",
    "config_id",
    "company_id",
    "user_id",
    "ip_address",
    "user_agent",
    "note",
)


class PosSessionEvent(models.Model):
    """The session journal's chain: each entry sealed with the hash of its
    content and of the entry before it, per company, once it is committed."""

    _inherit = "pos.session.event"

    def _seal_after_commit(self):
        """Seal these entries once the transaction that added them commits.

        They are written unsealed inside the cashier's transaction, which must
        neither wait for another worker's sealing nor fail with it: the chain
        is extended afterwards, by one short transaction per commit, that
        seals every entry of the company still waiting (see ``_seal``).
        """
        if not self:
            return
        cr = self.env.cr
        if SEAL_DATA_KEY not in cr.postcommit.data:
            journal = self.browse()
            companies = cr.postcommit.data[SEAL_DATA_KEY] = set()

            @cr.postcommit.add
            def seal():
                try:
                    journal._seal_pending_entries(sorted(companies))
                except Exception:
                    # The entries are safe; the next sealing or the cron seals them.
                    _logger.exception("Could not seal the session journal")

        cr.postcommit.data[SEAL_DATA_KEY].update(self.company_id.ids)

    @api.model
    def _seal_pending_entries(self, company_ids=None):
        """Seal the entries waiting to be, of ``company_ids`` (every company's
        when None), through a transaction of its own, committed at once.
        Returns False when another sealing held a company longer than
        ``SEAL_LOCK_TIMEOUT``: its entries then wait for the next sealing."""
        try:
            with self.env.registry.cursor() as cr:
                if cr.connection.get_transaction_status() == TRANSACTION_STATUS_IDLE:
                    # A new transaction, in READ COMMITTED: the rows read once the
                    # company's lock is held include those sealed by whoever held
                    # it before. (Under REPEATABLE READ, Odoo's default, the
                    # snapshot taken by the lock's own statement would not.)
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cr.execute(SQL("SET LOCAL lock_timeout = %s", SEAL_LOCK_TIMEOUT))
                # superuser: nobody else writes the journal
                api.Environment(cr, SUPERUSER_ID, {})[self._name]._seal(company_ids)
        except errors.LockNotAvailable:
            _logger.info("Session journal: sealing left to the next one (busy)")
            return False
        return True

    @api.model
    def _seal(self, company_ids=None):
        """Give each unsealed entry of ``company_ids`` (every company's when
        None) its place in the company's chain: the next number, the hash of
        the entry before it, and its own hash. Written in SQL: the ORM refuses
        to change an entry.

        Serialised per company by a transaction-level advisory lock: two
        sealings never chain two entries to the same one (the unique chain
        number would refuse it anyway). Run it in a transaction of its own, in
        READ COMMITTED, as ``_seal_pending_entries`` does.
        """
        cr = self.env.cr
        if company_ids is None:
            cr.execute(
                "SELECT DISTINCT company_id FROM pos_session_event"
                " WHERE chain_sequence IS NULL"
            )
            company_ids = [company_id for (company_id,) in cr.fetchall()]
        for company_id in sorted(company_ids):
            cr.execute(
                SQL("SELECT pg_advisory_xact_lock(%s, %s)", SEAL_LOCK_KEY, company_id)
            )
            cr.execute(
                SQL(
                    "SELECT chain_sequence, hash FROM pos_session_event"
                    " WHERE company_id = %s AND chain_sequence IS NOT NULL"
                    " ORDER BY chain_sequence DESC LIMIT 1",
                    company_id,
                )
            )
            sequence, previous_hash = cr.fetchone() or (0, "")
            while True:
                cr.execute(
                    SQL(
                        "SELECT id FROM pos_session_event"
                        " WHERE company_id = %s AND chain_sequence IS NULL"
                        " ORDER BY id LIMIT %s",
                        company_id,
                        SEAL_BATCH_SIZE,
                    )
                )
                entries = self.browse(entry_id for (entry_id,) in cr.fetchall())
                if not entries:
                    break
                rows = []
                for entry in entries:
                    sequence += 1
                    entry_hash = entry._journal_hash(sequence, previous_hash)
                    rows.append(
                        SQL(
                            "(%s, %s, %s, %s)",
                            entry.id,
                            sequence,
                            previous_hash,
                            entry_hash,
                        )
                    )
                    previous_hash = entry_hash
                cr.execute(
                    SQL(
                        "UPDATE pos_session_event AS entry"
                        "   SET chain_sequence = sealed.sequence,"
                        "       previous_hash = sealed.previous_hash,"
                        "       hash = sealed.hash"
                        "  FROM (VALUES %s)"
                        "       AS sealed(id, sequence, previous_hash, hash)"
                        " WHERE entry.id = sealed.id"
                        "   AND entry.chain_sequence IS NULL",
                        SQL(", ").join(rows),
                    )
                )
                self.invalidate_model(["chain_sequence", "previous_hash", "hash"])
                if len(entries) < SEAL_BATCH_SIZE:
                    break

    def _journal_hashed_values(self):
        """What the hash of this entry covers: everything it says. Not the link
        to its session, emptied when a discarded session is deleted; its name,
        recorded with it, is covered. Extend it with the fields you add."""
        self.ensure_one()
        return {
            "id": self.id,
            "date": fields.Datetime.to_string(self.date),
            "event": self.event,
            "session_name": self.session_name or "",
            "config_id": self.config_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "ip_address": self.ip_address or "",
            "user_agent": self.user_agent or "",
            "note": self.note or "",
        }

    def _journal_hash(self, sequence, previous_hash):
        """The hash of this entry at place ``sequence``, after an entry whose
        hash is ``previous_hash``: SHA-256 over the previous hash and a stable
        string of the entry (canonical JSON, as l10n_fr_pos_cert does)."""
        values = {**self._journal_hashed_values(), "chain_sequence": sequence}
        content = json.dumps(
            values, sort_keys=True, ensure_ascii=True, separators=(",", ":")
        )
        return hashlib.sha256((previous_hash + content).encode()).hexdigest()

    @api.model
    def _cron_seal_journal(self):
        """Seal the entries a sealing left waiting (busy, or the worker stopped
        between a commit and its sealing)."""
        self._seal_pending_entries()
