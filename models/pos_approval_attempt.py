import logging
from datetime import timedelta

from markupsafe import escape

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL, format_datetime

from ..exceptions import PosSessionRestrictionError

_logger = logging.getLogger(__name__)

# Five wrong PINs within 15 minutes, for one approver or from one cashier, lock
# approvals for 15 minutes; a cashier's, the first time, then twice as long
# each time again within a day, a day at most: a patient guesser gets a few
# dozen tries a day.
LOCK_ATTEMPTS = 5
LOCK_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
LOCK_MEMORY = timedelta(days=1)
LOCK_MAX = timedelta(days=1)
# How far back the wrong PINs that may still count are read.
LOCK_LOOKBACK = LOCK_MEMORY + LOCK_MAX + LOCK_WINDOW
# What counts as a wrong PIN: an attempt still being checked counts already.
FAILED_RESULTS = ("pending", "wrong_pin")


def _lock_duration(previous_locks):
    return min(LOCK_DURATION * 2**previous_locks, LOCK_MAX)


def _lock_state(dates, now, grow=True):
    """The end of the lock that the wrong PINs at ``dates`` (sorted) impose,
    if any, and how long the next lock would last at ``now``; locks that do
    not ``grow`` last LOCK_DURATION each."""
    until, locks, window = None, 0, []
    for date in dates:
        if until and date < until:
            continue
        if until and date - until > LOCK_MEMORY:
            locks = 0
        window = [d for d in window if date - d <= LOCK_WINDOW] + [date]
        if len(window) >= LOCK_ATTEMPTS:
            until = date + _lock_duration(locks if grow else 0)
            locks += 1
            window = []
    if until and now - until > LOCK_MEMORY or not grow:
        locks = 0
    return until, _lock_duration(locks)


