import math

from odoo import api, models

# What an order line holds, as the evaluation of manager-only actions reads it
# (core's own POS data of a line, and what pos_loyalty and pos_sale add).
SALE_LINE_FIELDS = [
    "order_id",
    "qty",
    "price_unit",
    "discount",
    "price_type",
    "price_extra",
    "product_id",
    "refunded_orderline_id",
    "combo_parent_id",
    "combo_line_ids",
]
SALE_LINE_MODULE_FIELDS = [
    "is_reward_line",
    "reward_id",
    "sale_order_line_id",
    "sale_order_origin_id",
]
SALE_ORDER_FIELDS = [
    "uuid",
    "name",
    "pos_reference",
    "config_id",
    "session_id",
    "pricelist_id",
    "fiscal_position_id",
    "currency_id",
]


class PosOrder(models.Model):
    _inherit = "pos.order"

    def _pos_sale_data(self):
        """These orders and their lines as the evaluation reads them: the
        shape of the data core answers a sync with (ids for relations)."""
        # sudo: what the cashier sold, whoever may read the lines' relations
        orders = self.sudo()
        fields = SALE_LINE_FIELDS + [
            name for name in SALE_LINE_MODULE_FIELDS if name in orders.lines._fields
        ]
        return {
            "pos.order": orders.read(SALE_ORDER_FIELDS, load=False),
            "pos.order.line": orders.lines.read(fields, load=False),
        }

    @api.model
    def _pos_sale_actions(self, order, lines, rules):
        """The manager-only actions the cashier took in ``order`` (the data of
        an order and its ``lines``) that ``rules`` (theirs) do not allow them
        alone: worked out from what the order holds, whatever the app said.
        What cannot be judged (a price that is no number) is a price change."""
        # sudo: the register's settings, as core reads them for the POS app
        config = self.env["pos.config"].sudo().browse(order["config_id"])
        actions = set()
        discounts = [
            line for line in lines if self._pos_is_global_discount(line, config)
        ]
        try:
            actions |= self._pos_global_discount_actions(discounts, lines, rules)
        except (ArithmeticError, ValueError, TypeError):
            actions.add("price_change")
        for line in lines:
            if line in discounts:
                continue
            try:
                actions |= self._pos_line_actions(order, line, lines, rules, config)
            except (ArithmeticError, ValueError, TypeError):
                actions.add("price_change")
        return {
            action
            for action in actions
            if action == "discount" or rules[action] != "allowed"
        }

    @api.model
    def _pos_line_actions(self, order, line, lines, rules, config):
        """The manager-only actions ``line`` of ``order`` holds, whatever
        ``rules`` say of them."""
        numbers = [line["qty"], line["price_unit"], line["discount"]]
        if not all(math.isfinite(number) for number in numbers):
            raise ValueError("not a number")
        amount = line["qty"] * line["price_unit"]
        actions = set()
        if not line["discount"] <= rules["discount_limit"]:
            actions.add("discount")
        if self._pos_is_reward(line, config):
            # pos_loyalty's reward, priced by its program.
            return actions
        if amount < 0:
            actions.add("refund")
        refunded = line.get("refunded_orderline_id")
        if refunded and line["qty"] < 0:
            # A refund gives back what was sold, at its price and discount.
            return (actions - {"discount"}) | self._pos_refund_changes(
                line, refunded, rules
            )
        if rules["price_change"] != "allowed" and self._pos_price_typed(
            order, line, lines, config
        ):
            actions.add("price_change")
        return actions

    @api.model
    def _pos_global_discount_actions(self, discounts, lines, rules):
        """pos_discount's discount of the whole order (its ``discounts``
        lines, together), against the cashier's limit."""
        taken = -sum(line["qty"] * line["price_unit"] for line in discounts)
        if not discounts or taken <= 0:
            return set()
        sold = sum(
            line["qty"] * line["price_unit"]
            for line in lines
            if line not in discounts and line["qty"] * line["price_unit"] > 0
        )
        if not math.isfinite(taken) or not sold:
            raise ValueError("no discount of a sale")
        return {"discount"} if taken * 100 / sold > rules["discount_limit"] else set()

    @api.model
    def _pos_is_global_discount(self, line, config):
        return (
            "discount_product_id" in config._fields
            and line["product_id"] == config.discount_product_id.id
        )

    @api.model
    def _pos_is_reward(self, line, config):
        """Whether ``line`` is a reward of a loyalty program of the register
        (pos_loyalty): what it takes off is the program's, not the cashier's."""
        if not (line.get("is_reward_line") and line.get("reward_id")):
            return False
        if "loyalty.reward" not in self.env:
            return False
        if line["price_unit"] > 0:
            return False
        # sudo: the program of the reward, as core reads it for the POS app
        program = self.env["loyalty.reward"].sudo().browse(line["reward_id"]).program_id
        return program.pos_ok and (
            not program.pos_config_ids or config in program.pos_config_ids
        )

    @api.model
    def _pos_refund_changes(self, line, refunded_id, rules):
        """What the refund ``line`` changed of the line it refunds: another
        product or price, or a discount over both that line's and the
        cashier's limit."""
        # sudo: the refunded line may be of a session the cashier cannot read
        refunded = self.env["pos.order.line"].sudo().browse(refunded_id)
        changes = set()
        if line["discount"] > max(refunded.discount, rules["discount_limit"]):
            changes.add("discount")
        currency = refunded.order_id.currency_id
        if refunded.product_id.id != line["product_id"] or currency.compare_amounts(
            line["price_unit"], refunded.price_unit
        ):
            changes.add("price_change")
        return changes

    @api.model
    def _pos_price_typed(self, order, line, lines, config):
        """Whether the cashier typed the price of ``line``: said so by the app
        (``price_type``), or it is not what the order's pricelist, one of the
        register's, gives."""
        if not self._pos_priced_by_cashier(line, lines, config):
            return False
        if line["price_type"] == "manual":
            return True
        pricelist_ids = (config.pricelist_id | config.available_pricelist_ids).ids
        if (order["pricelist_id"] or False) not in (pricelist_ids or [False]):
            return True
        if order["fiscal_position_id"]:
            # One of the register's fiscal positions may map the taxes, and
            # the price with them: not recomputed here.
            positions = config.fiscal_position_ids | config.default_fiscal_position_id
            return order["fiscal_position_id"] not in positions.ids
        return not self._pos_pricelist_price(order, line, lines)

    @api.model
    def _pos_pricelist_price(self, order, line, lines):
        """Whether ``line`` has the price the order's pricelist gives."""
        # sudo: the pricelist's rules, whoever may read them
        product = self.env["product.product"].sudo().browse(line["product_id"])
        pricelist = self.env["product.pricelist"].sudo().browse(order["pricelist_id"])
        currency = self.env["res.currency"].browse(order["currency_id"])
        # A tracked product's lines share the price of their total quantity.
        quantities = {
            line["qty"],
            sum(o["qty"] for o in lines if o["product_id"] == line["product_id"]),
        }
        for qty in quantities:
            price = (
                pricelist._get_product_price(product, qty)
                if pricelist
                else product.lst_price
            ) + (line.get("price_extra") or 0.0)
            if not currency.compare_amounts(price, line["price_unit"]):
                return True
        return False

    @api.model
    def _pos_priced_by_cashier(self, line, lines, config):
        """Whether the cashier prices ``line``, not a module: not a combo sold
        in the order or one of its parts, a quotation's line of the same
        product or a down payment on it (pos_sale), or a tip."""
        if self._pos_combo_part(line, lines):
            return False
        if line.get("sale_order_line_id") and "sale.order.line" in self.env:
            # sudo: the quotation's line, as pos_sale reads it for the POS app
            quoted = (
                self.env["sale.order.line"].sudo().browse(line["sale_order_line_id"])
            )
            return quoted.product_id.id != line["product_id"]
        if (
            line.get("sale_order_origin_id")
            and "down_payment_product_id" in config._fields
        ):
            # pos_sale's down payment on a quotation: the quotation's amount.
            if line["product_id"] == config.down_payment_product_id.id:
                return False
        return not self._pos_is_tip(config, line["product_id"], line["price_unit"])

    @api.model
    def _pos_is_tip(self, config, product_id, price_unit):
        """Whether a line of ``product_id`` at ``price_unit`` is a tip at the
        register ``config``: what the customer adds, priced by them."""
        return (
            bool(config.tip_product_id)
            and product_id == config.tip_product_id.id
            and price_unit >= 0
        )

    @api.model
    def _pos_combo_part(self, line, lines):
        """Whether ``line`` is a combo sold in the order, or one of its parts
        (one of the combo's items, not priced by hand): priced by the combo."""
        parent_id = line.get("combo_parent_id")
        if not (parent_id or line.get("combo_line_ids")):
            return False
        parent = next(
            (o for o in lines if o.get("id") == (parent_id or line.get("id"))), None
        )
        # sudo: the combo and its items, as core reads them for the POS app
        combo = (
            self.env["product.product"].sudo().browse(parent and parent["product_id"])
        )
        if combo.type != "combo":
            return False
        if not parent_id:
            return True
        items = combo.combo_ids.combo_item_ids.product_id
        return line["price_type"] != "manual" and line["product_id"] in items.ids
