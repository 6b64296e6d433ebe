from odoo import api, models

# Writing these changes what the order's session holds.
SOLD_ORDER_FIELDS = {"session_id", "lines", "payment_ids", "state"}


class PosOrder(models.Model):
    _name = "pos.order"
    _inherit = ["pos.order", "pos.session.lookup.mixin"]

    # The record rule reads the orders of the visible registers: core has no
    # index on config_id, so PostgreSQL would read the whole table.
    _config_id_idx = models.Index("(config_id)")

    @api.model_create_multi
    def create(self, vals_list):
        session_ids = {vals.get("session_id") for vals in vals_list} - {None, False}
        self.env.user._check_pos_selling(self.env["pos.session"].browse(session_ids))
        return super().create(vals_list)

    def write(self, vals):
        if SOLD_ORDER_FIELDS & vals.keys():
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
        self.env.user._check_pos_selling(self.env["pos.session"].browse(session_ids))
        return super().sync_from_ui(orders)

    def action_pos_order_cancel(self):
        # Refuse before core reads the orders, which it may not for a hidden one.
        self._check_pos_selling()
        return super().action_pos_order_cancel()

    def refund(self):
        self._check_pos_selling()
        return super().refund()

    def _check_pos_selling(self, new_session_id=None):
        """Raise unless the current user may change these orders, and move
        them to the session ``new_session_id`` if given."""
        # sudo: refuse an order of a hidden session by its rule, not by failing
        # to read it
        sessions = self.sudo().session_id
        if new_session_id:
            sessions |= self.env["pos.session"].browse(new_session_id)
        self.env.user._check_pos_selling(sessions)
