import csv
import inspect
import io
import json
import warnings
import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.res_users import ENABLED_PARAM, RESTRICTION_FIELDS
from .common import (
    CALLER_CONTEXT,
    ERROR_NAME,
    MSG_HIDDEN,
    MSG_NOT_OPERABLE,
    MSG_OWN_NAME,
    MSG_SETTINGS,
    XMLRPC_LOGGER,
    PosRestrictionHttpCommon,
)

ACCESS_ERROR = "odoo.exceptions.AccessError"
SESSION_EXPIRED = "odoo.http.SessionExpiredException"
# XML-RPC tells errors apart by fault code only (addons/rpc/controllers/xmlrpc.py):
# 2 for a UserError, the addon's refusal included, 3 AccessDenied, 4 AccessError.
FAULT_NAMES = {
    2: "UserError",
    3: "odoo.exceptions.AccessDenied",
    4: ACCESS_ERROR,
}
# What a refusal looks like on each transport.
REFUSAL_NAMES = {
    "call_kw": ERROR_NAME,
    "call_button": ERROR_NAME,
    "json2": ERROR_NAME,
    "xmlrpc": "UserError",
}
TRANSPORTS = tuple(REFUSAL_NAMES)
# Reads and settings: the web client's call_kw and the two external APIs.
DATA_TRANSPORTS = ("call_kw", "json2", "xmlrpc")
SESSION_FIELDS = [
    "state",
    "user_id",
    "config_id",
    "name",
    "start_at",
    "stop_at",
    "opening_notes",
    "closing_notes",
    "cash_register_balance_start",
    "cash_register_balance_end_real",
    "order_ids",
    "statement_line_ids",
]
ACCESS_MESSAGE = r"not allowed to|enough rights"
# Deprecated since 19.0 but still served: the suite checks that it leaks nothing.
READ_GROUP_DEPRECATION = r"Since 19\.0, read_group is deprecated"


def rpc_command(command):
    """``command`` as XML-RPC can send it: plain integers, no enum."""
    return [int(command[0]), *command[1:]]


