from contextlib import contextmanager
from unittest.mock import patch
from uuid import uuid4

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.res_users import ENABLED_PARAM
from .common_approval import PIN, PosApprovalCommon

# Core logs the refusal of a JSON-RPC call as a warning.
HTTP_LOGGER = "odoo.http"
# The rules each manager-only action's tests set on the cashier.
RULE_FIELDS = {
    "refund": "pos_refund_rule",
    "price_change": "pos_price_change_rule",
    "cash_move": "pos_cash_move_rule",
}


class SensitiveActionsCase(PosApprovalCommon):
    """The cashier sells in their own session of the Bakery Shop, which has
    cash; the manager approves with a PIN. The cashier's rules for the
    manager-only actions are set per test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier)
        cls.bakery.payment_method_ids |= cls.create_payment_method(
            "Cash Bakery", cls.company_data["default_journal_cash"]
        )
        # Core wants accounting rights to move cash, as in its own tests.
        cls.cashier.group_ids |= cls.env.ref("account.group_account_basic")
        cls.bakery_session = cls.start_session(cls.bakery, cls.cashier)
        cls.price = cls.product_a.lst_price

    def set_rules(self, **rules):
        self.cashier.write(rules)

    @contextmanager
    def case(self, name):
        """A subtest whose changes are undone after it, the caches of the
        cashier's rules with them."""
        with self.subTest(name), self.env.cr.savepoint() as savepoint:
            yield
            savepoint.rollback()
        self.env.registry.clear_cache()
        self.env.invalidate_all()

    def sale(self, uuid=None, **line):
        """A paid sale of one ``product_a`` at its price, as the POS app of
        the cashier sends it, with ``line``'s values on its line (a refund:
        ``qty`` -1 and ``refunded_orderline_id``)."""
        payload = self.order_payload(
            self.bakery_session, self.cashier, self.product_a, qty=line.get("qty", 1)
        )
        if uuid:
            payload["uuid"] = uuid
        values = payload["lines"][0][2]
        values.update({"price_unit": self.price, **line})
        amount = values["price_unit"] * values["qty"] * (1 - values["discount"] / 100)
        values.update(price_subtotal=amount, price_subtotal_incl=amount)
        payload.update(amount_total=amount, amount_paid=amount)
        payload["payment_ids"][0][2]["amount"] = amount
        return payload

    def sync(self, payload):
        """Send ``payload`` as the cashier's POS app does, over HTTP; return
        the order recorded."""
        response = self.call_kw("pos.order", "sync_from_ui", [[payload]])
        self.assertRpcResult(response)
        return self.env["pos.order"].search([("uuid", "=", payload["uuid"])])

    def approve_order(self, action, uuid):
        return self.call_kw(
            "pos.config",
            "pos_request_approval",
            [[self.bakery.id], action, self.manager.id, PIN],
            order_uuid=uuid,
        )

    def unapproved(self):
        """(action, rule) of each entry the sync logged as unapproved."""
        self.env.invalidate_all()
        return [
            (entry.action, entry.rule)
            for entry in self.env["pos.restriction.log"].search(
                [("rule", "=", "unapproved")], order="id"
            )
        ]

    def sold_order(self):
        """A paid order of the session, whose line a refund refers to."""
        payload = self.sale()
        return self.sync(payload)

    def refund_payload(self, uuid=None):
        line = self.sold_order().lines
        return self.sale(uuid=uuid, qty=-1, refunded_orderline_id=line.id)


