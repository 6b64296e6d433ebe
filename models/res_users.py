from collections import namedtuple

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import str2bool

ENABLED_PARAM = "pos_session_restriction.enabled"
PosRestrictionSettings = namedtuple(
    "PosRestrictionSettings",
    [
        "view_config_ids",
        "access_config_ids",
        "lock_foreign",
        "single_session",
        "calendar_id",
        "tz",
        "refund_rule",
        "price_change_rule",
        "cash_move_rule",
        "discount_limit",
        "closing_rule",
    ],
)
RESTRICTION_FIELDS = {
    "pos_view_config_ids",
    "pos_access_config_ids",
    "pos_lock_foreign_sessions",
    "pos_single_session",
    "pos_resource_calendar_id",
    "pos_refund_rule",
    "pos_price_change_rule",
    "pos_cash_move_rule",
    "pos_discount_limit",
    "pos_closing_rule",
}
# A manager-only action (DESIGN §9): what a user may do of it.
SENSITIVE_RULES = [
    ("allowed", "Allowed"),
    ("approval", "Manager's approval"),
    ("refused", "Refused"),
]


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
    pos_refund_rule = fields.Selection(
        SENSITIVE_RULES,
        string="Refunds",
        default="allowed",
        required=True,
        groups="point_of_sale.group_pos_manager",
        help="Whether the user may refund a sale, with a manager's approval at "
        "the register, or not at all.",
    )
    pos_price_change_rule = fields.Selection(
        SENSITIVE_RULES,
        string="Manual Prices",
        default="allowed",
        required=True,
        groups="point_of_sale.group_pos_manager",
        help="Whether the user may type a price of their own on an order line, "
        "with a manager's approval at the register, or not at all.",
    )
    pos_cash_move_rule = fields.Selection(
        SENSITIVE_RULES,
        string="Cash In/Out",
        default="allowed",
        required=True,
        groups="point_of_sale.group_pos_manager",
        help="Whether the user may put cash in or take it out of the register, "
        "with a manager's approval at the register, or not at all.",
    )
    pos_discount_limit = fields.Float(
        string="Discount Limit (%)",
        default=100.0,
        required=True,
        groups="point_of_sale.group_pos_manager",
        help="The highest discount the user gives on an order line; a higher "
        "one needs a manager's approval at the register.",
    )
    pos_closing_rule = fields.Selection(
        [("allowed", "Allowed"), ("approval", "Manager's end-of-day count")],
        string="Closing",
        default="allowed",
        required=True,
        groups="point_of_sale.group_pos_manager",
        help="Whether the user closes a register alone, or a manager approves "
        "the end-of-day count at the register.",
    )
    pos_refusal_count = fields.Integer(
        compute="_compute_pos_refusal_count",
        groups="point_of_sale.group_pos_manager",
    )

    def _compute_pos_refusal_count(self):
        counts = dict(
            self.env["pos.restriction.log"]._read_group(
                [("user_id", "in", self.ids)], ["user_id"], ["attempt_count:sum"]
            )
        )
        for user in self:
            user.pos_refusal_count = counts.get(user, 0)

    @api.constrains("pos_discount_limit")
    def _check_pos_discount_limit(self):
        for user in self:
            if not 0 <= user.pos_discount_limit <= 100:
                raise ValidationError(
                    self.env._(
                        "The discount limit of %(user)s must be between 0 and 100%%.",
                        user=user.name,
                    )
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

    def _pos_restriction_applies(self, assume_enabled=False):
        """Whether the restrictions bind this user: POS users who are not POS
        administrators, while the global switch is on (or, ``assume_enabled``,
        as if it were)."""
        self.ensure_one()
        return (
            self._has_group("point_of_sale.group_pos_user")
            and not self._pos_is_pos_administrator()
            and (
                assume_enabled
                # sudo: cashiers cannot read system parameters
                or str2bool(
                    self.env["ir.config_parameter"]
                    .sudo()
                    .get_param(ENABLED_PARAM, "False")
                )
            )
        )

    def _pos_is_pos_administrator(self):
        """Whether this user administers the Point of Sale: a POS manager, or
        the superuser. The restrictions never bind them."""
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
            user.pos_refund_rule,
            user.pos_price_change_rule,
            user.pos_cash_move_rule,
            user.pos_discount_limit,
            user.pos_closing_rule,
        )
