from contextlib import contextmanager
from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount

from .pos_session_event import WORKED_IN_EVENTS

# The journal's event for a session entering each of these states.
JOURNALED_STATES = {"opened": "started", "closed": "closed"}
ABANDONED_AFTER_PARAM = "pos_session_restriction.abandoned_after_hours"
DEFAULT_ABANDONED_AFTER_HOURS = 12
ABANDONED_ACTIVITY = "pos_session_restriction.mail_activity_abandoned_session"
# A key of the cursor's cache (see _pos_journal_as): the journal entries the
# code running now writes instead of the usual ones. The web client sets the
# context, never this.
JOURNAL_OVERRIDES = "pos_session_restriction.journal_overrides"
# The states of an order whose payments are in the register (core's
# _get_captured_payments_domain).
CAPTURED_ORDER_STATES = ("paid", "invoiced", "done")


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

    pos_event_count = fields.Integer(
        string="Journal Entries",
        compute="_compute_pos_event_count",
        groups="point_of_sale.group_pos_manager",
    )
    pos_refusal_count = fields.Integer(
        string="Refusals",
        compute="_compute_pos_refusal_count",
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
    pos_last_activity = fields.Datetime(
        string="Last Activity",
        compute="_compute_pos_activity",
        search="_search_pos_last_activity",
        groups="point_of_sale.group_pos_manager",
        help="The later of the date of the session's last order and of its last "
        "journal entry.",
    )
    pos_idle_hours = fields.Float(
        string="Idle Time",
        compute="_compute_pos_activity",
        search="_search_pos_idle_hours",
        groups="point_of_sale.group_pos_manager",
        help="Hours since the session's last activity.",
    )
    pos_abandoned = fields.Boolean(
        string="Abandoned",
        readonly=True,
        copy=False,
        help="Set by the hourly scheduled action while the session stays idle "
        "longer than the Point of Sale settings allow.",
    )
    pos_expected_cash = fields.Monetary(
        string="Expected Cash",
        compute="_compute_pos_expected_cash",
        groups="point_of_sale.group_pos_manager",
        help="The cash the register should hold: the opening float, the cash "
        "payments and the cash moves, as the closing popup counts it.",
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

    def _compute_pos_refusal_count(self):
        counts = dict(
            self.env["pos.restriction.log"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["attempt_count:sum"]
            )
        )
        for session in self:
            session.pos_refusal_count = counts.get(session, 0)

    @api.depends_context("uid")
    def _compute_pos_worked_in(self):
        worked_in = self.env["pos.session.event"]._worked_in_sessions(
            self.env.user, self
        )
        for session in self:
            session.pos_worked_in = session in worked_in

    def _compute_pos_activity(self):
        """In batch: one grouping of the orders, one of the journal."""
        last_orders = dict(
            self.env["pos.order"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["date_order:max"]
            )
        )
        last_events = dict(
            self.env["pos.session.event"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["date:max"]
            )
        )
        now = fields.Datetime.now()
        for session in self:
            dates = [
                date
                for date in (last_orders.get(session), last_events.get(session))
                if date
            ]
            # A session the journal never saw (opened before the addon) and
            # without orders: its creation is its last activity.
            last = max(dates) if dates else session.create_date
            session.pos_last_activity = last
            session.pos_idle_hours = (
                max((now - last).total_seconds() / 3600, 0.0) if last else 0.0
            )

    def _search_pos_last_activity(self, operator, value):
        if operator not in ("<", "<=", ">", ">="):
            return NotImplemented
        value = fields.Datetime.to_datetime(value)
        if operator in (">", ">="):
            return self._pos_active_since_domain(operator, value)
        # Idle since: not active at or after the date.
        return ~self._pos_active_since_domain(">=" if operator == "<" else ">", value)

    def _search_pos_idle_hours(self, operator, value):
        if operator not in ("<", "<=", ">", ">="):
            return NotImplemented
        # Idle for more than N hours: last active before N hours ago.
        since = fields.Datetime.now() - timedelta(hours=value)
        reverse = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
        return self._search_pos_last_activity(reverse[operator], since)

    def _compute_pos_expected_cash(self):
        """Core's theoretical closing balance (cash_register_balance_end), in
        batch: core computes it one session at a time."""
        cash_methods = {
            config: config.payment_method_ids.filtered("is_cash_count")[:1]
            for config in self.config_id
        }
        cash_payments = {
            (session, method): amount
            for session, method, amount in self.env["pos.payment"]._read_group(
                [
                    ("session_id", "in", self.ids),
                    ("payment_method_id.is_cash_count", "=", True),
                    ("pos_order_id.state", "in", CAPTURED_ORDER_STATES),
                ],
                ["session_id", "payment_method_id"],
                ["amount:sum"],
            )
        }
        # sudo: the cash moves, as core's closing popup reads them
        cash_moves = dict(
            self.env["account.bank.statement.line"]
            .sudo()
            ._read_group(
                [("pos_session_id", "in", self.ids)], ["pos_session_id"], ["amount:sum"]
            )
        )
        for session in self:
            method = cash_methods.get(session.config_id)
            if not method:
                session.pos_expected_cash = 0.0
                continue
            moves = (
                session.cash_real_transaction
                if session.state == "closed"
                else cash_moves.get(session, 0.0)
            )
            session.pos_expected_cash = (
                session.cash_register_balance_start
                + cash_payments.get((session, method), 0.0)
                + moves
            )

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
        # Deny by default: whatever a write changes but its cashier is
        # operating the session (state, cash counted, notes, dates, moves...).
        if vals.keys() - {"user_id"}:
            self._check_pos_restriction("operate")
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

    def action_view_pos_session_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_session_event"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_pos_hand_over(self):
        """The back office's *Hand Over*: pick the colleague who takes over."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand Over the Register"),
            "res_model": "pos.session.hand.over",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    def action_pos_close_remotely(self):
        """Close each session without counting its register, for a POS
        administrator who is not at it: the counted cash is the expected cash,
        and core records the difference, if any, as its closing does.

        A session never started and without orders is discarded instead, as the
        register's own Cancel does. All or nothing: when core refuses to close
        one session (draft orders, invoices not posted...), nothing is closed,
        and no order moves."""
        self._check_pos_close_remotely()
        discarded = self.filtered(
            lambda s: s.state == "opening_control" and not s.order_ids
        )
        for session in self - discarded:
            session._pos_close_remotely()
        if discarded:
            discarded._pos_discard(
                self.env._("Discarded remotely: never started, no orders.")
            )
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "pos_session_restriction.action_pos_session_supervision"
            )
            return {**action, "target": "main"}
        return True

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

    def pos_hand_over(self, user_id):
        """Hand this open session over to the user ``user_id``, who continues
        and closes it as their own. Writing its cashier asks the policy
        (res.users._check_pos_hand_over): who may hand it over, to whom."""
        self.ensure_one()
        receiver = self.env["res.users"].browse(user_id).exists()
        if not receiver or receiver == self.user_id:
            raise UserError(
                self.env._("Choose the colleague who takes the register over.")
            )
        self.write({"user_id": receiver.id})
        return True

    def pos_hand_over_candidates(self):
        """Who the register can be handed over to: ids and names only."""
        self.ensure_one()
        return [
            {"id": user.id, "name": user.name}
            for user in self._pos_hand_over_candidates()
        ]

    def _pos_hand_over_candidates(self):
        """The internal Point of Sale users of this session's company, other
        than its holder, whom the policy lets receive it: those the hand-over
        (_check_pos_receiver) accepts."""
        config = self.config_id
        # sudo: cashiers may not search users by group
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", config.company_id.id),
                    (
                        "all_group_ids",
                        "in",
                        self.env.ref("point_of_sale.group_pos_user").id,
                    ),
                    ("id", "!=", self.user_id.id),
                ],
                order="name, id",
            )
            .filtered(lambda user: not user._is_superuser())
        )
        giver = self.env.user
        return users.filtered(
            lambda user: user._pos_holds_sessions_of(config.company_id)
            and not user._pos_refusal("receive", config, self, giver)
        )

    def _pos_handed_over(self, vals):
        """The sessions that writing ``vals`` hands over to another cashier,
        and that cashier."""
        if not vals.get("user_id"):
            return self.browse(), self.env["res.users"]
        receiver = self.env["res.users"].browse(vals["user_id"])
        return self.filtered(lambda session: session.user_id != receiver), receiver

    def _pos_record_hand_over(self, giver):
        """Journal that ``giver`` handed this session over: in the giver's
        name, who worked in it and may go on syncing what they sold."""
        self.ensure_one()
        note = self.env._(
            "From %(giver)s to %(receiver)s, by %(actor)s",
            giver=giver.name,
            receiver=self.user_id.name,
            actor=self.env.user.name,
        )
        self.env["pos.session.event"].with_user(giver)._record(
            "handed_over", self, note
        )

    @api.model
    def _pos_flag_abandoned_sessions(self, batch_size=100):
        """The hourly scheduled action: discard the sessions never started,
        without orders, idle longer than the settings allow; flag the other
        idle ones abandoned (one activity each for a POS administrator); unflag
        those closed or active again. A batch at a time, each in a short
        transaction that locks only the rows no cashier's transaction holds."""
        hours = self._pos_abandoned_after_hours()
        idle = Domain("pos_idle_hours", ">=", hours)
        steps = (
            (
                idle
                & Domain("state", "=", "opening_control")
                & Domain("order_ids", "=", False),
                "UPDATE",
                lambda sessions: sessions._pos_discard(
                    self.env._(
                        "Discarded by the scheduled action: never started, no "
                        "orders, idle for %(hours)s hours.",
                        hours=hours,
                    )
                ),
            ),
            (
                idle
                & Domain("state", "!=", "closed")
                & Domain("pos_abandoned", "=", False),
                "NO KEY UPDATE",
                lambda sessions: sessions._pos_flag_abandoned(hours),
            ),
            (
                Domain("pos_abandoned", "=", True)
                & (Domain("state", "=", "closed") | ~idle),
                "NO KEY UPDATE",
                lambda sessions: sessions._pos_unflag_abandoned(),
            ),
        )
        # sudo: the scheduled action looks after the sessions of every company
        all_sessions = self.sudo()
        for domain, lock, process in steps:
            while sessions := all_sessions._pos_lock_batch(domain, lock, batch_size):
                process(sessions)
                if not self.env["ir.cron"]._commit_progress(len(sessions)):
                    return

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

    def _check_pos_abandoned_flag(self, vals):
        """The scheduled action flags sessions abandoned; cashiers may not
        clear the flag of a session they left."""
        user = self.env.user
        if "pos_abandoned" in vals and not (
            user._is_superuser() or user.has_group("point_of_sale.group_pos_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may flag a session abandoned "
                    "or clear the flag."
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

    def _pos_cash_move_note(self, amount, reason):
        """How the journal describes a cash move of ``amount`` for ``reason``."""
        self.ensure_one()
        return self.env._(
            "%(amount)s: %(reason)s",
            amount=format_amount(self.env, amount, self.currency_id),
            reason=reason or "",
        )

    def _pos_restriction_label(self):
        """How a refusal names the session: its number once started."""
        self.ensure_one()
        return self.name if self.name != "/" else f"#{self.id}"

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

    def _check_pos_close_remotely(self):
        if not self.env.user.has_group("point_of_sale.group_pos_manager"):
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may close a session "
                    "remotely. Ask one of them to close it from Sessions under "
                    "Supervision."
                )
            )
        # The sessions of companies the administrator does not work in stay
        # out of reach, whatever ids the call names.
        self.check_access("write")
        closed = self.filtered(lambda s: s.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "The session %(session)s is already closed.",
                    session=closed[0]._pos_restriction_label(),
                )
            )

    def _pos_close_remotely(self):
        """Walk core's closing as the POS app's closing popup does, with the
        expected amounts as counted ones: the cash expected, no bank difference."""
        self.ensure_one()
        refusal = self._cannot_close_session()
        if refusal:
            raise UserError(self._pos_close_remotely_refusal(refusal["message"]))
        expected = self.get_closing_control_data()["default_cash_details"].get(
            "amount", 0.0
        )
        note = self.env._(
            "Closed remotely by %(user)s: the cash was not counted; counted cash "
            "set to the expected %(amount)s.",
            user=self.env.user.name,
            amount=self.currency_id.format(expected),
        )
        try:
            with self._pos_journal_as("closed", "closed_remotely", note):
                if self.config_id.cash_control:
                    self.post_closing_cash_details(expected)
                self.update_closing_control_state_session(note)
                result = self.action_pos_session_closing_control()
        except UserError as error:
            if type(error) is not UserError:
                raise
            raise UserError(self._pos_close_remotely_refusal(error.args[0])) from error
        if isinstance(result, dict):
            # Core rolled the closing back: its entries do not balance.
            raise UserError(
                self._pos_close_remotely_refusal(
                    self.env._(
                        "its journal entries do not balance. Close it from the "
                        "session's form, where the difference can be posted."
                    )
                )
            )
        self.activity_feedback([ABANDONED_ACTIVITY], feedback=note)

    def _pos_close_remotely_refusal(self, reason):
        return self.env._(
            "The session %(session)s on '%(pos)s' was not closed: %(reason)s",
            session=self._pos_restriction_label(),
            pos=self.config_id.name,
            reason=reason,
        )

    def _pos_discard(self, note):
        """Delete these sessions, never started and without orders, journaled
        as discarded with ``note``."""
        with self._pos_journal_as("discarded", "discarded", note):
            # sudo: as core's own discard (delete_opening_control_session)
            self.sudo().unlink()

    def _pos_flag_abandoned(self, hours):
        """Flag these idle sessions abandoned, and ask a POS administrator of
        each session's company to look at it, once."""
        self.write({"pos_abandoned": True})
        already = self.activity_search([ABANDONED_ACTIVITY]).mapped("res_id")
        for company, sessions in (
            self.filtered(lambda s: s.id not in already).grouped("company_id").items()
        ):
            administrator = self._pos_administrator(company)
            for session in sessions.with_context(lang=administrator.lang):
                # The note is HTML: names are the users' own text, escaped.
                session.activity_schedule(
                    ABANDONED_ACTIVITY,
                    user_id=administrator.id,
                    note=escape(
                        session.env._(
                            "No activity on %(pos)s for %(hours)s hours (session "
                            "%(session)s opened by %(user)s). Close it remotely "
                            "from Sessions under Supervision, or ask its cashier.",
                            pos=session.config_id.name,
                            hours=hours,
                            session=session._pos_restriction_label(),
                            user=session.user_id.name,
                        )
                    ),
                )

    def _pos_unflag_abandoned(self):
        self.write({"pos_abandoned": False})
        self.activity_unlink([ABANDONED_ACTIVITY])

    @api.model
    def _pos_administrator(self, company):
        """The POS administrator who answers for the registers of ``company``."""
        return self.env["res.users"].search(
            [
                (
                    "all_group_ids",
                    "=",
                    self.env.ref("point_of_sale.group_pos_manager").id,
                ),
                ("company_ids", "=", company.id),
                ("share", "=", False),
                ("id", "!=", self.env.ref("base.user_root").id),
            ],
            order="id",
            limit=1,
        )

    @api.model
    def _pos_lock_batch(self, domain, lock, batch_size):
        """Up to ``batch_size`` sessions matching ``domain``, locked ``FOR
        <lock> SKIP LOCKED``: a session a cashier's transaction holds is left
        for the next run, never waited for. Run first in its transaction, so
        that the snapshot it reads is the one it locks."""
        self.env.flush_all()
        query = self._search(domain, order="id", limit=batch_size)
        self.env.cr.execute(
            SQL(
                "%s FOR %s OF %s SKIP LOCKED",
                query.select(),
                SQL(lock),
                SQL.identifier(self._table),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _pos_active_since_domain(self, operator, value):
        """The sessions active ``operator`` (``>`` or ``>=``) ``value``: an
        order or a journal entry then, or, with neither, created then."""
        return Domain.OR(
            [
                Domain("order_ids", "any", [("date_order", operator, value)]),
                Domain("pos_event_ids", "any", [("date", operator, value)]),
                Domain("order_ids", "=", False)
                & Domain("pos_event_ids", "=", False)
                & Domain("create_date", operator, value),
            ]
        )

    @api.model
    def _pos_abandoned_after_hours(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ABANDONED_AFTER_PARAM)
        try:
            return max(int(value or DEFAULT_ABANDONED_AFTER_HOURS), 1)
        except (TypeError, ValueError):
            return DEFAULT_ABANDONED_AFTER_HOURS