@tagged("post_install", "-at_install")
class TestSaleActionsFlagged(SensitiveActionsCase):
    """A paid order is never refused for a manager-only action: what needed
    an approval and has none is flagged for a manager's review."""

    # Each case: the rules, the line's values, the actions flagged.
    CASES = {
        "refund allowed": ({}, "refund", set()),
        "refund needs approval": (
            {"pos_refund_rule": "approval"},
            "refund",
            {"refund"},
        ),
        "refund refused": ({"pos_refund_rule": "refused"}, "refund", {"refund"}),
        "discount within limit": ({"pos_discount_limit": 10}, {"discount": 10}, set()),
        "discount over limit": (
            {"pos_discount_limit": 10},
            {"discount": 25},
            {"discount"},
        ),
        "manual price allowed": ({}, {"price_type": "manual", "price_unit": 5}, set()),
        "manual price needs approval": (
            {"pos_price_change_rule": "approval"},
            {"price_type": "manual", "price_unit": 5},
            {"price_change"},
        ),
        "manual price refused": (
            {"pos_price_change_rule": "refused"},
            {"price_type": "manual", "price_unit": 5},
            {"price_change"},
        ),
        # The app says the price is the product's, and it is not.
        "forged original price": (
            {"pos_price_change_rule": "approval"},
            {"price_type": "original", "price_unit": 5},
            {"price_change"},
        ),
        "forged automatic price": (
            {"pos_price_change_rule": "refused"},
            {"price_type": "automatic", "price_unit": 5},
            {"price_change"},
        ),
        "pricelist price": (
            {"pos_price_change_rule": "refused"},
            {"price_type": "original"},
            set(),
        ),
    }

    def payload_for(self, line):
        return self.refund_payload() if line == "refund" else self.sale(**line)

    @mute_logger(HTTP_LOGGER)
    def test_paid_order_is_recorded_and_flagged_when_unapproved(self):
        for name, (rules, line, flagged) in self.CASES.items():
            with self.case(name):
                self.set_rules(**rules)
                order = self.sync(self.payload_for(line))
                self.assertEqual(order.state, "paid", "a paid sale is never refused")
                self.assertEqual(order.pos_needs_review, bool(flagged))
                self.assertEqual(
                    self.unapproved(), [(action, "unapproved") for action in flagged]
                )
                self.assertEqual(
                    self.bakery_session.sudo().pos_review_count, 1 if flagged else 0
                )

    def test_approval_bound_to_order_lets_it_through_once(self):
        for rules, action, line in [
            ({"pos_refund_rule": "approval"}, "refund", "refund"),
            ({"pos_discount_limit": 10}, "discount", {"discount": 25}),
            (
                {"pos_price_change_rule": "approval"},
                "price_change",
                {"price_type": "manual", "price_unit": 5},
            ),
        ]:
            with self.case(action):
                self.set_rules(**rules)
                payload = self.payload_for(line)
                self.assertRpcResult(self.approve_order(action, payload["uuid"]))
                order = self.sync(payload)
                self.assertFalse(order.pos_needs_review)
                self.assertFalse(self.unapproved())
                grant = self.grants().filtered(lambda g, a=action: g.action == a)
                self.assertEqual(grant.order_uuid, payload["uuid"])
                self.assertTrue(grant.used_date)
                # Sent again, the order is the same: nothing flagged.
                self.sync(payload)
                self.assertFalse(order.pos_needs_review)
                # Another order does not use that approval.
                other = self.sync(self.payload_for(line))
                self.assertTrue(other.pos_needs_review)
                # The journal says who approved what, for which order.
                approved = self.journal(self.bakery_session).filtered(
                    lambda entry: entry.event == "approved"
                )
                self.assertIn(payload["uuid"], approved[:1].note)

    def test_approval_for_one_action_does_not_cover_another(self):
        self.set_rules(pos_discount_limit=10, pos_price_change_rule="approval")
        payload = self.sale(discount=25, price_type="manual", price_unit=5)
        self.assertRpcResult(self.approve_order("discount", payload["uuid"]))
        order = self.sync(payload)
        self.assertTrue(order.pos_needs_review)
        self.assertEqual(self.unapproved(), [("price_change", "unapproved")])

    def test_administrator_and_switch_off_flag_nothing(self):
        self.set_rules(
            pos_refund_rule="refused",
            pos_price_change_rule="refused",
            pos_discount_limit=0,
        )
        line = {"discount": 50, "price_type": "manual", "price_unit": 5}
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        self.assertFalse(self.sync(self.sale(**line)).pos_needs_review)
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
        self.cashier.group_ids |= self.env.ref("point_of_sale.group_pos_manager")
        self.assertFalse(self.sync(self.sale(**line)).pos_needs_review)
        self.assertFalse(self.unapproved())

    def test_only_an_administrator_marks_an_order_reviewed(self):
        self.set_rules(pos_discount_limit=10)
        order = self.sync(self.sale(discount=25))
        response = self.call_kw("pos.order", "action_pos_reviewed", [order.ids])
        self.assertIn("error", response)
        self.assertTrue(order.pos_needs_review)
        order.with_user(self.manager).action_pos_reviewed()
        self.assertFalse(order.pos_needs_review)

    def test_refused_action_is_not_approved_by_a_manager(self):
        self.set_rules(pos_refund_rule="refused")
        payload = self.refund_payload()
        self.assertRefusedRule(
            self.approve_order("refund", payload["uuid"]), "action_refused"
        )
        self.assertFalse(self.grants().filtered(lambda g: g.action == "refund"))

    def test_approval_needs_the_order_and_something_to_approve(self):
        self.set_rules(pos_refund_rule="approval")
        self.assertIn("error", self.approve_order("refund", None))
        self.assertIn("error", self.approve_order("price_change", "some-uuid"))
        self.assertFalse(self.grants())