@tagged("post_install", "-at_install")
class TestAttackSuite(PosRestrictionHttpCommon):
    """Every way in, tried as a restricted cashier over real HTTP: typed URLs,
    JSON-RPC (``call_kw`` and ``call_button``, how dashboard and form buttons
    call), Odoo 19's JSON-2 API with an API key, and XML-RPC (``execute_kw``).
    Each attempt is refused with the
    addon's message, or an access error for data and settings, and leaves
    every session, order, restriction and setting as it was.

    The cashier sees the Bakery, the Clothes shop and the Market stall,
    operates the Bakery and the Market stall, does not see the Furniture shop
    and may not touch sessions others opened. The colleague has started a
    session with an order on the Bakery and on the Furniture shop, and holds
    an unstarted one on the Market stall. Nothing is free to open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.market = cls.env["pos.config"].create(
            {
                "name": "Market Stall",
                "journal_id": cls.company_data["default_journal_sale"].id,
                "payment_method_ids": [Command.set(cls.bank_method.ids)],
            }
        )
        cls.started = cls.open_session(cls.bakery, cls.colleague)
        cls.started.with_user(cls.colleague).set_opening_control(0, "")
        cls.hidden_session = cls.open_session(cls.furniture, cls.colleague)
        cls.hidden_session.with_user(cls.colleague).set_opening_control(0, "")
        cls.unstarted = cls.open_session(cls.market, cls.colleague)
        cls.visible_order = cls.create_paid_order(cls.started)
        cls.hidden_order = cls.create_paid_order(cls.hidden_session)
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes | cls.market,
            access=cls.bakery | cls.market,
            lock_foreign=True,
        )
        # The worst case: a cashier allowed to export.
        cls.cashier.group_ids |= cls.env.ref("base.group_allow_export")
        cls.portal = new_test_user(cls.env, "psr_portal", groups="base.group_portal")
        # API keys for the JSON-2 API, as each user could make their own.
        expiry = fields.Datetime.now() + timedelta(hours=12)
        cls.api_keys = {
            user.login: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(None, "attack", expiry)
            for user in (cls.cashier, cls.colleague, cls.portal)
        }

    def setUp(self):
        super().setUp()
        self.login_as("psr_cashier")

    # Helpers

    def login_as(self, login):
        """Log the test client in as ``login`` (anonymous when None); XML-RPC
        calls use the same user."""
        self.authenticate(login, login)
        self.login = login

    def call(self, transport, model, method, args, kwargs=None):
        """Call ``model.method`` as the logged-in user through ``transport``;
        return ``(result, error)``, ``error`` being ``(name, message)``."""
        kwargs = kwargs or {}
        if transport == "xmlrpc":
            return self.call_xmlrpc(model, method, args, kwargs)
        if transport == "json2":
            return self.call_json2(model, method, args, kwargs)
        body = self.rpc(transport, model, method, args, **kwargs)
        if "error" in body:
            return None, (
                body["error"]["data"]["name"],
                body["error"]["data"]["message"],
            )
        return body.get("result"), None

    def call_xmlrpc(self, model, method, args, kwargs):
        uid = self.env["res.users"].search([("login", "=", self.login)]).id
        try:
            result = self.xmlrpc_object.execute_kw(
                get_db_name(), uid, self.login, model, method, args, kwargs
            )
        except xmlrpc.client.Fault as fault:
            result, error = (
                None,
                (
                    FAULT_NAMES.get(fault.faultCode, fault.faultCode),
                    fault.faultString,
                ),
            )
        else:
            error = None
        self.env.invalidate_all()
        return result, error

    def call_json2(self, model, method, args, kwargs):
        """Odoo 19's external API: ids and arguments by name, an API key."""
        kwargs = dict(kwargs)
        context = kwargs.pop("context", {})
        function = getattr(self.registry[model], method)
        if hasattr(function, "_api_model"):
            ids = []
        else:
            ids, *args = args
        params = inspect.signature(function).bind(None, *args, **kwargs).arguments
        params.pop(next(iter(params)))  # self
        response = self.url_open(
            f"/json/2/{model}/{method}",
            json={"ids": ids, "context": context, **params},
            headers={"Authorization": f"bearer {self.api_keys[self.login]}"},
        )
        self.env.invalidate_all()
        self.assertLess(response.status_code, 500, "a refusal is never a crash")
        body = response.json()
        if response.status_code != 200:
            return None, (body["name"], body["message"])
        return body, None

    def snapshot(self):
        """Everything an attack could create or change, read as superuser."""
        self.env.invalidate_all()
        Session = self.env["pos.session"].with_context(active_test=False)
        Order = self.env["pos.order"].with_context(active_test=False)
        return {
            "sessions": Session.search_read([], SESSION_FIELDS, order="id"),
            "orders": Order.search_read([], ["state", "session_id"], order="id"),
            "cashier": self.cashier.read([*sorted(RESTRICTION_FIELDS), "tz"]),
            "switch": self.env["ir.config_parameter"].get_param(ENABLED_PARAM),
        }

    def assertAttackFails(self, transport, vector, expected_name, message):
        """Run ``vector`` (model, method, args, kwargs): refused with
        ``expected_name`` and ``message`` (exact for the addon's refusal, a
        regex otherwise), nothing created or changed."""
        before = self.snapshot()
        result, error = self.call(transport, *vector)
        self.assertIsNotNone(error, f"the call went through and returned {result!r}")
        name, text = error
        self.assertEqual(name, expected_name, text)
        if expected_name in (ERROR_NAME, "UserError"):
            self.assertEqual(text, message)
        else:
            self.assertRegex(text, message)
        self.assertEqual(self.snapshot(), before)

    def foreign(self, session):
        self.env.invalidate_all()
        return self.foreign_message(session)

    # Vectors

    def url_vectors(self):
        """(url, message): every route of the POS app, on registers the cashier
        may not open, see or resume."""
        clothes, furniture = self.clothes.id, self.furniture.id
        not_operable = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        return [
            (f"/pos/ui?config_id={clothes}", not_operable),
            (f"/pos/web?config_id={clothes}", not_operable),
            (f"/pos/ui/{clothes}", not_operable),
            (f"/pos/ui/{clothes}/product-screen?from_backend=True", not_operable),
            (f"/pos/ui?config_id={furniture}", MSG_HIDDEN),
            (f"/pos/ui/{furniture}", MSG_HIDDEN),
            (f"/pos/ui/{self.bakery.id}?from_backend=True", self.foreign(self.started)),
            (f"/pos/web?config_id={self.bakery.id}", self.foreign(self.started)),
            (f"/pos/ui/{self.market.id}/payment", self.foreign(self.unstarted)),
        ]

    def rpc_vectors(self):
        """(label, (model, method, args, kwargs), message): every model method
        that opens, resumes, starts, moves or closes a session."""
        started, unstarted = self.started, self.unstarted
        foreign_started = self.foreign(started)
        foreign_unstarted = self.foreign(unstarted)
        not_operable = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        bakery_own_name = MSG_OWN_NAME.format(pos="Bakery Shop")
        config, session = "pos.config", "pos.session"
        return [
            # Opening and resuming
            (
                "open_ui, not operable",
                (config, "open_ui", [self.clothes.ids]),
                not_operable,
            ),
            ("open_ui, hidden", (config, "open_ui", [self.furniture.ids]), MSG_HIDDEN),
            (
                "open_ui, resume",
                (config, "open_ui", [self.bakery.ids]),
                foreign_started,
            ),
            (
                "open_existing_session_cb",
                (config, "open_existing_session_cb", [self.bakery.ids]),
                foreign_started,
            ),
            (
                "res.config.settings.pos_open_ui",
                (
                    "res.config.settings",
                    "pos_open_ui",
                    [[]],
                    {"context": {"pos_config_id": self.clothes.id}},
                ),
                not_operable,
            ),
            (
                "create, not operable",
                (session, "create", [{"config_id": self.clothes.id}]),
                not_operable,
            ),
            (
                "create, colleague's name",
                (
                    session,
                    "create",
                    [{"config_id": self.bakery.id, "user_id": self.colleague.id}],
                ),
                bakery_own_name,
            ),
            ("copy", (session, "copy", [started.ids]), bakery_own_name),
            # Moving a session between states, cashiers and registers
            (
                "write state",
                (session, "write", [started.ids, {"state": "closed"}]),
                foreign_started,
            ),
            (
                "write user_id",
                (session, "write", [started.ids, {"user_id": self.cashier.id}]),
                foreign_started,
            ),
            (
                "write config_id",
                (session, "write", [started.ids, {"config_id": self.market.id}]),
                foreign_started,
            ),
            # Starting
            (
                "set_opening_control",
                (session, "set_opening_control", [unstarted.ids, 0, ""]),
                foreign_unstarted,
            ),
            (
                "action_pos_session_open",
                (session, "action_pos_session_open", [unstarted.ids]),
                foreign_unstarted,
            ),
            (
                "open_frontend_cb",
                (session, "open_frontend_cb", [unstarted.ids]),
                foreign_unstarted,
            ),
            # Closing
            (
                "get_closing_control_data",
                (session, "get_closing_control_data", [started.ids]),
                foreign_started,
            ),
            (
                "update_closing_control_state_session",
                (session, "update_closing_control_state_session", [started.ids, "x"]),
                foreign_started,
            ),
            (
                "post_closing_cash_details",
                (session, "post_closing_cash_details", [started.ids, 0]),
                foreign_started,
            ),
            (
                "close_session_from_ui",
                (session, "close_session_from_ui", [started.ids]),
                foreign_started,
            ),
            (
                "action_pos_session_closing_control",
                (session, "action_pos_session_closing_control", [started.ids]),
                foreign_started,
            ),
            (
                "action_pos_session_validate",
                (session, "action_pos_session_validate", [started.ids]),
                foreign_started,
            ),
            (
                "action_pos_session_close",
                (session, "action_pos_session_close", [started.ids]),
                foreign_started,
            ),
            (
                "delete_opening_control_session",
                (session, "delete_opening_control_session", [unstarted.ids]),
                foreign_unstarted,
            ),
            # Context keys a caller could add
            (
                "open_ui, caller context",
                (config, "open_ui", [self.clothes.ids], {"context": CALLER_CONTEXT}),
                not_operable,
            ),
            (
                "close_session_from_ui, caller context",
                (
                    session,
                    "close_session_from_ui",
                    [started.ids],
                    {"context": CALLER_CONTEXT},
                ),
                foreign_started,
            ),
            (
                "create, register from default_config_id",
                (
                    session,
                    "create",
                    [{}],
                    {"context": {"default_config_id": self.clothes.id}},
                ),
                not_operable,
            ),
            (
                "create, cashier from default_user_id",
                (
                    session,
                    "create",
                    [{"config_id": self.bakery.id}],
                    {
                        "context": {
                            "default_user_id": self.colleague.id,
                            "onboarding_creation": True,
                        }
                    },
                ),
                bakery_own_name,
            ),
        ]

    def self_service_vectors(self):
        """(label, (model, method, args, kwargs)): a cashier lifting their own
        restrictions, as a preference or otherwise, or the global switch."""
        own = [self.cashier.id]
        param = self.env["ir.config_parameter"].search([("key", "=", ENABLED_PARAM)])
        return [
            *(
                (f"write {field}", ("res.users", "write", [own, {field: value}]))
                for field, value in (
                    ("pos_view_config_ids", [rpc_command(Command.clear())]),
                    (
                        "pos_access_config_ids",
                        [rpc_command(Command.link(self.clothes.id))],
                    ),
                    ("pos_lock_foreign_sessions", False),
                    ("pos_single_session", True),
                )
            ),
            (
                "preferences with a restriction field",
                (
                    "res.users",
                    "web_save",
                    [
                        own,
                        {"tz": "Europe/Brussels", "pos_lock_foreign_sessions": False},
                    ],
                    {"specification": {"tz": {}}},
                ),
            ),
            (
                "allowed users on the register",
                (
                    "pos.config",
                    "write",
                    [
                        self.clothes.ids,
                        {"pos_access_user_ids": [rpc_command(Command.clear())]},
                    ],
                ),
            ),
            (
                "set_param",
                ("ir.config_parameter", "set_param", [ENABLED_PARAM, "False"]),
            ),
            (
                "parameter write",
                ("ir.config_parameter", "write", [param.ids, {"value": "False"}]),
            ),
            (
                "settings",
                (
                    "res.config.settings",
                    "create",
                    [{"pos_session_restriction_enabled": False}],
                ),
            ),
        ]

    def hidden_data(self):
        """(model, field to group by, visible records, hidden records)."""
        Report = self.env["report.pos.order"]
        visible_sessions = self.started | self.unstarted
        return [
            (
                "pos.config",
                "name",
                self.bakery | self.clothes | self.market,
                self.furniture,
            ),
            ("pos.session", "config_id", visible_sessions, self.hidden_session),
            ("pos.order", "config_id", self.visible_order, self.hidden_order),
            (
                "pos.payment",
                "session_id",
                self.visible_order.payment_ids,
                self.hidden_order.payment_ids,
            ),
            (
                "report.pos.order",
                "config_id",
                Report.search([("order_id", "=", self.visible_order.id)]),
                Report.search([("order_id", "=", self.hidden_order.id)]),
            ),
        ]

    # Tests

    def test_every_url_to_a_forbidden_register_is_refused_and_changes_nothing(self):
        for url, message in self.url_vectors():
            with self.subTest(url=url):
                before = self.snapshot()
                self.assertUrlRefused(self.open_url(url), message)
                self.assertEqual(self.snapshot(), before)

    @mute_logger(XMLRPC_LOGGER)
    def test_every_session_method_is_refused_on_every_transport(self):
        for label, vector, message in self.rpc_vectors():
            for transport in TRANSPORTS:
                with self.subTest(vector=label, transport=transport):
                    self.assertAttackFails(
                        transport, vector, REFUSAL_NAMES[transport], message
                    )

    @mute_logger(XMLRPC_LOGGER)
    def test_owner_makes_the_same_calls_on_own_sessions_on_every_transport(self):
        self.login_as("psr_colleague")
        allowed = [
            ("pos.config", "open_ui", [self.bakery.ids]),
            ("pos.config", "open_existing_session_cb", [self.bakery.ids]),
            ("pos.session", "open_frontend_cb", [self.unstarted.ids]),
            ("pos.session", "write", [self.started.ids, {"state": "opened"}]),
        ]
        count = self.session_count()
        for vector in allowed:
            for transport in TRANSPORTS:
                with self.subTest(method=vector[1], transport=transport):
                    __, error = self.call(transport, *vector)
                    self.assertIsNone(error)
                    self.assertEqual(self.session_count(), count)
        self.assertEqual(self.started.state, "opened")
        self.assertEqual(self.unstarted.state, "opening_control")

    # Core logs as a warning each AccessError it answers: naming hidden
    # records is one.
    @mute_logger("odoo.http", XMLRPC_LOGGER)
    def test_hidden_records_do_not_leak_through_reads_groups_or_exports(self):
        for model, groupby, visible, hidden in self.hidden_data():
            self.assertTrue(visible and hidden, model)
            for transport in DATA_TRANSPORTS:
                with self.subTest(model=model, transport=transport):
                    ids = self.assertOnlyVisibleRead(
                        transport, model, groupby, visible, hidden
                    )
                    # Naming hidden records outright is an access error.
                    for method, args in (
                        ("read", [hidden.ids, ["display_name"]]),
                        ("export_data", [hidden.ids, ["display_name"]]),
                    ):
                        result, error = self.call(transport, model, method, args)
                        self.assertEqual(error and error[0], ACCESS_ERROR, result)
                    # Exporting what the search found exports the visible only.
                    result, error = self.call(
                        transport, model, "export_data", [sorted(ids), [".id"]]
                    )
                    self.assertIsNone(error)
                    self.assertEqual({int(row[0]) for row in result["datas"]}, ids)
            with self.subTest(model=model, transport="/web/export/csv"):
                self.assertEqual(self.export_csv(model), ids)

    def assertOnlyVisibleRead(self, transport, model, groupby, visible, hidden):
        """search_read and every grouped read as the cashier show ``visible``,
        never ``hidden``; return the ids the search found."""
        result, error = self.call(transport, model, "search_read", [[], ["id"]])
        self.assertIsNone(error)
        ids = {row["id"] for row in result}
        self.assertLessEqual(set(visible.ids), ids)
        self.assertFalse(ids & set(hidden.ids))
        result, error = self.call(
            transport, model, "search_read", [[("id", "in", hidden.ids)], ["id"]]
        )
        self.assertEqual((result, error), ([], None))
        hidden_value = hidden[:1][groupby]
        hidden_key = hidden_value if groupby == "name" else hidden_value.id
        for method, args, kwargs in (
            ("formatted_read_group", [[], [groupby], ["__count"]], {}),
            ("web_read_group", [[], [groupby], ["__count"]], {}),
            ("read_group", [[], [groupby], [groupby]], {"lazy": False}),
        ):
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", READ_GROUP_DEPRECATION, DeprecationWarning
                )
                result, error = self.call(transport, model, method, args, kwargs)
            self.assertIsNone(error, method)
            groups = result["groups"] if method == "web_read_group" else result
            keys = {
                value[0] if isinstance(value, list) else value
                for value in (group[groupby] for group in groups)
            }
            self.assertNotIn(hidden_key, keys, method)
            self.assertEqual(
                sum(group["__count"] for group in groups), len(ids), method
            )
        return ids

    def export_csv(self, model):
        """The ids the export dialog exports when nothing is selected."""
        data = {
            "model": model,
            "fields": [{"name": ".id", "label": "ID"}],
            "ids": False,
            "domain": [],
            "import_compat": True,
            "context": CALLER_CONTEXT,
        }
        response = self.url_open(f"/web/export/csv?data={json.dumps(data)}")
        self.assertEqual(response.status_code, 200, response.text)
        rows = list(csv.reader(io.StringIO(response.text)))
        self.assertEqual(rows[0], [".id"])
        return {int(row[0]) for row in rows[1:]}

    # Core logs as a warning each AccessError it answers, the refusals here.
    @mute_logger("odoo.http", XMLRPC_LOGGER)
    def test_cashier_cannot_lift_own_restrictions_or_global_switch(self):
        for label, vector in self.self_service_vectors():
            for transport in DATA_TRANSPORTS:
                with self.subTest(vector=label, transport=transport):
                    if vector[0] == "pos.config":
                        # Deny by default: a register's settings, whatever the
                        # field, are refused by the addon before the field's group.
                        self.assertAttackFails(
                            transport, vector, REFUSAL_NAMES[transport], MSG_SETTINGS
                        )
                    else:
                        self.assertAttackFails(
                            transport, vector, ACCESS_ERROR, ACCESS_MESSAGE
                        )
        # Their real preferences remain theirs to change.
        __, error = self.call(
            "call_kw",
            "res.users",
            "web_save",
            [[self.cashier.id], {"tz": "Europe/Brussels"}],
            {"specification": {"tz": {}}},
        )
        self.assertIsNone(error)
        self.assertEqual(self.cashier.tz, "Europe/Brussels")
        self.assertTrue(self.cashier.sudo().pos_lock_foreign_sessions)

    # Core logs as a warning each AccessError it answers, and the 404 that
    # its POS controller returns instead of raising.
    @mute_logger("odoo.http", XMLRPC_LOGGER)
    def test_portal_user_opens_nothing(self):
        self.login_as("psr_portal")
        for url in (
            f"/pos/ui/{self.market.id}",
            f"/pos/ui/{self.clothes.id}/product-screen",
            f"/pos/ui?config_id={self.clothes.id}",
            f"/pos/web?config_id={self.bakery.id}",
        ):
            with self.subTest(url=url):
                before = self.snapshot()
                response = self.open_url(url)
                # Core answers 404 to anyone but internal users.
                self.assertEqual(response.status_code, 404)
                self.assertEqual(self.snapshot(), before)
        for vector in (
            ("pos.config", "open_ui", [self.clothes.ids]),
            ("pos.config", "search_read", [[], ["name"]]),
            ("pos.session", "create", [{"config_id": self.clothes.id}]),
            ("pos.session", "search_read", [[], ["name"]]),
            ("pos.session", "get_closing_control_data", [self.started.ids]),
        ):
            for transport in DATA_TRANSPORTS:
                with self.subTest(method=vector[1], transport=transport):
                    self.assertAttackFails(
                        transport, vector, ACCESS_ERROR, r"not allowed to access"
                    )

    # Core logs as a warning the AccessDenied of XML-RPC without password.
    @mute_logger("odoo.http", XMLRPC_LOGGER)
    def test_public_user_is_sent_to_login(self):
        self.login_as(None)
        public = self.env.ref("base.public_user")
        for url in (
            f"/pos/ui/{self.clothes.id}",
            f"/pos/ui?config_id={self.clothes.id}",
            f"/pos/web?config_id={self.bakery.id}",
        ):
            with self.subTest(url=url):
                before = self.snapshot()
                response = self.open_url(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])
                self.assertEqual(self.snapshot(), before)
        with self.subTest(transport="call_kw"):
            before = self.snapshot()
            __, error = self.call(
                "call_kw", "pos.config", "open_ui", [self.clothes.ids]
            )
            self.assertEqual(error[0], SESSION_EXPIRED)
            self.assertEqual(self.snapshot(), before)
        with self.subTest(transport="xmlrpc"):
            before = self.snapshot()
            with self.assertRaises(xmlrpc.client.Fault) as caught:
                self.xmlrpc_object.execute_kw(
                    get_db_name(), public.id, "", "pos.config", "open_ui", [[]]
                )
            self.assertEqual(caught.exception.faultCode, 3)  # AccessDenied
            self.assertEqual(self.snapshot(), before)
