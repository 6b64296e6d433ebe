from odoo import api, fields, models
from odoo.exceptions import AccessError

from .pos_session_event import WORKED_IN_EVENTS
from .pos_session_journal import JOURNALED_STATES

# The states a session enters as it closes, which core no longer sells in: it
# moves an order sent for one into the register's open session
# (pos.order._get_valid_session).
CLOSING_STATES = ("closing_control", "closed")
# Cursor data: the sessions whose closing is posting their cash.
CLOSING_SESSIONS = "pos_session_restriction.closing_sessions"


class PosSession(models.Model):
    _inherit = "pos.session"

    # The single-session check and the POS rule look up a user's sessions that are
    # not closed: without this index PostgreSQL reads all of a user's past
    # sessions, or walks the whole table when that user holds many of them.
    _user_id_not_closed_idx = models.Index("(user_id) WHERE state != 'closed'")
    # A restricted user's Sessions list: their registers' sessions, newest
    # first. Without the list's columns in the index, PostgreSQL walks the
    # newest sessions of every register to find them (at 3,000 registers, 600
    # for each one shown); with them, it reads the index alone and sorts.
    # Sessions are written a few times a day: the index costs little.
    _config_id_list_idx = models.Index(
        "(config_id) INCLUDE (id, name, user_id, start_at, stop_at, "
        "cash_register_balance_start, cash_register_balance_end_real, state)"
    )

    pos_refusal_count = fields.Integer(
        string="Refusals",
        compute="_compute_pos_refusal_count",
        groups="point_of_sale.group_pos_manager",
    )

    def _compute_cash_balance(self):
        # Core reads each session's cash payments in a query of its own: as a
        # restricted user, each carried the payments' record rules, whose
        # cost grew with the Sessions list's page. A session the user reads
        # is theirs to read the cash of.
        return super(PosSession, self.sudo())._compute_cash_balance()

    def _compute_pos_refusal_count(self):
        counts = dict(
            self.env["pos.restriction.log"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["attempt_count:sum"]
            )
        )
        for session in self:
            session.pos_refusal_count = counts.get(session, 0)

    @api.model_create_multi
    def create(self, vals_list):
        context = self.env.context
        for vals in vals_list:
            self._check_pos_rescue_flag(vals)
            config_id = vals.get("config_id") or context.get("default_config_id")
            if config_id:
                self._pos_lock_config_opening(config_id)
                user_id = vals.get("user_id") or context.get("default_user_id")
                self.env.user._check_pos_session_opening(
                    self.env["pos.config"].browse(config_id),
                    self.env["res.users"].browse(user_id or self.env.uid),
                    "open",
                )
        sessions = self
        if self.env.user._pos_restriction_applies():
            # True, this key skips core's one-session-per-register check.
            sessions = self.with_context(onboarding_creation=False)
        sessions = super(PosSession, sessions).create(vals_list)
        self.env["res.users"].invalidate_model(["pos_open_session_ids"])
        self.env["pos.session.event"]._record("opened", sessions)
        self.env["pos.approval.grant"]._bind_opened_sessions(sessions)
        return sessions

    def write(self, vals):
        handed_over, receiver = self._pos_handed_over(vals)
        if len(handed_over) > 1:
            # One at a time: each hand-over counts the sessions the receiver
            # holds once the one before is theirs (one open session at a time).
            for session in self:
                session.write(vals)
            return True
        # Deny by default: whatever a write changes but its cashier is
        # operating the session (state, cash counted, notes, dates, moves...).
        if vals.keys() - {"user_id"}:
            self._check_pos_restriction("operate")
        if vals.get("state") in CLOSING_STATES:
            # Closing, whichever way: for some, a manager's end-of-day count.
            self._check_pos_restriction("close")
        elif vals.get("state") == "opened":
            # A session that was closing opens again: its closing was not done,
            # and an approval of it ends.
            self.env["pos.approval.grant"]._end_closing(
                self.filtered(lambda s: s.state in CLOSING_STATES)
            )
        self._check_pos_rescue_flag(vals)
        self._check_pos_abandoned_flag(vals)
        if "config_id" in vals:
            self._check_pos_restriction_reassignment(vals)
        # Writing the cashier of a session hands it over: one policy decides.
        for session in handed_over:
            self.env.user._check_pos_hand_over(session, receiver)
        givers = {session: session.user_id for session in handed_over}
        event = JOURNALED_STATES.get(vals.get("state"))
        entering = event and self.filtered(lambda s: s.state != vals["state"])
        res = super().write(vals)
        if vals.keys() & {"state", "user_id", "rescue"}:
            self.env["res.users"].invalidate_model(["pos_open_session_ids"])
        if entering:
            entering._pos_journal(event)
            if event == "closed":
                entering._pos_forget_outside_sessions()
        for session, giver in givers.items():
            session._pos_record_hand_over(giver)
        return res

    def unlink(self):
        # Anyone may discard a session of their own (core refuses one with
        # orders); another's is operating it.
        self.filtered(lambda s: s.user_id != self.env.user)._check_pos_restriction(
            "operate"
        )
        self._pos_journal("discarded")
        res = super().unlink()
        self.env["res.users"].invalidate_model(["pos_open_session_ids"])
        return res

    def action_view_restriction_log(self):
        """The refusals met on this session, beside its journal."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_restriction_log"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_pos_session_open(self):
        self._check_pos_restriction("start")
        return super().action_pos_session_open()

    def _set_opening_control_data(self, cashbox_value, notes):
        self._check_pos_restriction("start")
        return super()._set_opening_control_data(cashbox_value, notes)

    def get_closing_control_data(self):
        self._check_pos_restriction("close")
        return super().get_closing_control_data()

    def update_closing_control_state_session(self, notes):
        self._check_pos_restriction("close")
        return super().update_closing_control_state_session(notes)

    def post_closing_cash_details(self, counted_cash):
        self._check_pos_restriction("close")
        return super().post_closing_cash_details(counted_cash)

    def close_session_from_ui(self, bank_payment_method_diff_pairs=None):
        self._check_pos_restriction("close")
        return super().close_session_from_ui(bank_payment_method_diff_pairs)

    def action_pos_session_closing_control(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_closing_control(*args, **kwargs)

    def action_pos_session_validate(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_validate(*args, **kwargs)

    def action_pos_session_close(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_close(*args, **kwargs)

    def delete_opening_control_session(self):
        # Anyone may discard an unstarted session of their own: nothing is lost
        # (core refuses once it has orders), and a left-over one would block them.
        others = self.exists().filtered(lambda s: s.user_id != self.env.user)
        others._check_pos_restriction("close")
        return super().delete_opening_control_session()

    def try_cash_in_out(self, _type, amount, reason, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        self.env["account.bank.statement.line"]._check_pos_cash_move(self)
        res = super().try_cash_in_out(_type, amount, reason, *args, **kwargs)
        # Core moves cash in the sessions that have a cash journal only.
        for session in self.filtered("cash_journal_id"):
            self.env["pos.session.event"]._record(
                "cash_in" if _type == "in" else "cash_out",
                session,
                note=session._pos_cash_move_note(amount, reason),
            )
        return res

    def delete_cash_in_out(self, absl_id, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        # sudo: the line is read before core checks that it is this session's
        line = self.env["account.bank.statement.line"].sudo().browse(absl_id).exists()
        note = line and self._pos_cash_move_note(line.amount, line.payment_ref)
        res = super().delete_cash_in_out(absl_id, *args, **kwargs)
        self.env["pos.session.event"]._record("cash_deleted", self, note=note)
        return res

    def _validate_session(self, *args, **kwargs):
        # Closing posts the cash counted and its difference as cash lines:
        # closing's, not cash moves of the cashier's.
        closing = self.env.cr.cache.setdefault(CLOSING_SESSIONS, set())
        closing.update(self.ids)
        try:
            return super()._validate_session(*args, **kwargs)
        finally:
            closing.difference_update(self.ids)

    def _check_pos_restriction(self, action):
        """Raise unless the current user may ``action`` every session of ``self``."""
        for session in self:
            self.env.user._check_pos_session_access(session, action)

    def _check_pos_restriction_reassignment(self, vals):
        for session in self:
            self.env.user._check_pos_session_opening(
                self.env["pos.config"].browse(
                    vals.get("config_id", session.config_id.id)
                ),
                self.env["res.users"].browse(vals.get("user_id", session.user_id.id)),
                "operate",
                session=session,
            )

    def _check_pos_rescue_flag(self, vals):
        """Recovery sessions escape both one-session checks, core's and ours:
        restricted users may not mark one."""
        if vals.get("rescue") and self.env.user._pos_restriction_applies():
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may mark a session as a "
                    "recovery session."
                )
            )

    def _pos_lock_config_opening(self, config_id):
        """Serialise the openings of a register, as the user's are serialised
        for one open session (see res.users._pos_lock_session_opening): core's
        one-session-per-register check counts in a snapshot that cannot see a
        rival's new session, and only the /pos/ui route locks the register."""
        self.env.cr.execute(
            "UPDATE pos_config SET write_date = write_date WHERE id = %s", [config_id]
        )

    def _pos_forget_outside_sessions(self):
        """These sessions just closed: a user who sees them only because they
        held or worked in them, on a register off their visible list, no
        longer does. The record rules cached that list: drop it."""
        # sudo: the journal and the users' lists are administrators' data
        users = (
            self.sudo().user_id
            | self.env["pos.session.event"]
            .sudo()
            .search([("session_id", "in", self.ids), ("event", "in", WORKED_IN_EVENTS)])
            .user_id
        )
        if any(
            user.pos_view_config_ids and self.config_id - user.pos_view_config_ids
            for user in users.sudo()
        ):
            self.env.registry.clear_cache()

    def _pos_restriction_label(self):
        """How a refusal names the session: its number once started."""
        self.ensure_one()
        return self.name if self.name != "/" else f"#{self.id}"
