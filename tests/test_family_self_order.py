import json

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command

from .family_common import PosFamilyCase


class TestFamilySelfOrder(PosFamilyCase):
    """pos_self_order: the cashier runs the Kiosk (self-ordering at a kiosk)
    and the Terrace Bar (self-ordering from the tables' QR codes); the
    Airport Kiosk, which a colleague runs, is hidden from them. Self-ordering
    acts for the public as each register's self-ordering user, here the POS
    administrator, as core sets it by default."""

    family_modules = ("pos_self_order",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {
            "journal_id": cls.company_data["default_journal_sale"].id,
            "payment_method_ids": [Command.set(cls.bank_method.ids)],
            "self_ordering_default_user_id": cls.manager.id,
            "use_presets": False,
        }
        kiosk = {
            **common,
            "self_ordering_mode": "kiosk",
            "self_ordering_pay_after": "each",
            "self_ordering_service_mode": "counter",
        }
        cls.kiosk, cls.airport_kiosk, cls.terrace_bar = cls.env["pos.config"].create(
            [
                {**kiosk, "name": "Kiosk"},
                {**kiosk, "name": "Airport Kiosk"},
                {
                    **common,
                    "name": "Terrace Bar",
                    "module_pos_restaurant": True,
                    "self_ordering_mode": "mobile",
                    "self_ordering_pay_after": "meal",
                    "self_ordering_service_mode": "table",
                },
            ]
        )
        cls.table = cls.terrace_bar.floor_ids.table_ids[:1]
        # A second table, where the cashier refunds.
        cls.table.copy({"table_number": 2, "position_h": 300})
        # The self-ordering app shows products by category.
        (cls.croissant | cls.coffee).pos_categ_ids = cls.env["pos.category"].create(
            {"name": "Bakery"}
        )
        cls.restrict_cashier(cls.kiosk | cls.terrace_bar)
        cls.airport_kiosk.with_user(cls.colleague).action_open_wizard()

    def self_order(self, config, device, table=None):
        """Order a croissant on the self-ordering of ``config`` as the public
        does, through core's controller; return the order."""
        session = config.current_session_id
        response = self.url_open(
            f"/pos-self-order/process-order/{device}/",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "params": {
                        "order": self.self_order_payload(session, table),
                        "access_token": config.access_token,
                        "table_identifier": table.identifier if table else None,
                        "device_type": device,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertNotIn("error", response)
        return self.env["pos.order"].browse(response["result"]["pos.order"][0]["id"])

    def test_public_kiosk_order_lands_in_session_restricted_cashier_opened(self):
        self.kiosk.with_user(self.cashier).action_open_wizard()
        session = self.kiosk.current_session_id
        self.assertEqual((session.user_id, session.state), (self.cashier, "opened"))
        order = self.self_order(self.kiosk, "kiosk")
        self.assertEqual(order.session_id, session)
        self.assertEqual((order.source, order.state), ("kiosk", "draft"))
        self.assertEqual(order.lines.product_id, self.croissant)
        # The cashier closes the kiosk: its unpaid orders are discarded.
        self.kiosk.with_user(self.cashier).action_close_kiosk_session()
        self.assertEqual(session.state, "closed")
        self.assertFalse(order.exists())

    def test_public_mobile_order_lands_in_session_restricted_cashier_opened(self):
        session = self.open_session(self.terrace_bar, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        order = self.self_order(self.terrace_bar, "mobile", self.table)
        self.assertEqual(order.session_id, session)
        self.assertEqual((order.source, order.state), ("mobile", "draft"))
        self.assertEqual(order.self_ordering_table_id, self.table)
        data = self.assertLoadsLikeUnrestrictedUser(session)
        self.assertEqual([o["id"] for o in data["pos.order"]], order.ids)

    def test_customer_orders_at_kiosk_restricted_cashier_opened(self):
        self.kiosk.with_user(self.cashier).action_open_wizard()
        session = self.kiosk.current_session_id
        # Opening the kiosk tells the kiosks already open to reload. The kiosk
        # the tour opens next would receive it too (a new page reads its
        # channel's notifications from the start) and reload mid-tour.
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        self.start_tour(
            self.kiosk._get_self_order_route(),
            "pos_session_restriction_kiosk_order",
            login=None,
            timeout=180,
        )
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(session.order_ids.lines.product_id, self.croissant)
        self.assertEqual(session.order_ids.source, "kiosk")

    def test_restricted_cashier_day_serving_self_ordered_tables(self):
        self.start_family_tour(f"/pos/ui/{self.terrace_bar.id}", "self_order_open")
        session = self.terrace_bar.current_session_id
        self.assertEqual((session.user_id, session.state), (self.cashier, "opened"))
        # A customer orders from table 1's QR code.
        self.authenticate(None, None)
        order = self.self_order(self.terrace_bar, "mobile", self.table)
        self.start_family_tour(f"/pos/ui/{self.terrace_bar.id}", "self_order_serve")
        self.assertEqual(session.state, "closed")
        self.assertEqual(order.session_id, session)
        self.assertIn(order.state, ("paid", "done"))
        refund = session.order_ids - order
        self.assertEqual(refund.lines.refunded_orderline_id, order.lines)
        self.assertEqual(refund.amount_total, -2.0)

    def test_cashier_may_not_open_or_close_kiosk_out_of_reach(self):
        self.kiosk.with_user(self.cashier).action_open_wizard()
        self.restrict(
            self.cashier, view=self.kiosk | self.terrace_bar, access=self.terrace_bar
        )
        with (
            self.assertRefused("not allowed to operate the Point of Sale 'Kiosk'"),
            self.env.cr.savepoint(),
        ):
            self.kiosk.with_user(self.cashier).action_close_kiosk_session()
        self.assertEqual(self.kiosk.current_session_id.state, "opened")
        # A hidden register is refused as core refuses any record the user
        # may not read, before the addon has a say.
        session = self.airport_kiosk.current_session_id
        for action in ("action_open_wizard", "action_close_kiosk_session"):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                getattr(self.airport_kiosk.with_user(self.cashier), action)()
        self.assertEqual(session.state, "opened")

    def test_hidden_kiosk_gives_cashier_no_more_than_anyone(self):
        def visit():
            page = self.url_open(
                f"/pos-self/{self.airport_kiosk.id}"
                f"?access_token={self.airport_kiosk.access_token}"
            )
            data = self.url_open(
                f"/pos-self/data/{self.airport_kiosk.id}",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "params": {"access_token": self.airport_kiosk.access_token},
                    }
                ),
                headers={"Content-Type": "application/json"},
            ).json()
            return page.status_code, data["result"]

        anonymous = visit()
        # Core dates the data it sends.
        anonymous[1]["pos.config"][0].pop("_data_server_date")
        self.authenticate("psr_cashier", "psr_cashier")
        cashier = visit()
        cashier[1]["pos.config"][0].pop("_data_server_date")
        self.assertEqual(cashier, anonymous)
        order = self.self_order(self.airport_kiosk, "kiosk")
        self.assertEqual(order.session_id, self.airport_kiosk.current_session_id)
        Order = self.env["pos.order"].with_user(self.cashier)
        self.assertFalse(Order.search([("id", "=", order.id)]))

    def test_self_ordering_user_must_sell_in_every_session(self):
        keeper = self.env["res.users"].create(
            {
                "name": "Kim Keeper",
                "login": "psr_keeper",
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("point_of_sale.group_pos_user").id,
                        ]
                    )
                ],
            }
        )
        registers = self.kiosk | self.terrace_bar
        self.restrict(keeper, view=registers, access=registers, lock_foreign=True)
        message = "Kim Keeper takes the self-orders of 'Kiosk' for the public"
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self.kiosk.self_ordering_default_user_id = keeper
        # Seeing and operating the kiosk is enough: the public's orders go
        # into the session the cashier opened.
        keeper.pos_lock_foreign_sessions = False
        self.kiosk.self_ordering_default_user_id = keeper
        self.kiosk.with_user(self.cashier).action_open_wizard()
        order = self.self_order(self.kiosk, "kiosk")
        self.assertEqual(order.session_id.user_id, self.cashier)
        # Restricting the self-ordering user afterwards is refused too, from
        # either side.
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            keeper.pos_lock_foreign_sessions = True
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self.restrict(keeper, view=self.terrace_bar, access=self.terrace_bar)
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self.kiosk.pos_access_user_ids -= keeper
