from odoo import api, fields, models
from odoo.exceptions import ValidationError

ALLOWED_USER_FIELDS = {"pos_view_user_ids", "pos_access_user_ids"}
# pos_self_order's fields (no dependency): who takes the public's orders, and how.
SELF_ORDERING_FIELDS = {"self_ordering_default_user_id", "self_ordering_mode"}


class PosConfig(models.Model):
    _inherit = "pos.config"

    pos_view_user_ids = fields.Many2many(
        "res.users",
        "pos_session_restriction_view_rel",
        "config_id",
        "user_id",
        string="Users Who See It",
        context={"active_test": False},
        domain=[("share", "=", False)],
        groups="point_of_sale.group_pos_manager",
        help="Users restricted to a list of visible Points of Sale that includes "
        "this one. Users with no list see every Point of Sale.",
    )
    pos_access_user_ids = fields.Many2many(
        "res.users",
        "pos_session_restriction_access_rel",
        "config_id",
        "user_id",
        string="Users Who Operate It",
        context={"active_test": False},
        domain=[("share", "=", False)],
        groups="point_of_sale.group_pos_manager",
        help="Users restricted to a list of operable Points of Sale that includes "
        "this one. Users with no list may operate every Point of Sale they see.",
    )
    pos_restriction_rule = fields.Selection(
        [
            ("not_visible", "Not visible"),
            ("not_operable", "View only"),
            ("foreign_session", "Opened by another user"),
        ],
        compute="_compute_pos_restriction_rule",
        help="The restriction that stops the current user from opening, "
        "continuing or closing this Point of Sale, if any.",
    )

    @api.depends_context("uid")
    @api.depends("session_ids.state", "session_ids.user_id")
    def _compute_pos_restriction_rule(self):
        user = self.env.user
        for config in self:
            if config.current_session_id:
                rule = user._pos_session_rule(config.current_session_id)
            else:
                rule = user._pos_config_rule(config)
            config.pos_restriction_rule = rule

    @api.model_create_multi
    def create(self, vals_list):
        configs = super().create(vals_list)
        if any(ALLOWED_USER_FIELDS & vals.keys() for vals in vals_list):
            configs._pos_allowed_users_changed()
        if any(SELF_ORDERING_FIELDS & vals.keys() for vals in vals_list):
            configs._check_pos_self_ordering_user()
        return configs

    def write(self, vals):
        res = super().write(vals)
        if ALLOWED_USER_FIELDS & vals.keys():
            self._pos_allowed_users_changed()
        if SELF_ORDERING_FIELDS & vals.keys():
            self._check_pos_self_ordering_user()
        return res

    def open_ui(self):
        self._check_pos_restriction("open")
        session = self.current_session_id
        action = super().open_ui()
        if session:
            self.env["pos.session.event"]._record_resume(session)
        return action

    def open_existing_session_cb(self):
        self._check_pos_restriction("close")
        return super().open_existing_session_cb()

    def _check_pos_restriction(self, action):
        """Raise unless the current user may ``action`` (open or close) this
        Point of Sale, checked before anything of a hidden one is read. Opening
        a register that has a session resumes that session."""
        self.ensure_one()
        self.env.user._check_pos_config_access(self, action)
        if self.current_session_id:
            self.env.user._check_pos_session_access(
                self.current_session_id, "resume" if action == "open" else action
            )

    def _check_pos_self_ordering_user(self):
        """Self-ordering (pos_self_order) takes the public's orders as each
        register's self-ordering user, into the session a cashier opened: a
        user the restrictions keep from selling in it would leave the kiosk
        and the tables' QR codes refusing every order, or empty."""
        for config in self.filtered(
            lambda c: c.self_ordering_mode in ("kiosk", "mobile")
            and c.self_ordering_default_user_id
            and not c.self_ordering_default_user_id._pos_sells_in_every_session(c)
        ):
            raise ValidationError(
                self.env._(
                    "%(user)s takes the self-orders of '%(pos)s' for the public, "
                    "in the sessions its cashiers open: '%(pos)s' must be among "
                    "their visible and operable Points of Sale, and they may not "
                    "be restricted to the sessions they opened. Choose another "
                    "self-ordering user, or change their restrictions.",
                    user=config.self_ordering_default_user_id.name,
                    pos=config.name,
                )
            )

    def _pos_allowed_users_changed(self):
        """Check the lists of this register's users, changed from this side,
        and drop what was cached from them (record rules, restriction settings).

        Not a constraint: core validates every field of a register each time it
        is opened, and this check reads the lists of all its users. A user taken
        off the visible list while still operating the register is among them."""
        users = self.pos_view_user_ids | self.pos_access_user_ids
        users._check_pos_access_config_ids()
        users._check_pos_self_ordering_user()
        self.env.registry.clear_cache()
