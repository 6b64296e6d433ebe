from odoo.fields import Command

from .family_common import PosFamilyCase


class TestFamilySale(PosFamilyCase):
    """pos_sale: the cashier runs the Bakery Shop and may look at the Clothes
    Shop, which a colleague runs; the Furniture Shop is hidden from them.
    Settling a quotation in the POS app needs sales rights, in core."""

    family_modules = ("pos_sale",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier.group_ids |= cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes,
            access=cls.bakery,
            lock_foreign=True,
            single=True,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Quinn Quote"})
        # sudo: the test's administrator has no sales rights
        cls.quotation = (
            cls.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in ((cls.croissant, 2), (cls.coffee, 1))
                    ],
                }
            )
            .sudo(False)
        )

    def settlement_payload(self, session, sale_line, qty=1):
        """An order that settles ``qty`` of ``sale_line``, as the POS app of
        the cashier sends it."""
        payload = self.order_payload(session, self.cashier, sale_line.product_id)
        line = payload["lines"][0][2]
        amount = sale_line.price_unit * qty
        line.update(
            {
                "qty": qty,
                "price_unit": sale_line.price_unit,
                "price_subtotal": amount,
                "price_subtotal_incl": amount,
                "sale_order_origin_id": sale_line.order_id.id,
                "sale_order_line_id": sale_line.id,
            }
        )
        payload.update(
            {
                "partner_id": sale_line.order_id.partner_id.id,
                "amount_total": amount,
                "amount_paid": amount,
            }
        )
        payload["payment_ids"][0][2]["amount"] = amount
        return payload

    def test_settling_a_quotation_is_selling(self):
        colleague_session = self.open_session(self.clothes, self.colleague)
        own_session = self.open_session(self.bakery, self.cashier)
        sale_line = self.quotation.order_line[1]
        Order = self.env["pos.order"].with_user(self.cashier)
        # Paid in a session the cashier may not sell in: held, not settled there.
        payload = self.settlement_payload(colleague_session, sale_line)
        result = Order.sync_from_ui([payload])
        self.assertEqual(result["pos.order"], [])
        held = self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])
        self.assertIn(
            "not allowed to operate the Point of Sale 'Clothes Shop'", held.reason
        )
        self.assertFalse(sale_line.pos_order_line_ids)
        self.assertEqual(self.quotation.amount_unpaid, 7.0)
        Order.sync_from_ui([self.settlement_payload(own_session, sale_line)])
        self.assertEqual(sale_line.pos_order_line_ids.order_id.session_id, own_session)
        self.assertEqual(self.quotation.amount_unpaid, 4.0)

    def test_cashier_settles_rest_of_delivery_quotation_settled_at_hidden_register(
        self,
    ):
        oven = self.env["product.product"].create(
            {
                "name": "Oven",
                "is_storable": True,
                "available_in_pos": True,
                "list_price": 10.0,
                "taxes_id": [Command.clear()],
            }
        )
        # sudo: the test's administrator has no sales rights
        order = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": oven.id, "product_uom_qty": 2})
                    ],
                }
            )
        )
        order.action_confirm()
        sale_line = order.order_line.sudo(False)
        self.assertIn(order.picking_ids.state, ("confirmed", "assigned", "waiting"))
        # The colleague settles one oven at the Furniture Shop, hidden from the
        # cashier, who settles the other at the Bakery Shop.
        furniture_session = self.open_session(self.furniture, self.colleague)
        payload = self.settlement_payload(furniture_session, sale_line)
        payload["user_id"] = self.colleague.id
        self.env["pos.order"].with_user(self.colleague).sync_from_ui([payload])
        own_session = self.open_session(self.bakery, self.cashier)
        # Another request: nothing the colleague read is cached for the cashier.
        self.env.invalidate_all()
        self.env["pos.order"].with_user(self.cashier).sync_from_ui(
            [self.settlement_payload(own_session, sale_line)]
        )
        self.assertEqual(
            sale_line.pos_order_line_ids.order_id.session_id,
            furniture_session | own_session,
        )
        self.assertEqual(sale_line.qty_delivered, 2)

    def test_restricted_cashier_day_settling_a_quotation(self):
        self.start_family_tour(f"/pos/ui/{self.bakery.id}", "sale_day")
        sessions = self.env["pos.session"].search([("config_id", "=", self.bakery.id)])
        closed = sessions.filtered(lambda session: session.state == "closed")
        self.assertEqual(closed.user_id, self.cashier)
        sale, refund = closed.order_ids.sorted("id")
        self.assertEqual(set((sale | refund).mapped("state")), {"done"})
        self.assertEqual(sale.lines.sale_order_origin_id, self.quotation)
        self.assertEqual(sale.amount_total, 7.0)
        self.assertEqual(refund.lines.refunded_orderline_id.order_id, sale)
