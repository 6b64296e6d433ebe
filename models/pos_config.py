from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .res_users_policy import SALE_ACTIONS, SENSITIVE_ACTIONS

ALLOWED_USER_FIELDS = {"pos_view_user_ids", "pos_access_user_ids"}
# The allowlist of the deny-by-default rule (DESIGN §6): what the POS app
# itself writes on a register its user operates. pos_self_order's kiosk says
# whether its printer has paper (no dependency).
APP_CONFIG_FIELDS = {"has_paper"}
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
            ("outside_hours", "Outside working hours"),
            ("single_session", "Another session open"),
            ("approval_required", "Manager's approval"),
        ],
        compute="_compute_pos_restriction_rule",
        help="The restriction that stops the current user from opening, "
        "continuing or closing this Point of Sale, if any.",
    )
    pos_session_abandoned = fields.Boolean(
        string="Session Abandoned",
        compute="_compute_pos_session_abandoned",
        help="The open session of this Point of Sale has been idle longer than "
        "the Point of Sale settings allow.",
    )
    pos_restriction_hours_from = fields.Char(
        string="Opens From",
        compute="_compute_pos_restriction_rule",
        help="When the current user, outside their working hours, may next open "
        "a Point of Sale.",
    )

    @api.depends_context("uid")
    @api.depends("session_ids.state", "session_ids.user_id")
    def _compute_pos_restriction_rule(self):
        user = self.env.user
        outside_hours = user._pos_outside_hours()
        hours_from = (
            outside_hours
            and outside_hours.next_start
            and user._pos_hours_label(outside_hours.next_start)
        )
        for config in self:
            refusal = user._pos_refusal(*config._pos_dashboard_action())
            rule = refusal and refusal.rule
            config.pos_restriction_rule = rule or False
            config.pos_restriction_hours_from = (
                rule == "outside_hours" and hours_from or False
            )

    def _pos_dashboard_action(self):
        """What the dashboard's button asks of this register: opening it, going
        back into its session, or closing a session in closing control; with
        the register and its session, as the policy takes them."""
        session = self.current_session_id
        if not session:
            return "open", self, session
        return (
            ("close" if session.state == "closing_control" else "resume"),
            self,
            session,
        )

    @api.depends("session_ids.state", "session_ids.pos_abandoned")
    def _compute_pos_session_abandoned(self):
        for config in self:
            config.pos_session_abandoned = config.current_session_id.pos_abandoned

    @api.model_create_multi
    def create(self, vals_list):
        self.env.user._check_pos_configuring(self)
        configs = super().create(vals_list)
        if any(ALLOWED_USER_FIELDS & vals.keys() for vals in vals_list):
            configs._pos_allowed_users_changed()
        if any(SELF_ORDERING_FIELDS & vals.keys() for vals in vals_list):
            configs._check_pos_self_ordering_user()
        return configs

    def write(self, vals):
        # Deny by default: a register's settings are a POS administrator's,
        # whatever the field, core's or another module's.
        if vals.keys() <= APP_CONFIG_FIELDS:
            self._check_pos_restriction_each("operate")
        else:
            self.env.user._check_pos_configuring(self)
        res = super().write(vals)
        if ALLOWED_USER_FIELDS & vals.keys():
            self._pos_allowed_users_changed()
        if SELF_ORDERING_FIELDS & vals.keys():
            self._check_pos_self_ordering_user()
        return res

    def unlink(self):
        self.env.user._check_pos_configuring(self)
        return super().unlink()

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

    def pos_approvers(self):
        """Who may approve a request at this register: ids and names only."""
        self.ensure_one()
        self.check_access("read")
        approvers = self.env["res.users"]._pos_approvers(self.company_id)
        return [
            {"id": user.id, "name": user.name}
            for user in approvers
            if user != self.env.user
        ]

    def pos_request_approval(self, action, approver_id, pin, order_uuid=None):
        """Ask the Point of Sale administrator ``approver_id``, who types their
        ``pin`` at the register, to let the current user do ``action`` once on
        this register: ``take_over`` its session (done at once), ``resume`` or
        ``close`` it, ``open`` the register, move cash in or out
        (``cash_move``), or, in the order ``order_uuid``, ``refund``, give a
        ``discount`` over their limit or make a ``price_change``."""
        self.ensure_one()
        self.check_access("read")
        user = self.env.user
        grants = self.env["pos.approval.grant"]
        actions = dict(grants._fields["action"]._description_selection(self.env))
        if action not in actions:
            raise UserError(self.env._("This is not something a manager approves."))
        session = self.current_session_id
        order_uuid = order_uuid if action in SALE_ACTIONS else None
        self._check_pos_approval_request(action, session, order_uuid)
        # sudo: an approver is named by id; the policy says who may approve
        approver = self.env["res.users"].sudo()
        if isinstance(approver_id, int) and not isinstance(approver_id, bool):
            approver = approver.browse(approver_id).exists()
        user._pos_refuse(
            user._pos_approver_refusal(approver, self),
            action,
            self,
            session,
            approver=approver,
        )
        self.env["pos.approval.attempt"]._check_approval_pin(
            approver, self, pin, action, session
        )
        grants._grant(user, self, action, session, approver, order_uuid)
        note = self.env._(
            "%(approver)s approved: %(action)s",
            approver=approver.name,
            action=actions[action],
        )
        if order_uuid:
            note = self.env._("%(note)s (order %(order)s)", note=note, order=order_uuid)
        journal = self.env["pos.session.event"]
        if session:
            journal._record("approved", session, note)
        else:
            journal._record_on_config("approved", self, note)
        if action == "take_over":
            # The approver hands the session over: they proved who they are.
            session.with_user(approver).pos_hand_over(user.id)
        return True

    def _check_pos_approval_request(self, action, session, order_uuid):
        """Refuse to ask for an approval that cannot be used: before anyone
        types a PIN."""
        user = self.env.user
        if action in SENSITIVE_ACTIONS:
            self._check_pos_sensitive_request(action, session, order_uuid)
        if action in ("take_over", "resume", "close") and not session:
            raise UserError(
                self.env._(
                    "'%(pos)s' has no open session: there is nothing to take over, "
                    "resume or close.",
                    pos=self.name,
                )
            )
        if action == "take_over":
            if session.user_id == user:
                raise UserError(
                    self.env._(
                        "The session %(session)s is already yours.",
                        session=session._pos_restriction_label(),
                    )
                )
            # Whatever a manager approves, the cashier must be allowed to hold
            # the session: told now, in their own words, before any PIN is typed.
            user._check_pos_session_opening(self, user, "take_over", session)

    def _check_pos_sensitive_request(self, action, session, order_uuid):
        """Refuse to ask for the approval of a manager-only ``action`` that the
        user may never do, or that is not theirs to ask: in a session they may
        not sell in, or of a sale without its order."""
        user = self.env.user
        if action in SALE_ACTIONS and not (
            isinstance(order_uuid, str) and 0 < len(order_uuid) <= 64
        ):
            raise UserError(self.env._("Say which order the approval is for."))
        if not session or session.state != "opened":
            raise UserError(self.env._("'%(pos)s' has no open session.", pos=self.name))
        user._check_pos_selling(session)
        refusal = user._pos_refusal(action, self, session)
        if not refusal:
            raise UserError(
                self.env._("You may do this yourself: there is nothing to approve.")
            )
        if refusal.rule == "action_refused":
            user._pos_refuse(refusal, action, self, session)

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

    def _check_pos_selling_outside_sessions(self):
        """Raise unless the current user may sell in these registers outside
        any session (an order in none is its register's): operating them."""
        if self.env.user._pos_restriction_applies():
            self._check_pos_restriction_each("sell")

    def _check_pos_restriction_each(self, action):
        """Raise unless the current user may ``action`` each of these registers."""
        # sudo: a hidden register is refused by its rule, not by failing to read it
        for config in self.sudo():
            self.env.user._check_pos_config_access(config, action)

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
