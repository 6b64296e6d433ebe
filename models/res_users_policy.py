from collections import namedtuple

from odoo import fields, models

from ..exceptions import PosSessionRestrictionError

# One action the policy decides: the question that decides it (a method of
# res.users taking the register, the session and the other user concerned),
# whether the user's working hours bind it (DESIGN §8: opening, starting and
# coming back into a register; an open session is never cut), whether it puts
# a session in the user's name (one open session at a time), and the
# approvals (pos.approval.grant) that lift a refusal of it.
PolicyAction = namedtuple("PolicyAction", ["decide", "hours", "opens", "grants"])
# Every action the policy decides: every path asks res.users._pos_refusal
# about one of these, the POS app's and the dashboard's answers included.
POLICY_ACTIONS = {
    # The register alone, asked before anything of a hidden one is read; the
    # step its session asks follows.
    "register": PolicyAction("_pos_config_refusal", False, False, ()),
    # A new session on a register, in one's own name or someone else's.
    "open": PolicyAction("_pos_opening_refusal", True, True, ("open",)),
    # Taking over a colleague's session, as if opening it in one's own name.
    "take_over": PolicyAction("_pos_opening_refusal", True, True, ()),
    "start": PolicyAction("_pos_session_refusal", True, False, ("open",)),
    "resume": PolicyAction("_pos_session_refusal", True, False, ("resume",)),
    # Closing: for a user whose closing is a manager's end-of-day count, only
    # with a manager's approval.
    "close": PolicyAction("_pos_closing_refusal", False, False, ("close",)),
    # Changing what a session is: its state, counted cash, notes, dates...
    "operate": PolicyAction("_pos_session_refusal", False, False, ()),
    # Changing what a session holds: its orders, payments and cash moves.
    "sell": PolicyAction("_pos_selling_refusal", False, False, ()),
    # Giving a session to someone else, and receiving one: the receiver is
    # asked about opening it in their own name.
    "hand_over": PolicyAction("_pos_hand_over_refusal", False, False, ()),
    "receive": PolicyAction("_pos_receiving_refusal", False, False, ()),
    # A register's settings: POS administrators'.
    "configure": PolicyAction("_pos_configuring_refusal", False, False, ()),
    # The manager-only actions (DESIGN §9), in a session the user may sell in:
    # a refund, a line discount over the user's limit, a price typed by hand,
    # cash put in or taken out.
    "refund": PolicyAction("_pos_refund_refusal", False, False, ("refund",)),
    "discount": PolicyAction("_pos_discount_refusal", False, False, ("discount",)),
    "price_change": PolicyAction(
        "_pos_price_change_refusal", False, False, ("price_change",)
    ),
    "cash_move": PolicyAction("_pos_cash_move_refusal", False, False, ("cash_move",)),
}
# The manager-only actions that change a sale: approved for one order (its
# uuid), checked when the paid order arrives.
SALE_ACTIONS = ("refund", "discount", "price_change")
SENSITIVE_ACTIONS = (*SALE_ACTIONS, "cash_move")
# The refusals after which the register in the POS app may not be used at
# all: the cashier can only leave it (or, in an opened session, keep selling:
# paid orders still sync). Each refusal tells the app (register_unusable).
REGISTER_UNUSABLE_RULES = frozenset(
    {"not_visible", "not_operable", "foreign_session", "outside_hours"}
)
# The rules a manager's approval may lift; the others (hours, visibility) are
# the administrator's to change.
LIFTABLE_RULES = frozenset(
    {"foreign_session", "not_operable", "single_session", "approval_required"}
)


