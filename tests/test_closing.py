from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..exceptions import PosSessionRestrictionError
from ..models.res_users import ENABLED_PARAM
from .common import HIDDEN_REFUSAL, OPERATE_REFUSAL, SessionRestrictionCase


@tagged("post_install", "-at_install")
class TestStartingSession(SessionRestrictionCase):
    def setUp(self):
        super().setUp()
        self.session = self.open_session(self.bakery, self.colleague)

    def test_cashier_starts_own_session_on_operable_register(self):
        self.restrict_fully(self.cashier, self.clothes)
        session = self.open_session(self.clothes, self.cashier)
        self.assertEqual(session.state, "opening_control")
        session.with_user(self.cashier).action_pos_session_open()
        session.with_user(self.cashier).set_opening_control(0, "Float counted")
        self.assertEqual(session.state, "opened")
        self.assertTrue(session.start_at)
        self.assertNotEqual(session.name, "/")

    def test_cashier_cannot_start_session_they_may_not_operate(self):
        self.assertCashierRefused(
            self.session, lambda session: session.set_opening_control(0, "Float")
        )
        self.assertEqual(self.session.state, "opening_control")

    def test_opening_control_hook_refuses_before_starting(self):
        self.assertCashierRefused(
            self.session,
            lambda session: session._set_opening_control_data(0, "Float"),
        )
        self.assertFalse(self.session.start_at)

    def test_cashier_cannot_run_open_action_on_session_they_may_not_operate(self):
        self.assertCashierRefused(
            self.session, lambda session: session.action_pos_session_open()
        )

    def test_cashier_starts_colleague_session_when_not_locked(self):
        self.restrict(self.cashier, view=self.bakery, access=self.bakery)
        self.session.with_user(self.cashier).set_opening_control(0, "Float")
        self.assertEqual(self.session.state, "opened")
        self.assertEqual(self.session.user_id, self.colleague)

    def test_admin_starts_colleague_session_despite_own_restrictions(self):
        self.restrict_fully(self.manager, self.clothes)
        self.session.with_user(self.manager).set_opening_control(0, "Float")
        self.assertEqual(self.session.state, "opened")


@tagged("post_install", "-at_install")
class TestClosingSession(SessionRestrictionCase):
    def setUp(self):
        super().setUp()
        self.session = self.start_session(self.bakery, self.colleague)

    def test_cashier_cannot_fetch_closing_data(self):
        self.assertCashierRefused(
            self.session, lambda session: session.get_closing_control_data()
        )

    def test_cashier_cannot_save_closing_notes(self):
        self.assertCashierRefused(
            self.session,
            lambda session: session.update_closing_control_state_session("Notes"),
        )
        self.assertEqual(self.session.state, "opened")

    def test_cashier_cannot_post_counted_cash(self):
        self.assertCashierRefused(
            self.session, lambda session: session.post_closing_cash_details(42.0)
        )

    def test_refusal_comes_before_core_closing_checks(self):
        """Clothes has no cash register: core would refuse with its own message."""
        session = self.start_session(self.clothes, self.colleague)
        self.restrict(self.cashier, access=self.bakery)
        with (
            self.assertSessionUnchanged(session),
            self.assertRefused("operate the Point of Sale 'Clothes Shop'"),
        ):
            session.with_user(self.cashier).post_closing_cash_details(0)
        self.restrict(self.cashier, access=self.clothes)
        with self.assertRaisesRegex(UserError, "There is no cash register") as caught:
            session.with_user(self.cashier).post_closing_cash_details(0)
        self.assertNotIsInstance(caught.exception, PosSessionRestrictionError)

    def test_cashier_cannot_close_session_from_pos_app(self):
        self.assertCashierRefused(
            self.session, lambda session: session.close_session_from_ui()
        )

    def test_cashier_cannot_close_session_from_backend(self):
        self.assertCashierRefused(
            self.session,
            lambda session: session.action_pos_session_closing_control(),
        )

    def test_cashier_cannot_validate_session(self):
        self.assertCashierRefused(
            self.session, lambda session: session.action_pos_session_validate()
        )

    def test_cashier_cannot_force_close_session(self):
        self.assertCashierRefused(
            self.session, lambda session: session.action_pos_session_close()
        )

    def test_cashier_cannot_move_cash_in_session(self):
        self.assertCashierRefused(
            self.session,
            lambda session: session.try_cash_in_out(
                "in", 10.0, "Change", False, {"translatedType": "in"}
            ),
        )

    def test_cashier_cannot_cancel_unstarted_session(self):
        session = self.open_session(self.clothes, self.colleague)
        self.restrict(self.cashier, access=self.bakery)
        with (
            self.assertSessionUnchanged(session),
            self.assertRefused("operate the Point of Sale 'Clothes Shop'"),
        ):
            session.with_user(self.cashier).delete_opening_control_session()
        self.restrict(self.cashier, lock_foreign=True)
        with (
            self.assertSessionUnchanged(session),
            self.assertRefused(
                r"The session #\d+ on 'Clothes Shop' was opened by Colin Colleague"
            ),
        ):
            session.with_user(self.cashier).delete_opening_control_session()

    def test_cashier_starts_and_closes_own_session_end_to_end(self):
        self.session.with_user(self.colleague).action_pos_session_closing_control()
        self.restrict_fully(self.cashier, self.bakery)
        session = self.open_session(self.bakery, self.cashier)
        self.assertEqual(session.state, "opening_control")
        session.with_user(self.cashier).set_opening_control(0, "Float counted")
        self.assertEqual(session.state, "opened")
        result = self.close_from_pos_app(session, self.cashier, notes="All counted")
        self.assertTrue(result["successful"])
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.closing_notes, "All counted")
        self.assertTrue(session.stop_at)

    def test_cashier_closes_own_session_from_backend(self):
        self.restrict(self.cashier, view=self.clothes, access=self.clothes, single=True)
        session = self.start_session(self.clothes, self.cashier)
        session.with_user(self.cashier).action_pos_session_closing_control()
        self.assertEqual(session.state, "closed")

    def test_cashier_moves_cash_in_own_session(self):
        self.session.with_user(self.colleague).action_pos_session_closing_control()
        # Core needs accounting rights to record a cash move, as in its own tests.
        self.cashier.group_ids |= self.env.ref("account.group_account_invoice")
        self.restrict(self.cashier, access=self.bakery, lock_foreign=True)
        session = self.start_session(self.bakery, self.cashier)
        session.with_user(self.cashier).try_cash_in_out(
            "in", 10.0, "Change", False, {"translatedType": "in"}
        )
        self.assertEqual(session.statement_line_ids.mapped("amount"), [10.0])

    def test_cashier_cancels_own_unstarted_session(self):
        self.restrict(self.cashier, access=self.clothes, lock_foreign=True)
        session = self.open_session(self.clothes, self.cashier)
        session.with_user(self.cashier).delete_opening_control_session()
        self.assertFalse(session.exists())

    def test_cashier_discards_own_unstarted_session_after_losing_register(self):
        self.restrict(self.cashier, access=self.clothes)
        session = self.open_session(self.clothes, self.cashier)
        self.restrict(self.cashier, access=self.bakery, single=True)
        with self.assertRefused("operate the Point of Sale 'Clothes Shop'"):
            session.with_user(self.cashier).set_opening_control(0, "")
        session.with_user(self.cashier).delete_opening_control_session()
        self.assertFalse(session.exists())

    def test_cashier_closes_colleague_session_when_not_locked(self):
        self.restrict(self.cashier, view=self.bakery, access=self.bakery)
        result = self.close_from_pos_app(self.session, self.cashier)
        self.assertTrue(result["successful"])
        self.assertEqual(self.session.state, "closed")

    def test_admin_closes_colleague_session_despite_own_restrictions(self):
        self.restrict_fully(self.manager, self.clothes)
        result = self.close_from_pos_app(self.session, self.manager)
        self.assertTrue(result["successful"])
        self.assertEqual(self.session.state, "closed")

    def test_admin_cancels_colleague_unstarted_session_despite_own_restrictions(self):
        session = self.open_session(self.clothes, self.colleague)
        self.restrict_fully(self.manager, self.furniture)
        session.with_user(self.manager).delete_opening_control_session()
        self.assertFalse(session.exists())


