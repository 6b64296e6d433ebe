from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exceptions import PosSessionRestrictionError
from ..models.res_users import ENABLED_PARAM
from .common import ERROR_NAME, PosRestrictionHttpCommon
from .common_selling import SellingCase


@tagged("post_install", "-at_install")
class TestSellingSync(SellingCase):
    """``pos.order.sync_from_ui``, as the POS app calls it."""

    def sync(self, fixtures, **options):
        payload = self.order_payload(
            options.pop("session", fixtures.session),
            fixtures.env.user,
            self.product,
            **options,
        )
        fixtures.env["pos.order"].sync_from_ui([payload])
        return payload

    def test_sync_of_new_paid_order(self):
        self.assertSelling(lambda fx: self.sync(fx), held=True)

    def test_sync_of_new_draft_order(self):
        self.assertSelling(lambda fx: self.sync(fx, state="draft"))

    def test_sync_of_refund(self):
        self.assertSelling(
            lambda fx: self.sync(fx, qty=-1, refunded_line=fx.paid.sudo().lines.id),
            held=True,
        )

    def test_sync_updating_draft_order(self):
        # Hidden, the order is not found: a new one with its uuid is refused.
        self.assertSelling(
            lambda fx: self.sync(fx, state="draft", uuid=fx.draft.sudo().uuid)
        )

    def test_sync_moving_draft_order_out_of_session(self):
        self.assertSelling(
            lambda fx: self.sync(
                fx, session=fx.spare, state="draft", uuid=fx.draft.sudo().uuid
            ),
            # The order is not found: a new one goes to the cashier's own session.
            unseen_when_hidden=True,
        )

    def test_sync_moving_draft_order_into_session(self):
        self.assertSelling(
            lambda fx: self.sync(fx, state="draft", uuid=fx.spare_draft.sudo().uuid)
        )


@tagged("post_install", "-at_install")
class TestSellingOrders(SellingCase):
    """``pos.order`` and its lines, written directly, and the back office."""

    def test_order_create(self):
        self.assertSelling(
            lambda fx: fx.env["pos.order"].create(
                {
                    "session_id": fx.session.id,
                    "amount_tax": 0.0,
                    "amount_total": 10.0,
                    "amount_paid": 0.0,
                    "amount_return": 0.0,
                    "lines": [Command.create(self.line_vals())],
                }
            )
        )

    def test_order_write_lines(self):
        self.assertSelling(
            lambda fx: fx.draft.write({"lines": [Command.create(self.line_vals())]})
        )

    def test_order_write_payments(self):
        self.assertSelling(
            lambda fx: fx.draft.write(
                {"payment_ids": [Command.create(self.payment_vals(fx.draft, 1.0))]}
            )
        )

    def test_order_write_session(self):
        self.assertSelling(lambda fx: fx.draft.write({"session_id": fx.spare.id}))

    def test_order_write_session_into_it(self):
        self.assertSelling(
            lambda fx: fx.spare_draft.write({"session_id": fx.session.id})
        )

    def test_order_write_state(self):
        self.assertSelling(lambda fx: fx.draft.write({"state": "cancel"}))

    def test_order_refund_from_back_office(self):
        self.assertSelling(lambda fx: fx.paid.refund())

    def test_order_cancel_draft(self):
        self.assertSelling(lambda fx: fx.draft.action_pos_order_cancel())

    def test_order_delete_draft(self):
        self.assertSelling(lambda fx: fx.draft.unlink())

    def test_order_remove_from_ui(self):
        self.assertSelling(
            lambda fx: fx.env["pos.order"].remove_from_ui(fx.draft.ids),
            unseen_when_hidden=True,
        )

    def test_order_line_create(self):
        self.assertSelling(
            lambda fx: fx.env["pos.order.line"].create(
                self.line_vals(order_id=fx.draft.id)
            )
        )

    def test_order_line_create_with_order_given_by_context(self):
        self.assertSelling(
            lambda fx: fx.env["pos.order.line"]
            .with_context(default_order_id=fx.draft.id)
            .create(self.line_vals(name="Scarf"))
        )

    def test_order_line_write(self):
        self.assertSelling(
            lambda fx: fx.draft.sudo().lines.with_env(fx.env).write({"qty": 2})
        )

    def test_order_line_delete(self):
        self.assertSelling(lambda fx: fx.draft.sudo().lines.with_env(fx.env).unlink())


