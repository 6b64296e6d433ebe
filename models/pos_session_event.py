import hashlib
import json
import logging
from datetime import timedelta

from psycopg2 import errors
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.tools import SQL, format_datetime

_logger = logging.getLogger(__name__)

# The events after which a user has worked in a session: they may go on
# selling in it whatever changes to their restrictions (DESIGN §6).
WORKED_IN_EVENTS = ("opened", "resumed", "handed_over")
# The same user resuming the same session from the same device within this
# window is one sitting: reloading the POS app adds no entry.
RESUME_WINDOW = timedelta(hours=1)
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
CHECK_BATCH_SIZE = 5000
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
    _name = "pos.session.event"
    _description = "Point of Sale Session Journal Entry"
    _order = "date desc, id desc"
    _rec_name = "event"

    date = fields.Datetime(
        required=True, readonly=True, index=True, default=fields.Datetime.now
    )
    session_id = fields.Many2one(
        "pos.session", string="Session", readonly=True, index=True, ondelete="set null"
    )
    # Kept when a discarded session is deleted, and part of what the entry says.
    session_name = fields.Char(readonly=True)
    config_id = fields.Many2one(
        "pos.config",
        string="Point of Sale",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    event = fields.Selection(
        [
            ("opened", "Opened"),
            ("resumed", "Resumed"),
            ("started", "Started"),
            ("handed_over", "Handed over"),
            ("approved", "Approved"),
            ("closed", "Closed"),
            ("closed_remotely", "Closed remotely"),
            ("discarded", "Discarded"),
            ("cash_in", "Cash in"),
            ("cash_out", "Cash out"),
            ("cash_deleted", "Cash move deleted"),
            ("sale_held", "Sale held"),
            ("sale_placed", "Held sale placed"),
            ("sale_cancelled", "Held sale cancelled"),
        ],
        required=True,
        readonly=True,
    )
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    note = fields.Char(readonly=True)
    chain_sequence = fields.Integer(
        string="Chain Number",
        readonly=True,
        copy=False,
        help="The entry's place in its company's journal, given when it is sealed, "
        "just after the transaction that recorded it.",
    )
    previous_hash = fields.Char(readonly=True, copy=False)
    hash = fields.Char(
        readonly=True,
        copy=False,
        help="SHA-256 of the entry's content and of the previous entry's hash: "
        "changing or deleting an entry breaks the chain from there on.",
    )

    _chain_sequence_unique = models.Constraint(
        "UNIQUE(company_id, chain_sequence)",
        "Two entries of a company's session journal cannot share a place in its chain.",
    )
    _unsealed_idx = models.Index("(company_id, id) WHERE chain_sequence IS NULL")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_journal_entry(self):
        raise UserError(self.env._("Entries of the session journal cannot be deleted."))

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("Entries of the session journal cannot be changed.")
            )
        return super().write(vals)

    def unlink(self):
        # Even with the uninstall's context key, which skips ondelete methods.
        self.check_access("unlink")
        self._unlink_except_journal_entry()
        return super().unlink()

    @api.model
    def _record(self, event, sessions, note=False):
        """Add ``event`` of the current user to the journal of each of ``sessions``."""
        origin = self._request_origin()
        sessions.invalidate_recordset(["pos_worked_in"])
        # sudo: nobody but Odoo writes the journal, whoever acts
        entries = self.sudo().create(
            [
                {
                    "event": event,
                    "session_id": session.id,
                    "session_name": session._pos_restriction_label(),
                    "config_id": session.config_id.id,
                    "company_id": session.config_id.company_id.id,
                    "user_id": self.env.uid,
                    "note": note,
                    **origin,
                }
                for session in sessions.sudo()
            ]
        )
        entries._seal_after_commit()
        return entries

    @api.model
    def _record_on_config(self, event, config, note=False):
        """Add ``event`` of the current user to the journal of ``config``, for
        what happens before it has a session (an approval to open it)."""
        # sudo: nobody but Odoo writes the journal, whoever acts
        entry = self.sudo().create(
            {
                "event": event,
                "config_id": config.id,
                "company_id": config.company_id.id,
                "user_id": self.env.uid,
                "note": note,
                **self._request_origin(),
            }
        )
        entry._seal_after_commit()
        return entry

    @api.model
    def _record_resume(self, session):
        """Journal that the current user resumed ``session``, once per sitting."""
        origin = self._request_origin()
        # sudo: cashiers do not read the journal
        recent = self.sudo().search_count(
            [
                ("session_id", "=", session.id),
                ("user_id", "=", self.env.uid),
                ("ip_address", "=", origin["ip_address"]),
                ("user_agent", "=", origin["user_agent"]),
                ("date", ">=", fields.Datetime.now() - RESUME_WINDOW),
            ],
            limit=1,
        )
        if not recent:
            self._record("resumed", session)

    @api.model
    def _worked_in_sessions(self, user, sessions):
        """The ``sessions`` the journal says ``user`` worked in."""
        # sudo: cashiers do not read the journal
        return (
            self.sudo()
            .search_fetch(
                [
                    ("session_id", "in", sessions.ids),
                    ("user_id", "=", user.id),
                    ("event", "in", WORKED_IN_EVENTS),
                ],
                ["session_id"],
            )
            .session_id
        )

    def action_check_journal_integrity(self):
        """Seal what waits to be, then check the chain of each company the user
        works in: a notification says "intact since", or which entry does not
        match, and opens it."""
        if not self.env.user.has_group("point_of_sale.group_pos_manager"):
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may check the session journal."
                )
            )
        companies = self.env.companies
        self._seal_pending_entries(companies.ids)
        # A transaction of its own: this request's began before the sealing, and
        # would not see it.
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            # sudo: the administrator checks every entry of their companies
            journal = env[self._name].sudo()
            reports = journal._journal_integrity_reports(companies.with_env(env))
            messages = [journal._journal_integrity_message(r) for r in reports]
            broken_ids = [r["broken_entry"].id for r in reports if r["broken_entry"]]
        params = {
            "title": self.env._("Session Journal"),
            "message": " ".join(messages),
            "type": "danger" if broken_ids else "success",
            "sticky": bool(broken_ids),
        }
        if broken_ids:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "pos_session_restriction.action_pos_session_event"
            )
            action.update(domain=[("id", "in", broken_ids)], context={})
            if len(broken_ids) == 1:
                action.update(
                    res_id=broken_ids[0], view_mode="form", views=[(False, "form")]
                )
            params["next"] = action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    # Sealing: the hash chain

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

    # Integrity

    @api.model
    def _cron_seal_journal(self):
        """Seal the entries a sealing left waiting (busy, or the worker stopped
        between a commit and its sealing)."""
        self._seal_pending_entries()

    @api.model
    def _check_journal_integrity(self, companies=None):
        """The first sealed entry of each company's journal that does not match
        its chain, or nothing when every chain is intact. ``companies``: every
        company's when None. Entries not sealed yet are not checked."""
        broken = self.browse()
        for report in self._journal_integrity_reports(companies):
            broken |= report["broken_entry"]
        return broken

    @api.model
    def _journal_integrity_reports(self, companies=None):
        if companies is None:
            self.env.cr.execute("SELECT DISTINCT company_id FROM pos_session_event")
            companies = self.env["res.company"].browse(
                company_id for (company_id,) in self.env.cr.fetchall()
            )
        return [self._journal_integrity_report(company) for company in companies]

    @api.model
    def _journal_integrity_report(self, company):
        """Walk ``company``'s chain in order. The report: ``count`` entries
        found intact, from the ``first_entry`` to the ``last_entry``; the
        ``broken_entry`` where the chain breaks, with the ``reason`` (an entry
        ``missing`` before it, the entry ``unchained`` from the one before, or
        its content ``altered``); ``pending``, the entries not sealed yet."""
        report = {
            "company": company,
            "count": 0,
            "first_entry": self.browse(),
            "last_entry": self.browse(),
            "broken_entry": self.browse(),
            "reason": False,
            "pending": self.search_count(
                [("company_id", "=", company.id), ("chain_sequence", "=", False)]
            ),
        }
        sequence, previous_hash = 0, ""
        while True:
            entries = self.search_fetch(
                [("company_id", "=", company.id), ("chain_sequence", ">", sequence)],
                [*HASHED_FIELDS, "chain_sequence", "previous_hash", "hash"],
                order="chain_sequence",
                limit=CHECK_BATCH_SIZE,
            )
            if not entries:
                return report
            for entry in entries:
                if entry.chain_sequence != sequence + 1:
                    reason = "missing"
                elif (entry.previous_hash or "") != previous_hash:
                    reason = "unchained"
                elif entry.hash != entry._journal_hash(sequence + 1, previous_hash):
                    reason = "altered"
                else:
                    reason = False
                if reason:
                    report.update(broken_entry=entry, reason=reason)
                    return report
                report["count"] += 1
                report["first_entry"] = report["first_entry"] or entry
                report["last_entry"] = entry
                sequence, previous_hash = entry.chain_sequence, entry.hash
            self.invalidate_model()

    @api.model
    def _journal_integrity_message(self, report):
        """What ``report`` says, as a sentence for an administrator."""
        company = report["company"].name
        first, entry = report["first_entry"], report["broken_entry"]
        if entry:
            reason = {
                "missing": self.env._(
                    "the entry before it (number %(number)s) was deleted",
                    number=entry.chain_sequence - 1,
                ),
                "unchained": self.env._(
                    "it no longer follows the entry before it, which was changed"
                ),
                "altered": self.env._("it was changed after it was recorded"),
            }[report["reason"]]
            message = self.env._(
                "%(company)s: entry number %(number)s (%(event)s by %(user)s on "
                "%(date)s) does not match: %(reason)s.",
                company=company,
                number=entry.chain_sequence,
                event=entry._fields["event"].convert_to_export(entry.event, entry),
                user=entry.user_id.name,
                date=format_datetime(self.env, entry.date),
                reason=reason,
            )
            if report["count"]:
                message += " " + self.env._(
                    "The chain is intact up to entry number %(number)s.",
                    number=report["last_entry"].chain_sequence,
                )
            return message
        if not first:
            message = self.env._("%(company)s: no entry yet.", company=company)
        else:
            message = self.env._(
                "%(company)s: the journal is intact since %(date)s, %(count)s entries.",
                company=company,
                date=format_datetime(self.env, first.date),
                count=report["count"],
            )
        if report["pending"]:
            message += " " + self.env._(
                "%(count)s more wait to be sealed.", count=report["pending"]
            )
        return message

    @api.model
    def _request_origin(self):
        if not request:
            return {"ip_address": False, "user_agent": False}
        return {
            "ip_address": request.httprequest.remote_addr,
            "user_agent": (request.httprequest.user_agent.string or "")[:512] or False,
        }
