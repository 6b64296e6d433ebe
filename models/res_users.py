import logging
import re
import threading
from collections import namedtuple
from datetime import timedelta

from pytz import timezone, utc

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime, str2bool

from ..exceptions import PosSessionRestrictionError
from .pos_approval_grant import LIFTABLE_RULES
from .pos_session_event import WORKED_IN_EVENTS

ENABLED_PARAM = "pos_session_restriction.enabled"
HOURS_GRACE_PARAM = "pos_session_restriction.hours_grace_minutes"
DEFAULT_HOURS_GRACE_MINUTES = 0
# How far ahead a refusal outside working hours looks for the next start of work.
HOURS_LOOKAHEAD = timedelta(days=7)
# The actions a working schedule bounds: opening a register, starting the
# session just opened, and coming back into one (DESIGN §8). Selling and
# closing never are: a session already open is never cut.
HOURS_BOUND_ACTIONS = {"open", "start", "resume"}
PosRestrictionSettings = namedtuple(
    "PosRestrictionSettings",
    [
        "view_config_ids",
        "access_config_ids",
        "lock_foreign",
        "single_session",
        "calendar_id",
        "tz",
    ],
)
# The next start of work of a user outside their hours: an aware datetime in
# their time zone, or None when their schedule has none within HOURS_LOOKAHEAD.
OutsideHours = namedtuple("OutsideHours", ["next_start"])
RESTRICTION_FIELDS = {
    "pos_view_config_ids",
    "pos_access_config_ids",
    "pos_lock_foreign_sessions",
    "pos_single_session",
    "pos_resource_calendar_id",
}
# What a PIN typed at the register may be: 4 to 12 digits, as PINs set before
# 19.0.2.2.0 keep working until they are changed.
PIN_PATTERN = re.compile(r"[0-9]{4,12}")
# What a PIN set now must be: at least 6 digits (10,000 PINs of 4 fall within
# weeks of locked-out guessing).
NEW_PIN_PATTERN = re.compile(r"[0-9]{6,12}")
# The column that keeps the hash of each approval PIN. No field maps it: only the
# SQL of this file reads or writes it, as res.users does with passwords.
PIN_HASH_COLUMN = "pos_approval_pin_hash"
# The public methods that take an approval PIN among their arguments.
PIN_METHODS = frozenset({"pos_request_approval"})


class _PinHashQueryFilter(logging.Filter):
    """Keeps out of Odoo's SQL debug log (which prints every query with its
    parameters) the query that stores a PIN hash, in the thread running it."""

    local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "active", False)


class _PinCallFilter(logging.Filter):
    """Keeps PINs out of Odoo's RPC debug log (``odoo.service.model`` prints
    every call with its arguments): the calls that carry one say so instead."""

    def filter(self, record):
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) == 3
            and (args[1] in PIN_METHODS or "pos_approval_pin" in str(args[2]))
        ):
            record.args = (args[0], args[1], "<arguments hidden: approval PIN>")
        return True


def _install_log_filter(logger_name, filter_class):
    """Add one ``filter_class`` to the logger, once however often this module
    is loaded, and return it."""
    logger = logging.getLogger(logger_name)
    for log_filter in list(logger.filters):
        if type(log_filter).__name__ == filter_class.__name__:
            logger.removeFilter(log_filter)
    log_filter = filter_class()
    logger.addFilter(log_filter)
    return log_filter


_PIN_HASH_FILTER = _install_log_filter("odoo.sql_db", _PinHashQueryFilter)
_install_log_filter("odoo.service.model", _PinCallFilter)


