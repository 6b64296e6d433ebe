from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import format_amount

# The journal's event for a session entering each of these states.
JOURNALED_STATES = {"opened": "started", "closed": "closed"}
# A key of the cursor's cache (see _pos_journal_as): the journal entries the
# code running now writes instead of the usual ones. The web client sets the
# context, never this.
JOURNAL_OVERRIDES = "pos_session_restriction.journal_overrides"


class PosSession(models.Model):
    _inherit = "pos.session"

    pos_event_count = fields.Integer(
        string="Journal Entries",
        compute="_compute_pos_event_count",
        groups="point_of_sale.group_pos_manager",
    )

    pos_worked_in = fields.Boolean(
        string="Worked In",
        compute="_compute_pos_worked_in",
        help="Technical field: whether the current user opened, resumed or "
        "received this session, as its journal says.",
    )

    pos_event_ids = fields.One2many(
        "pos.session.event",
        "session_id",
        string="Journal",
        groups="point_of_sale.group_pos_manager",
    )

    def _compute_pos_event_count(self):
        counts = dict(
            self.env["pos.session.event"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["__count"]
            )
        )
        for session in self:
            session.pos_event_count = counts.get(session, 0)

    @api.depends_context("uid")
    def _compute_pos_worked_in(self):
        worked_in = self.env["pos.session.event"]._worked_in_sessions(
            self.env.user, self
        )
        for session in self:
            session.pos_worked_in = session in worked_in

    def action_view_pos_session_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_session_event"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {}
        return action

    def _pos_cash_move_note(self, amount, reason):
        """How the journal describes a cash move of ``amount`` for ``reason``."""
        self.ensure_one()
        return self.env._(
            "%(amount)s: %(reason)s",
            amount=format_amount(self.env, amount, self.currency_id),
            reason=reason or "",
        )

    def _pos_journal(self, event):
        """Journal ``event`` of the current user on these sessions, or the entry
        that the code running now chose instead (``_pos_journal_as``)."""
        overrides = self.env.cr.cache.get(JOURNAL_OVERRIDES, {})
        Journal = self.env["pos.session.event"]
        usual = self.filtered(lambda s: (s.id, event) not in overrides)
        if usual:
            Journal._record(event, usual)
        for session in self - usual:
            new_event, note = overrides[session.id, event]
            Journal._record(new_event, session, note=note)

    @contextmanager
    def _pos_journal_as(self, event, new_event, note=False):
        """Meanwhile, journal ``new_event`` with ``note`` wherever ``event``
        would be journaled on these sessions."""
        overrides = self.env.cr.cache.setdefault(JOURNAL_OVERRIDES, {})
        keys = [(session.id, event) for session in self]
        overrides.update(dict.fromkeys(keys, (new_event, note)))
        try:
            yield
        finally:
            for key in keys:
                overrides.pop(key, None)
