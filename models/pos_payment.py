from odoo import api, fields, models

# The allowlist of what changes on a paid order's payments without moving cash
# (deny by default): the journal entry closing or invoicing links them to.
PAID_PAYMENT_FIELDS = {"account_move_id"}


class PosPayment(models.Model):
    _inherit = "pos.payment"

    # The record rule reads the payments of the visible registers, as it does
    # orders: through their session, PostgreSQL would read every payment of
    # every visible session to show the newest. Filled in SQL on install and
    # update (hooks.py), not computed payment by payment.
    pos_config_id = fields.Many2one(
        "pos.config",
        string="Point of Sale",
        related="session_id.config_id",
        store=True,
        help="Technical field used by the record rules: the register of the "
        "payment's session.",
    )

    # As pos.order's: a list's count reads the index alone.
    _pos_config_id_company_id_session_id_idx = models.Index(
        "(pos_config_id, company_id, session_id)"
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The ORM fills in a default from the context: it counts too.
        default = self.env.context.get("default_pos_order_id")
        order_ids = {
            vals.get("pos_order_id", default)
            for vals in vals_list
            if not self._pos_paid_online(vals)
        } - {None, False}
        self.env["pos.order"].browse(order_ids)._check_pos_selling()
        return super().create(vals_list)

    def write(self, vals):
        # Deny by default: whatever the field, changing a payment is selling
        # in its order's session. Closing a session, or invoicing an order,
        # links its payments to their journal entries: who may do either may
        # sell there (a manager's approval to close covers its request).
        # sudo: refuse a payment of a hidden order by its rule, not by failing
        # to read it
        orders = self.sudo().pos_order_id
        if vals.get("pos_order_id"):
            orders |= orders.browse(vals["pos_order_id"])
        orders._check_pos_selling()
        if vals.keys() - PAID_PAYMENT_FIELDS:
            self._check_pos_paid_amounts(orders)
        return super().write(vals)

    @api.model
    def _check_pos_paid_amounts(self, orders):
        """Raise unless the current user may change how paid ``orders`` were
        paid: it moves cash in or out of the register."""
        user = self.env.user
        for order in orders.filtered(lambda o: o.state not in ("draft", "cancel")):
            user._check_pos("cash_move", order.config_id, order.session_id)

    def unlink(self):
        orders = self.sudo().pos_order_id
        orders._check_pos_selling()
        self._check_pos_paid_amounts(orders)
        return super().unlink()

    def _pos_paid_online(self, vals):
        """Whether ``vals`` record a payment the customer made online and the
        payment provider confirmed (pos_online_payment, no dependency). That
        money is the customer's, recorded on the public's payment pages
        whoever is logged in there: no cashier's sale."""
        account_payment_id = vals.get("online_account_payment_id")
        if not account_payment_id:
            return False
        # sudo: accounting and payment transactions are no cashier's to read
        transaction = (
            self.env["account.payment"]
            .sudo()
            .browse(account_payment_id)
            .payment_transaction_id
        )
        # Once, for what the customer paid: the provider's amount.
        return (
            transaction.state in ("authorized", "done")
            and transaction.pos_order_id.id == vals.get("pos_order_id")
            and not self.sudo().search_count(
                [("online_account_payment_id", "=", account_payment_id)], limit=1
            )
            and transaction.currency_id.compare_amounts(
                transaction.amount, vals.get("amount") or 0.0
            )
            == 0
        )
