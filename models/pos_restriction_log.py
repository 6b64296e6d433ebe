import logging
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import SUPERUSER_ID, api, fields, models
from odoo.http import request
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Identical refusals within this window add to one entry instead of a new row.
FLOOD_WINDOW = timedelta(minutes=1)


class PosRestrictionLog(models.Model):
    _name = "pos.restriction.log"
    _inherit = ["pos.restriction.record"]
    _description = "Refused Point of Sale Attempt"
    # Identical refusals add to one entry; the log is kept for the retention
    # period of Settings.
    _pos_counters = frozenset({"attempt_count", "last_date"})
    _pos_purged_after = "last_date"
    _order = "last_date desc, id desc"
    _rec_name = "rule"

    last_date = fields.Datetime(
        string="Last Attempt", required=True, readonly=True, index=True
    )
    session_id = fields.Many2one(
        "pos.session", string="Session", readonly=True, ondelete="set null"
    )
    rule = fields.Selection(
        [
            ("not_visible", "Not visible"),
            ("not_operable", "Not operable"),
            ("foreign_session", "Opened by another user"),
            ("single_session", "One open session"),
            ("outside_hours", "Outside working hours"),
            ("wrong_pin", "Wrong approval PIN"),
            ("approval_locked", "Approvals locked"),
            ("not_approver", "Not an approver"),
            ("administrator_only", "Administrators only"),
            ("action_refused", "Manager-only action"),
            ("approval_required", "Manager's approval needed"),
            ("unapproved", "Recorded without approval"),
        ],
        required=True,
        readonly=True,
    )
    action = fields.Selection(
        [
            ("open", "Open"),
            ("resume", "Resume"),
            ("start", "Start"),
            ("close", "Close"),
            ("operate", "Operate"),
            ("sell", "Sell"),
            ("hand_over", "Hand over"),
            ("take_over", "Take over"),
            ("configure", "Change settings"),
            ("refund", "Refund"),
            ("discount", "Discount"),
            ("price_change", "Price change"),
            ("cash_move", "Cash in/out"),
        ],
        string="Attempted",
        readonly=True,
    )
    channel = fields.Selection(
        [
            ("dashboard", "Dashboard"),
            ("url", "URL"),
            ("pos_app", "POS app"),
            ("rpc", "RPC"),
        ],
        readonly=True,
    )
    approver_id = fields.Many2one(
        "res.users",
        string="Approver",
        readonly=True,
        ondelete="cascade",
        help="For a manager's approval: the administrator whose PIN was typed.",
    )
    message = fields.Text(readonly=True)
    attempt_count = fields.Integer(string="Attempts", default=1, readonly=True)

    @api.model
    def _log_refusal(self, refusal, action, config, session=None, approver=None):
        """Record ``refusal`` once the request's transaction is over, through a
        cursor of its own: the refusal rolls that transaction back, and may be
        raised while it holds locks on the very rows the entry refers to."""
        vals = self._refusal_vals(refusal, action, config, session, approver)
        registry = self.env.registry

        def record():
            try:
                with registry.cursor() as cr:
                    # superuser: nobody else may write the log
                    api.Environment(cr, SUPERUSER_ID, {})[self._name]._record(vals)
            except Exception:
                # Logging never stands in the refusal's way.
                _logger.exception("Could not log a refused Point of Sale attempt")

        # Exactly one of the two runs: whichever ends the transaction.
        self.env.cr.postrollback.add(record)
        self.env.cr.postcommit.add(record)

    @api.model
    def _log_refusal_kept(self, refusal, action, config, session=None):
        """Record ``refusal`` in the request's own transaction: what it
        refused (a paid sale) was kept, not rolled back."""
        vals = self._refusal_vals(refusal, action, config, session)
        # sudo: nobody but Odoo writes the log
        self.sudo()._record(vals)

    @api.model
    def _unapproved_rows(self, refusals):
        """The columns of the log and the rows (SQL, typed) that record each
        of ``refusals`` (an ``unapproved`` refusal, its action, register and
        session): inserted by the statement that flags the orders."""
        now = fields.Datetime.now()
        rows = [
            {
                **self._refusal_vals(refusal, action, config, session),
                "last_date": now,
                "attempt_count": 1,
                "create_uid": self.env.uid,
                "create_date": now,
                "write_uid": self.env.uid,
                "write_date": now,
            }
            for refusal, action, config, session in refusals
        ]
        columns = list(rows[0])
        return columns, [
            [
                SQL(
                    "%s::%s",
                    row[name] or None,
                    SQL(self._fields[name].column_type[1]),
                )
                for name in columns
            ]
            for row in rows
        ]

    @api.model
    def _refusal_vals(self, refusal, action, config, session=None, approver=None):
        return {
            "user_id": self.env.uid,
            "config_id": config.id,
            # sudo: the register may be hidden from the user
            "company_id": (config.sudo().company_id or self.env.company).id,
            "session_id": session.id if session else False,
            "approver_id": approver.id if approver else False,
            "rule": refusal.rule,
            "action": action,
            "channel": self._request_channel(),
            "message": refusal.args[0],
            **self._pos_request_origin(),
        }

    @api.model
    def _record(self, vals):
        # The refused transaction may have created the very register or session.
        vals["config_id"] = self.env["pos.config"].browse(vals["config_id"]).exists().id
        vals["session_id"] = (
            self.env["pos.session"].browse(vals["session_id"]).exists().id
        )
        now = fields.Datetime.now()
        entry = self.search(
            [
                ("user_id", "=", vals["user_id"]),
                ("config_id", "=", vals["config_id"]),
                ("rule", "=", vals["rule"]),
                ("approver_id", "=", vals.get("approver_id", False)),
                ("last_date", ">=", now - FLOOD_WINDOW),
            ],
            limit=1,
        )
        if entry:
            entry.write({"attempt_count": entry.attempt_count + 1, "last_date": now})
        else:
            self.create({**vals, "last_date": now})

    @api.model
    def _request_channel(self):
        if not request:
            return "rpc"
        path = request.httprequest.path
        if path.startswith(("/pos/ui", "/pos/web")):
            return "url"
        if path.startswith("/web/dataset/call_button"):
            return "dashboard"
        if urlsplit(request.httprequest.referrer or "").path.startswith("/pos/ui"):
            return "pos_app"
        return "rpc"