@tagged("post_install", "-at_install")
class TestBackOfficeRefund(SensitiveActionsCase):
    """The back office has no keypad: a refund the cashier may not do alone
    is refused there."""

    def test_back_office_refund_follows_the_rule(self):
        for rule, refusal in [
            ("allowed", None),
            ("approval", "approval_required"),
            ("refused", "action_refused"),
        ]:
            with self.case(rule):
                self.set_rules(pos_refund_rule=rule)
                order = self.sold_order()
                response = self.call_kw("pos.order", "refund", [order.ids])
                refunds = order.refund_orders_count
                if refusal:
                    self.assertRefusedRule(response, refusal)
                    self.assertEqual(refunds, 0)
                    self.assertEqual(self.log_entries()[:1].action, "refund")
                else:
                    self.assertRpcResult(response)
                    self.assertEqual(refunds, 1)

    def test_administrator_refunds_in_the_cashier_s_session(self):
        self.set_rules(pos_refund_rule="refused")
        order = self.sold_order()
        order.with_user(self.manager).refund()
        self.assertEqual(order.refund_orders_count, 1)


@tagged("post_install", "-at_install")
class TestCashMoves(SensitiveActionsCase):
    def cash_out(self):
        return self.call_kw(
            "pos.session",
            "try_cash_in_out",
            [
                self.bakery_session.ids,
                "out",
                20.0,
                "Float",
                False,
                {"translatedType": "out"},
            ],
        )

    def cash_lines(self):
        self.env.invalidate_all()
        return self.bakery_session.sudo().statement_line_ids

    def test_cash_move_follows_the_rule(self):
        for rule, refusal in [
            ("allowed", None),
            ("approval", "approval_required"),
            ("refused", "action_refused"),
        ]:
            with self.case(rule):
                self.set_rules(pos_cash_move_rule=rule)
                response = self.cash_out()
                if refusal:
                    data = self.assertRefusedRule(response, refusal)
                    self.assertEqual(
                        data["context"].get("approval_action"),
                        "cash_move" if rule == "approval" else None,
                    )
                    self.assertFalse(self.cash_lines())
                else:
                    self.assertRpcResult(response)
                    self.assertEqual(self.cash_lines().mapped("amount"), [-20.0])

    def test_approved_cash_move_goes_through_once(self):
        self.set_rules(pos_cash_move_rule="approval")
        self.assertRpcResult(self.approve("cash_move", self.bakery))
        self.assertRpcResult(self.cash_out())
        self.assertRefusedRule(self.cash_out(), "approval_required")
        self.assertEqual(self.cash_lines().mapped("amount"), [-20.0])

    def test_a_cash_line_written_directly_is_a_cash_move(self):
        self.set_rules(pos_cash_move_rule="refused")
        response = self.call_kw(
            "account.bank.statement.line",
            "create",
            [
                {
                    "pos_session_id": self.bakery_session.id,
                    "journal_id": self.bakery_session.sudo().cash_journal_id.id,
                    "amount": -20.0,
                    "payment_ref": "Float",
                }
            ],
        )
        self.assertRefusedRule(response, "action_refused")
        self.assertFalse(self.cash_lines())

    def test_cash_move_is_checked_in_every_state_of_an_open_session(self):
        self.set_rules(pos_cash_move_rule="refused")
        self.assertRpcResult(
            self.call_kw(
                "pos.session",
                "update_closing_control_state_session",
                [self.bakery_session.ids, ""],
            )
        )
        self.assertRefusedRule(self.cash_out(), "action_refused")
        self.assertFalse(self.cash_lines())

    def test_changing_or_deleting_a_cash_move_is_a_cash_move(self):
        self.assertRpcResult(self.cash_out())
        line = self.cash_lines()
        self.set_rules(pos_cash_move_rule="refused")
        for name, args in [
            ("write", [line.ids, {"amount": -1000.0}]),
            ("unlink", [line.ids]),
        ]:
            with self.subTest(name):
                self.assertRefusedRule(
                    self.call_kw("account.bank.statement.line", name, args),
                    "action_refused",
                )
        self.assertEqual(self.cash_lines().mapped("amount"), [-20.0])

    def test_closing_posts_its_cash_whatever_the_cash_rule(self):
        self.set_rules(pos_cash_move_rule="refused")
        self.close_via_rpc(self.bakery_session)

    def test_administrator_and_switch_off_move_cash(self):
        self.set_rules(pos_cash_move_rule="refused")
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        self.assertRpcResult(self.cash_out())
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
        self.manager.group_ids |= self.env.ref("account.group_account_basic")
        self.bakery_session.with_user(self.manager).try_cash_in_out(
            "in", 5.0, "Change", False, {"translatedType": "in"}
        )
        self.assertEqual(sorted(self.cash_lines().mapped("amount")), [-20.0, 5.0])


