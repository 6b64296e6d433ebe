from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import PosRestrictionCommon

# The manager's approval PIN in static/tests/tours/sensitive_actions.tour.esm.js.
TOUR_PIN = "246810"


@tagged("post_install", "-at_install")
class TestSensitiveActionTours(PosRestrictionCommon, HttpCase):
    """Manager-only actions in the POS app (DESIGN §9), as the cashier meets
    them in Chromium: the app reads the cashier's rules from its data, asks a
    manager's PIN or says no before the action, and the server finds the
    approval bound to the order it records."""

    browser_size = "1400x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.pos_approval_pin = TOUR_PIN
        cls.croissant = cls.env["product.product"].create(
            {
                "name": "Croissant",
                "available_in_pos": True,
                "list_price": 2.0,
                "taxes_id": [Command.clear()],
            }
        )

    def start_sensitive_tour(self, tour, **rules):
        """Give the cashier ``rules``, start their session on the Bakery Shop
        and run the tour ``tour`` there as them; return the session."""
        self.cashier.write(rules)
        session = self.start_session(self.bakery, self.cashier)
        self.start_tour(
            f"/pos/ui/{self.bakery.id}",
            f"pos_session_restriction_sensitive_{tour}",
            login="psr_cashier",
        )
        self.env.invalidate_all()
        return session

    def grants(self):
        # sudo: the test reads the approvals whoever runs it
        return self.env["pos.approval.grant"].sudo().search([])

    def unapproved_log(self):
        # sudo: the test reads the log whoever runs it
        return (
            self.env["pos.restriction.log"].sudo().search([("rule", "=", "unapproved")])
        )

    def test_refund_waits_for_manager_pin_then_syncs_unflagged(self):
        session = self.start_sensitive_tour("refund", pos_refund_rule="approval")
        sale, refund = session.order_ids.sorted("id")
        self.assertEqual(sale.amount_total, 2.0)
        self.assertEqual(refund.amount_total, -2.0)
        self.assertEqual(refund.lines.refunded_orderline_id, sale.lines)
        self.assertFalse(session.order_ids.filtered("pos_needs_review"))
        self.assertRecordValues(
            self.grants(),
            [
                {
                    "action": "refund",
                    "user_id": self.cashier.id,
                    "approver_id": self.manager.id,
                    "order_uuid": refund.uuid,
                }
            ],
        )
        self.assertTrue(self.grants().used_date)
        self.assertFalse(self.unapproved_log())

    def test_discount_over_limit_waits_for_manager_pin(self):
        session = self.start_sensitive_tour("discount", pos_discount_limit=10.0)
        order = session.order_ids
        self.assertEqual(order.lines.discount, 15.0)
        self.assertEqual(order.amount_total, 1.7)
        self.assertFalse(order.pos_needs_review)
        grant = self.grants()
        self.assertEqual((grant.action, grant.order_uuid), ("discount", order.uuid))
        self.assertTrue(grant.used_date)
        self.assertFalse(self.unapproved_log())

    def test_cash_out_refused_by_rule_is_said_and_not_recorded(self):
        self.bakery.payment_method_ids |= self.create_payment_method(
            "Cash", self.company_data["default_journal_cash"]
        )
        # Core shows Cash In/Out to invoicing users only.
        self.cashier.group_ids |= self.env.ref("account.group_account_invoice")
        session = self.start_sensitive_tour("cash_out", pos_cash_move_rule="refused")
        self.assertTrue(self.bakery.cash_control)
        self.assertFalse(session.sudo().statement_line_ids)
        self.assertFalse(self.grants())

    def test_closing_asks_manager_pin_then_closes(self):
        session = self.start_sensitive_tour("closing", pos_closing_rule="approval")
        self.assertEqual(session.state, "closed")
        grant = self.grants()
        self.assertEqual((grant.action, grant.session_id), ("close", session))
        self.assertTrue(grant.used_date)
        self.assertEqual(self.events(session)[-1], ("closed", self.cashier))

    def test_offline_discount_over_limit_is_flagged_for_review(self):
        session = self.start_sensitive_tour("offline", pos_discount_limit=10.0)
        order = session.order_ids
        self.assertEqual(order.lines.discount, 15.0)
        self.assertTrue(order.pos_needs_review)
        self.assertFalse(self.grants())
        log = self.unapproved_log()
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.cashier.id,
                    "action": "discount",
                    "session_id": session.id,
                }
            ],
        )
        self.assertEqual(session.with_user(self.manager).pos_review_count, 1)
