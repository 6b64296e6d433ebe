from odoo import api, models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        # The ORM fills in a default from the context: it counts too.
        default = self.env.context.get("default_order_id")
        order_ids = {vals.get("order_id", default) for vals in vals_list}
        order_ids -= {None, False}
        self.env["pos.order"].browse(order_ids)._check_pos_selling()
        return super().create(vals_list)

    def write(self, vals):
        # sudo: refuse a line of a hidden order by its rule, not by failing to read it
        orders = self.sudo().order_id
        if vals.get("order_id"):
            orders |= orders.browse(vals["order_id"])
        orders._check_pos_selling()
        return super().write(vals)

    def unlink(self):
        self.sudo().order_id._check_pos_selling()
        return super().unlink()
