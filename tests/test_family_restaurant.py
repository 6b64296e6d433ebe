from odoo.fields import Command

from .family_common import PosFamilyCase


class TestFamilyRestaurant(PosFamilyCase):
    """pos_restaurant: the Bistro (the cashier's), the Café (which the
    cashier may only look at) and the Terrace (hidden from the cashier) share
    the floor of the dining room; a colleague serves the Café and the
    Terrace, each with a draft order on table 1."""

    family_modules = ("pos_restaurant",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bistro, cls.cafe, cls.terrace = cls.env["pos.config"].create(
            [
                {
                    "name": name,
                    "journal_id": cls.company_data["default_journal_sale"].id,
                    "payment_method_ids": [Command.set(cls.bank_method.ids)],
                    "module_pos_restaurant": True,
                    "iface_splitbill": True,
                }
                for name in ("Bistro", "Café", "Terrace")
            ]
        )
        restaurants = cls.bistro | cls.cafe | cls.terrace
        cls.floor = cls.env["restaurant.floor"].create(
            {"name": "Dining Room", "pos_config_ids": [Command.set(restaurants.ids)]}
        )
        cls.table_1, cls.table_2, cls.table_3 = cls.env["restaurant.table"].create(
            [
                {
                    "floor_id": cls.floor.id,
                    "table_number": number,
                    "seats": 4,
                    "position_h": 150 * number,
                    "position_v": 100,
                }
                for number in (1, 2, 3)
            ]
        )
        # Only the shared floor: each restaurant was given a floor of its own.
        restaurants.write({"floor_ids": [Command.set(cls.floor.ids)]})
        cls.restrict_cashier(cls.bistro | cls.cafe)
        cls.cashier.pos_access_config_ids = cls.bistro
        cls.cafe_order = cls.open_with_draft_order(cls.cafe)
        cls.terrace_order = cls.open_with_draft_order(cls.terrace)

    @classmethod
    def open_with_draft_order(cls, config):
        """The colleague opens ``config`` and leaves a draft order on table 1.
        Created as is: synchronised from the POS app, core would merge it into
        the draft order another register left on the table."""
        session = cls.open_session(config, cls.colleague)
        session.with_user(cls.colleague).set_opening_control(0, "")
        return (
            cls.env["pos.order"]
            .with_user(cls.colleague)
            .create(
                {
                    "session_id": session.id,
                    "table_id": cls.table_1.id,
                    "amount_tax": 0.0,
                    "amount_total": 3.0,
                    "amount_paid": 0.0,
                    "amount_return": 0.0,
                    "lines": [
                        Command.create(
                            {
                                "product_id": cls.coffee.id,
                                "qty": 1,
                                "price_unit": 3.0,
                                "price_subtotal": 3.0,
                                "price_subtotal_incl": 3.0,
                            }
                        )
                    ],
                }
            )
        )

    def sync_draft_on_table(self, session, table, product):
        payload = self.order_payload(session, self.cashier, product, state="draft")
        payload["table_id"] = table.id
        result = self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def test_cashier_loads_shared_floor_without_other_registers(self):
        session = self.open_session(self.bistro, self.cashier)
        data = self.assertLoadsLikeUnrestrictedUser(session)
        self.assertEqual(
            [floor["id"] for floor in data["restaurant.floor"]], self.floor.ids
        )
        # Of the floor's registers, the cashier learns those they may see.
        self.assertEqual(
            data["restaurant.floor"][0]["pos_config_ids"],
            (self.bistro | self.cafe).ids,
        )
        self.assertEqual(
            {table["id"] for table in data["restaurant.table"]},
            set((self.table_1 | self.table_2 | self.table_3).ids),
        )
        self.assertFalse(data["pos.order"])

    def test_cashier_draft_order_on_shared_table_leaves_other_registers_orders(self):
        session = self.open_session(self.bistro, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        order = self.sync_draft_on_table(session, self.table_1, self.croissant)
        self.assertNotIn(order, self.cafe_order | self.terrace_order)
        self.assertEqual(order.session_id, session)
        self.assertEqual(order.table_id, self.table_1)
        self.assertEqual(order.lines.product_id, self.croissant)
        for other in self.cafe_order | self.terrace_order:
            self.assertEqual(other.session_id.user_id, self.colleague)
            self.assertEqual(other.lines.product_id, self.coffee)
            self.assertEqual(other.state, "draft")

    def test_restricted_cashier_day_at_restaurant_sharing_floor(self):
        self.start_family_tour(f"/pos/ui/{self.bistro.id}", "restaurant_day")
        sessions = self.env["pos.session"].search([("config_id", "=", self.bistro.id)])
        closed = sessions.filtered(lambda session: session.state == "closed")
        self.assertEqual(closed.user_id, self.cashier)
        # The bill of table 2 (the croissants), the coffee split from it, and
        # the refund of a croissant.
        bill, coffee, refund = closed.order_ids.sorted("id")
        self.assertEqual(
            (bill + coffee + refund).mapped("amount_total"), [4.0, 3.0, -2.0]
        )
        self.assertEqual(set((bill + coffee + refund).mapped("state")), {"done"})
        self.assertEqual((bill + coffee).table_id, self.table_2)
        self.assertEqual(refund.lines.refunded_orderline_id.order_id, bill)
        # The other registers' orders on table 1 were left alone.
        for other in self.cafe_order | self.terrace_order:
            self.assertEqual(other.state, "draft")
            self.assertEqual(other.table_id, self.table_1)
            self.assertEqual(other.lines.product_id, self.coffee)
