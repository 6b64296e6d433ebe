import xmlrpc.client

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import (
    BYPASS_CONTEXT,
    DASHBOARD_URL,
    MSG_HAND_OVER_NOT_OPERABLE,
    MSG_HIDDEN,
    MSG_NOT_OPERABLE,
    MSG_OWN_NAME,
    MSG_SINGLE,
    XMLRPC_LOGGER,
    PosRestrictionHttpCommon,
)


@tagged("post_install", "-at_install")
class TestPosUrlRestriction(PosRestrictionHttpCommon):
    """Typed URLs to the POS app: the cashier sees the Bakery and the Clothes
    shops, operates only the Bakery, and does not see the Furniture shop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, view=cls.bakery | cls.clothes, access=cls.bakery)

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")

    def test_cashier_cannot_open_non_operable_register_via_url(self):
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.clothes.id}")
        self.assertUrlRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)
        self.assertFalse(self.clothes.current_session_id)

    def test_cashier_cannot_open_non_operable_register_via_url_with_subpath(self):
        count = self.session_count()
        response = self.open_url(
            f"/pos/ui/{self.clothes.id}/product-screen?from_backend=True"
        )
        self.assertUrlRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)

    def test_cashier_cannot_open_non_operable_register_via_legacy_urls(self):
        count = self.session_count()
        for route in ("/pos/ui", "/pos/web"):
            with self.subTest(route=route):
                response = self.open_url(f"{route}?config_id={self.clothes.id}")
                self.assertUrlRefused(
                    response, MSG_NOT_OPERABLE.format(pos="Clothes Shop")
                )
                self.assertEqual(self.session_count(), count)

    def test_legacy_url_without_register_redirects_to_dashboard(self):
        # Core needs a config to open anything; without one it goes back to the
        # dashboard, even when the cashier has a session of their own.
        session = self.open_session(self.bakery, self.cashier)
        before = self.session_state(session)
        count = self.session_count()
        for route in ("/pos/ui", "/pos/web"):
            with self.subTest(route=route):
                response = self.open_url(route, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertTrue(response.headers["Location"].endswith(DASHBOARD_URL))
                self.assertEqual(self.session_count(), count)
                self.assertEqual(self.session_state(session), before)

    def test_cashier_cannot_open_hidden_register_via_url(self):
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.furniture.id}")
        self.assertUrlRefused(response, MSG_HIDDEN)
        self.assertEqual(self.session_count(), count)
        self.assertFalse(self.furniture.current_session_id)

    def test_cashier_cannot_resume_session_on_hidden_register_via_url(self):
        # Core finds the colleague's session under sudo and would resume it.
        session = self.open_session(self.furniture, self.colleague)
        before = self.session_state(session)
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.furniture.id}")
        self.assertUrlRefused(response, MSG_HIDDEN)
        self.assertEqual(self.session_count(), count)
        self.assertEqual(self.session_state(session), before)

    def test_cashier_cannot_resume_session_opened_by_other_user_via_url(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery,
            lock_foreign=True,
        )
        session = self.open_session(self.bakery, self.colleague)
        before = self.session_state(session)
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertUrlRefused(response, self.foreign_message(session))
        self.assertEqual(self.session_count(), count)
        self.assertEqual(self.session_state(session), before)

    def test_cashier_resumes_session_opened_by_other_user_via_url_when_unlocked(self):
        session = self.open_session(self.bakery, self.colleague)
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertPosPage(response, session)
        self.assertEqual(self.session_count(), count)
        self.assertEqual(session.user_id, self.colleague)

    def test_cashier_cannot_open_second_register_via_url_with_single_session(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery | self.clothes,
            single=True,
        )
        session = self.open_session(self.bakery, self.cashier)
        before = self.session_state(session)
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.clothes.id}")
        self.assertUrlRefused(
            response,
            MSG_SINGLE.format(
                session=session._pos_restriction_label(), pos="Bakery Shop"
            ),
        )
        self.assertEqual(self.session_count(), count)
        self.assertEqual(self.session_state(session), before)
        self.assertFalse(self.clothes.current_session_id)

    def test_cashier_opens_own_operable_register_via_url(self):
        # Every option set: none of them stands in the way of the own register.
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery,
            lock_foreign=True,
            single=True,
        )
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.bakery.id}")
        session = self.bakery.current_session_id
        self.assertEqual(self.session_count(), count + 1)
        self.assertEqual(session.user_id, self.cashier)
        self.assertPosPage(response, session)


@tagged("post_install", "-at_install")
class TestPosRpcRestriction(PosRestrictionHttpCommon):
    """JSON-RPC and XML-RPC calls as the cashier, who operates the Bakery and
    Furniture shops but not the Clothes shop, and may not touch sessions others
    opened. The colleague has a session open on the Furniture shop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, access=cls.bakery | cls.furniture, lock_foreign=True)
        cls.foreign_session = cls.open_session(cls.furniture, cls.colleague)

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")

    def assertSessionRefused(self, method, args=(), **kwargs):
        """Call ``method`` on the colleague's session: refused, nothing changed."""
        before = self.session_state(self.foreign_session)
        count = self.session_count()
        response = self.call_kw(
            "pos.session", method, [self.foreign_session.ids, *args], **kwargs
        )
        self.assertRpcRefused(response, self.foreign_message(self.foreign_session))
        self.assertEqual(self.session_count(), count)
        self.assertEqual(self.session_state(self.foreign_session), before)

    def test_open_ui_on_non_operable_register_refused_over_jsonrpc(self):
        count = self.session_count()
        response = self.call_kw("pos.config", "open_ui", [self.clothes.ids])
        self.assertRpcRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)

    def test_open_ui_on_operable_register_allowed_over_jsonrpc(self):
        result = self.assertRpcResult(
            self.call_kw("pos.config", "open_ui", [self.bakery.ids])
        )
        self.assertEqual(result["url"], f"/pos/ui/{self.bakery.id}?from_backend=True")
        self.assertEqual(self.bakery.current_session_id.user_id, self.cashier)

    def test_bypass_context_keys_change_nothing_over_jsonrpc(self):
        count = self.session_count()
        response = self.call_kw(
            "pos.config", "open_ui", [self.clothes.ids], context=BYPASS_CONTEXT
        )
        self.assertRpcRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)
        self.assertSessionRefused("get_closing_control_data", context=BYPASS_CONTEXT)

    def test_open_existing_session_cb_on_colleague_session_refused(self):
        before = self.session_state(self.foreign_session)
        response = self.call_kw(
            "pos.config", "open_existing_session_cb", [self.furniture.ids]
        )
        self.assertRpcRefused(response, self.foreign_message(self.foreign_session))
        self.assertEqual(self.session_state(self.foreign_session), before)

    def test_open_existing_session_cb_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        result = self.assertRpcResult(
            self.call_kw("pos.config", "open_existing_session_cb", [self.bakery.ids])
        )
        self.assertEqual(result["res_id"], session.id)

    def test_session_create_on_non_operable_register_refused(self):
        count = self.session_count()
        response = self.call_kw(
            "pos.session",
            "create",
            [{"config_id": self.clothes.id, "user_id": self.cashier.id}],
        )
        self.assertRpcRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)

    def test_session_create_in_colleague_name_refused(self):
        count = self.session_count()
        response = self.call_kw(
            "pos.session",
            "create",
            [{"config_id": self.bakery.id, "user_id": self.colleague.id}],
        )
        self.assertRpcRefused(response, MSG_OWN_NAME.format(pos="Bakery Shop"))
        self.assertEqual(self.session_count(), count)

    def test_session_create_in_own_name_allowed(self):
        session_id = self.assertRpcResult(
            self.call_kw("pos.session", "create", [{"config_id": self.bakery.id}])
        )
        session = self.env["pos.session"].browse(session_id)
        self.assertEqual(session.config_id, self.bakery)
        self.assertEqual(session.user_id, self.cashier)

    def test_session_write_of_guarded_fields_on_colleague_session_refused(self):
        for vals in (
            {"state": "closed"},
            {"user_id": self.cashier.id},
            {"config_id": self.bakery.id},
        ):
            with self.subTest(vals=vals):
                self.assertSessionRefused("write", [vals])

    def test_session_write_moving_own_session_refused(self):
        session = self.open_session(self.bakery, self.cashier)
        before = self.session_state(session)
        # Writing the cashier hands the session over: refused when the
        # colleague may not operate the register.
        self.restrict(self.colleague, access=self.clothes)
        for vals, message in (
            (
                {"user_id": self.colleague.id},
                MSG_HAND_OVER_NOT_OPERABLE.format(
                    user="Colin Colleague", pos="Bakery Shop"
                ),
            ),
            (
                {"config_id": self.clothes.id},
                MSG_NOT_OPERABLE.format(pos="Clothes Shop"),
            ),
        ):
            with self.subTest(vals=vals):
                response = self.call_kw("pos.session", "write", [session.ids, vals])
                self.assertRpcRefused(response, message)
                self.assertEqual(self.session_state(session), before)

    def test_session_write_of_state_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        self.assertRpcResult(
            self.call_kw("pos.session", "write", [session.ids, {"state": "opened"}])
        )
        self.assertEqual(session.state, "opened")

    def test_set_opening_control_on_colleague_session_refused(self):
        self.assertSessionRefused("set_opening_control", [0, ""])

    def test_set_opening_control_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        self.assertRpcResult(
            self.call_kw("pos.session", "set_opening_control", [session.ids, 0, ""])
        )
        self.assertEqual(session.state, "opened")

    def test_open_frontend_cb_on_colleague_session_refused(self):
        self.assertSessionRefused("open_frontend_cb")

    def test_open_frontend_cb_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        result = self.assertRpcResult(
            self.call_kw("pos.session", "open_frontend_cb", [session.ids])
        )
        self.assertEqual(result["url"], f"/pos/ui/{self.bakery.id}?from_backend=True")

    def test_get_closing_control_data_on_colleague_session_refused(self):
        self.assertSessionRefused("get_closing_control_data")

    def test_get_closing_control_data_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        result = self.assertRpcResult(
            self.call_kw("pos.session", "get_closing_control_data", [session.ids])
        )
        self.assertIn("non_cash_payment_methods", result)

    def test_close_session_from_ui_on_colleague_session_refused(self):
        self.foreign_session.with_user(self.colleague).set_opening_control(0, "")
        self.assertSessionRefused("close_session_from_ui")

    def test_close_session_from_ui_on_own_session_allowed(self):
        session = self.open_session(self.bakery, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        result = self.assertRpcResult(
            self.call_kw("pos.session", "close_session_from_ui", [session.ids])
        )
        self.assertTrue(result["successful"], result)
        self.assertEqual(session.state, "closed")

    def test_settings_pos_open_ui_on_non_operable_register_refused(self):
        count = self.session_count()
        response = self.call_kw(
            "res.config.settings",
            "pos_open_ui",
            [[]],
            context={"pos_config_id": self.clothes.id},
        )
        self.assertRpcRefused(response, MSG_NOT_OPERABLE.format(pos="Clothes Shop"))
        self.assertEqual(self.session_count(), count)

    def test_settings_pos_open_ui_on_operable_register_allowed(self):
        result = self.assertRpcResult(
            self.call_kw(
                "res.config.settings",
                "pos_open_ui",
                [[]],
                context={"pos_config_id": self.bakery.id},
            )
        )
        self.assertEqual(result["url"], f"/pos/ui/{self.bakery.id}?from_backend=True")
        self.assertEqual(self.bakery.current_session_id.user_id, self.cashier)

    @mute_logger(XMLRPC_LOGGER)
    def test_open_ui_on_non_operable_register_refused_over_xmlrpc(self):
        count = self.session_count()
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.execute_kw("psr_cashier", "pos.config", "open_ui", [self.clothes.ids])
        self.assertIn(
            MSG_NOT_OPERABLE.format(pos="Clothes Shop"), caught.exception.faultString
        )
        self.assertEqual(self.session_count(), count)

    @mute_logger(XMLRPC_LOGGER)
    def test_open_ui_on_operable_register_allowed_over_xmlrpc(self):
        result = self.execute_kw(
            "psr_cashier", "pos.config", "open_ui", [self.bakery.ids]
        )
        self.assertEqual(result["url"], f"/pos/ui/{self.bakery.id}?from_backend=True")
        self.assertEqual(self.bakery.current_session_id.user_id, self.cashier)


@tagged("post_install", "-at_install")
class TestPosManagerHttp(PosRestrictionHttpCommon):
    """A POS administrator with every restriction stored on their user is
    still never restricted, whether by URL, JSON-RPC or XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict_fully(cls.manager, cls.bakery)
        cls.own_session = cls.open_session(cls.bakery, cls.manager)
        cls.foreign_session = cls.open_session(cls.clothes, cls.colleague)

    def setUp(self):
        super().setUp()
        self.authenticate("psr_manager", "psr_manager")

    def test_manager_resumes_colleague_session_on_unlisted_register_via_url(self):
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.clothes.id}")
        self.assertPosPage(response, self.foreign_session)
        self.assertEqual(self.session_count(), count)
        self.assertEqual(self.foreign_session.user_id, self.colleague)

    def test_manager_operates_colleague_session_over_jsonrpc(self):
        session = self.foreign_session
        self.assertRpcResult(
            self.call_kw("pos.config", "open_existing_session_cb", [self.clothes.ids])
        )
        self.assertRpcResult(
            self.call_kw("pos.session", "set_opening_control", [session.ids, 0, ""])
        )
        self.assertEqual(session.state, "opened")
        self.assertRpcResult(
            self.call_kw("pos.session", "get_closing_control_data", [session.ids])
        )
        result = self.assertRpcResult(
            self.call_kw("pos.session", "close_session_from_ui", [session.ids])
        )
        self.assertTrue(result["successful"], result)
        self.assertEqual(session.state, "closed")

    @mute_logger(XMLRPC_LOGGER)
    def test_manager_opens_second_unlisted_register_over_xmlrpc(self):
        result = self.execute_kw(
            "psr_manager", "pos.config", "open_ui", [self.furniture.ids]
        )
        self.assertEqual(
            result["url"], f"/pos/ui/{self.furniture.id}?from_backend=True"
        )
        self.assertEqual(self.furniture.current_session_id.user_id, self.manager)
        self.assertEqual(self.own_session.state, "opening_control")