@tagged("post_install", "-at_install")
class TestClosingCount(SensitiveActionsCase):
    """For a cashier whose closing is a manager's end-of-day count."""

    def test_closing_needs_the_manager_on_every_path(self):
        self.set_rules(pos_closing_rule="approval")
        for method, args in [
            ("get_closing_control_data", []),
            ("update_closing_control_state_session", [""]),
            ("close_session_from_ui", []),
            ("action_pos_session_closing_control", []),
            ("action_pos_session_validate", []),
            ("write", [{"state": "closed"}]),
            ("write", [{"state": "closing_control"}]),
        ]:
            with self.subTest(method):
                data = self.assertRefusedRule(
                    self.call_kw(
                        "pos.session", method, [self.bakery_session.ids, *args]
                    ),
                    "approval_required",
                )
                self.assertEqual(data["context"]["approval_action"], "close")
        self.assertEqual(self.bakery_session.state, "opened")

    def test_closing_approval_ends_when_the_session_opens_again(self):
        self.set_rules(pos_closing_rule="approval")
        self.assertRpcResult(self.approve("close", self.bakery))
        for method, args in [
            ("update_closing_control_state_session", [""]),
            ("write", [{"state": "opened"}]),
        ]:
            self.assertRpcResult(
                self.call_kw("pos.session", method, [self.bakery_session.ids, *args])
            )
        self.assertRefusedRule(
            self.call_kw(
                "pos.session", "get_closing_control_data", [self.bakery_session.ids]
            ),
            "approval_required",
        )

    def test_approved_closing_closes(self):
        self.set_rules(pos_closing_rule="approval")
        self.assertRpcResult(self.approve("close", self.bakery))
        self.close_via_rpc(self.bakery_session)

    def test_closing_allowed_by_default_and_for_administrators(self):
        self.close_via_rpc(self.bakery_session)
        self.set_rules(pos_closing_rule="approval")
        session = self.start_session(self.clothes, self.cashier)
        session.with_user(self.manager).action_pos_session_closing_control()
        self.assertEqual(session.state, "closed")


@tagged("post_install", "-at_install")
class TestSensitiveRulesSent(SensitiveActionsCase):
    def test_pos_app_receives_the_cashier_s_rules(self):
        self.set_rules(pos_refund_rule="approval", pos_discount_limit=15)
        data = self.bakery_session.with_user(self.cashier).load_data(["res.users"])
        rules = data["res.users"][0]["pos_sensitive_rules"]
        self.assertEqual(rules["refund"], "approval")
        self.assertEqual(rules["discount_limit"], 15)
        self.assertEqual(rules["cash_move"], "allowed")
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        data = self.bakery_session.with_user(self.cashier).load_data(["res.users"])
        self.assertEqual(
            data["res.users"][0]["pos_sensitive_rules"]["refund"], "allowed"
        )


