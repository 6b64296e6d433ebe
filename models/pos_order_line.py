from odoo import api, models

# What core writes on the lines of an order once it is paid: their cost, for its
# margin.
COST_LINE_FIELDS = {"total_cost", "is_total_cost_computed"}
# The allowlist of what changes on a paid order's lines besides a manager
# (deny by default): their cost, and the coupon pos_loyalty links a reward line
# to once the order is recorded (no dependency).
PAID_LINE_FIELDS = COST_LINE_FIELDS | {"coupon_id"}


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        # The ORM fills in a default from the context: it counts too.
        default = self.env.context.get("default_order_id")
        order_ids = {vals.get("order_id", default) for vals in vals_list}
        order_ids -= {None, False}
        orders = self.env["pos.order"].browse(order_ids)
        orders._check_pos_selling()
        lines = super().create(vals_list)
        orders._check_pos_paid_changes(lines)
        return lines

    def write(self, vals):
        # sudo: refuse a line of a hidden order by its rule, not by failing to read it
        orders = self.sudo().order_id
        if vals.get("order_id"):
            orders |= orders.browse(vals["order_id"])
        if not self._pos_costed_once_paid_online(vals, orders):
            orders._check_pos_selling()
        res = super().write(vals)
        if vals.keys() - PAID_LINE_FIELDS:
            orders._check_pos_paid_changes()
        return res

    def unlink(self):
        orders = self.sudo().order_id
        orders._check_pos_selling()
        orders._check_pos_paid_changes()
        return super().unlink()

    def _pos_is_tip(self):
        """Whether this line is a tip (pos_restaurant adds one once paid)."""
        # sudo: the register's tip product, as core reads it for the POS app
        return self.env["pos.order"]._pos_is_tip(
            self.sudo().order_id.config_id, self.product_id.id, self.price_unit
        )

    def _check_pos_lots(self):
        """Raise unless the current user may change the lots of these lines."""
        # sudo: refuse a line of a hidden order by its rule, not by failing to read it
        self.sudo().order_id._check_pos_selling()

    def _pos_costed_once_paid_online(self, vals, orders):
        """Whether ``vals`` only give these lines their first cost, of orders
        the customer paid in full online. Core costs an order's lines once it
        is paid, as whoever is logged in on the payment pages when the payment
        provider confirms the last payment (a restricted cashier paying as a
        customer, too, in a session they may not sell in): that is no
        cashier's sale, and the cost of a line already costed stays refused."""
        return (
            vals.keys() <= COST_LINE_FIELDS
            # sudo: the lines may be of a session hidden from the user
            and not any(self.sudo().mapped("is_total_cost_computed"))
            and orders._pos_paid_online_in_full()
        )
