"""The base of the tests of selling in a session (test_selling, and
test_deny_by_default which reuses its fixtures)."""

from contextlib import closing, suppress
from types import SimpleNamespace
from unittest.mock import patch

import psycopg2

from odoo.fields import Command
from odoo.tools import mute_logger

from ..exceptions import PosSessionRestrictionError
from ..models.pos_restriction_log import PosRestrictionLog
from ..models.res_users import ENABLED_PARAM
from .common import PosRestrictionCommon

# What each way of meeting a session does to a sale in it (DESIGN §6): the
# rule that refuses it, or None when the sale goes through.
SCENARIOS = {
    "view_only": "not_operable",
    "hidden": "not_visible",
    "locked_out": "foreign_session",
    "joined_then_revoked": None,
    "own_then_revoked": None,
    "administrator": None,
    "switch_off": None,
}


class SellingCase(PosRestrictionCommon):
    """The colleague runs the Clothes Shop and the cashier the Furniture Shop;
    the cashier also holds a spare session on the Bakery Shop, where orders
    may be moved. Each session holds a paid order and a draft order with a
    payment of 4; the Clothes and Furniture shops count cash."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Core needs accounting rights to record a cash move, as in its own tests.
        (cls.cashier | cls.manager).write(
            {
                "group_ids": [
                    Command.link(cls.env.ref("account.group_account_invoice").id)
                ]
            }
        )
        cash_journal = cls.company_data["default_journal_cash"]
        # Core wants one cash journal per register.
        for config, journal in (
            (cls.clothes, cash_journal),
            (cls.furniture, cash_journal.copy({"name": "Furniture Cash"})),
        ):
            config.payment_method_ids |= cls.create_payment_method(
                f"Cash {config.name}", journal
            )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Scarf",
                "available_in_pos": True,
                "list_price": 10.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.foreign = cls.fixtures(cls.start_session(cls.clothes, cls.colleague))
        cls.own = cls.fixtures(cls.start_session(cls.furniture, cls.cashier))
        cls.spare = cls.fixtures(cls.start_session(cls.bakery, cls.cashier))

    @classmethod
    def fixtures(cls, session):
        paid = cls.create_paid_order(session)
        paid.action_pos_order_paid()
        draft = cls.env["pos.order"].create(
            {
                "session_id": session.id,
                "amount_tax": 0.0,
                "amount_total": 10.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
                "lines": [Command.create(cls.line_vals())],
            }
        )
        payment = cls.env["pos.payment"].create(cls.payment_vals(draft, 4.0))
        return SimpleNamespace(session=session, paid=paid, draft=draft, payment=payment)

    @classmethod
    def line_vals(cls, **vals):
        return {
            "product_id": cls.product.id,
            "qty": 1,
            "price_unit": 10.0,
            "price_subtotal": 10.0,
            "price_subtotal_incl": 10.0,
            **vals,
        }

    @classmethod
    def payment_vals(cls, order, amount):
        return {
            "pos_order_id": order.id,
            "amount": amount,
            "payment_method_id": cls.bank_method.id,
        }

    # Scenarios: who sells, in which session

    def scenario(self, name):
        """Set up ``name``; return the user who sells and the fixtures of the
        session they sell in."""
        everything = self.bakery | self.clothes | self.furniture
        own_registers = self.bakery | self.furniture
        if name == "view_only":
            self.restrict(self.cashier, view=everything, access=own_registers)
        elif name == "hidden":
            self.restrict(self.cashier, view=own_registers, access=own_registers)
        elif name == "locked_out":
            self.restrict(self.cashier, lock_foreign=True)
        elif name == "joined_then_revoked":
            self.clothes.with_user(self.cashier).open_ui()
            self.restrict_fully(self.cashier, self.bakery)
        elif name == "own_then_revoked":
            self.restrict_fully(self.cashier, self.bakery)
            return self.cashier, self.own
        elif name == "administrator":
            self.restrict(self.manager, view=self.bakery, lock_foreign=True)
            return self.manager, self.foreign
        elif name == "switch_off":
            self.restrict_fully(self.cashier, self.bakery)
            self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        return self.cashier, self.foreign

    def as_user(self, fixtures, user):
        return SimpleNamespace(
            **{name: record.with_user(user) for name, record in vars(fixtures).items()},
            env=self.env(user=user),
            spare=self.spare.session.with_user(user),
            spare_draft=self.spare.draft.with_user(user),
        )

    # What a sale changes

    def holdings(self, session):
        """What ``session`` holds, read from the database as an administrator."""
        self.env.invalidate_all()
        session = session.sudo()
        orders = self.env["pos.order"].sudo().search([("session_id", "=", session.id)])
        return {
            "orders": sorted(orders.mapped(lambda o: (o.id, o.state, o.amount_total))),
            "lines": sorted(orders.lines.mapped(lambda line: (line.id, line.qty))),
            "payments": sorted(orders.payment_ids.mapped(lambda p: (p.id, p.amount))),
            "statement_lines": sorted(session.statement_line_ids.ids),
        }

    def assertSelling(self, sell, unseen_when_hidden=False, held=False):
        """``sell(fixtures)`` changes what the session holds in each scenario
        the rule allows; in the others it is refused with the addon's error
        and its rule, logged as a sale, and changes nothing.

        ``unseen_when_hidden``: core looks the records up by a search, which
        finds nothing in a hidden session, so that nothing is refused there and
        nothing changes.

        ``held``: ``sell`` sends a paid sale and returns what it sent; where the
        rule refuses it, the sale is held for an administrator instead, the
        refusal logged, and the session changes nothing."""
        for name, rule in SCENARIOS.items():
            with self.subTest(scenario=name), closing(self.env.cr.savepoint()):
                user, fixtures = self.scenario(name)
                if held and rule:
                    self.assertSaleHeld(sell, self.as_user(fixtures, user), rule)
                else:
                    self.assertSale(
                        sell,
                        self.as_user(fixtures, user),
                        rule,
                        name == "hidden" and unseen_when_hidden,
                    )
            # The rollback left the restrictions cached as the scenario set them.
            self.env.registry.clear_cache()
            self.env.invalidate_all()

    def assertSale(self, sell, fixtures, rule, unseen):
        self.env.invalidate_all()
        before = self.holdings(fixtures.session)
        with self.watch_log("_log_refusal") as log_refusal:
            if rule is None:
                with self.env.cr.savepoint():
                    sell(fixtures)
                self.assertNotEqual(self.holdings(fixtures.session), before)
                log_refusal.assert_not_called()
                return
            if unseen:
                # Whatever core does instead (nothing, or a new order whose
                # uuid is taken), the session is untouched.
                with (
                    suppress(psycopg2.IntegrityError),
                    mute_logger("odoo.sql_db"),
                    self.env.cr.savepoint(),
                ):
                    sell(fixtures)
                self.assertEqual(self.holdings(fixtures.session), before)
                log_refusal.assert_not_called()
                return
            with (
                self.assertRaises(PosSessionRestrictionError) as caught,
                self.env.cr.savepoint(),
            ):
                sell(fixtures)
        self.assertEqual(caught.exception.rule, rule)
        self.assertEqual(self.holdings(fixtures.session), before)
        _log, refusal, action, config, session = log_refusal.call_args.args
        self.assertEqual(
            (refusal.rule, action, config, session),
            (rule, "sell", fixtures.session.sudo().config_id, fixtures.session),
        )

    def watch_log(self, method):
        """Record the calls of the restriction log's ``method``, still made."""
        return patch.object(
            PosRestrictionLog,
            method,
            autospec=True,
            side_effect=getattr(PosRestrictionLog, method),
        )

    def assertSaleHeld(self, sell, fixtures, rule):
        """``sell(fixtures)`` sends a paid sale the rule refuses: held for an
        administrator, its refusal logged, the session unchanged."""
        before = self.holdings(fixtures.session)
        with self.watch_log("_log_refusal_kept") as log_refusal:
            payload = sell(fixtures)
        self.assertEqual(self.holdings(fixtures.session), before)
        held = self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])
        self.assertRecordValues(
            held,
            [
                {
                    "state": "held",
                    "user_id": fixtures.env.uid,
                    "amount_total": payload["amount_total"],
                }
            ],
        )
        _log, refusal, action, config, session = log_refusal.call_args.args
        self.assertEqual(
            (refusal.rule, action, config, session),
            (rule, "sell", fixtures.session.sudo().config_id, fixtures.session),
        )