@tagged("post_install", "-at_install")
class TestWhatTheCashierTyped(SensitiveActionsCase):
    """What a module priced is not a price or a discount the cashier typed;
    what the app merely says of a line decides nothing."""

    RULES = {"refund": "approval", "price_change": "approval", "discount_limit": 10.0}

    def order_data(self, **order):
        return {
            "config_id": self.bakery.id,
            "pricelist_id": self.bakery.pricelist_id.id,
            "currency_id": self.bakery.currency_id.id,
            "fiscal_position_id": False,
            **order,
        }

    def line_data(self, **line):
        return {
            "id": 1,
            "product_id": self.product_a.id,
            "qty": 1,
            "price_unit": 5.0,
            "discount": 0.0,
            "price_type": "manual",
            "price_extra": 0.0,
            **line,
        }

    def actions(self, order=None, lines=None, **line):
        return self.env["pos.order"]._pos_sale_actions(
            order or self.order_data(), lines or [self.line_data(**line)], self.RULES
        )

    def test_what_the_app_says_of_a_line_is_no_module_s_price(self):
        # pos_loyalty and pos_sale are not installed here: what the app says
        # of a line is no reward nor a quotation's (the POS family run has
        # the real ones).
        for name, line in [
            ("loyalty reward", {"is_reward_line": True, "reward_id": 1}),
            ("quotation", {"sale_order_line_id": 1}),
        ]:
            with self.subTest(name):
                self.assertEqual(self.actions(**line), {"price_change"})

    def test_only_a_combo_s_parts_are_priced_by_the_combo(self):
        combo = self.env["product.combo"].create(
            {
                "name": "Drinks",
                "combo_item_ids": [Command.create({"product_id": self.product_a.id})],
            }
        )
        menu = self.env["product.product"].create(
            {"name": "Menu", "type": "combo", "combo_ids": [Command.link(combo.id)]}
        )
        parent = self.line_data(id=1, product_id=menu.id, combo_line_ids=[2])
        part = self.line_data(id=2, combo_parent_id=1, price_type="automatic")
        self.assertEqual(self.actions(lines=[parent, part]), set())
        # A price typed on a part, a part that is none of the combo's items,
        # a line linked to another as its combo: priced by the cashier.
        for name, forged_parent, forged_part in [
            ("typed", {}, {"price_type": "manual"}),
            ("not an item", {}, {"product_id": self.product_b.id}),
            ("no combo", {"product_id": self.product_b.id}, {}),
        ]:
            with self.subTest(name):
                self.assertEqual(
                    self.actions(
                        lines=[
                            {**parent, "price_type": "original", **forged_parent},
                            {**part, "price_type": "original", **forged_part},
                        ]
                    ),
                    {"price_change"},
                )

    def test_typed_discount_counts_on_any_line(self):
        self.assertEqual(
            self.actions(is_reward_line=True, price_type="original", discount=50.0),
            {"discount", "price_change"},
        )

    def test_global_discount_counts_against_the_limit(self):
        sale = self.line_data(id=1, price_unit=100.0, price_type="original")
        sale["price_unit"] = self.product_a.lst_price
        discount = self.line_data(id=2, product_id=self.product_b.id)
        order = self.env["pos.order"]
        with patch.object(
            type(order),
            "_pos_is_global_discount",
            lambda self, line, config: line["id"] == 2,
        ):
            for percent, actions in [(10, set()), (50, {"discount"})]:
                with self.subTest(percent=percent):
                    discount["price_unit"] = -sale["price_unit"] * percent / 100
                    self.assertEqual(self.actions(lines=[sale, discount]), actions)
            # Split in small discounts, it is the same discount.
            discount["price_unit"] = -sale["price_unit"] * 0.09
            parts = [dict(discount, id=2 + i) for i in range(5)]
            with patch.object(
                type(order),
                "_pos_is_global_discount",
                lambda self, line, config: line["id"] >= 2,
            ):
                self.assertEqual(self.actions(lines=[sale, *parts]), {"discount"})

    def test_a_negative_price_is_a_refund(self):
        self.assertEqual(
            self.actions(price_unit=-500.0, price_type="original"),
            {"refund", "price_change"},
        )

    def test_forged_pricelist_or_fiscal_position_is_a_price_change(self):
        staff = self.env["product.pricelist"].create({"name": "Staff"})
        position = self.env["account.fiscal.position"].create({"name": "Elsewhere"})
        line = {"price_type": "original", "price_unit": self.product_a.lst_price}
        self.assertEqual(self.actions(**line), set())
        for name, order in [
            ("pricelist", {"pricelist_id": staff.id}),
            ("fiscal position", {"fiscal_position_id": position.id}),
        ]:
            with self.subTest(name):
                self.assertEqual(
                    self.actions(order=self.order_data(**order), **line),
                    {"price_change"},
                )

    def test_what_is_no_number_is_a_price_change(self):
        for name, line in [
            ("overflow", {"price_type": "original", "price_extra": 1e308}),
            ("not a number", {"price_unit": float("nan")}),
            ("discount not a number", {"discount": float("nan")}),
        ]:
            with self.subTest(name):
                self.assertIn("price_change", self.actions(**line))

    def test_refund_keeps_the_refunded_product_price_and_discount(self):
        line = self.sold_order().lines
        line.sudo().discount = 50.0
        refund = {
            "qty": -1,
            "refunded_orderline_id": line.id,
            "price_type": "automatic",
        }
        self.assertEqual(
            self.actions(**refund, discount=50.0, price_unit=line.price_unit),
            {"refund"},
        )
        self.assertEqual(
            self.actions(**refund, discount=60.0, price_unit=1.0),
            {"refund", "discount", "price_change"},
        )
        other_product = {"product_id": self.product_b.id, "price_unit": line.price_unit}
        self.assertEqual(
            self.actions(**refund, **other_product), {"refund", "price_change"}
        )

    def test_refund_at_another_price_is_a_price_change(self):
        self.set_rules(pos_price_change_rule="approval")
        line = self.sold_order().lines
        order = self.sync(
            self.sale(qty=-1, refunded_orderline_id=line.id, price_unit=5.0)
        )
        self.assertEqual(order.state, "paid")
        self.assertTrue(order.pos_needs_review)
        self.assertEqual(self.unapproved(), [("price_change", "unapproved")])


