from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..exceptions import PosSessionRestrictionError
from .res_users_sensitive_actions import UNRESTRICTED_RULES

# The states of an order paid: the customer has paid and left.
PAID_STATES = ("paid", "done", "invoiced")
# Cursor data while a sync of a cashier bound by manager-only rules is under
# way: the orders it created, and those it paid or changed once paid.
SALE_SYNC = "pos_session_restriction.sale_sync"


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
        self._check_pos_reviewer()
        # sudo: the flag is the addon's; who may clear it is checked above
        self.sudo().write({"pos_needs_review": False})
        return True

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        sync = self.env.cr.cache.get(SALE_SYNC)
        if sync is not None:
            # Core creates a paid order paid: judged with the batch.
            sync["created"].update(orders.ids)
            sync["judged"].update(orders.filtered(lambda o: o.state in PAID_STATES).ids)
        return orders

    def write(self, vals):
        if "pos_needs_review" in vals and not self.env.su:
            # The POS app sends back what it loaded: unchanged, it is no review.
            # sudo: the flags, whoever may read them
            if set(self.sudo().mapped("pos_needs_review")) == {
                vals["pos_needs_review"]
            }:
                vals = {
                    key: value
                    for key, value in vals.items()
                    if key != "pos_needs_review"
                }
            else:
                self._check_pos_reviewer()
        unpaid = self.browse()
        if vals.get("state") in PAID_STATES:
            # sudo: the orders' state, whoever may read them
            unpaid = self.sudo().filtered(lambda o: o.state in ("draft", "cancel"))
        res = super().write(vals)
        if unpaid:
            # However core, or a call, pays it: the sale is judged then.
            unpaid._pos_judge_paid()
        return res

    def _check_pos_reviewer(self):
        """Raise unless the current user reviews orders: a Point of Sale
        administrator, not the cashier whose order it is."""
        if not self.env.user._pos_is_pos_administrator():
            raise PosSessionRestrictionError(
                self.env._("Only a Point of Sale administrator reviews an order."),
                rule="administrator_only",
            )

    @api.model
    def sync_from_ui(self, orders):
        # A paid order is never refused for a manager-only action (DESIGN §9):
        # what it holds that needed an approval and has none is flagged, for
        # the whole batch at once, from what core recorded, whatever the app
        # said of the orders' state.
        rules = self.env.user._pos_sensitive_rules()
        if rules == UNRESTRICTED_RULES:
            return super().sync_from_ui(orders)
        sync = self.env.cr.cache.setdefault(
            SALE_SYNC, {"created": set(), "judged": set()}
        )
        try:
            result = super().sync_from_ui(orders)
        finally:
            self.env.cr.cache.pop(SALE_SYNC, None)
        answered = {order["id"] for order in result.get("pos.order", ())}
        needs = self._pos_needed_approvals(result, sync["judged"] & answered, rules)
        # Paid orders the batch changed besides its own (a line moved into one).
        others = self.browse(sync["judged"] - answered)
        if others:
            needs.update(
                self._pos_needed_approvals(
                    others._pos_sale_data(), set(others.ids), rules
                )
            )
        if needs:
            self._pos_flag_unapproved(needs)
        return result

    def _pos_judge_paid(self):
        """Judge these orders, just paid: with their sync's batch, or alone."""
        sync = self.env.cr.cache.get(SALE_SYNC)
        if sync is not None:
            sync["judged"].update(self.ids)
            return
        # Paid by someone the rules do not bind (a customer online, a
        # manager): judged as their cashier, who opened them.
        for order in self.sudo():
            cashier = self.env.user
            if cashier._pos_sensitive_rules() == UNRESTRICTED_RULES:
                cashier = order.create_uid
            rules = cashier._pos_sensitive_rules()
            if rules == UNRESTRICTED_RULES:
                continue
            judged = self.with_user(cashier)
            needs = judged._pos_needed_approvals(
                order._pos_sale_data(), set(order.ids), rules
            )
            if needs:
                judged._pos_flag_unapproved(needs)

    def _check_pos_paid_changes(self, lines=None):
        """Raise if the current user, bound by manager-only rules, changes
        what these paid orders sold (``lines``, new ones): a paid order is a
        manager's to change. But for a tip added once paid (pos_restaurant),
        and for a sync, which never refuses a paid sale: an order it changes
        once paid is judged with its batch."""
        # sudo: the orders' state, whoever may read them
        orders = self.sudo().filtered(lambda o: o.state not in ("draft", "cancel"))
        if lines is not None:
            orders = orders.filtered(
                lambda o: lines.filtered(
                    lambda line: line.order_id == o and not line._pos_is_tip()
                )
            )
        sync = self.env.cr.cache.get(SALE_SYNC)
        if sync is not None:
            sync["judged"].update(set(orders.ids) - sync["created"])
            return
        user = self.env.user
        if not orders or user._pos_sensitive_rules() == UNRESTRICTED_RULES:
            return
        order = orders[:1]
        refusal = PosSessionRestrictionError(
            self.env._(
                "Order %(order)s is paid: what it sold is changed by a Point of "
                "Sale administrator, not at the register.",
                order=order.pos_reference or order.name,
            ),
            rule="administrator_only",
        )
        user._pos_refuse(refusal, "sell", order.config_id, order.session_id)

    @api.model
    def _pos_needed_approvals(self, data, order_ids, rules):
        """The orders ``order_ids`` among ``data`` (orders and lines, as core
        answers a sync), mapped to the manager-only actions in them that
        ``rules`` (the cashier's) ask an approval for."""
        orders = {
            order["id"]: order
            for order in data.get("pos.order", ())
            if order["id"] in order_ids
        }
        lines = defaultdict(list)
        for line in data.get("pos.order.line", ()):
            if line.get("order_id") in orders:
                lines[line["order_id"]].append(line)
        needs = {}
        for order_id, order_lines in lines.items():
            actions = self._pos_sale_actions(orders[order_id], order_lines, rules)
            if actions:
                needs[order_id] = (orders[order_id], actions)
        return needs

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
                    self.env.user,
                    self.env["pos.config"].browse(
                        {order["config_id"] for order, _actions in needs.values()}
                    ),
                    {uuid for _order_id, uuid in entries},
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
