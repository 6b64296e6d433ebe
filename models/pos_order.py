from odoo import api, models

from .res_users import REROUTED_CONFIGS

# Writing these changes what the order's session holds.
SOLD_ORDER_FIELDS = {"session_id", "lines", "payment_ids", "state"}
# Accounting, not selling: closing a session marks its paid orders done, and
# invoicing an order does, whoever closes or invoices.
ACCOUNTED_STATE = "done"


class PosOrder(models.Model):
    _inherit = "pos.order"

    # The record rule reads the orders of the visible registers: core has no
    # index on config_id, so PostgreSQL would read the whole table. With the
    # company (the multi-company rule) and the session (res.users
    # _pos_visibility_domain), a list's count reads the index alone.
    _config_id_company_id_session_id_idx = models.Index(
        "(config_id, company_id, session_id)"
    )

    @api.model_create_multi
    def create(self, vals_list):
        session_ids = {vals.get("session_id") for vals in vals_list} - {None, False}
        self.env.user._check_pos_selling(self.env["pos.session"].browse(session_ids))
        return super().create(vals_list)

    def write(self, vals):
        sold_fields = SOLD_ORDER_FIELDS & vals.keys()
        if vals.get("state") == ACCOUNTED_STATE:
            sold_fields.discard("state")
        if sold_fields and not self._pos_paid_online(vals):
            self._check_pos_selling(vals.get("session_id"))
        return super().write(vals)

    def unlink(self):
        self._check_pos_selling()
        return super().unlink()

    @api.model
    def sync_from_ui(self, orders):
        # Refuse before core, or another addon, reads a session of another
        # register, which it may not for a hidden one.
        session_ids = {order.get("session_id") for order in orders} - {None, False}
        sessions = self.env["pos.session"].browse(session_ids)
        self.env.user._check_pos_selling(sessions)
        # sudo: the sessions were checked just above
        closed = sessions.sudo().filtered(
            lambda s: s.state in ("closing_control", "closed")
        )
        if not closed:
            return super().sync_from_ui(orders)
        # Core moves an order of a session closed meanwhile (closed remotely,
        # say) into the register's open session, whoever holds it: what the
        # user sold in a session they may sell in follows it there.
        rerouted = self.env.cr.cache.setdefault(REROUTED_CONFIGS, set())
        added = set(closed.config_id.ids) - rerouted
        rerouted |= added
        try:
            return super().sync_from_ui(orders)
        finally:
            rerouted -= added

    def action_pos_order_cancel(self):
        # Refuse before core reads the orders, which it may not for a hidden one.
        self._check_pos_selling()
        return super().action_pos_order_cancel()

    def refund(self):
        # Refuse before core reads the orders, which it may not for a hidden
        # one. Core refunds into the current session of each order's register.
        # sudo: a hidden session is refused by its rule, not by failing to read it
        current_sessions = self.sudo().session_id.config_id.current_session_id
        self.env.user._check_pos_selling(current_sessions)
        return super().refund()

    def _get_open_order(self, order):
        # pos_restaurant answers an order sent for a table with the draft order
        # already on that table, whichever register holds it (registers may
        # share a floor), then moves it into the session of the order sent. A
        # draft order of a session the user may not sell in is not theirs to
        # take over: the order sent stays an order of its own.
        open_order = super()._get_open_order(order)
        if (
            open_order
            and open_order.uuid != order.get("uuid")
            # sudo: the order's session may be hidden from the user
            and self.env.user._pos_selling_refusal(open_order.sudo().session_id)
        ):
            return self.browse()
        return open_order

    def _pos_paid_online(self, vals):
        """Whether ``vals`` only mark as paid orders that payments the customer
        made online paid in full: core does it once the payment provider
        confirmed the last one (see pos.payment._pos_paid_online)."""
        return vals == {"state": "paid"} and self._pos_paid_online_in_full()

    def _pos_paid_online_in_full(self):
        """Whether payments the customer made online (pos_online_payment, no
        dependency) paid each of these orders in full."""
        if "online_account_payment_id" not in self.env["pos.payment"]:
            return False
        # sudo: the orders may be of a session hidden from the user
        return all(
            order.payment_ids.online_account_payment_id and order._is_pos_order_paid()
            for order in self.sudo()
        )

    def _check_pos_selling(self, new_session_id=None):
        """Raise unless the current user may change these orders, and move
        them to the session ``new_session_id`` if given."""
        # sudo: refuse an order of a hidden session by its rule, not by failing
        # to read it
        sessions = self.sudo().session_id
        if new_session_id:
            sessions |= self.env["pos.session"].browse(new_session_id)
        self.env.user._check_pos_selling(sessions)
