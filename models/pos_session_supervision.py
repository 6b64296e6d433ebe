from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

ABANDONED_AFTER_PARAM = "pos_session_restriction.abandoned_after_hours"
DEFAULT_ABANDONED_AFTER_HOURS = 12
ABANDONED_ACTIVITY = "pos_session_restriction.mail_activity_abandoned_session"
# The states of an order whose payments are in the register (core's
# _get_captured_payments_domain).
CAPTURED_ORDER_STATES = ("paid", "invoiced", "done")


class PosSession(models.Model):
    _inherit = "pos.session"

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
