"""What the test modules share: the refusal messages, the bases and their
helpers. A test module imports from here, never from another test module."""

import html
import re
from contextlib import contextmanager

from odoo.fields import Command
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..exceptions import PosSessionRestrictionError
from ..models.res_users import ENABLED_PARAM
from .common_benchmark import copy_rows, order_payload

# The refusals, as the addon words them: ``str.format`` templates.
ERROR_NAME = "odoo.addons.pos_session_restriction.exceptions.PosSessionRestrictionError"
MSG_HIDDEN = (
    "You are not allowed to access this Point of Sale. Ask your manager to add it "
    "to your visible Points of Sale."
)
MSG_NOT_OPERABLE = (
    "You are not allowed to operate the Point of Sale '{pos}'. Ask your manager to "
    "add it to your operable Points of Sale."
)
MSG_FOREIGN = (
    "The session {session} on '{pos}' was opened by {user}; you are not allowed to "
    "continue or close it. Ask your manager if you need to take it over."
)
MSG_OWN_NAME = "You may only open a session on '{pos}' in your own name."
MSG_SINGLE = (
    "You already have an open session ({session}) on '{pos}'. Close it before "
    "opening another Point of Sale."
)
MSG_SETTINGS = (
    "Only Point of Sale administrators change the settings of a Point of Sale. "
    "Ask your manager to change them."
)
MSG_HAND_OVER_NOT_OPERABLE = (
    "{user} is not allowed to operate the Point of Sale '{pos}': you cannot hand "
    "it over to them. Choose a colleague who may operate it, or ask your manager "
    "to add it to their operable Points of Sale."
)

DASHBOARD_URL = "/odoo/action-point_of_sale.action_client_pos_menu"
BYPASS_CONTEXT = {"pos_session_restriction_bypass": True, "active_test": False}
# Context keys a caller could add, hoping to slip past a check.
CALLER_CONTEXT = {
    "pos_session_restriction_bypass": True,
    "active_test": False,
    "onboarding_creation": True,
    "install_mode": True,
    "tracking_disable": True,
    "su": True,
    "sudo": True,
    "uid": 1,
    "pos_config_id": False,
}
# Odoo 19 still serves XML-RPC, which the tests use as an external client
# would, but logs a deprecation warning for each call there.
XMLRPC_LOGGER = "odoo.addons.rpc.controllers.xmlrpc"
# The tours where the manager changes the cashier's restrictions, "from another
# device", call /jsonrpc (static/tests/tours/utils/restriction_util.esm.js),
# which Odoo 19 still serves but logs as deprecated at each call.
JSONRPC_LOGGER = "odoo.addons.rpc.controllers.jsonrpc"


def refusal_regex(template, **values):
    """``template`` as a regular expression: the fields given in ``values``
    filled in, any other field matching any text."""
    return "".join(
        (re.escape(values[part[1:-1]]) if part[1:-1] in values else ".+")
        if part.startswith("{")
        else re.escape(part)
        for part in re.split(r"(\{\w+\})", template)
    )


# The refusals met on the Bakery session the colleague opened.
OPERATE_REFUSAL = refusal_regex(MSG_NOT_OPERABLE, pos="Bakery Shop")
FOREIGN_REFUSAL = refusal_regex(MSG_FOREIGN, pos="Bakery Shop", user="Colin Colleague")
HIDDEN_REFUSAL = re.escape(MSG_HIDDEN)


