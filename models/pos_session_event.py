import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# The events after which a user has worked in a session: they may go on
# selling in it whatever changes to their restrictions (DESIGN §6).
WORKED_IN_EVENTS = ("opened", "resumed", "handed_over")
# The same user resuming the same session from the same device within this
# window is one sitting: reloading the POS app adds no entry.
RESUME_WINDOW = timedelta(hours=1)


class PosSessionEvent(models.Model):
    _name = "pos.session.event"
    _inherit = ["pos.restriction.record"]
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
    # The journal outlives nothing it names: a user, register or company
    # with entries is kept.
    config_id = fields.Many2one(required=True, ondelete="restrict")
    company_id = fields.Many2one(ondelete="restrict")
    user_id = fields.Many2one(ondelete="restrict")
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

    @api.model
    def _record(self, event, sessions, note=False):
        """Add ``event`` of the current user to the journal of each of ``sessions``."""
        origin = self._pos_request_origin()
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
                **self._pos_request_origin(),
            }
        )
        entry._seal_after_commit()
        return entry

    @api.model
    def _record_resume(self, session):
        """Journal that the current user resumed ``session``, once per sitting."""
        origin = self._pos_request_origin()
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

    # Sealing: the hash chain

    # Integrity