@tagged("post_install", "-at_install")
class TestSellingPayments(SellingCase):
    """Payments, the payment wizard and cash moves."""

    def test_payment_create(self):
        self.assertSelling(
            lambda fx: fx.env["pos.payment"].create(self.payment_vals(fx.draft, 1.0))
        )

    def test_payment_create_with_order_given_by_context(self):
        vals = self.payment_vals(self.env["pos.order"], 1.0)
        del vals["pos_order_id"]
        self.assertSelling(
            lambda fx: fx.env["pos.payment"]
            .with_context(default_pos_order_id=fx.draft.id)
            .create(vals)
        )

    def test_payment_write(self):
        self.assertSelling(lambda fx: fx.payment.write({"amount": 2.0}))

    def test_payment_delete(self):
        self.assertSelling(lambda fx: fx.payment.unlink())

    def test_payment_wizard(self):
        # Core keeps the wizard to administrators; an integrator may open it to
        # cashiers, and then it must be guarded as well.
        self.env["ir.model.access"].create(
            {
                "name": "pos.make.payment cashier",
                "model_id": self.env.ref("point_of_sale.model_pos_make_payment").id,
                "group_id": self.env.ref("point_of_sale.group_pos_user").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
            }
        )

        def pay(fx):
            wizard = (
                fx.env["pos.make.payment"]
                .with_context(active_id=fx.draft.id)
                .create(
                    {
                        "config_id": fx.session.sudo().config_id.id,
                        "amount": 6.0,
                        "payment_method_id": self.bank_method.id,
                    }
                )
            )
            wizard.check()

        self.assertSelling(pay)

    def test_cash_move(self):
        self.assertSelling(
            lambda fx: fx.session.try_cash_in_out(
                "in", 10.0, "Change", False, {"translatedType": "in"}
            )
        )


@tagged("post_install", "-at_install")
class TestSellingAroundClosing(SellingCase):
    """What closing and invoicing write is accounting, and what the cashier
    sold in their own session is kept when that session closes under it."""

    def test_marking_orders_done_is_accounting_not_selling(self):
        # Closing a session and invoicing an order mark it done, whoever does it.
        self.restrict(self.cashier, lock_foreign=True)
        self.foreign.paid.with_user(self.cashier).write({"state": "done"})
        self.assertEqual(self.foreign.paid.state, "done")

    # Core warns that it uses the register's open session.
    @mute_logger("odoo.addons.point_of_sale.models.pos_order")
    def test_order_sold_in_own_session_closed_meanwhile_lands_in_next_own_session(
        self,
    ):
        # Closed without the cashier (remotely, say), the register is opened
        # again by the same terminal's next cashier, locked to their own
        # sessions: the closed session's orders land in that session.
        self.restrict(self.cashier, lock_foreign=True)
        self.restrict(self.colleague, lock_foreign=True)
        session = self.own.session
        self.close_remotely(session)
        colleague_session = self.open_session(self.furniture, self.colleague)
        payload = self.order_payload(session, self.cashier, self.product)
        self.env["pos.order"].with_user(self.colleague).sync_from_ui([payload])
        order = self.env["pos.order"].search([("uuid", "=", payload["uuid"])])
        self.assertEqual((order.session_id, order.state), (colleague_session, "paid"))

    @mute_logger("odoo.addons.point_of_sale.models.pos_order")
    def test_order_of_own_session_closed_meanwhile_held_from_colleague_session(
        self,
    ):
        # The cashier's app sends what it sold before the close; core would
        # put it into the colleague's session, where the cashier may not sell.
        self.restrict(self.cashier, lock_foreign=True)
        session = self.own.session
        self.close_remotely(session)
        colleague_session = self.open_session(self.furniture, self.colleague)
        payload = self.order_payload(session, self.cashier, self.product)
        result = self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
        self.assertEqual(result["pos.order"], [])
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", payload["uuid"])]))
        held = self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])
        self.assertEqual((held.state, held.session_id), ("held", session))
        # Selling straight into the colleague's session is refused.
        payload = self.order_payload(
            colleague_session, self.cashier, self.product, state="draft"
        )
        with self.assertRaises(PosSessionRestrictionError) as refused:
            self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
        self.assertEqual(refused.exception.rule, "foreign_session")

    def close_remotely(self, session):
        self.env["pos.order"].search([("session_id", "=", session.id)]).write(
            {"state": "done"}
        )
        session.write({"state": "closed"})

    def test_refund_lands_in_the_register_current_session(self):
        # A locked-out cashier refunds, in their own session, an order sold in
        # a colleague's session that closed since.
        self.restrict(self.cashier, lock_foreign=True)
        session = self.foreign.session
        self.env["pos.order"].search([("session_id", "=", session.id)]).write(
            {"state": "done"}
        )
        session.write({"state": "closed"})
        own_session = self.open_session(self.clothes, self.cashier)
        self.foreign.paid.with_user(self.cashier).refund()
        refund = self.env["pos.order"].search([("session_id", "=", own_session.id)])
        self.assertEqual(refund.lines.refunded_orderline_id, self.foreign.paid.lines)

    @mute_logger("odoo.addons.point_of_sale.models.pos_order")
    def test_order_of_colleague_session_closed_meanwhile_is_held(self):
        self.restrict(self.cashier, lock_foreign=True)
        session = self.foreign.session
        self.close_remotely(session)
        self.open_session(self.clothes, self.colleague)
        payload = self.order_payload(session, self.cashier, self.product)
        self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", payload["uuid"])]))
        held = self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])
        self.assertIn("was opened by Colin Colleague", held.reason)


