from collections import namedtuple

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import str2bool

from ..exceptions import PosSessionRestrictionError
from .pos_session_event import WORKED_IN_EVENTS

ENABLED_PARAM = "pos_session_restriction.enabled"
PosRestrictionSettings = namedtuple(
    "PosRestrictionSettings",
    ["view_config_ids", "access_config_ids", "lock_foreign", "single_session"],
)
RESTRICTION_FIELDS = {
    "pos_view_config_ids",
    "pos_access_config_ids",
    "pos_lock_foreign_sessions",
    "pos_single_session",
}


class ResUsers(models.Model):
    _inherit = "res.users"

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
        compute="_compute_pos_worked_session_ids",
        help="Technical field used by the record rules: the sessions still open "
        "that this user opened, resumed or received, whoever holds them now.",
    )

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
        )

    def _check_pos_config_access(self, config, action):
        """Raise unless this user may ``action`` (open, resume, ...) ``config``."""
        self._pos_refuse(self._pos_config_refusal(config), action, config)

    def _check_pos_session_access(self, session, action):
        """Raise unless this user may ``action`` (resume, start, close, ...)
        ``session``."""
        refusal = self._pos_session_refusal(session)
        self._pos_refuse(refusal, action, session.config_id, session)

    def _check_pos_session_opening(self, config, session_user, action, session=None):
        """Raise unless this user may open a session on ``config`` in the name
        of ``session_user``: a new one, or ``session`` moved or handed over."""
        refusal = self._pos_opening_refusal(config, session_user, session)
        self._pos_refuse(refusal, action, config, session)

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

    def _pos_refuse(self, refusal, action, config, session=None):
        if refusal:
            refusal.context["action"] = action
            self.env["pos.restriction.log"]._log_refusal(
                refusal, action, config, session
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
        if settings.single_session:
            return self._pos_single_session_refusal(config, session)
        return None

    def _pos_single_session_refusal(self, config, session=None):
        self._pos_lock_session_opening()
        # sudo: count the sessions of every company, which record rules would hide
        other_session = (
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
