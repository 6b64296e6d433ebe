import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.http import request
from odoo.tools import format_datetime

from ..exceptions import PosSessionRestrictionError

_logger = logging.getLogger(__name__)

# Five wrong PINs within 15 minutes, for one approver or from one cashier, lock
# approvals for 15 minutes.
LOCK_ATTEMPTS = 5
LOCK_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
# What counts as a wrong PIN: an attempt still being checked counts already.
FAILED_RESULTS = ("pending", "wrong_pin")


def _locked_until(dates):
    """The end of the lock that the wrong PINs at ``dates`` (sorted) impose:
    15 minutes after the last one that completes five within 15 minutes."""
    until = None
    for index in range(LOCK_ATTEMPTS - 1, len(dates)):
        if dates[index] - dates[index - LOCK_ATTEMPTS + 1] <= LOCK_WINDOW:
            until = dates[index] + LOCK_DURATION
    return until


class PosApprovalAttempt(models.Model):
    """A PIN typed for a manager's approval, as OCA's auth_brute_force keeps
    login attempts: written through a cursor of its own, so that it counts
    whatever becomes of the request, in every worker and on every server."""

    _name = "pos.approval.attempt"
    _description = "Manager Approval PIN Attempt"
    _order = "date desc, id desc"
    _rec_name = "result"

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Cashier",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    approver_id = fields.Many2one(
        "res.users",
        string="Approver",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    config_id = fields.Many2one(
        "pos.config", string="Point of Sale", readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
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
    ip_address = fields.Char(string="IP Address", readonly=True)

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
            "ip_address": request.httprequest.remote_addr if request else False,
        }
        attempt_id, failures = self._pos_start_attempt(vals)
        by_approver = sorted(d for d, a, _u in failures if a == approver.id)
        by_user = sorted(d for d, _a, u in failures if u == user.id)
        approver_until = _locked_until(by_approver)
        user_until = _locked_until(by_user)
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
        used = max(
            len([d for d in by_approver if d > since]),
            len([d for d in by_user if d > since]),
        )
        refuse(
            self._pos_wrong_pin_refusal(approver, now, LOCK_ATTEMPTS - used - 1),
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
                    ("date", ">", vals["date"] - LOCK_WINDOW - LOCK_DURATION),
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
        """Record how the attempt ended, through a cursor of its own."""
        try:
            with self.env.registry.cursor() as cr:
                # superuser: nobody else writes the attempts
                attempts = api.Environment(cr, SUPERUSER_ID, {})[self._name]
                attempt = attempts.browse(attempt_id).exists()
                if attempt:
                    attempt.write({"result": result})
                else:
                    # Under test, the request's rollback undid the first record.
                    attempts.create({**vals, "result": result})
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
    def _pos_wrong_pin_refusal(self, approver, now, attempts_left):
        if attempts_left > 0:
            message = self.env._(
                "Wrong PIN for %(approver)s. %(count)s more wrong PINs and manager "
                "approvals are locked for %(minutes)s minutes.",
                approver=approver.name,
                count=attempts_left,
                minutes=int(LOCK_DURATION.total_seconds() // 60),
            )
        else:
            message = self.env._(
                "Wrong PIN for %(approver)s. Too many wrong PINs: manager approvals "
                "are locked until %(until)s.",
                approver=approver.name,
                until=self._pos_format_time(now + LOCK_DURATION),
            )
        return PosSessionRestrictionError(message, rule="wrong_pin")

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