@tagged("post_install", "-at_install")
class TestWaysAroundTheFlags(SensitiveActionsCase):
    """However the order gets paid or changed, what needed an approval is
    flagged, or refused where no sale is arriving."""

    def setUp(self):
        super().setUp()
        self.set_rules(pos_discount_limit=10)

    def test_draft_then_paid_is_flagged(self):
        payload = self.sale(discount=50)
        draft = dict(payload, state="draft", payment_ids=[], amount_paid=0.0)
        self.sync(draft)
        # The app sends back the flag it loaded, as it sends every field.
        paid = self.sync(dict(payload, lines=[], pos_needs_review=False))
        self.assertEqual(paid.state, "paid")
        self.assertTrue(paid.pos_needs_review)
        self.assertEqual(self.unapproved(), [("discount", "unapproved")])

    def test_paid_without_saying_so_is_flagged(self):
        for name, drop in [("no state", "state"), ("no uuid", "uuid")]:
            with self.case(name):
                payload = self.sale(discount=50)
                uuid = payload["uuid"]
                del payload[drop]
                self.assertRpcResult(
                    self.call_kw("pos.order", "sync_from_ui", [[payload]])
                )
                order = self.env["pos.order"].search(
                    [("uuid", "=", uuid)] if drop == "state" else [],
                    order="id desc",
                    limit=1,
                )
                self.assertEqual(order.state, "paid")
                self.assertTrue(order.pos_needs_review)

    def test_paid_by_rpc_outside_sync_is_flagged(self):
        payload = self.sale(discount=50)
        order = self.sync(dict(payload, state="draft", payment_ids=[], amount_paid=0.0))
        payment = payload["payment_ids"][0][2]
        self.assertRpcResult(
            self.call_kw(
                "pos.order",
                "add_payment",
                [order.ids, dict(payment, pos_order_id=order.id)],
            )
        )
        self.assertRpcResult(
            self.call_kw("pos.order", "action_pos_order_paid", [order.ids])
        )
        self.assertEqual(order.state, "paid")
        self.assertTrue(order.pos_needs_review)

    def test_what_a_paid_order_sold_is_a_manager_s_to_change(self):
        order = self.sync(self.sale())
        line = order.lines
        new_line = dict(self.sale()["lines"][0][2], order_id=order.id)
        draft = self.sync(
            dict(self.sale(), state="draft", payment_ids=[], amount_paid=0)
        )
        # Deny by default: whatever the field, but the cost core writes.
        for name, method, args in [
            ("discount", "write", [line.ids, {"discount": 5}]),
            ("quantity", "write", [line.ids, {"qty": 0}]),
            ("a note", "write", [line.ids, {"note": "Gift"}]),
            ("another order", "write", [line.ids, {"order_id": draft.id}]),
            ("new line", "create", [new_line]),
            ("deleted", "unlink", [line.ids]),
        ]:
            with self.subTest(name):
                self.assertRefusedRule(
                    self.call_kw("pos.order.line", method, args), "administrator_only"
                )
        self.assertEqual((line.qty, line.discount, line.order_id), (1, 0, order))
        self.assertRpcResult(
            self.call_kw("pos.order.line", "write", [line.ids, {"total_cost": 1.0}])
        )
        # A tip is added once paid.
        tip = self.env["product.product"].create({"name": "Tip", "lst_price": 0})
        self.bakery.sudo().write({"iface_tipproduct": True, "tip_product_id": tip.id})
        self.assertRpcResult(
            self.call_kw(
                "pos.order.line",
                "create",
                [dict(new_line, product_id=tip.id, price_unit=2.0)],
            )
        )
        # How it was paid is cash: the cash rule asks, whatever the field, but
        # the journal entry closing links the payment to.
        self.set_rules(pos_cash_move_rule="refused")
        payment = order.payment_ids
        for name, method, args in [
            ("amount", "write", [payment.ids, {"amount": 0}]),
            ("a reference", "write", [payment.ids, {"transaction_id": "X"}]),
            ("deleted", "unlink", [payment.ids]),
        ]:
            with self.subTest(name):
                self.assertRefusedRule(
                    self.call_kw("pos.payment", method, args), "action_refused"
                )
        self.assertEqual(payment.amount, order.amount_paid)

    def test_a_line_moved_into_a_paid_order_by_a_sync_flags_it(self):
        self.set_rules(pos_refund_rule="refused")
        paid = self.sync(self.sale())
        payload = self.sale()
        refund = dict(
            payload["lines"][0][2],
            uuid=str(uuid4()),
            qty=-5,
            price_subtotal=-5 * self.price,
            price_subtotal_incl=-5 * self.price,
        )
        payload["lines"].append(Command.create(refund))
        payload["relations_uuid_mapping"] = {
            "pos.order.line": {refund["uuid"]: {"order_id": paid.uuid}}
        }
        self.sync(payload)
        self.assertTrue(paid.pos_needs_review)
        self.assertIn(("refund", "unapproved"), self.unapproved())

    def test_draft_paid_by_a_write_is_flagged(self):
        payload = self.sale(discount=50)
        order = self.sync(dict(payload, state="draft", payment_ids=[], amount_paid=0.0))
        self.assertRpcResult(
            self.call_kw("pos.order", "write", [order.ids, {"state": "paid"}])
        )
        self.assertTrue(order.pos_needs_review)

    def test_draft_paid_by_someone_else_is_judged_as_its_cashier(self):
        """A customer paying online, or a manager in the back office, pays
        the cashier's order: the cashier's rules judge it."""
        payload = self.sale(discount=50)
        order = self.sync(dict(payload, state="draft", payment_ids=[], amount_paid=0.0))
        self.manager.group_ids |= self.env.ref("account.group_account_basic")
        order = order.with_user(self.manager)
        order.add_payment(dict(payload["payment_ids"][0][2], pos_order_id=order.id))
        order.action_pos_order_paid()
        self.assertTrue(order.pos_needs_review)
        entry = self.env["pos.restriction.log"].search([("rule", "=", "unapproved")])
        self.assertEqual(entry.user_id, self.cashier)

    def test_cashier_does_not_clear_a_flag(self):
        order = self.sync(self.sale(discount=50))
        response = self.call_kw(
            "pos.order", "write", [order.ids, {"pos_needs_review": False}]
        )
        self.assertIn("error", response)
        self.assertTrue(order.pos_needs_review)

    def test_approval_of_another_register_does_not_cover_the_order(self):
        payload = self.sale(discount=50)
        self.env["pos.approval.grant"]._grant(
            self.cashier,
            self.clothes,
            "discount",
            self.env["pos.session"],
            self.manager,
            payload["uuid"],
        )
        self.assertTrue(self.sync(payload).pos_needs_review)
