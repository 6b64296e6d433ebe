import json
from unittest.mock import patch
from urllib.parse import urlencode

from odoo.fields import Command

from odoo.addons.account.models.account_payment_method import AccountPaymentMethod

from .family_common import PosFamilyCase


def _get_payment_method_information(self):
    # As core's tests of online payments do: the accounting payment of the
    # test provider needs a payment method of its own.
    info = _original_payment_method_information(self)
    info["none"] = {"mode": "multi", "type": ("bank",)}
    return info


_original_payment_method_information = (
    AccountPaymentMethod._get_payment_method_information
)


class TestFamilyOnlinePayment(PosFamilyCase):
    """pos_online_payment, with self-ordering: the customers of the Terrace
    Bar order from their table's QR code and pay online, through a test
    payment provider, in the session the restricted cashier opened."""

    family_modules = ("pos_online_payment_self_order",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        patcher = patch.object(
            AccountPaymentMethod,
            "_get_payment_method_information",
            _get_payment_method_information,
        )
        patcher.start()
        cls.addClassCleanup(patcher.stop)
        cls.env["account.payment.method"].sudo().create(
            {"name": "Test method", "code": "none", "payment_type": "inbound"}
        )
        cls.payment_method_unknown = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Test Provider",
                "code": "none",
                "state": "test",
                "is_published": True,
                "company_id": cls.bakery.company_id.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "payment_method_ids": [Command.set(cls.payment_method_unknown.ids)],
            }
        )
        cls.payment_method_unknown.active = True
        online = cls.env["pos.payment.method"].create(
            {
                "name": "Online payment",
                "is_online_payment": True,
                "online_payment_provider_ids": [Command.set(cls.provider.ids)],
            }
        )
        cls.terrace_bar, cls.hidden_bar = cls.env["pos.config"].create(
            [
                {
                    "name": name,
                    "journal_id": cls.company_data["default_journal_sale"].id,
                    "payment_method_ids": [Command.set(cls.bank_method.ids)],
                    "module_pos_restaurant": True,
                    "use_presets": False,
                    "self_ordering_mode": "mobile",
                    "self_ordering_pay_after": "meal",
                    "self_ordering_service_mode": "table",
                    "self_ordering_default_user_id": cls.manager.id,
                    "self_order_online_payment_method_id": online.id,
                }
                for name in ("Terrace Bar", "Rooftop Bar")
            ]
        )
        cls.restrict_cashier(cls.terrace_bar)

    def customer_orders(self, config):
        """A customer orders a croissant from table 1's QR code of ``config``."""
        session = config.current_session_id
        table = config.floor_ids.table_ids[:1]
        order = self.self_order_payload(session, table)
        result = self.jsonrpc(
            "/pos-self-order/process-order/mobile/",
            order=order,
            access_token=config.access_token,
            table_identifier=table.identifier,
            device_type="mobile",
        )
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def customer_pays_online(self, order):
        """The customer pays ``order`` online, as pos_online_payment's pages
        let them, and the provider confirms the payment."""
        params = {"access_token": order.access_token}
        page = self.url_open(f"/pos/pay/{order.id}?{urlencode(params)}")
        self.assertEqual(page.status_code, 200)
        processing = self.jsonrpc(
            f"/pos/pay/transaction/{order.id}",
            amount=order.amount_total,
            access_token=order.access_token,
            landing_route=f"/pos/pay/confirmation/{order.id}?{urlencode(params)}",
            provider_id=self.provider.id,
            payment_method_id=self.payment_method_unknown.id,
            token_id=None,
            flow="direct",
            tokenization_requested=False,
        )
        transaction = self.env["payment.transaction"].search(
            [("reference", "=", processing["reference"])]
        )
        transaction._set_done()
        params["tx_id"] = transaction.id
        confirmation = self.url_open(
            f"/pos/pay/confirmation/{order.id}?{urlencode(params)}"
        )
        self.assertEqual(confirmation.status_code, 200)
        self.env.invalidate_all()
        return transaction

    def jsonrpc(self, url, **params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "params": params}),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertNotIn("error", response)
        return response["result"]

    def test_customer_pays_self_order_online_in_restricted_cashier_session(self):
        session = self.open_session(self.terrace_bar, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        order = self.customer_orders(self.terrace_bar)
        self.customer_pays_online(order)
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.session_id, session)
        self.assertEqual(order.payment_ids.session_id, session)
        self.assertEqual(order.payment_ids.amount, 2.0)
        # The cashier closes the session, online payments and all.
        closing = session.with_user(self.cashier).close_session_from_ui()
        self.assertTrue(closing["successful"])
        self.assertEqual((session.state, order.state), ("closed", "done"))

    def test_restricted_cashier_day_after_customer_paid_online(self):
        session = self.open_session(self.terrace_bar, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        order = self.customer_orders(self.terrace_bar)
        self.customer_pays_online(order)
        self.start_family_tour(f"/pos/ui/{self.terrace_bar.id}", "online_payment_day")
        self.assertEqual(session.state, "closed")
        refund = session.order_ids - order
        self.assertEqual(refund.lines.refunded_orderline_id, order.lines)
        self.assertEqual(set((order | refund).mapped("state")), {"done"})

    def test_cashier_pays_online_as_customer_of_hidden_register(self):
        # What a customer may do on the public's payment pages, a restricted
        # cashier logged in there may do too: the money is the customer's.
        session = self.open_session(self.hidden_bar, self.colleague)
        session.with_user(self.colleague).set_opening_control(0, "")
        self.authenticate("psr_cashier", "psr_cashier")
        order = self.customer_orders(self.hidden_bar)
        self.customer_pays_online(order)
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.payment_ids.session_id, session)
        # Core costed its lines once it was paid, as the cashier; a cost
        # already there is no more theirs to change than anything else sold.
        self.assertTrue(all(order.lines.mapped("is_total_cost_computed")))
        with self.assertRefused("not allowed to access this Point of Sale"):
            order.lines.with_user(self.cashier).write({"total_cost": 0.0})
        # The customer's payment pays no other order, by any other path.
        other = self.customer_orders(self.hidden_bar)
        with self.assertRefused("not allowed to access this Point of Sale"):
            self.env["pos.payment"].with_user(self.cashier).create(
                {
                    "pos_order_id": other.id,
                    "amount": 2.0,
                    "payment_method_id": order.payment_ids.payment_method_id.id,
                    "online_account_payment_id": (
                        order.payment_ids.online_account_payment_id.id
                    ),
                }
            )
        self.assertFalse(other.payment_ids)