class PosRestrictionCommon(AccountTestInvoicingCommon):
    """Three registers, a POS administrator, a cashier to restrict and a
    colleague who opens sessions the cashier did not open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("point_of_sale.group_pos_manager")
        cls.env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
        cls.bank_method = cls.create_payment_method(
            "Bank", cls.company_data["default_journal_bank"]
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
    def create_payment_method(cls, name, journal):
        """A payment method ``name`` into ``journal``."""
        return cls.env["pos.payment.method"].create(
            {
                "name": name,
                "journal_id": journal.id,
                "receivable_account_id": cls.company_data[
                    "default_account_receivable"
                ].id,
            }
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
    def restrict_fully(cls, user, config):
        """Every restriction on ``user``, who sees and operates ``config`` only."""
        cls.restrict(user, view=config, access=config, lock_foreign=True, single=True)

    @classmethod
    def open_session(cls, config, user):
        """Open ``config`` the way the dashboard does, as ``user``."""
        config.with_user(user).open_ui()
        return config.current_session_id

    @classmethod
    def start_session(cls, config, user):
        """Open ``config`` and count the opening float, as ``user``."""
        session = cls.open_session(config, user)
        session.with_user(user).set_opening_control(0, "")
        return session

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
        """An order of one ``product`` at 10, paid by bank, as the POS app of
        ``user`` sends it to ``pos.order.sync_from_ui``; ``options`` as
        ``common_benchmark.order_payload``'s."""
        return order_payload(session, user, product, cls.bank_method, 10.0, **options)

    def assertRefused(self, message):
        """Expect the addon's refusal, with a message matching ``message``."""
        return self.assertRaisesRegex(PosSessionRestrictionError, message)

    def sync_order(self, session, user, method=None, state="paid", product=None):
        """One order of 10 of ``product`` (``product_a`` by default) sent by the
        POS app of ``user`` in a request of its own (hence with a fresh cache),
        paid with ``method`` (bank by default), or left as a draft. Returns the
        orders synced."""
        payload = self.order_payload(
            session, user, product or self.product_a, state=state
        )
        for _command, _id, payment in payload["payment_ids"]:
            payment["payment_method_id"] = (method or self.bank_method).id
        self.env.invalidate_all()
        result = self.env["pos.order"].with_user(user).sync_from_ui([payload])
        return self.env["pos.order"].browse(
            [order["id"] for order in result["pos.order"]]
        )

    def journal(self, session=None):
        """The journal (of ``session``, or all of it), newest first, read as the
        superuser."""
        self.env.invalidate_all()
        domain = [("session_id", "=", session.id)] if session else []
        return self.env["pos.session.event"].sudo().search(domain)

    def events(self, session, *field_names):
        """``(event, user, *field_names)`` of each journal entry of
        ``session``, oldest first."""
        return [
            (entry.event, entry.user_id, *(entry[name] for name in field_names))
            for entry in reversed(self.journal(session))
        ]


class PosRestrictionHttpCommon(PosRestrictionCommon, HttpCase):
    """``PosRestrictionCommon`` served over real HTTP, as core combines
    ``AccountTestInvoicingCommon`` with ``HttpCase``."""

    def session_count(self):
        self.env.invalidate_all()
        return self.env["pos.session"].search_count([])

    def session_state(self, session):
        """What a refusal must leave untouched: state, cashier and register."""
        self.env.invalidate_all()
        return session.read(["state", "user_id", "config_id"])

    def foreign_message(self, session):
        return MSG_FOREIGN.format(
            session=session._pos_restriction_label(),
            pos=session.config_id.name,
            user=session.user_id.name,
        )

    def log_entries(self):
        self.env.invalidate_all()
        # sudo: the test reads the log whoever runs it
        return self.env["pos.restriction.log"].sudo().search([])

    # URLs

    def open_url(self, url, **kwargs):
        response = self.url_open(url, **kwargs)
        self.env.invalidate_all()
        return response

    def assertUrlRefused(self, response, message):
        """The addon's 403 page, with ``message`` and a way back to the dashboard."""
        self.assertEqual(response.status_code, 403)
        page = html.unescape(response.text)
        self.assertIn("o_pos_session_restriction_refused", page)
        self.assertIn(message, page)
        self.assertIn(f'href="{DASHBOARD_URL}"', page)

    def assertPosPage(self, response, session):
        """The POS app, loaded on ``session``."""
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("o_pos_session_restriction_refused", response.text)
        self.assertRegex(
            html.unescape(response.text), rf'"pos_session_id": {session.id}\b'
        )

    # JSON-RPC

    def call_kw(self, model, method, args, **kwargs):
        """Call ``model.method`` the way the web client does; return the
        decoded JSON-RPC response."""
        return self.rpc("call_kw", model, method, args, **kwargs)

    def rpc(self, route, model, method, args, headers=None, **kwargs):
        """Call ``model.method`` through ``/web/dataset/<route>`` (``call_kw``,
        or ``call_button`` as the form and dashboard buttons do); return the
        decoded JSON-RPC response. A refusal is never an HTTP error."""
        response = self.url_open(
            f"/web/dataset/{route}/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            },
            headers=headers,
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        return response.json()

    def assertRpcRefused(self, response, message):
        """The JSON error the POS frontend recognises, with ``message``."""
        self.assertIn("error", response, "the call should have been refused")
        self.assertEqual(response["error"]["data"]["name"], ERROR_NAME)
        self.assertEqual(response["error"]["data"]["message"], message)

    def assertRpcResult(self, response):
        """The call went through; its result (absent when the method returns
        nothing)."""
        self.assertNotIn("error", response, response.get("error", {}).get("data"))
        return response.get("result")

    # XML-RPC

    def execute_kw(self, login, model, method, args, kwargs=None):
        user = self.env["res.users"].search([("login", "=", login)])
        result = self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, login, model, method, args, kwargs or {}
        )
        self.env.invalidate_all()
        return result