class PosApprovalAttempt(models.Model):
    """A PIN typed for a manager's approval, as OCA's auth_brute_force keeps
    login attempts: written through a cursor of its own, so that it counts
    whatever becomes of the request, in every worker and on every server."""

    _name = "pos.approval.attempt"
    _inherit = ["pos.restriction.record"]
    # How each attempt ended is recorded by SQL (_pos_end_attempt): through
    # the ORM, an attempt is never changed. Attempts go after the retention
    # period of Settings.
    _pos_purged_after = "date"
    _description = "Manager Approval PIN Attempt"
    _order = "date desc, id desc"
    _rec_name = "result"

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one(string="Cashier")
    approver_id = fields.Many2one(
        "res.users",
        string="Approver",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    result = fields.Selection(
        [
            ("pending", "Being checked"),
            ("wrong_pin", "Wrong PIN"),
            ("granted", "Granted"),
            ("locked", "Locked"),
        ],
        required=True,
        readonly=True,
    )

    @api.model
    def _check_approval_pin(self, approver, config, pin, action, session):
        """Raise unless ``pin`` is the approval PIN of ``approver``, or while
        approvals are locked for them or for the current user.

        The attempt is counted before the PIN is checked, and committed: of
        any number of simultaneous attempts, only the first five are checked.
        """
        user = self.env.user
        now = fields.Datetime.now()
        vals = {
            "date": now,
            "user_id": user.id,
            "approver_id": approver.id,
            "config_id": config.id,
            "company_id": config.company_id.id,
            **self._pos_request_origin(),
        }
        attempt_id, failures = self._pos_start_attempt(vals)
        by_approver = sorted(d for d, a, _u in failures if a == approver.id)
        by_user = sorted(d for d, _a, u in failures if u == user.id)
        # A cashier's own locks grow; an approver's do not, or any cashier could
        # lock a manager out of approving for a day.
        approver_until, approver_next = _lock_state(by_approver, now, grow=False)
        user_until, user_next = _lock_state(by_user, now)
        refuse = user._pos_refuse
        if (user_until and user_until > now) or (
            approver_until and approver_until > now
        ):
            self._pos_end_attempt_after_request(attempt_id, vals, "locked")
            refuse(
                self._pos_locked_refusal(approver, now, approver_until, user_until),
                action,
                config,
                session,
                approver=approver,
            )
        if approver._pos_verify_approval_pin(pin):
            self._pos_end_attempt(attempt_id, vals, "granted")
            return
        self._pos_end_attempt_after_request(attempt_id, vals, "wrong_pin")
        since = now - LOCK_WINDOW
        approver_used = len([d for d in by_approver if d > since])
        user_used = len([d for d in by_user if d > since])
        most = max(approver_used, user_used)
        next_lock = max(
            approver_next if approver_used == most else LOCK_DURATION,
            user_next if user_used == most else LOCK_DURATION,
        )
        attempts_left = LOCK_ATTEMPTS - most - 1
        if attempts_left <= 0:
            self._pos_notify_lock_after_request(approver, config, now + next_lock)
        refuse(
            self._pos_wrong_pin_refusal(approver, now, attempts_left, next_lock),
            action,
            config,
            session,
            approver=approver,
        )

    @api.model
    def _pos_start_attempt(self, vals):
        """Record the attempt as being checked, commit, then read in a fresh
        snapshot the wrong PINs typed for the same approver or from the same
        user lately, as ``(date, approver id, user id)``."""
        registry = self.env.registry
        # superuser: nobody else writes the attempts
        with registry.cursor() as cr:
            attempts = api.Environment(cr, SUPERUSER_ID, {})[self._name]
            attempt_id = attempts.create({**vals, "result": "pending"}).id
        with registry.cursor() as cr:
            attempts = api.Environment(cr, SUPERUSER_ID, {})[self._name]
            rows = attempts.search_fetch(
                [
                    ("id", "!=", attempt_id),
                    ("result", "in", FAILED_RESULTS),
                    ("date", ">", vals["date"] - LOCK_LOOKBACK),
                    "|",
                    ("approver_id", "=", vals["approver_id"]),
                    ("user_id", "=", vals["user_id"]),
                ],
                ["date", "approver_id", "user_id"],
            )
            failures = [(r.date, r.approver_id.id, r.user_id.id) for r in rows]
        return attempt_id, failures

    @api.model
    def _pos_end_attempt(self, attempt_id, vals, result):
        """Record how the attempt ended, through a cursor of its own, in one
        statement: the attempt as it ended, its row written over, or written
        again where the request's rollback took it (a cursor that shares the
        request's connection, as Odoo's own test cursors do)."""
        now = fields.Datetime.now()
        row = {
            **vals,
            "id": attempt_id,
            "result": result,
            "create_uid": SUPERUSER_ID,
            "create_date": now,
            "write_uid": SUPERUSER_ID,
            "write_date": now,
        }
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    SQL(
                        "INSERT INTO %s (%s) VALUES %s ON CONFLICT (id) DO UPDATE SET "
                        "result = EXCLUDED.result, write_date = EXCLUDED.write_date",
                        SQL.identifier(self._table),
                        SQL(", ").join(SQL.identifier(name) for name in row),
                        tuple(row.values()),
                    )
                )
        except Exception:
            _logger.exception("Could not record a manager approval attempt")

    @api.model
    def _pos_end_attempt_after_request(self, attempt_id, vals, result):
        """Record how the attempt ended once the request's transaction is over,
        which a wrong PIN rolls back."""

        def record():
            self._pos_end_attempt(attempt_id, vals, result)

        # Exactly one of the two runs: whichever ends the transaction.
        self.env.cr.postrollback.add(record)
        self.env.cr.postcommit.add(record)

    @api.model
    def _pos_wrong_pin_refusal(self, approver, now, attempts_left, lock):
        if attempts_left > 0:
            message = self.env._(
                "Wrong PIN for %(approver)s. %(count)s more wrong PINs and manager "
                "approvals are locked for %(minutes)s minutes.",
                approver=approver.name,
                count=attempts_left,
                minutes=int(lock.total_seconds() // 60),
            )
        else:
            message = self.env._(
                "Wrong PIN for %(approver)s. Too many wrong PINs: manager approvals "
                "are locked until %(until)s.",
                approver=approver.name,
                until=self._pos_format_time(now + lock),
            )
        return PosSessionRestrictionError(message, rule="wrong_pin")

    @api.model
    def _pos_notify_lock_after_request(self, approver, config, until):
        """Tell the approver and the register's POS administrators that wrong
        PINs locked approvals, once the request (which the refusal rolls back)
        is over, through a cursor of its own."""
        vals = {
            "approver_id": approver.id,
            "user_id": self.env.uid,
            "config_id": config.id,
            "until": until,
        }
        registry = self.env.registry

        def notify():
            try:
                with registry.cursor() as cr:
                    # superuser: the cashier may not notify administrators
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env[self._name]._pos_notify_lock(**vals)
            except Exception:
                _logger.exception("Could not tell of locked manager approvals")

        # Exactly one of the two runs: whichever ends the transaction.
        self.env.cr.postrollback.add(notify)
        self.env.cr.postcommit.add(notify)

    @api.model
    def _pos_notify_lock(self, approver_id, user_id, config_id, until):
        approver = self.env["res.users"].browse(approver_id)
        cashier = self.env["res.users"].browse(user_id)
        config = self.env["pos.config"].browse(config_id)
        administrators = self.env["res.users"].search(
            [
                ("share", "=", False),
                ("company_ids", "in", config.company_id.id),
                (
                    "all_group_ids",
                    "in",
                    self.env.ref("point_of_sale.group_pos_manager").id,
                ),
            ]
        )
        for user in (approver | administrators).filtered(
            lambda u: not u._is_superuser()
        ):
            env = self.with_context(lang=user.lang).env
            body = env._(
                "Too many wrong approval PINs for %(approver)s were typed by "
                "%(cashier)s at %(pos)s: manager approvals are locked until "
                "%(until)s. If nobody at the register asked, change the PIN.",
                approver=approver.name,
                cashier=cashier.name,
                pos=config.name,
                until=format_datetime(
                    env, until, tz=user.tz or "UTC", dt_format="short"
                ),
            )
            self.env["mail.thread"].message_notify(
                model="pos.config",
                res_id=config.id,
                partner_ids=user.partner_id.ids,
                subject=env._("Manager approvals locked"),
                body=escape(body),
            )

    @api.model
    def _pos_locked_refusal(self, approver, now, approver_until, user_until):
        if user_until and user_until > now:
            message = self.env._(
                "Too many wrong PINs were typed from your account: you cannot ask "
                "for a manager's approval until %(until)s.",
                until=self._pos_format_time(user_until),
            )
        else:
            message = self.env._(
                "Too many wrong PINs were typed for %(approver)s: their approvals "
                "are locked until %(until)s. Ask another manager, or try again then.",
                approver=approver.name,
                until=self._pos_format_time(approver_until),
            )
        return PosSessionRestrictionError(message, rule="approval_locked")

    @api.model
    def _pos_format_time(self, value):
        """``value`` as the current user reads a time: in their time zone."""
        return format_datetime(
            self.env, value, tz=self.env.user.tz or "UTC", dt_format="short"
        )
