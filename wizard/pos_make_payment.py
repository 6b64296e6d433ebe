from odoo import models


class PosMakePayment(models.TransientModel):
    _inherit = "pos.make.payment"

    def check(self):
        # Refuse before core reads the order, which it may not for a hidden one.
        order = self.env["pos.order"].browse(self.env.context.get("active_id"))
        order._check_pos_selling()
        return super().check()