@tagged("post_install", "-at_install")
class TestSellingHttp(SellingCase, PosRestrictionHttpCommon):
    """The same rule over JSON-RPC, as the POS app and the web client send it;
    each refusal reaches the restriction log once the request is rolled back."""

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")

    def sync_over_rpc(self, session, **options):
        payload = self.order_payload(session, self.cashier, self.product, **options)
        self.payload = payload
        return self.call_kw(
            "pos.order",
            "sync_from_ui",
            [[payload]],
            headers={"Referer": f"{self.base_url()}/pos/ui/{session.config_id.id}"},
        )

    def attempts(self):
        return sum(self.log_entries().mapped("attempt_count"))

    def assertSaleHeld(self, response, session, rule):
        """``response`` answers the POS app that its paid sale, which ``rule``
        refuses in ``session``, is safe: held on the server for an
        administrator, and one more refused attempt is in the log."""
        self.assertEqual(self.assertRpcResult(response)["pos.order"], [])
        held = self.env["pos.held.order"].search([("uuid", "=", self.payload["uuid"])])
        self.assertRecordValues(
            held,
            [{"state": "held", "user_id": self.cashier.id, "session_id": session.id}],
        )
        self.assertLogged(session, rule, "pos_app")

    def assertSaleRefused(self, response, session, rule, channel="pos_app"):
        """``response`` is the addon's refusal by ``rule`` of a sale in
        ``session``, and one more refused attempt is in the log."""
        self.assertEqual(response["error"]["data"]["name"], ERROR_NAME)
        expected = {
            "rule": rule,
            "action": "sell",
            "session_user": session.user_id.name,
            # The POS app leaves a register refused by the session's rules.
            "register_unusable": True,
        }
        if rule == "foreign_session":
            # A manager's approval may hand the session over to the cashier.
            expected["approval_action"] = "take_over"
        self.assertEqual(response["error"]["data"]["context"], expected)
        self.assertLogged(session, rule, channel)

    def assertLogged(self, session, rule, channel):
        self.assertEqual(self.attempts(), self.known_attempts + 1)
        # Identical refusals within a minute add to one entry.
        self.assertRecordValues(
            self.log_entries()[0],
            [
                {
                    "user_id": self.cashier.id,
                    "config_id": session.config_id.id,
                    "session_id": session.id,
                    "rule": rule,
                    "action": "sell",
                    "channel": channel,
                }
            ],
        )

    def test_view_only_cashier_cannot_sync_paid_order_into_colleague_session(self):
        everything = self.bakery | self.clothes | self.furniture
        self.restrict(self.cashier, view=everything, access=self.furniture)
        before = self.holdings(self.foreign.session)
        self.known_attempts = self.attempts()
        response = self.sync_over_rpc(self.foreign.session)
        self.assertSaleHeld(response, self.foreign.session, "not_operable")
        self.assertEqual(self.holdings(self.foreign.session), before)

    def test_view_only_cashier_cannot_sync_refund_into_colleague_session(self):
        everything = self.bakery | self.clothes | self.furniture
        self.restrict(self.cashier, view=everything, access=self.furniture)
        before = self.holdings(self.foreign.session)
        self.known_attempts = self.attempts()
        response = self.sync_over_rpc(
            self.foreign.session, qty=-1, refunded_line=self.foreign.paid.lines.id
        )
        self.assertSaleHeld(response, self.foreign.session, "not_operable")
        self.assertEqual(self.holdings(self.foreign.session), before)

    def test_locked_out_cashier_cannot_sync_into_colleague_session(self):
        self.restrict(self.cashier, lock_foreign=True)
        before = self.holdings(self.foreign.session)
        self.known_attempts = self.attempts()
        response = self.sync_over_rpc(self.foreign.session)
        self.assertSaleHeld(response, self.foreign.session, "foreign_session")
        self.assertEqual(self.holdings(self.foreign.session), before)

    def test_cashier_cannot_sync_into_hidden_session(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.furniture,
            access=self.bakery | self.furniture,
        )
        self.known_attempts = self.attempts()
        response = self.sync_over_rpc(self.foreign.session)
        self.assertSaleHeld(response, self.foreign.session, "not_visible")
        # A draft is no sale yet: refused, not held.
        self.known_attempts = self.attempts()
        response = self.sync_over_rpc(self.foreign.session, state="draft")
        self.assertSaleRefused(response, self.foreign.session, "not_visible")

    def test_locked_out_cashier_cannot_write_order_pay_or_move_cash(self):
        self.restrict(self.cashier, lock_foreign=True)
        session = self.foreign.session
        calls = (
            ("pos.order", "write", [self.foreign.draft.ids, {"state": "cancel"}]),
            ("pos.payment", "create", [self.payment_vals(self.foreign.draft, 1.0)]),
            ("pos.payment", "write", [self.foreign.payment.ids, {"amount": 1.0}]),
            ("pos.order", "refund", [self.foreign.paid.ids]),
            (
                "pos.session",
                "try_cash_in_out",
                [session.ids, "out", 10.0, "Taken", False, {"translatedType": "out"}],
            ),
        )
        for model, method, args in calls:
            with self.subTest(method=f"{model}.{method}"):
                before = self.holdings(session)
                self.known_attempts = self.attempts()
                response = self.call_kw(model, method, args)
                self.assertSaleRefused(response, session, "foreign_session", "rpc")
                self.assertEqual(self.holdings(session), before)

    def test_cashier_who_joined_colleague_session_keeps_syncing_once_locked(self):
        self.assertPosPage(
            self.url_open(f"/pos/ui/{self.clothes.id}"), self.foreign.session
        )
        self.restrict(self.cashier, view=self.bakery, lock_foreign=True, single=True)
        response = self.sync_over_rpc(self.foreign.session)
        (order,) = self.assertRpcResult(response)["pos.order"]
        self.assertEqual(order["session_id"], self.foreign.session.id)
        self.assertEqual(self.env["pos.order"].browse(order["id"]).state, "paid")

    def test_cashier_keeps_syncing_into_own_session_once_hidden(self):
        self.restrict(self.cashier, view=self.bakery, lock_foreign=True, single=True)
        response = self.sync_over_rpc(self.own.session, state="draft")
        (order,) = self.assertRpcResult(response)["pos.order"]
        self.assertEqual(order["session_id"], self.own.session.id)

    def test_cashier_sells_anywhere_once_switch_is_off(self):
        self.restrict(self.cashier, view=self.bakery, lock_foreign=True)
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        response = self.sync_over_rpc(self.foreign.session)
        (order,) = self.assertRpcResult(response)["pos.order"]
        self.assertEqual(order["session_id"], self.foreign.session.id)
