from uuid import uuid4

from odoo import fields
from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..exceptions import PosSessionRestrictionError
from ..models.res_users import ENABLED_PARAM


class PosRestrictionCommon(AccountTestInvoicingCommon):
    """Three registers, a POS administrator, a cashier to restrict and a
    colleague who opens sessions the cashier did not open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("point_of_sale.group_pos_manager")
        cls.env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
        cls.bank_method = cls.env["pos.payment.method"].create(
            {
                "name": "Bank",
                "journal_id": cls.company_data["default_journal_bank"].id,
                "receivable_account_id": cls.company_data[
                    "default_account_receivable"
                ].id,
            }
        )
        cls.bakery, cls.clothes, cls.furniture = cls.env["pos.config"].create(
            [
                {
                    "name": name,
                    "journal_id": cls.company_data["default_journal_sale"].id,
                    "payment_method_ids": [Command.set(cls.bank_method.ids)],
                }
                for name in ("Bakery Shop", "Clothes Shop", "Furniture Shop")
            ]
        )
        cls.manager = new_test_user(
            cls.env,
            "psr_manager",
            name="Mitchell Admin",
            groups="base.group_user,point_of_sale.group_pos_manager",
        )
        cls.cashier = new_test_user(
            cls.env,
            "psr_cashier",
            name="Casey Cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        cls.colleague = new_test_user(
            cls.env,
            "psr_colleague",
            name="Colin Colleague",
            groups="base.group_user,point_of_sale.group_pos_user",
        )

    @classmethod
    def restrict(cls, user, view=None, access=None, lock_foreign=False, single=False):
        user.write(
            {
                "pos_view_config_ids": [
                    Command.set((view or cls.env["pos.config"]).ids)
                ],
                "pos_access_config_ids": [
                    Command.set((access or cls.env["pos.config"]).ids)
                ],
                "pos_lock_foreign_sessions": lock_foreign,
                "pos_single_session": single,
            }
        )

    @classmethod
    def open_session(cls, config, user):
        """Open ``config`` the way the dashboard does, as ``user``."""
        config.with_user(user).open_ui()
        return config.current_session_id

    @classmethod
    def create_paid_order(cls, session):
        """A paid order of 10 on ``session``, with its payment, created as is."""
        order = cls.env["pos.order"].create(
            {
                "session_id": session.id,
                "amount_tax": 0.0,
                "amount_total": 10.0,
                "amount_paid": 10.0,
                "amount_return": 0.0,
                "lines": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "qty": 1,
                            "price_unit": 10.0,
                            "price_subtotal": 10.0,
                            "price_subtotal_incl": 10.0,
                        }
                    )
                ],
            }
        )
        cls.env["pos.payment"].create(
            {
                "pos_order_id": order.id,
                "amount": 10.0,
                "payment_method_id": cls.bank_method.id,
            }
        )
        return order

    @classmethod
    def order_payload(cls, session, user, product, **options):
        """An order of one ``product`` at 10, as the POS app of ``user`` sends
        it to ``pos.order.sync_from_ui``. ``options``: ``state`` ("paid", or
        "draft" for an order left open), ``uuid`` (of an order to update),
        ``qty`` (-1 for a refund, with ``refunded_line``)."""
        uuid = options.get("uuid") or str(uuid4())
        qty = options.get("qty", 1)
        paid = options.get("state", "paid") == "paid"
        amount = 10.0 * qty
        return {
            "uuid": uuid,
            "access_token": str(uuid4()),
            "name": f"Order {uuid}",
            "session_id": session.id,
            "user_id": user.id,
            "state": options.get("state", "paid"),
            "pricelist_id": session.sudo().config_id.pricelist_id.id,
            "fiscal_position_id": False,
            "partner_id": False,
            "to_invoice": False,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "last_order_preparation_change": "{}",
            "amount_paid": amount if paid else 0.0,
            "amount_return": 0.0,
            "amount_tax": 0.0,
            "amount_total": amount,
            "lines": [
                Command.create(
                    {
                        "product_id": product.id,
                        "qty": qty,
                        "price_unit": 10.0,
                        "discount": 0.0,
                        "price_subtotal": amount,
                        "price_subtotal_incl": amount,
                        "tax_ids": [Command.clear()],
                        "pack_lot_ids": [],
                        "refunded_orderline_id": options.get("refunded_line", False),
                    }
                )
            ],
            "payment_ids": [
                Command.create(
                    {
                        "amount": amount,
                        "name": fields.Datetime.to_string(fields.Datetime.now()),
                        "payment_method_id": cls.bank_method.id,
                    }
                )
            ]
            if paid
            else [],
        }

    def assertRefused(self, message):
        """Expect the addon's refusal, with a message matching ``message``."""
        return self.assertRaisesRegex(PosSessionRestrictionError, message)
