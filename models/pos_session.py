from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

# Writing these moves a session between states, registers or cashiers.
GUARDED_SESSION_FIELDS = {"state", "user_id", "config_id"}
# The journal's event for a session entering each of these states.
JOURNALED_STATES = {"opened": "started", "closed": "closed"}


class PosSession(models.Model):
    _inherit = "pos.session"

    # The single-session check and the POS rule look up a user's sessions that are
    # not closed: without this index PostgreSQL reads all of a user's past
    # sessions, or walks the whole table when that user holds many of them.
    _user_id_not_closed_idx = models.Index("(user_id) WHERE state != 'closed'")

    pos_event_count = fields.Integer(
        compute="_compute_pos_event_count", groups="point_of_sale.group_pos_manager"
    )

    pos_worked_in = fields.Boolean(
        compute="_compute_pos_worked_in",
        help="Technical field: whether the current user opened, resumed or "
        "received this session, as its journal says.",
    )

    def _compute_pos_event_count(self):
        counts = dict(
            self.env["pos.session.event"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["__count"]
            )
        )
        for session in self:
            session.pos_event_count = counts.get(session, 0)

    @api.depends("payment_method_ids", "order_ids", "cash_register_balance_start")
    def _compute_cash_balance(self):
        # Core's computation, with the cash payments of all the sessions read
        # in one query instead of one per session: the Sessions list computes
        # it for each row, and each query carries the record rules (with the
        # restrictions on, their cost grew with the page).
        cash_methods = {
            session: session.payment_method_ids.filtered("is_cash_count")[:1]
            for session in self
        }
        sessions = self.filtered(lambda session: cash_methods[session])
        cash_payments = {}
        if sessions:
            methods = self.env["pos.payment.method"].union(*cash_methods.values())
            domain = Domain.AND(
                [
                    sessions._get_captured_payments_domain(),
                    [("payment_method_id", "in", methods.ids)],
                ]
            )
            cash_payments = {
                (session.id, method.id): amount
                for session, method, amount in self.env["pos.payment"]._read_group(
                    domain, ["session_id", "payment_method_id"], ["amount:sum"]
                )
            }
        for session in self:
            method = cash_methods[session]
            if not method:
                session.cash_register_balance_end = 0.0
                session.cash_register_difference = 0.0
                continue
            total_cash = cash_payments.get((session.id, method.id)) or 0.0
            if session.state == "closed":
                total_cash += session.cash_real_transaction
            else:
                total_cash += sum(session.statement_line_ids.mapped("amount"))
            session.cash_register_balance_end = (
                session.cash_register_balance_start + total_cash
            )
            session.cash_register_difference = (
                session.cash_register_balance_end_real
                - session.cash_register_balance_end
            )

    @api.depends_context("uid")
    def _compute_pos_worked_in(self):
        worked_in = self.env["pos.session.event"]._worked_in_sessions(
            self.env.user, self
        )
        for session in self:
            session.pos_worked_in = session in worked_in

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
            # This key skips core's one-session-per-register check.
            sessions = self.with_context(onboarding_creation=False)
        sessions = super(PosSession, sessions).create(vals_list)
        self.env["pos.session.event"]._record("opened", sessions)
        return sessions

    def write(self, vals):
        self._check_pos_rescue_flag(vals)
        if GUARDED_SESSION_FIELDS & vals.keys():
            self._check_pos_restriction("operate")
            if {"user_id", "config_id"} & vals.keys():
                self._check_pos_restriction_reassignment(vals)
        event = JOURNALED_STATES.get(vals.get("state"))
        entering = event and self.filtered(lambda s: s.state != vals["state"])
        res = super().write(vals)
        if entering:
            self.env["pos.session.event"]._record(event, entering)
        return res

    def unlink(self):
        self.env["pos.session.event"]._record("discarded", self)
        return super().unlink()

    def action_view_pos_session_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_session_event"
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

    def try_cash_in_out(self, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        return super().try_cash_in_out(*args, **kwargs)

    def delete_cash_in_out(self, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        return super().delete_cash_in_out(*args, **kwargs)

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

    def _pos_restriction_label(self):
        """How a refusal names the session: its number once started."""
        self.ensure_one()
        return self.name if self.name != "/" else f"#{self.id}"