@tagged("post_install", "-at_install")
class SessionRestrictionCase(PosRestrictionCommon):
    """Bakery counts its cash, like a real shop, so that every step of the
    closing popup (counted cash included) runs against it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cash_method = cls.create_payment_method(
            "Cash", cls.company_data["default_journal_cash"]
        )
        cls.bakery.payment_method_ids |= cls.cash_method

    def refusals(self):
        """The two ways the cashier is refused a session the colleague opened on
        Bakery: the register is not operable, or colleagues' sessions are locked."""
        return (
            ("register not operable", {"access": self.clothes}, OPERATE_REFUSAL),
            ("foreign sessions locked", {"lock_foreign": True}, FOREIGN_REFUSAL),
        )

    def session_snapshot(self, session):
        """What a refused call must leave untouched, read from the database."""
        self.env.invalidate_all()
        session = session.sudo().exists()
        if not session:
            return None
        return {
            "state": session.state,
            "user_id": session.user_id,
            "name": session.name,
            "start_at": session.start_at,
            "stop_at": session.stop_at,
            "closing_notes": session.closing_notes,
            "cash_register_balance_end_real": session.cash_register_balance_end_real,
            "statement_line_ids": session.statement_line_ids,
            "order_ids": session.order_ids,
        }

    @contextmanager
    def assertSessionUnchanged(self, session):
        before = self.session_snapshot(session)
        self.assertIsNotNone(before, "The session under test must exist.")
        yield
        self.assertEqual(self.session_snapshot(session), before)

    def assertCashierRefused(self, session, operation):
        """Run ``operation(session)`` as the cashier under each refusal and check
        it raises the refusal's message and changes nothing."""
        for case, restriction, message in self.refusals():
            with self.subTest(case=case):
                self.restrict(self.cashier, **restriction)
                with self.assertSessionUnchanged(session), self.assertRefused(message):
                    operation(session.with_user(self.cashier))

    def close_from_pos_app(self, session, user, notes="Counted"):
        """Walk the closing popup of the POS app as ``user``."""
        session = session.with_user(user)
        session.get_closing_control_data()
        self.assertTrue(session.post_closing_cash_details(0)["successful"])
        session.update_closing_control_state_session(notes)
        self.assertEqual(session.state, "closing_control")
        return session.close_session_from_ui()


class JournalCase(PosRestrictionCommon):
    @classmethod
    def setup_cash_register(cls, config):
        """Let ``config`` count cash, and the cashier move it (core wants
        accounting rights for that, and more to delete a cash move)."""
        config.payment_method_ids |= cls.create_payment_method(
            f"Cash {config.name}", cls.company_data["default_journal_cash"]
        )
        cls.cashier.group_ids |= cls.env.ref("account.group_account_basic")


class QueryBudgetCase(PosRestrictionCommon):
    """What the query budgets share: what the web client asks for a view, and
    registers and paid orders copied in SQL, by the hundred, from records made
    through the ORM."""

    @classmethod
    def view_specification(cls, view_xmlid, user):
        """What the web client of ``user`` asks to read the records of a view:
        each field of the view, many2one fields with their display name."""
        view = cls.env.ref(view_xmlid)
        views = cls.env[view.model].with_user(user).get_views([(view.id, view.type)])
        return {
            name: {"fields": {"display_name": {}}}
            if field["type"] == "many2one"
            else {}
            for name, field in views["models"][view.model]["fields"].items()
        }

    @classmethod
    def copy_registers(cls, count, name):
        """``count`` copies of Furniture, each with its own access token, named
        by ``name``, an SQL expression of ``g`` (see ``copy_rows``)."""
        return copy_rows(
            cls.env,
            "pos.config",
            cls.furniture.id,
            count,
            name=name,
            access_token=SQL("md5(random()::text)"),
        )

    @classmethod
    def copy_paid_order(cls, order, sessions, configs, **overrides):
        """A copy of ``order`` and of its payment in each of ``sessions``, on
        the register at the same place in ``configs``; ``overrides`` as
        ``copy_rows``'s, for the orders. Returns the new orders."""
        session_ids = SQL("(%s::int[])[g]", list(sessions))
        config_ids = SQL("(%s::int[])[g]", list(configs))
        orders = copy_rows(
            cls.env,
            "pos.order",
            order.id,
            len(sessions),
            session_id=session_ids,
            config_id=config_ids,
            uuid=SQL("md5(random()::text)"),
            **overrides,
        )
        copy_rows(
            cls.env,
            "pos.payment",
            order.payment_ids.id,
            len(sessions),
            pos_order_id=SQL("(%s::int[])[g]", orders),
            session_id=session_ids,
            pos_config_id=config_ids,
            uuid=SQL("md5(random()::text)"),
        )
        return orders