@tagged("post_install", "-at_install")
class TestOrdersKeptAfterRevocation(SessionRestrictionCase):
    """A cashier whose rights change mid-shift still saves the orders already
    paid at the register; an administrator then closes the session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bread = cls.env["product.product"].create(
            {
                "name": "Bread",
                "available_in_pos": True,
                "list_price": 10.0,
                "taxes_id": [Command.clear()],
            }
        )

    def assertOrdersKeptAndClosedByAdmin(self, session, refusal):
        orders = self.sync_order(
            session, self.cashier, product=self.bread
        ) | self.sync_order(session, self.cashier, product=self.bread)
        self.assertEqual(orders.session_id, session)
        self.assertEqual(orders.mapped("state"), ["paid", "paid"])
        with self.assertSessionUnchanged(session), self.assertRefused(refusal):
            session.with_user(self.cashier).get_closing_control_data()
        closing_data = session.with_user(self.manager).get_closing_control_data()
        self.assertEqual(
            closing_data["orders_details"], {"quantity": 3, "amount": 30.0}
        )
        session.with_user(self.manager).action_pos_session_closing_control()
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.order_count, 3)
        self.assertEqual(sum(session.order_ids.mapped("amount_total")), 30.0)
        self.assertEqual(session.total_payments_amount, 30.0)
        self.assertEqual(set(session.order_ids.mapped("state")), {"done"})

    def test_orders_synced_after_register_made_inoperable_mid_shift(self):
        self.restrict(self.cashier, access=self.bakery | self.clothes)
        session = self.start_session(self.bakery, self.cashier)
        self.sync_order(session, self.cashier, product=self.bread)
        self.restrict(self.cashier, access=self.clothes)
        self.assertOrdersKeptAndClosedByAdmin(session, OPERATE_REFUSAL)

    def test_orders_synced_after_register_hidden_mid_shift(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes)
        session = self.start_session(self.bakery, self.cashier)
        self.sync_order(session, self.cashier, product=self.bread)
        self.restrict(self.cashier, view=self.clothes)
        self.assertOrdersKeptAndClosedByAdmin(session, HIDDEN_REFUSAL)

    def test_orders_synced_when_restrictions_switched_off_and_on_mid_shift(self):
        self.restrict(self.cashier, view=self.clothes, access=self.clothes)
        parameters = self.env["ir.config_parameter"]
        parameters.set_param(ENABLED_PARAM, "False")
        self.env.invalidate_all()
        session = self.start_session(self.bakery, self.cashier)
        self.sync_order(session, self.cashier, product=self.bread)
        parameters.set_param(ENABLED_PARAM, "True")
        self.assertOrdersKeptAndClosedByAdmin(session, HIDDEN_REFUSAL)
