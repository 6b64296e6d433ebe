import json
from uuid import uuid4

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import pos_held_order
from .common import PosRestrictionHttpCommon

KEEP_URL = "/pos_session_restriction/keep_browser_sales"


@tagged("post_install", "-at_install")
class TestBrowserSales(PosRestrictionHttpCommon):
    """A register refused on reload (its lists changed, its hours ended, its
    session went to someone else) sends, from the refusal page, the paid
    sales its app kept in the browser and never sent (way 10 of issue 20):
    each is recorded as the app would have, or held for an administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, "psr_stranger", groups="base.group_user")
        cls.colleague_session = cls.open_session(cls.bakery, cls.colleague)
        cls.own_session = cls.open_session(cls.clothes, cls.cashier)
        cls.own_session.with_user(cls.cashier).set_opening_control(0, "")

    def browser_sale(self, session, state="paid", synced=False):
        """A paid sale of product A with product B as its combo part, paid by
        card, as the POS app keeps it in the browser until it is sent: local
        ids (uuids), records linked by those ids, the app's own keys."""
        order_id, line_id, part_id, payment_id = (str(uuid4()) for _ in range(4))
        now = fields.Datetime.to_string(fields.Datetime.now())
        line = {
            "uuid": line_id,
            "order_id": order_id,
            "qty": 1,
            "discount": 0.0,
            "tax_ids": [],
            "pack_lot_ids": [],
            "write_date": now,
        }
        return {
            "pos.order": [
                {
                    "id": 7 if synced else order_id,
                    "uuid": order_id,
                    "name": "Order 00042-001-0001",
                    "session_id": session.id,
                    "user_id": self.cashier.id,
                    "state": state,
                    "pricelist_id": session.config_id.pricelist_id.id,
                    "partner_id": False,
                    "to_invoice": False,
                    "date_order": now,
                    "amount_paid": 10.0,
                    "amount_return": 0.0,
                    "amount_tax": 0.0,
                    "amount_total": 10.0,
                    "lines": [line_id, part_id],
                    "payment_ids": [payment_id],
                    # Kept as an object, sent as JSON text.
                    "last_order_preparation_change": {"lines": {}, "generalNote": ""},
                    "JSONuiState": '{"screen": "ReceiptScreen"}',
                    "write_date": now,
                }
            ],
            "pos.order.line": [
                {
                    **line,
                    "id": line_id,
                    "product_id": self.product_a.id,
                    "price_unit": 10.0,
                    "price_subtotal": 10.0,
                    "price_subtotal_incl": 10.0,
                    "combo_parent_id": False,
                    "combo_line_ids": [part_id],
                },
                {
                    **line,
                    "id": part_id,
                    "uuid": part_id,
                    "product_id": self.product_b.id,
                    "price_unit": 0.0,
                    "price_subtotal": 0.0,
                    "price_subtotal_incl": 0.0,
                    "combo_parent_id": line_id,
                    "combo_line_ids": [],
                },
            ],
            "pos.payment": [
                {
                    "id": payment_id,
                    "uuid": payment_id,
                    "pos_order_id": order_id,
                    "amount": 10.0,
                    "payment_method_id": self.bank_method.id,
                    "payment_date": now,
                }
            ],
        }

    def keep(self, *sales, user=None):
        stores = {
            model: [raw for sale in sales for raw in sale.get(model, [])]
            for model in ("pos.order", "pos.order.line", "pos.payment")
        }
        Order = self.env["pos.order"].with_user(user or self.cashier)
        return Order._pos_keep_browser_sales(stores)

    def assertSaleAsSold(self, order, session):
        """``order`` is the browser's sale, line for line, paid by card."""
        self.assertRecordValues(
            order,
            [{"session_id": session.id, "state": "paid", "amount_total": 10.0}],
        )
        parent, part = order.lines.sorted("price_unit", reverse=True)
        self.assertRecordValues(
            parent | part,
            [
                {"product_id": self.product_a.id, "qty": 1, "combo_parent_id": False},
                {
                    "product_id": self.product_b.id,
                    "qty": 1,
                    "combo_parent_id": parent.id,
                },
            ],
        )
        self.assertRecordValues(
            order.payment_ids,
            [{"amount": 10.0, "payment_method_id": self.bank_method.id}],
        )

    def test_sale_for_a_session_the_user_may_not_sell_in_is_held_then_placed(self):
        self.restrict(self.cashier, lock_foreign=True)
        sale = self.browser_sale(self.colleague_session)
        uuid = sale["pos.order"][0]["uuid"]
        self.assertEqual(self.keep(sale), {"recorded": [], "held": [uuid], "left": 0})
        self.assertFalse(self.colleague_session.order_ids)
        held = self.env["pos.held.order"].search([("uuid", "=", uuid)])
        self.assertRecordValues(
            held,
            [{"user_id": self.cashier.id, "session_id": self.colleague_session.id}],
        )
        held = held.with_user(self.manager)
        held.target_session_id = self.own_session
        held.action_place()
        self.assertSaleAsSold(held.order_id, self.own_session)

    def test_sale_for_own_session_is_recorded_whatever_changed(self):
        # The register was taken off the cashier's list after they opened it:
        # refused on reload, but what they sold in their session is theirs.
        self.restrict(self.cashier, view=self.bakery, access=self.bakery)
        sale = self.browser_sale(self.own_session)
        uuid = sale["pos.order"][0]["uuid"]
        self.assertEqual(self.keep(sale), {"recorded": [uuid], "held": [], "left": 0})
        self.assertSaleAsSold(self.own_session.order_ids, self.own_session)
        self.assertEqual(
            json.loads(self.own_session.order_ids.last_order_preparation_change),
            {"lines": {}, "generalNote": ""},
        )
        # Sent again by another refusal, it is recognised, not recorded twice.
        self.assertEqual(self.keep(sale), {"recorded": [uuid], "held": [], "left": 0})
        self.assertEqual(len(self.own_session.order_ids), 1)

    def test_only_paid_sales_never_sent_are_sent(self):
        self.restrict(self.cashier, lock_foreign=True)
        draft = self.browser_sale(self.colleague_session, state="draft")
        synced = self.browser_sale(self.colleague_session, synced=True)
        # A sale synced as a draft and paid since is the app's to send (only
        # it knows what changed): it stays in the browser, and is counted so.
        self.assertEqual(
            self.keep(draft, synced), {"recorded": [], "held": [], "left": 1}
        )
        self.assertFalse(self.env["pos.held.order"].search([]))

    def test_sale_neither_recorded_nor_held_stays_in_the_browser(self):
        self.restrict(self.cashier, lock_foreign=True)
        sale = self.browser_sale(self.colleague_session)
        self.patch(pos_held_order, "HOLD_LIMIT", 0)
        self.assertEqual(self.keep(sale), {"recorded": [], "held": [], "left": 1})
        self.assertFalse(self.colleague_session.order_ids)

    @mute_logger("odoo.sql_db")
    def test_a_malformed_sale_does_not_keep_the_others_out(self):
        self.restrict(self.cashier, view=self.bakery, access=self.bakery)
        good = self.browser_sale(self.own_session)
        bad = self.browser_sale(self.own_session)
        del bad["pos.order"][0]["amount_return"]  # core's processing needs it
        self.assertEqual(
            self.keep(good, bad),
            {"recorded": [good["pos.order"][0]["uuid"]], "held": [], "left": 1},
        )

    def test_each_local_id_counts_once(self):
        # A forged body repeating local ids would multiply what is built
        # from it (an order's lines, a line's lots): each id is read once.
        sale = self.browser_sale(self.own_session)
        order, line = sale["pos.order"][0], sale["pos.order.line"][0]
        stores = {
            "pos.order": [{**order, "uuid": str(uuid4())} for _ in range(50)],
            "pos.order.line": [line] * 50,
            "pos.pack.operation.lot": [
                {"id": line["id"], "pos_order_line_id": line["id"], "lot_name": "L"}
            ]
            * 50,
        }
        Order = self.env["pos.order"]
        orders, browser = Order._pos_browser_records(stores)
        self.assertEqual(len(orders), 1)
        vals = Order._pos_vals_from_browser(Order, orders[0], browser)
        ((_c, _i, line_vals),) = vals["lines"]
        self.assertEqual(len(line_vals["pack_lot_ids"]), 1)

    def test_answer_names_only_the_sender_s_sales(self):
        # The colleague's held sale, its uuid sent by the cashier: not theirs
        # to learn about.
        self.restrict(self.colleague, lock_foreign=True)
        sale = self.browser_sale(self.own_session)
        uuid = sale["pos.order"][0]["uuid"]
        self.assertEqual(self.keep(sale, user=self.colleague)["held"], [uuid])
        self.restrict(self.cashier, lock_foreign=True)
        sale["pos.order"][0]["session_id"] = self.colleague_session.id
        self.assertEqual(self.keep(sale), {"recorded": [], "held": [], "left": 1})

    def test_refusal_page_sends_over_http(self):
        self.restrict(self.cashier, lock_foreign=True)
        sale = self.browser_sale(self.colleague_session)
        self.authenticate(self.cashier.login, self.cashier.login)
        answer = self.make_jsonrpc_request(KEEP_URL, {"stores": sale})
        self.assertEqual(answer["held"], [sale["pos.order"][0]["uuid"]])
        self.assertIn(
            "1 sale(s) this register had not sent yet are safe", answer["message"]
        )
        self.assertEqual(len(self.env["pos.held.order"].search([])), 1)
        # What is not a browser's records is a bad request.
        response = self.url_open(
            KEEP_URL,
            data=json.dumps({"params": {"stores": ["not", "records"]}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(
            response.json()["error"]["data"]["name"], "werkzeug.exceptions.BadRequest"
        )

    def test_refusal_page_names_the_register_browser_database(self):
        self.restrict(self.cashier, lock_foreign=True)
        self.authenticate(self.cashier.login, self.cashier.login)
        response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertEqual(response.status_code, 403)
        self.assertIn(
            f'data-database="point-of-sale-{self.bakery.id}-{self.env.cr.dbname}"',
            response.text,
        )
        self.assertIn("pos_session_restriction.assets_refusal_page", response.text)
