from odoo import api, models

from .pos_session import CLOSING_SESSIONS


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    @api.model_create_multi
    def create(self, vals_list):
        # A cash line of a session is a cash move: selling in that session.
        # The ORM fills in a default from the context: it counts too.
        default = self.env.context.get("default_pos_session_id")
        session_ids = {vals.get("pos_session_id", default) for vals in vals_list}
        session_ids -= {None, False}
        sessions = self.env["pos.session"].browse(session_ids)
        self.env.user._check_pos_selling(sessions)
        self._check_pos_cash_move(sessions)
        return super().create(vals_list)

    @api.model
    def _check_pos_cash_move(self, sessions):
        """Raise unless the current user may put cash in or take it out of
        ``sessions`` (a manager-only action, DESIGN §9), or change or delete
        such a move: in any state but closed, but for the cash lines their
        closing posts."""
        user = self.env.user
        if not user._pos_restriction_applies():
            return
        closing = self.env.cr.cache.get(CLOSING_SESSIONS, ())
        # sudo: the sessions' state and register, whoever may read them
        for session in sessions.sudo():
            if session.state != "closed" and session.id not in closing:
                user._check_pos("cash_move", session.config_id, session)

    def write(self, vals):
        self._check_pos_cash_lines(vals.get("pos_session_id"))
        return super().write(vals)

    def unlink(self):
        self._check_pos_cash_lines()
        return super().unlink()

    def copy(self, default=None):
        # A copy of a session's cash move is another one, in that session's
        # cash journal, whatever session the copy names.
        self._check_pos_cash_lines()
        return super().copy(default)

    def _check_pos_cash_lines(self, new_session_id=None):
        """Raise unless the current user may change these lines, the cash moves
        of the sessions they belong to, and move them to ``new_session_id``.
        Deny by default: whatever the field. Once a session is closed, its
        lines are accounting's: an accountant reconciles them."""
        # sudo: refuse a line of a hidden session by its rule, not by failing
        # to read it
        sessions = self.sudo().pos_session_id
        if self.env.user.has_group("account.group_account_user"):
            sessions = sessions.filtered(lambda session: session.state != "closed")
        if new_session_id:
            sessions |= self.env["pos.session"].browse(new_session_id)
        self.env.user._check_pos_selling(sessions)
        self._check_pos_cash_move(sessions)
