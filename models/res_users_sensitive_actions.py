from odoo import api, models

from ..exceptions import PosSessionRestrictionError

# What a user the restrictions do not bind may do of the manager-only actions.
UNRESTRICTED_RULES = {
    "refund": "allowed",
    "price_change": "allowed",
    "cash_move": "allowed",
    "close": "allowed",
    "discount_limit": 100.0,
}


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _load_pos_data_read(self, records, config):
        # The POS app asks a manager before the server would refuse a
        # manager-only action: the user's rules come with its data.
        read_records = super()._load_pos_data_read(records, config)
        for read_record in read_records:
            user = self.browse(read_record["id"])
            read_record["pos_sensitive_rules"] = user._pos_sensitive_rules()
        return read_records

    def _pos_closing_refusal(self, config, session, other_user=None):
        """The refusal this user meets when closing ``session`` of ``config``,
        if any: for some, closing a register is a manager's end-of-day count.
        Discarding a session never opened counts nothing."""
        refusal = self._pos_session_refusal(config, session)
        if refusal or not session or session.state == "opening_control":
            return refusal
        if self._pos_restriction_settings().closing_rule != "approval":
            return None
        return PosSessionRestrictionError(
            self.env._(
                "Closing '%(pos)s' is a manager's end-of-day count: ask a manager "
                "to approve it with their PIN.",
                pos=config.name,
            ),
            rule="approval_required",
        )

    def _pos_sensitive_rules(self):
        """What this user may do of each manager-only action: ``allowed``,
        ``approval`` or ``refused``, and their discount limit in percent. The
        POS app receives it with its data, to ask a manager before the server
        would refuse."""
        self.ensure_one()
        if not self._pos_restriction_applies():
            return dict(UNRESTRICTED_RULES)
        settings = self._pos_restriction_settings()
        return {
            "refund": settings.refund_rule,
            "price_change": settings.price_change_rule,
            "cash_move": settings.cash_move_rule,
            "close": settings.closing_rule,
            "discount_limit": settings.discount_limit,
        }

    def _pos_refund_refusal(self, config, session=None, other_user=None):
        return self._pos_sensitive_refusal("refund", config)

    def _pos_price_change_refusal(self, config, session=None, other_user=None):
        return self._pos_sensitive_refusal("price_change", config)

    def _pos_cash_move_refusal(self, config, session=None, other_user=None):
        return self._pos_sensitive_refusal("cash_move", config)

    def _pos_discount_refusal(self, config, session=None, other_user=None):
        """The refusal this user meets giving a line discount over their
        limit (the question is asked only then): a manager may approve it."""
        return self._pos_sensitive_refusal("discount", config)

    def _pos_sensitive_refusal(self, action, config):
        """The refusal this user meets doing the manager-only ``action`` on
        ``config``, if any: ``action_refused`` if they may never,
        ``approval_required`` if a manager may approve it."""
        rule = self._pos_sensitive_rules().get(action, "approval")
        if rule == "allowed":
            return None
        what = self._pos_sensitive_action_label(action)
        if rule == "refused":
            return PosSessionRestrictionError(
                self.env._(
                    "You are not allowed to %(what)s at '%(pos)s'. Ask your "
                    "Point of Sale administrator if you need to.",
                    what=what,
                    pos=config.name,
                ),
                rule="action_refused",
            )
        return PosSessionRestrictionError(
            self.env._(
                "To %(what)s at '%(pos)s' you need a manager's approval: ask a "
                "manager to approve it with their PIN.",
                what=what,
                pos=config.name,
            ),
            rule="approval_required",
        )

    def _pos_sensitive_action_label(self, action):
        return {
            "refund": self.env._("refund a sale"),
            "discount": self.env._(
                "give a discount over %(limit)s%%",
                limit=self._pos_sensitive_rules()["discount_limit"],
            ),
            "price_change": self.env._("change a price by hand"),
            "cash_move": self.env._("put cash in or take cash out"),
        }[action]
