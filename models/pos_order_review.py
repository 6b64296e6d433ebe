from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..exceptions import PosSessionRestrictionError
from .res_users_sensitive_actions import UNRESTRICTED_RULES

# The states of an order sent paid: the customer has paid and left.
PAID_STATES = ("paid", "done", "invoiced")


class PosOrder(models.Model):
    _inherit = "pos.order"

    pos_needs_review = fields.Boolean(
        string="Needs Review",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The cashier refunded, discounted over their limit or changed a "
        "price by hand in this order without the manager's approval their "
        "settings ask for (offline, or past the register). The sale was "
        "recorded: a manager reviews it.",
    )

    def action_pos_reviewed(self):
        """A manager has reviewed these orders: they need it no more."""
        if not self.env.user._pos_is_pos_administrator():
            raise AccessError(
                self.env._("Only a Point of Sale administrator reviews an order.")
            )
        # sudo: the flag is the addon's; who may clear it is checked above
        self.sudo().write({"pos_needs_review": False})
        return True

    @api.model
    def sync_from_ui(self, orders):
        # A paid order is never refused for a manager-only action (DESIGN §9):
        # what it holds that needed an approval and has none is flagged.
        result = super().sync_from_ui(orders)
        user = self.env.user
        sensitive = user._pos_sensitive_rules()
        if sensitive != UNRESTRICTED_RULES:
            paid = {
                order.get("uuid")
                for order in orders
                if order.get("state") in PAID_STATES
            }
            needs = self._pos_needed_approvals(result, paid, sensitive)
            if needs:
                self._pos_flag_unapproved(needs)
        return result

    @api.model
    def _pos_needed_approvals(self, result, uuids, rules):
        """The orders among ``result`` (the data core answers a sync with)
        sent paid as ``uuids``, mapped to the manager-only actions in them
        that ``rules`` (the cashier's) ask an approval for: from the orders as
        recorded, whatever the app said it did."""
        orders = {
            order["id"]: order
            for order in result.get("pos.order", ())
            if order.get("uuid") in uuids
        }
        lines = defaultdict(list)
        for line in result.get("pos.order.line", ()):
            if line.get("order_id") in orders:
                lines[line["order_id"]].append(line)
        needs = {}
        for order_id, order_lines in lines.items():
            actions = self._pos_sale_actions(orders[order_id], order_lines, rules)
            if actions:
                needs[order_id] = (orders[order_id], actions)
        return needs

    @api.model
    def _pos_sale_actions(self, order, lines, rules):
        """The manager-only actions the cashier took in ``order`` (the data
        of an order and its ``lines``) that ``rules`` do not allow them."""
        actions = set()
        for line in lines:
            refunded = line["qty"] < 0 and line.get("refunded_orderline_id")
            if line["qty"] < 0:
                actions.add("refund")
            if refunded:
                # A refund gives back what was sold, at its price and discount.
                actions |= self._pos_refund_changes(line, refunded, rules)
                continue
            if line["discount"] > rules["discount_limit"]:
                actions.add("discount")
            if rules["price_change"] != "allowed" and self._pos_price_typed(
                order, line, lines
            ):
                actions.add("price_change")
        return {
            action
            for action in actions
            if action == "discount" or rules[action] != "allowed"
        }

    @api.model
    def _pos_refund_changes(self, line, refunded_id, rules):
        """What the refund ``line`` changed of the line it refunds: a price,
        or a discount over both that line's and the cashier's limit."""
        # sudo: the refunded line may be of a session the cashier cannot read
        refunded = self.env["pos.order.line"].sudo().browse(refunded_id)
        changes = set()
        if line["discount"] > max(refunded.discount, rules["discount_limit"]):
            changes.add("discount")
        currency = refunded.order_id.currency_id
        if currency.compare_amounts(line["price_unit"], refunded.price_unit):
            changes.add("price_change")
        return changes

    @api.model
    def _pos_price_typed(self, order, line, lines):
        """Whether the cashier typed the price of ``line``: said so by the app
        (``price_type``), or it is not what the order's pricelist gives."""
        if not self._pos_priced_by_cashier(order, line):
            return False
        if line["price_type"] == "manual":
            return True
        if order.get("fiscal_position_id"):
            # A fiscal position may map the taxes, and the price with them.
            return False
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
                return False
        return True

    @api.model
    def _pos_priced_by_cashier(self, order, line):
        """Whether the cashier prices ``line`` of ``order``, not a module: not
        the parts of a combo, loyalty rewards (pos_loyalty), the global
        discount (pos_discount), tips, or what a sale quotation priced
        (pos_sale)."""
        if (
            line.get("combo_parent_id")
            or line.get("combo_line_ids")
            or line.get("is_reward_line")
            or line.get("sale_order_line_id")
        ):
            return False
        # sudo: the register's settings, as core reads them for the POS app
        config = self.env["pos.config"].sudo().browse(order["config_id"])
        special = {
            config[name].id
            for name in ("discount_product_id", "tip_product_id")
            if name in config._fields
        }
        return line["product_id"] not in special

    @api.model
    def _pos_flag_unapproved(self, needs):
        """Use the approvals bound to the orders of ``needs`` (order id:
        (order data, actions)), and flag each order that still lacks one: it
        needs a manager's review, and the restriction log says what lacked
        an approval. One statement for the whole synced batch."""
        entries, refusals = [], []
        for order_id, (order, actions) in needs.items():
            # sudo: the register's name, which the cashier's app has
            config = self.env["pos.config"].sudo().browse(order["config_id"])
            session = self.env["pos.session"].browse(order["session_id"])
            for action in sorted(actions):
                entries.append((order_id, order["uuid"]))
                refusals.append(
                    (
                        self._pos_unapproved_refusal(action, order, config),
                        action,
                        config,
                        session,
                    )
                )
        log = self.env["pos.restriction.log"]
        columns, rows = log._unapproved_rows(refusals)
        names = SQL(", ").join(SQL.identifier(name) for name in columns)
        grants = self.env["pos.approval.grant"]
        self.env.cr.execute(
            SQL(
                """
                WITH used AS (%(used)s),
                     needed (pos_order_id, pos_order_uuid, %(names)s) AS (
                         VALUES %(rows)s),
                     missing AS (
                         SELECT * FROM needed
                          WHERE NOT EXISTS (
                                SELECT 1 FROM used
                                 WHERE used.order_uuid = needed.pos_order_uuid
                                   AND used.action = needed.action)),
                     flagged AS (
                         UPDATE pos_order SET pos_needs_review = TRUE
                          WHERE id IN (SELECT pos_order_id FROM missing))
                INSERT INTO %(log)s (%(names)s) SELECT %(names)s FROM missing
                """,
                used=grants._use_for_orders_sql(
                    self.env.user, {uuid for _order_id, uuid in entries}
                ),
                names=names,
                rows=SQL(", ").join(
                    SQL(
                        "(%s::int4, %s::varchar, %s)",
                        order_id,
                        uuid,
                        SQL(", ").join(row),
                    )
                    for (order_id, uuid), row in zip(entries, rows, strict=True)
                ),
                log=SQL.identifier(log._table),
            )
        )
        self.invalidate_model(["pos_needs_review"])
        grants.invalidate_model(["used_date", "done_date"])
        log.invalidate_model()

    @api.model
    def _pos_unapproved_refusal(self, action, order, config):
        what = self.env.user._pos_sensitive_action_label(action)
        return PosSessionRestrictionError(
            self.env._(
                "Order %(order)s was recorded without the manager's approval to "
                "%(what)s at '%(pos)s': a manager reviews it.",
                order=order.get("pos_reference") or order.get("name"),
                what=what,
                pos=config.name,
            ),
            rule="unapproved",
        )