class ResUsers(models.Model):
    _inherit = "res.users"

    pos_open_session_ids = fields.Many2many(
        "pos.session",
        string="Open Sessions Held",
        compute="_compute_pos_open_session_ids",
        compute_sudo=True,
        groups="base.group_system",
        help="Technical field: the sessions this user holds and has not closed, "
        "recovery sessions aside, as the one-session rule counts them. Read once "
        "per transaction: creating, writing or deleting a session drops it.",
    )

    def _pos_refusal(self, action, config, session=None, other_user=None):
        """The refusal this user meets doing ``action`` (one of POLICY_ACTIONS)
        on the register ``config``, or on its ``session``, if any; with
        ``other_user``, the user a session is opened for or handed to, or who
        hands it over. The policy's one question: it writes, locks and logs
        nothing; the paths that act lock (``_check_pos``) and log and raise
        (``_pos_refuse``)."""
        self.ensure_one()
        if not self._pos_restriction_applies():
            return None
        step = POLICY_ACTIONS[action]
        refusal = getattr(self, step.decide)(config, session, other_user)
        in_own_name = other_user in (None, self)
        # Opening a register in someone else's name binds the opener's hours;
        # handing a session over to someone else does not.
        if not refusal and step.hours and (in_own_name or session is None):
            refusal = self._pos_hours_refusal()
        if not refusal and step.opens:
            refusal = self._pos_single_session_refusal(config, session)
        return refusal

    def _check_pos(self, action, config, session=None, other_user=None, step=None):
        """Raise unless this user may do ``action`` on ``config`` or its
        ``session``, as the policy's ``step`` (by default, ``action``) decides
        (``_pos_refusal``): the refusal is logged, or lifted by a manager's
        approval. A step that puts a session in the user's name first
        serialises their openings (one open session at a time)."""
        step = step or action
        if POLICY_ACTIONS[step].opens and self._pos_restriction_applies():
            if self._pos_restriction_settings().single_session:
                self._pos_lock_session_opening()
        refusal = self._pos_refusal(step, config, session, other_user)
        self._pos_refuse(refusal, action, config, session)

    def _check_pos_config_access(self, config, action):
        """Raise unless this user may ``action`` (open, resume, ...) ``config``:
        its register's rule, asked before anything of a hidden one is read."""
        self._pos_refuse(self._pos_refusal("register", config), action, config)

    def _check_pos_session_access(self, session, action):
        """Raise unless this user may ``action`` (resume, start, close, ...)
        ``session``."""
        self._check_pos(action, session.config_id, session)

    def _check_pos_session_opening(self, config, session_user, action, session=None):
        """Raise unless this user may open a session on ``config`` in the name
        of ``session_user``: a new one, ``session`` taken over, or ``session``
        moved to ``config`` (the opening step, logged as ``action``). A
        session opened in someone else's name is handed over to them as it
        opens: they must be able to receive it."""
        step = "take_over" if action == "take_over" else "open"
        self._check_pos(action, config, session, session_user, step=step)
        if session_user != self and self._pos_restriction_applies():
            self._check_pos_receiver(config, session_user, session)

    def _check_pos_selling(self, sessions):
        """Raise unless this user may change what each of ``sessions`` holds:
        its orders, their lines and payments, its cash moves."""
        if not sessions or not self._pos_restriction_applies():
            return
        # sudo: a hidden session is refused by its rule, not by failing to read it
        for session in sessions.sudo():
            refusal = self._pos_refusal("sell", session.config_id, session)
            if refusal:
                # The POS app tells the cashier who can close the session.
                refusal.context["session_user"] = session.user_id.name
            self._pos_refuse(refusal, "sell", session.config_id, session)

    def _check_pos_configuring(self, configs):
        """Raise unless this user may create, change or delete the registers
        ``configs`` (none: a new one): POS administrators only, while the
        restrictions bind the user."""
        # sudo: the register may be hidden from the user
        self._check_pos("configure", configs[:1].sudo())

    def _pos_refuse(self, refusal, action, config, session=None, approver=None):
        if refusal:
            if refusal.rule in LIFTABLE_RULES:
                grants = self.env["pos.approval.grant"]
                if grants._lift(self, action, config, session):
                    # A manager approved it: the refusal is lifted, once.
                    return
                approval_action = grants._approval_action(
                    self, refusal.rule, action, config, session
                )
                if approval_action:
                    refusal.context["approval_action"] = approval_action
            refusal.context["action"] = action
            refusal.context["register_unusable"] = (
                refusal.rule in REGISTER_UNUSABLE_RULES
            )
            self.env["pos.restriction.log"]._log_refusal(
                refusal, action, config, session, approver=approver
            )
            raise refusal

    def _pos_sells_in_every_session(self, config):
        """Whether this user may sell in any session of ``config``, as the
        register's self-ordering user must, whether the switch is on or not.
        Asked while their settings are being written: read as they are now,
        not from the cache of the policy's settings."""
        self.ensure_one()
        if not self._pos_restriction_applies(assume_enabled=True):
            return True
        # sudo: the restriction fields belong to POS administrators
        user = self.sudo().with_context(active_test=False)
        return not (
            user.pos_lock_foreign_sessions
            or (user.pos_view_config_ids and config not in user.pos_view_config_ids)
            or (user.pos_access_config_ids and config not in user.pos_access_config_ids)
        )

    def _pos_config_rule(self, config):
        """The rule that stops this user operating ``config``, if any."""
        self.ensure_one()
        if not self._pos_restriction_applies():
            return None
        settings = self._pos_restriction_settings()
        if settings.view_config_ids and config.id not in settings.view_config_ids:
            return "not_visible"
        if settings.access_config_ids and config.id not in settings.access_config_ids:
            return "not_operable"
        return None

    def _pos_session_rule(self, session):
        """The rule that stops this user resuming, starting or closing
        ``session``, if any."""
        rule = self._pos_config_rule(session.config_id)
        if rule or not self._pos_restriction_applies():
            return rule
        if self._pos_restriction_settings().lock_foreign and session.user_id != self:
            return "foreign_session"
        return None

    def _pos_config_refusal(self, config, session=None, other_user=None):
        """The refusal this user meets when operating ``config``, if any."""
        rule = self._pos_config_rule(config)
        if rule == "not_visible":
            return PosSessionRestrictionError(
                self.env._(
                    "You are not allowed to access this Point of Sale. Ask your "
                    "manager to add it to your visible Points of Sale."
                ),
                rule=rule,
            )
        if rule == "not_operable":
            return PosSessionRestrictionError(
                self.env._(
                    "You are not allowed to operate the Point of Sale '%(pos)s'. Ask "
                    "your manager to add it to your operable Points of Sale.",
                    pos=config.name,
                ),
                rule=rule,
            )
        return None

    def _pos_session_refusal(self, config, session, other_user=None):
        """The refusal this user meets when resuming, starting, closing or
        operating ``session`` of ``config`` (without one: ``config``), if any."""
        if not session or self._pos_session_rule(session) != "foreign_session":
            return self._pos_config_refusal(config)
        return PosSessionRestrictionError(
            self.env._(
                "The session %(session)s on '%(pos)s' was opened by %(user)s; you "
                "are not allowed to continue or close it. Ask your manager if you "
                "need to take it over.",
                session=session._pos_restriction_label(),
                pos=session.config_id.name,
                user=session.user_id.name,
            ),
            rule="foreign_session",
        )

    def _pos_selling_refusal(self, config, session, other_user=None):
        """The refusal this user meets when selling in ``session`` of
        ``config`` (without one: in ``config``), if any. Selling is operating,
        but in a session the user opened or worked in they go on selling
        whatever changed since: nothing sold is lost."""
        if not session:
            return self._pos_config_refusal(config)
        if session.user_id == self or not self._pos_session_rule(session):
            return None
        if session.with_user(self).sudo().pos_worked_in:
            return None
        return self._pos_session_refusal(config, session)

    def _pos_opening_refusal(self, config, session, session_user):
        """The refusal this user meets when opening a session on ``config`` in
        the name of ``session_user`` (or taking ``session`` over), before
        their hours and their other sessions, if any."""
        refusal = self._pos_config_refusal(config)
        if refusal:
            return refusal
        lock_foreign = self._pos_restriction_settings().lock_foreign
        if lock_foreign and session_user not in (None, self):
            return PosSessionRestrictionError(
                self.env._(
                    "You may only open a session on '%(pos)s' in your own name.",
                    pos=config.name,
                ),
                rule="foreign_session",
            )
        return None

    def _pos_configuring_refusal(self, config, session, other_user=None):
        """The refusal this user meets creating, changing or deleting a
        register: its settings are a Point of Sale administrator's."""
        return PosSessionRestrictionError(
            self.env._(
                "Only Point of Sale administrators change the settings of a Point "
                "of Sale. Ask your manager to change them."
            ),
            rule="administrator_only",
        )

    def _pos_single_session_refusal(self, config, session=None):
        """The refusal this user, kept to one open session, meets opening
        ``config`` (or taking ``session`` over) while holding another."""
        if not self._pos_restriction_settings().single_session:
            return None
        other_session = self._pos_other_open_session(config, session)
        if not other_session:
            return None
        return PosSessionRestrictionError(
            self.env._(
                "You already have an open session (%(session)s) on '%(pos)s'. "
                "Close it before opening another Point of Sale.",
                session=other_session._pos_restriction_label(),
                pos=other_session.config_id.name,
            ),
            rule="single_session",
        )

    def _pos_other_open_session(self, config, session=None):
        """A session this user opened and has not closed, on another register
        than ``config``, other than ``session``."""
        # sudo: the sessions of every company, which record rules would hide
        return self.sudo().pos_open_session_ids.filtered(
            lambda other: other.config_id != config and other != session
        )[:1]

    def _compute_pos_open_session_ids(self):
        # One query: the sessions with their cashier and register, which the
        # one-session rule compares.
        held = (
            self.env["pos.session"]
            .sudo()
            .search_fetch(
                [
                    ("user_id", "in", self.ids),
                    ("state", "!=", "closed"),
                    ("rescue", "=", False),
                ],
                ["user_id", "config_id"],
            )
        )
        for user in self:
            user.pos_open_session_ids = held.filtered(
                lambda session, user=user: session.user_id == user
            )

    def _pos_lock_session_opening(self):
        """Serialise this user's session openings.

        Odoo runs transactions in REPEATABLE READ: merely locking the row would
        let a waiting transaction go on with a snapshot that cannot see the
        session its rival just created. Updating the row makes the waiter fail
        with a serialization error instead, which Odoo retries with a fresh
        snapshot, where our count sees the new session.
        """
        self.env.cr.execute(
            "UPDATE res_users SET write_date = write_date WHERE id = %s", [self.id]
        )
