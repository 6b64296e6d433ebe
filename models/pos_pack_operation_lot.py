from odoo import api, models


class PosPackOperationLot(models.Model):
    _inherit = "pos.pack.operation.lot"

    @api.model_create_multi
    def create(self, vals_list):
        # A line's lot or serial number is part of the sale: selling in its
        # order's session. The ORM fills in a default from the context.
        default = self.env.context.get("default_pos_order_line_id")
        line_ids = {vals.get("pos_order_line_id", default) for vals in vals_list}
        self.env["pos.order.line"].browse(line_ids - {None, False})._check_pos_lots()
        return super().create(vals_list)

    def write(self, vals):
        # sudo: refuse a lot of a hidden order by its rule, not by failing to read it
        lines = self.sudo().pos_order_line_id
        if vals.get("pos_order_line_id"):
            lines |= lines.browse(vals["pos_order_line_id"])
        lines._check_pos_lots()
        return super().write(vals)

    def unlink(self):
        self.sudo().pos_order_line_id._check_pos_lots()
        return super().unlink()
