from odoo.fields import Command

from .family_common import PosFamilyCase


class TestFamilyLoyalty(PosFamilyCase):
    """pos_loyalty: the cashier runs the Bakery Shop, which has a promotion of
    its own and takes the gift cards it shares with the Furniture Shop; the
    Furniture Shop, hidden from the cashier, also has a promotion of its own
    and sold the gift card the customer pays with."""

    family_modules = ("pos_loyalty",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Program = cls.env["loyalty.program"]
        Program.search([]).pos_ok = False
        cls.promotion, cls.hidden_promotion = Program.create(
            [
                {
                    "name": name,
                    "program_type": "promotion",
                    "trigger": "auto",
                    "applies_on": "current",
                    "pos_ok": True,
                    "pos_config_ids": [Command.set(config.ids)],
                    "rule_ids": [
                        Command.create(
                            {"reward_point_mode": "order", "reward_point_amount": 1}
                        )
                    ],
                    "reward_ids": [
                        Command.create(
                            {
                                "reward_type": "discount",
                                "discount": discount,
                                "discount_mode": "percent",
                                "discount_applicability": "order",
                                "required_points": 1,
                            }
                        )
                    ],
                }
                for name, config, discount in (
                    ("Bakery Promotion", cls.bakery, 10),
                    ("Furniture Promotion", cls.furniture, 50),
                )
            ]
        )
        cls.gift_cards = Program.browse(
            Program.create_from_template("gift_card")["res_id"]
        )
        cls.gift_cards.write(
            {
                "pos_config_ids": [Command.set((cls.bakery | cls.furniture).ids)],
                # Core wants one before it opens a register that takes gift cards.
                "pos_report_print_id": cls.env.ref("loyalty.report_gift_card").id,
            }
        )
        cls.restrict_cashier(cls.bakery)
        # The gift card was sold at the Furniture Shop.
        session = cls.open_session(cls.furniture, cls.colleague)
        sale = cls.create_paid_order(session)
        cls.gift_card = cls.env["loyalty.card"].create(
            {
                "program_id": cls.gift_cards.id,
                "code": "044123456",
                "points": 50,
                "source_pos_order_id": sale.id,
            }
        )

    def test_cashier_loads_own_programs_and_shared_gift_cards(self):
        session = self.open_session(self.bakery, self.cashier)
        data = self.assertLoadsLikeUnrestrictedUser(session)
        self.assertEqual(
            {program["id"] for program in data["loyalty.program"]},
            set((self.promotion | self.gift_cards).ids),
        )
        result = self.bakery.with_user(self.cashier).use_coupon_code(
            self.gift_card.code, "2026-01-01 00:00:00", False, False
        )
        self.assertTrue(result["successful"])
        self.assertEqual(result["payload"]["coupon_id"], self.gift_card.id)

    def test_restricted_cashier_day_with_promotion_and_gift_card(self):
        self.start_family_tour(f"/pos/ui/{self.bakery.id}", "loyalty_day")
        sessions = self.env["pos.session"].search([("config_id", "=", self.bakery.id)])
        closed = sessions.filtered(lambda session: session.state == "closed")
        self.assertEqual(closed.user_id, self.cashier)
        sale, refund = closed.order_ids.sorted("id")
        self.assertEqual(set((sale | refund).mapped("state")), {"done"})
        # Croissant and coffee, less the Bakery Shop's 10 %, paid by gift card.
        rewards = sale.lines.reward_id
        self.assertIn(self.promotion.reward_ids, rewards)
        self.assertNotIn(self.hidden_promotion.reward_ids, rewards)
        self.assertEqual(sale.amount_total, 0.0)
        self.assertAlmostEqual(self.gift_card.points, 45.5)
        self.assertEqual(refund.lines.refunded_orderline_id.order_id, sale)

    def test_register_s_rewards_are_no_price_the_cashier_typed(self):
        """A reward of the register's promotion is the program's price; one
        of a program the register does not run is a price typed by hand."""
        order = {
            "config_id": self.bakery.id,
            "pricelist_id": self.bakery.pricelist_id.id,
            "currency_id": self.bakery.currency_id.id,
            "fiscal_position_id": False,
        }
        rules = {"refund": "allowed", "price_change": "refused", "discount_limit": 0}
        for promotion, actions in [
            (self.promotion, set()),
            (self.hidden_promotion, {"price_change"}),
        ]:
            with self.subTest(promotion.name):
                line = {
                    "id": 1,
                    "product_id": promotion.reward_ids.discount_line_product_id.id,
                    "qty": 1,
                    "price_unit": -0.5,
                    "discount": 0.0,
                    "price_type": "manual",
                    "is_reward_line": True,
                    "reward_id": promotion.reward_ids.id,
                }
                self.assertEqual(
                    self.env["pos.order"]._pos_sale_actions(order, [line], rules),
                    actions,
                )
