from odoo import api, models

# Accounting links payments to their journal entries, whoever holds the session.
ACCOUNTING_PAYMENT_FIELDS = {"account_move_id"}


class PosPayment(models.Model):
    _inherit = "pos.payment"

    # The record rule reads the payments of the sessions a user may see; with
    # company_id (the multi-company rule) in the index, PostgreSQL finds and
    # counts them from the index alone.
    _session_id_company_id_idx = models.Index("(session_id, company_id)")

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals.get("pos_order_id") for vals in vals_list} - {None, False}
        self.env["pos.order"].browse(order_ids)._check_pos_selling()
        return super().create(vals_list)

    def write(self, vals):
        if vals.keys() - ACCOUNTING_PAYMENT_FIELDS:
            # sudo: refuse a payment of a hidden order by its rule, not by
            # failing to read it
            orders = self.sudo().pos_order_id
            if vals.get("pos_order_id"):
                orders |= orders.browse(vals["pos_order_id"])
            orders._check_pos_selling()
        return super().write(vals)

    def unlink(self):
        self.sudo().pos_order_id._check_pos_selling()
        return super().unlink()