class ResUsers(models.Model):
    _inherit = "res.users"

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # POS administrators set their own PIN; the inverse refuses everyone else.
        return super().SELF_WRITEABLE_FIELDS + ["pos_approval_pin"]

    pos_view_config_ids = fields.Many2many(
        "pos.config",
        "pos_session_restriction_view_rel",
        "user_id",
        "config_id",
        string="Visible Points of Sale",
        context={"active_test": False},
        groups="point_of_sale.group_pos_manager",
        help="The Points of Sale this user may see. Leave empty to show them all.",
    )
    pos_access_config_ids = fields.Many2many(
        "pos.config",
        "pos_session_restriction_access_rel",
        "user_id",
        "config_id",
        string="Operable Points of Sale",
        context={"active_test": False},
        groups="point_of_sale.group_pos_manager",
        help="The Points of Sale this user may open, resume, start and close. "
        "Leave empty to allow every visible Point of Sale.",
    )
    pos_lock_foreign_sessions = fields.Boolean(
        string="Restrict start/stop of sessions started by other users",
        groups="point_of_sale.group_pos_manager",
        help="The user may not open, continue, start or close a session "
        "that another user opened.",
    )
    pos_single_session = fields.Boolean(
        string="Restrict to one open session",
        groups="point_of_sale.group_pos_manager",
        help="The user may not open a Point of Sale while a session they opened "
        "is still open on another one.",
    )
    pos_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        groups="point_of_sale.group_pos_manager",
        help="The user may open or continue a Point of Sale only within these "
        "hours, in their time zone (the schedule's when they have none), give or "
        "take the grace period of the Point of Sale settings. Public holidays of "
        "the schedule count as closed. A session already open is never cut: its "
        "orders keep syncing and it may still be closed. Leave empty for no "
        "limit.",
    )
    pos_approval_pin = fields.Char(
        string="Approval PIN",
        compute="_compute_pos_approval_pin",
        inverse="_inverse_pos_approval_pin",
        copy=False,
        groups="point_of_sale.group_pos_manager,base.group_erp_manager",
        help="6 to 12 digits a Point of Sale administrator types at a register to "
        "approve what a cashier may not do alone. Stored hashed, never shown: "
        "type a new one to replace it. A 4-digit PIN set before keeps working "
        "until it is changed.",
    )
    pos_approval_pin_set = fields.Boolean(
        string="Has an Approval PIN",
        compute="_compute_pos_approval_pin_set",
        groups="point_of_sale.group_pos_manager,base.group_erp_manager",
    )
    pos_refusal_count = fields.Integer(
        compute="_compute_pos_refusal_count",
        groups="point_of_sale.group_pos_manager",
    )
    pos_visibility_restricted = fields.Boolean(
        compute="_compute_pos_visibility_restricted",
        help="Technical field used by the record rules: whether this user only "
        "sees their visible Points of Sale.",
    )
    pos_worked_session_ids = fields.Many2many(
        "pos.session",
        string="Sessions Worked In",
        compute="_compute_pos_worked_session_ids",
        help="Technical field used by the record rules: the sessions still open "
        "that this user opened, resumed or handed over to a colleague, whoever "
        "holds them now.",
    )
    pos_outside_session_ids = fields.Many2many(
        "pos.session",
        string="Sessions Outside Their Points of Sale",
        compute="_compute_pos_outside_session_ids",
        help="Technical field used by the record rules: the sessions still open "
        "on Points of Sale outside this user's visible list that they hold or "
        "worked in.",
    )

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                "ALTER TABLE res_users ADD COLUMN IF NOT EXISTS %s varchar",
                SQL.identifier(PIN_HASH_COLUMN),
            )
        )
        return res

    def _compute_pos_approval_pin(self):
        # Write-only, like the password: a PIN is never read back.
        self.pos_approval_pin = False

    def _inverse_pos_approval_pin(self):
        for user in self:
            pin = user.pos_approval_pin
            if not pin:
                # The web client sends empty fields too: keep the current PIN.
                continue
            if not isinstance(pin, str) or not NEW_PIN_PATTERN.fullmatch(pin):
                raise ValidationError(
                    self.env._("An approval PIN is made of 6 to 12 digits, 0 to 9.")
                )
            if not user._has_group("point_of_sale.group_pos_manager"):
                raise ValidationError(
                    self.env._(
                        "Only Point of Sale administrators approve at the register: "
                        "%(user)s cannot have an approval PIN.",
                        user=user.name,
                    )
                )
            user._pos_store_approval_pin_hash(self._crypt_context().hash(pin))

    def _compute_pos_approval_pin_set(self):
        with_pin = self._pos_ids_with_approval_pin()
        for user in self:
            user.pos_approval_pin_set = user.id in with_pin

    def _compute_pos_refusal_count(self):
        counts = dict(
            self.env["pos.restriction.log"]._read_group(
                [("user_id", "in", self.ids)], ["user_id"], ["attempt_count:sum"]
            )
        )
        for user in self:
            user.pos_refusal_count = counts.get(user, 0)

    @api.depends("pos_view_config_ids")
    def _compute_pos_visibility_restricted(self):
        for user in self:
            user.pos_visibility_restricted = (
                bool(user.pos_view_config_ids) and user._pos_restriction_applies()
            )

    def _compute_pos_worked_session_ids(self):
        # sudo: cashiers read neither the journal nor the sessions they lost
        events = self.env["pos.session.event"].sudo()
        for user in self:
            user.pos_worked_session_ids = events.search(
                [
                    ("user_id", "=", user.id),
                    ("event", "in", WORKED_IN_EVENTS),
                    ("session_id.state", "!=", "closed"),
                ]
            ).session_id

    def _pos_visibility_domain(self, register, session):
        """What this user sees of sessions, orders, payments and their analysis
        (record rules: ``pos_visible(register, session)``), whose fields
        ``register`` and ``session`` name the register and the session: the
        visible registers', and those of the sessions they hold or worked in
        on other registers. Everything, unless their visibility is restricted.
        """
        self.ensure_one()
        if not self.pos_visibility_restricted:
            return []
        visible = self.pos_view_config_ids
        outside = self.pos_outside_session_ids
        if not outside:
            return [(register, "in", visible.ids)]
        # One condition on the register first, that PostgreSQL answers from an
        # index (a count, from the index alone); of the other registers, only
        # the records of those sessions. A record's register is its session's
        # (core computes an order's from its session).
        others = outside.config_id - visible
        return [
            (register, "in", (visible | others).ids),
            "|",
            (register, "not in", others.ids),
            (session, "in", outside.ids),
        ]

    def _compute_pos_outside_session_ids(self):
        # sudo: cashiers do not read the sessions of registers they lost
        sessions = self.env["pos.session"].sudo()
        for user in self:
            user.pos_outside_session_ids = sessions.search(
                [
                    ("config_id", "not in", user.pos_view_config_ids.ids),
                    ("state", "!=", "closed"),
                    "|",
                    ("user_id", "=", user.id),
                    ("id", "in", user.pos_worked_session_ids.ids),
                ]
            )

    @api.constrains("pos_view_config_ids", "pos_access_config_ids")
    def _check_pos_access_config_ids(self):
        for user in self:
            hidden = user.pos_access_config_ids - user.pos_view_config_ids
            if user.pos_view_config_ids and hidden:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot operate %(pos)s without seeing it. Add it "
                        "to their visible Points of Sale, or remove it from their "
                        "operable ones.",
                        user=user.name,
                        pos=", ".join(f"'{name}'" for name in hidden.mapped("name")),
                    )
                )

    @api.constrains(
        "pos_view_config_ids", "pos_access_config_ids", "pos_lock_foreign_sessions"
    )
    def _check_pos_self_ordering_user(self):
        # Self-ordering (pos_self_order) is no dependency: check only where it is.
        Config = self.env["pos.config"]
        if "self_ordering_default_user_id" in Config._fields:
            # sudo: whichever registers the user may see
            Config.sudo().with_context(active_test=False).search(
                [("self_ordering_default_user_id", "in", self.ids)]
            )._check_pos_self_ordering_user()

    def _get_invalidation_fields(self):
        # The record rules read these fields; their domains are cached per user.
        return super()._get_invalidation_fields() | RESTRICTION_FIELDS

    def action_view_restriction_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_restriction_log"
        )
        action["domain"] = [("user_id", "=", self.id)]
        action["context"] = {}
        return action

    def _pos_ids_with_approval_pin(self):
        ids = [user_id for user_id in self.ids if isinstance(user_id, int)]
        if not ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_users WHERE id IN %s AND %s IS NOT NULL",
                tuple(ids),
                SQL.identifier(PIN_HASH_COLUMN),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _pos_store_approval_pin_hash(self, pin_hash):
        self.ensure_one()
        _PIN_HASH_FILTER.local.active = True
        try:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_users SET %s = %s WHERE id = %s",
                    SQL.identifier(PIN_HASH_COLUMN),
                    pin_hash,
                    self.id,
                )
            )
        finally:
            _PIN_HASH_FILTER.local.active = False
        # The cache holds the PIN as typed: drop it, as _set_encrypted_password does.
        self.invalidate_recordset(["pos_approval_pin", "pos_approval_pin_set"])

    def _pos_verify_approval_pin(self, pin):
        """Whether ``pin`` is this user's approval PIN."""
        self.ensure_one()
        if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
            return False
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM res_users WHERE id = %s",
                SQL.identifier(PIN_HASH_COLUMN),
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return False
        valid, replacement = self._crypt_context().verify_and_update(pin, row[0])
        if valid and replacement:
            self._pos_store_approval_pin_hash(replacement)
        return valid

    @api.model
    def _pos_approvers(self, company):
        """The users who may approve a request at a register of ``company``:
        its Point of Sale administrators who have set an approval PIN."""
        # sudo: cashiers may not search users by group
        managers = (
            self.sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", company.id),
                    (
                        "all_group_ids",
                        "in",
                        self.env.ref("point_of_sale.group_pos_manager").id,
                    ),
                ],
                order="name, id",
            )
            .filtered(lambda user: not user._is_superuser())
        )
        with_pin = managers._pos_ids_with_approval_pin()
        return managers.filtered(lambda user: user.id in with_pin)

    def _pos_restriction_applies(self):
        """Whether the restrictions bind this user: POS users who are not POS
        administrators, while the global switch is on."""
        self.ensure_one()
        return (
            not self._is_superuser()
            and self._has_group("point_of_sale.group_pos_user")
            and not self._has_group("point_of_sale.group_pos_manager")
            # sudo: cashiers cannot read system parameters
            and str2bool(
                self.env["ir.config_parameter"].sudo().get_param(ENABLED_PARAM, "False")
            )
        )

    def _pos_is_pos_administrator(self):
        self.ensure_one()
        return self._is_superuser() or self._has_group(
            "point_of_sale.group_pos_manager"
        )

    @tools.ormcache("self.id")
    def _pos_restriction_settings(self):
        """This user's restrictions, read once and cached for every request:
        writing them clears the registry caches (``_get_invalidation_fields``
        here, ``pos.config`` create/write for the lists), as the record rules
        that read them need anyway."""
        self.ensure_one()
        # sudo: the fields belong to POS administrators; archived registers
        # stay in the lists, an empty list must mean "no list" only
        user = self.sudo().with_context(active_test=False)
        return PosRestrictionSettings(
            frozenset(user.pos_view_config_ids.ids),
            frozenset(user.pos_access_config_ids.ids),
            user.pos_lock_foreign_sessions,
            user.pos_single_session,
            user.pos_resource_calendar_id.id,
            # Core clears the registry caches when a user's time zone changes.
            user.tz,
        )

    def _check_pos_config_access(self, config, action):
        """Raise unless this user may ``action`` (open, resume, ...) ``config``."""
        self._pos_refuse(self._pos_config_refusal(config), action, config)

    def _check_pos_session_access(self, session, action):
        """Raise unless this user may ``action`` (resume, start, close, ...)
        ``session``."""
        refusal = self._pos_session_refusal(session)
        if not refusal and action in HOURS_BOUND_ACTIONS:
            refusal = self._pos_hours_refusal()
        self._pos_refuse(refusal, action, session.config_id, session)

    def _check_pos_session_opening(self, config, session_user, action, session=None):
        """Raise unless this user may open a session on ``config`` in the name
        of ``session_user``: a new one, or ``session`` moved to ``config``.
        A session opened in someone else's name is handed over to them as it
        opens: they must be able to receive it."""
        refusal = self._pos_opening_refusal(config, session_user, session)
        self._pos_refuse(refusal, action, config, session)
        if session_user != self and self._pos_restriction_applies():
            self._check_pos_receiver(config, session_user, session)

    def _check_pos_selling(self, sessions):
        """Raise unless this user may change what each of ``sessions`` holds:
        its orders, their lines and payments, its cash moves."""
        if not sessions or not self._pos_restriction_applies():
            return
        # sudo: a hidden session is refused by its rule, not by failing to read it
        for session in sessions.sudo():
            refusal = self._pos_selling_refusal(session)
            if refusal:
                # The POS app tells the cashier who can close the session.
                refusal.context["session_user"] = session.user_id.name
            self._pos_refuse(refusal, "sell", session.config_id, session)

    def _check_pos_configuring(self, configs):
        """Raise unless this user may create, change or delete the registers
        ``configs`` (none: a new one): POS administrators only, while the
        restrictions bind the user."""
        if not self._pos_restriction_applies():
            return
        refusal = PosSessionRestrictionError(
            self.env._(
                "Only Point of Sale administrators change the settings of a Point "
                "of Sale. Ask your manager to change them."
            ),
            rule="administrator_only",
        )
        # sudo: the register may be hidden from the user
        self._pos_refuse(refusal, "configure", configs[:1].sudo())

    def _check_pos_hand_over(self, session, receiver):
        """Raise unless this user may hand ``session`` over to ``receiver``:
        they hold it, take it over as the policy lets them operate it, or are
        not restricted (a Point of Sale administrator: DESIGN §7); and
        ``receiver`` may receive it (``_check_pos_receiver``).
        Every way of handing a session over asks this: ``pos_hand_over``,
        writing its cashier."""
        if session.state == "closed":
            raise UserError(
                self.env._(
                    "The session %(session)s is closed: there is nothing to hand over.",
                    session=session._pos_restriction_label(),
                )
            )
        if session.user_id != self and self._pos_restriction_applies():
            # Taking the session over is operating it; giving it to a third
            # person is its holder's. What operating it meets comes first: it
            # says no more of a register the user may not see.
            refusal = self._pos_session_refusal(session)
            if not refusal and receiver != self:
                refusal = PosSessionRestrictionError(
                    self.env._(
                        "Only %(user)s, who holds the session %(session)s, or a "
                        "Point of Sale administrator may hand it over.",
                        user=session.sudo().user_id.name,
                        session=session._pos_restriction_label(),
                    ),
                    rule="foreign_session",
                )
            self._pos_refuse(refusal, "hand_over", session.config_id, session)
        self._check_pos_receiver(session.config_id, receiver, session)

    def _check_pos_receiver(self, config, receiver, session=None):
        """Raise unless ``receiver`` may hold ``session`` of ``config``, or a
        new session there that this user opens in their name: a Point of Sale
        user of its company who may open it in their own name (visible,
        operable, one open session, working hours)."""
        if not receiver._pos_holds_sessions_of(config.company_id):
            raise UserError(
                self.env._(
                    "%(user)s is not a Point of Sale user of %(company)s: they "
                    "cannot take the register over.",
                    user=receiver.name or self.env._("This user"),
                    company=config.company_id.name,
                )
            )
        refusal = receiver._pos_receiving_refusal(config, session)
        self._pos_refuse(refusal, "hand_over", config, session)

    def _pos_holds_sessions_of(self, company):
        """Whether this user may hold a session of a register of ``company``:
        an internal Point of Sale user of it, or the superuser, as in core."""
        # sudo: cashiers may not read other users' groups and companies
        user = self.sudo()
        return user._is_superuser() or bool(
            user
            and user.active
            and not user.share
            and company in user.company_ids
            and user._has_group("point_of_sale.group_pos_user")
        )

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
            self.env["pos.restriction.log"]._log_refusal(
                refusal, action, config, session, approver=approver
            )
            raise refusal

    def _pos_sells_in_every_session(self, config):
        """Whether this user may sell in any session of ``config``, as the
        register's self-ordering user must, whether the switch is on or not."""
        self.ensure_one()
        # sudo: the restriction fields belong to POS administrators
        user = self.sudo().with_context(active_test=False)
        if (
            user._is_superuser()
            or not user._has_group("point_of_sale.group_pos_user")
            or user._has_group("point_of_sale.group_pos_manager")
        ):
            return True
        return (
            not user.pos_lock_foreign_sessions
            and (not user.pos_view_config_ids or config in user.pos_view_config_ids)
            and (not user.pos_access_config_ids or config in user.pos_access_config_ids)
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

    def _pos_config_refusal(self, config):
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

    def _pos_session_refusal(self, session):
        """The refusal this user meets when resuming, starting or closing
        ``session``, if any."""
        if self._pos_session_rule(session) != "foreign_session":
            return self._pos_config_refusal(session.config_id)
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

    def _pos_selling_refusal(self, session):
        """The refusal this user meets when selling in ``session``, if any.
        Selling is operating, but in a session the user opened or worked in
        they go on selling whatever changed since: nothing sold is lost."""
        if session.user_id == self or not self._pos_session_rule(session):
            return None
        if session.with_user(self).sudo().pos_worked_in:
            return None
        return self._pos_session_refusal(session)

    def _pos_opening_refusal(self, config, session_user, session=None):
        """The refusal this user meets when opening a session on ``config`` in
        the name of ``session_user``, if any."""
        refusal = self._pos_config_refusal(config)
        if refusal or not self._pos_restriction_applies():
            return refusal
        settings = self._pos_restriction_settings()
        if settings.lock_foreign and session_user != self:
            return PosSessionRestrictionError(
                self.env._(
                    "You may only open a session on '%(pos)s' in your own name.",
                    pos=config.name,
                ),
                rule="foreign_session",
            )
        # Opening a register, or taking a session over, is bound by the user's
        # working hours; handing a session over to someone else is not. Before
        # the one-session check, which locks: it costs no query.
        if session is None or session_user == self:
            refusal = self._pos_hours_refusal()
        if not refusal and settings.single_session:
            refusal = self._pos_single_session_refusal(config, session)
        return refusal

    def _pos_hours_refusal(self):
        """The refusal this user meets when opening, starting or resuming a
        register outside their working hours, if any."""
        outside = self._pos_outside_hours()
        if not outside:
            return None
        if outside.next_start:
            message = self.env._(
                "Outside your hours: you may open a register from %(time)s. Ask "
                "your manager if you need to work outside your working hours.",
                time=self._pos_hours_label(outside.next_start),
            )
        else:
            message = self.env._(
                "Outside your hours: your working hours leave no time to open a "
                "register in the coming week. Ask your manager if you need to "
                "work outside them."
            )
        return PosSessionRestrictionError(message, rule="outside_hours")

    def _pos_receiving_refusal(self, config, session=None):
        """The refusal met when ``session`` of ``config`` (or a new session
        there) is put in this user's name, if any: the one they would meet
        opening it in their own name, said about them when someone else does."""
        refusal = self._pos_opening_refusal(config, self, session)
        if not refusal or self == self.env.user:
            return refusal
        values = {"user": self.name, "pos": config.name}
        if refusal.rule == "not_visible":
            message = self.env._(
                "%(user)s may not see the Point of Sale '%(pos)s': you cannot "
                "hand it over to them. Choose a colleague who may operate it, or "
                "ask your manager to add it to their visible Points of Sale.",
                **values,
            )
        elif refusal.rule == "not_operable":
            message = self.env._(
                "%(user)s is not allowed to operate the Point of Sale '%(pos)s': "
                "you cannot hand it over to them. Choose a colleague who may "
                "operate it, or ask your manager to add it to their operable "
                "Points of Sale.",
                **values,
            )
        elif refusal.rule == "single_session":
            other_session = self._pos_other_open_session(config, session)
            # The register is named only to whoever may see it.
            if other_session.config_id.with_env(self.env).has_access("read"):
                message = self.env._(
                    "%(user)s already has an open session (%(session)s) on "
                    "'%(other)s': you cannot hand '%(pos)s' over to them until "
                    "they close it.",
                    session=other_session._pos_restriction_label(),
                    other=other_session.config_id.name,
                    **values,
                )
            else:
                message = self.env._(
                    "%(user)s already has an open session on another Point of "
                    "Sale: you cannot hand '%(pos)s' over to them until they "
                    "close it.",
                    **values,
                )
        elif refusal.rule == "outside_hours":
            message = self.env._(
                "%(user)s is outside their working hours: you cannot hand "
                "'%(pos)s' over to them now.",
                **values,
            )
        else:
            message = self.env._(
                "%(user)s cannot take over '%(pos)s': %(reason)s",
                reason=refusal.args[0],
                **values,
            )
        return PosSessionRestrictionError(message, rule=refusal.rule)

    def _pos_approver_refusal(self, approver, config):
        """The refusal this user meets asking ``approver`` to approve a request
        at ``config``, if any: only a Point of Sale administrator of its
        company who has set an approval PIN approves, and not for themselves."""
        approvers = self._pos_approvers(config.company_id)
        if approver and approver != self and approver.active and approver in approvers:
            return None
        # Only a name the cashier could pick: no other user's is told.
        name = approver.name if approver in approvers else self.env._("This user")
        return PosSessionRestrictionError(
            self.env._(
                "%(user)s cannot approve this request: approvals come from a Point "
                "of Sale administrator of %(company)s who has set an approval PIN.",
                user=name,
                company=config.company_id.name,
            ),
            rule="not_approver",
        )

    def _pos_single_session_refusal(self, config, session=None):
        self._pos_lock_session_opening()
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
        # sudo: count the sessions of every company, which record rules would hide
        return (
            self.env["pos.session"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.id),
                    ("state", "!=", "closed"),
                    ("rescue", "=", False),
                    ("config_id", "!=", config.id),
                    ("id", "!=", session.id if session else False),
                ],
                limit=1,
            )
        )

    def _pos_outside_hours(self):
        """Whether this user's working hours keep them from opening, starting
        or resuming a register now: None when they do not, else an
        ``OutsideHours`` that says when they next may.

        The schedule's work intervals come from ``resource.calendar`` (cached
        per schedule, time zone and day), so that the check costs no query: the
        user's schedule and time zone are among their cached settings, the
        grace period a cached system parameter.
        """
        self.ensure_one()
        if not self._pos_restriction_applies():
            return None
        settings = self._pos_restriction_settings()
        if not settings.calendar_id:
            return None
        now = fields.Datetime.now()
        # sudo: the schedule is the administrator's setting, not the cashier's
        calendar = self.env["resource.calendar"].sudo().browse(settings.calendar_id)
        tz, intervals = calendar._pos_work_intervals(settings.tz, now.date())
        if intervals is None:
            return None
        grace = timedelta(minutes=self._pos_hours_grace_minutes())
        if any(start - grace <= now < stop + grace for start, stop in intervals):
            return None
        next_start = min(
            (start - grace for start, _stop in intervals if start - grace > now),
            default=None,
        )
        if next_start and next_start - now <= HOURS_LOOKAHEAD:
            return OutsideHours(utc.localize(next_start).astimezone(timezone(tz)))
        return OutsideHours(None)

    @api.model
    def _pos_hours_grace_minutes(self):
        """The grace period around working hours, in minutes, from Settings."""
        # sudo: cashiers cannot read system parameters
        value = self.env["ir.config_parameter"].sudo().get_param(HOURS_GRACE_PARAM)
        try:
            return max(int(value or DEFAULT_HOURS_GRACE_MINUTES), 0)
        except (TypeError, ValueError):
            return DEFAULT_HOURS_GRACE_MINUTES

    def _pos_hours_label(self, moment):
        """When ``moment`` (aware, in this user's time zone) is, as a refusal
        says it: "14:00" today, "Monday 09:00" on another day."""
        zone = moment.tzinfo.zone
        today = utc.localize(fields.Datetime.now()).astimezone(timezone(zone)).date()
        return format_datetime(
            self.env,
            moment.astimezone(utc).replace(tzinfo=None),
            tz=zone,
            dt_format="HH:mm" if moment.date() == today else "EEEE HH:mm",
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
