from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .res_users_policy import LIFTABLE_RULES, POLICY_ACTIONS, SALE_ACTIONS

# How long a cashier has to use a manager's approval.
APPROVAL_VALIDITY = timedelta(minutes=5)
# The approvals this transaction used, so that the several checks of one request
# (open_ui checks the register, then the session it creates) take one approval.
# Kept with the transaction's post-commit data: dropped when it ends, either way.
USED_IN_TRANSACTION = "pos_session_restriction.used_grants"


class PosApprovalGrant(models.Model):
    """A manager's approval, by PIN at the register, of one action of one
    cashier on one register: used once, within a few minutes. Append-only:
    only the addon's code marks one used, by SQL, when it lifts a refusal."""

    _name = "pos.approval.grant"
    _inherit = ["pos.restriction.record"]
    _description = "Manager Approval"
    # Expired approvals go after the retention period of Settings.
    _pos_purged_after = "expiration_date"
    _order = "date desc, id desc"
    _rec_name = "action"

    date = fields.Datetime(
        string="Approved On",
        required=True,
        readonly=True,
        index=True,
        default=fields.Datetime.now,
    )
    user_id = fields.Many2one(string="Cashier")
    approver_id = fields.Many2one(
        "res.users",
        string="Approved By",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    config_id = fields.Many2one(required=True)
    session_id = fields.Many2one(
        "pos.session", string="Session", readonly=True, index=True, ondelete="cascade"
    )
    action = fields.Selection(
        [
            ("take_over", "Take over the session"),
            ("resume", "Resume the session"),
            ("close", "Close the session"),
            ("open", "Open the register"),
            ("refund", "Refund a sale"),
            ("discount", "Give a discount over the limit"),
            ("price_change", "Change a price by hand"),
            ("cash_move", "Put cash in or take it out"),
        ],
        required=True,
        readonly=True,
    )
    order_uuid = fields.Char(
        string="Order",
        readonly=True,
        index="btree_not_null",
        help="For a refund, a discount or a price change: the order (its uuid) "
        "the approval is for. It is used when that order is recorded.",
    )
    expiration_date = fields.Datetime(
        string="Valid Until", required=True, readonly=True
    )
    used_date = fields.Datetime(string="Used On", readonly=True)
    done_date = fields.Datetime(string="Done On", readonly=True)

    @api.model
    def _grant(self, user, config, action, session, approver, order_uuid=None):
        """Record that ``approver`` lets ``user`` do ``action`` once on
        ``config``, or on ``session``, its current session, or for the order
        ``order_uuid``. A take-over is done at once, so it is used as it is
        granted."""
        now = fields.Datetime.now()
        done = now if action == "take_over" else False
        # sudo: nobody but Odoo writes approvals, whoever acts
        return self.sudo().create(
            {
                "date": now,
                "user_id": user.id,
                "approver_id": approver.id,
                "config_id": config.id,
                "session_id": session.id,
                "company_id": config.company_id.id,
                "action": action,
                "order_uuid": order_uuid or False,
                "expiration_date": now + APPROVAL_VALIDITY,
                "used_date": done,
                "done_date": done,
                **self._pos_request_origin(),
            }
        )

    @api.model
    def _lift(self, user, action, config, session=None):
        """Whether an approval lets ``user`` through a refusal of ``action``
        (a step of the policy) on ``config`` or ``session``; if so, use it.

        An approval is used by the first refusal it lifts, which binds it to
        that session. It then lets the same action go on there: the other
        checks of that request; an opening until the session is started; a
        closing until it is closed; a resume only for the POS app's page that
        follows the dashboard's *Continue*, before it expires."""
        session, step = self._pos_step(action, config, session)
        # What a step writes is checked as operating or selling in the session
        # (its state, the orders and payments closing accounts for): an
        # approval used by this very request covers it, no other.
        in_request_only = step in ("operate", "sell") and session
        grant_actions = (
            ("open", "resume", "close")
            if in_request_only
            else self._pos_grant_actions(step, session)
        )
        if not grant_actions:
            return False
        used = self.env.cr.postcommit.data.setdefault(USED_IN_TRANSACTION, [])
        for entry in used:
            if (
                entry["user_id"] == user.id
                and entry["config_id"] == config.id
                and entry["action"] in grant_actions
                and entry["session_id"] in (None, False, session.id)
            ):
                return True
        if in_request_only:
            return False
        grant = self._pos_continue(user, config, session, grant_actions) or (
            self._pos_use(user, config, session, grant_actions)
        )
        if not grant:
            return False
        used.append(
            {
                "id": grant["id"],
                "user_id": user.id,
                "config_id": config.id,
                "session_id": grant["session_id"] or session.id,
                "action": grant["action"],
            }
        )
        return True

    @api.model
    def _approval_action(self, user, rule, action, config, session=None):
        """The approval a manager may give to lift ``rule`` refusing ``user``
        ``action``, if any: a take-over of a session someone else holds, else
        the approved step itself."""
        if rule not in LIFTABLE_RULES or action in ("operate", "hand_over"):
            return False
        session, step = self._pos_step(action, config, session)
        if rule == "foreign_session":
            return "take_over" if session and session.user_id != user else False
        grant_actions = self._pos_grant_actions(step, session)
        return grant_actions[-1] if grant_actions else False

    @api.model
    def _use_for_orders_sql(self, user, configs, uuids):
        """The SQL that marks used the approvals of manager-only actions given
        to ``user`` at the registers ``configs`` for the orders ``uuids``,
        returning each one's order uuid and action. An approval binds one
        order: however late a paid order arrives (offline), it is that
        order's."""
        self.flush_model()
        now = fields.Datetime.now()
        return SQL(
            """
            UPDATE pos_approval_grant
               SET used_date = COALESCE(used_date, %(now)s),
                   done_date = COALESCE(done_date, %(now)s)
             WHERE user_id = %(user)s AND config_id IN %(configs)s
               AND order_uuid IN %(uuids)s AND action IN %(actions)s
         RETURNING order_uuid, action
            """,
            now=now,
            user=user.id,
            configs=tuple(configs.ids),
            uuids=tuple(uuids),
            actions=SALE_ACTIONS,
        )

    @api.model
    def _end_closing(self, sessions):
        """End the approvals to close ``sessions`` in use: they opened again."""
        if not sessions:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE pos_approval_grant SET done_date = %s WHERE action = 'close' "
                "AND session_id IN %s AND used_date IS NOT NULL AND done_date IS NULL",
                fields.Datetime.now(),
                tuple(sessions.ids),
            )
        )
        self.invalidate_model(["done_date"])

    @api.model
    def _bind_opened_sessions(self, sessions):
        """Bind the approvals to open a register, used by this transaction,
        to the sessions it opened."""
        used = self.env.cr.postcommit.data.get(USED_IN_TRANSACTION)
        for entry in used or ():
            if entry["session_id"] or entry["action"] != "open":
                continue
            session = sessions.filtered(
                lambda s, entry=entry: s.config_id.id == entry["config_id"]
                and s.user_id.id == entry["user_id"]
            )[:1]
            if session:
                self.env.cr.execute(
                    SQL(
                        "UPDATE pos_approval_grant SET session_id = %s "
                        "WHERE id = %s AND session_id IS NULL",
                        session.id,
                        entry["id"],
                    )
                )
                entry["session_id"] = session.id
                self.invalidate_model(["session_id"])

    @api.model
    def _pos_step(self, action, config, session):
        """The session a check of ``action`` on ``config`` concerns, and the
        step it is: opening a register that has a session resumes it."""
        session = session or config.current_session_id
        if session and action == "open":
            action = "resume"
        return session, action

    @api.model
    def _pos_grant_actions(self, step, session):
        grant_actions = POLICY_ACTIONS[step].grants if step in POLICY_ACTIONS else ()
        if step == "resume" and session.state == "opening_control":
            # The POS app of a register approved to open resumes its new session.
            grant_actions = ("resume", "open")
        return grant_actions

    @api.model
    def _pos_continue(self, user, config, session, grant_actions):
        """The approval already in use that lets this step of its action go
        on, if any."""
        if not session:
            return None
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT id, action, session_id, expiration_date
                  FROM pos_approval_grant
                 WHERE user_id = %s AND config_id = %s AND session_id = %s
                   AND action IN %s
                   AND used_date IS NOT NULL AND done_date IS NULL
              ORDER BY id DESC
                """,
                user.id,
                config.id,
                session.id,
                tuple(grant_actions),
            )
        )
        now = fields.Datetime.now()
        for grant in self.env.cr.dictfetchall():
            if grant["action"] == "open" and session.state == "opening_control":
                return grant
            if grant["action"] == "close" and session.state != "closed":
                return grant
            if (
                grant["action"] == "resume"
                and grant["expiration_date"] > now
                and self._pos_completes_resume()
            ):
                self.env.cr.execute(
                    SQL(
                        "UPDATE pos_approval_grant SET done_date = %s WHERE id = %s",
                        now,
                        grant["id"],
                    )
                )
                self.invalidate_model(["done_date"])
                return grant
        return None

    @api.model
    def _pos_use(self, user, config, session, grant_actions):
        """Use a valid approval not used yet, if any, binding it to
        ``session``. The row lock makes a rival request that wants the same
        approval wait, then fail to serialise: Odoo retries it, and it finds
        the approval used."""
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                UPDATE pos_approval_grant
                   SET used_date = %(now)s,
                       session_id = COALESCE(session_id, %(session)s),
                       done_date = CASE WHEN action = 'resume' AND %(done)s
                                        THEN %(now)s END
                 WHERE id = (
                        SELECT id FROM pos_approval_grant
                         WHERE user_id = %(user)s AND config_id = %(config)s
                           AND action IN %(actions)s
                           AND used_date IS NULL AND expiration_date > %(now)s
                           AND (session_id IS NULL OR session_id = %(session)s)
                           AND order_uuid IS NULL
                      ORDER BY id
                         LIMIT 1
                           FOR UPDATE)
             RETURNING id, action, session_id
                """,
                now=now,
                session=session.id or None,
                done=self._pos_completes_resume(),
                user=user.id,
                config=config.id,
                actions=tuple(grant_actions),
            )
        )
        grant = self.env.cr.dictfetchone()
        if grant:
            self.invalidate_model(["used_date", "session_id", "done_date"])
        return grant

    @api.model
    def _pos_completes_resume(self):
        """Whether this request loads the POS app: where resuming ends."""
        return self.env["pos.restriction.log"]._request_channel() == "url"
