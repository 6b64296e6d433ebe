"""Sessions under Supervision: the board of open sessions, the remote close,
and the hourly scheduled action that flags abandoned sessions."""

from contextlib import closing
from datetime import timedelta
from unittest.mock import call, patch

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.sql_db import db_connect
from odoo.tests import freeze_time, get_db_name, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from ..models.pos_session_supervision import ABANDONED_ACTIVITY, ABANDONED_AFTER_PARAM
from .common import PosRestrictionHttpCommon, SessionRestrictionCase

DRAFT_REFUSAL = (
    r"The session .+ on 'Bakery Shop' was not closed: You cannot close the POS "
    r"while there are still draft orders for the day\."
)


class SupervisionCase(SessionRestrictionCase):
    """Bakery counts its cash and takes cash and bank payments."""

    def board(self, user=None, **context):
        """The sessions the board shows ``user`` (the manager by default)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_session_supervision"
        )
        self.env.invalidate_all()
        return (
            self.env["pos.session"]
            .with_user(user or self.manager)
            .with_context(**context)
            .search(safe_eval(action["domain"]))
        )

    def board_filter(self, name):
        """The domain of the board's filter ``name``."""
        view = self.env.ref(
            "pos_session_restriction.view_pos_session_supervision_search"
        )
        (node,) = etree.fromstring(view.arch).xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("domain"))


@tagged("post_install", "-at_install")
class TestSupervisionBoard(SupervisionCase):
    def test_board_lists_every_session_not_closed_across_registers(self):
        bakery = self.start_session(self.bakery, self.cashier)
        clothes = self.open_session(self.clothes, self.colleague)
        furniture = self.start_session(self.furniture, self.colleague)
        furniture.with_user(self.colleague).action_pos_session_closing_control()
        self.assertEqual(furniture.state, "closed")
        self.assertEqual(self.board(), bakery | clothes)

    def test_last_activity_is_the_later_of_last_order_and_last_journal_entry(self):
        start = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(start):
            session = self.start_session(self.bakery, self.colleague)
        with freeze_time(start + timedelta(hours=2)):
            self.sync_order(session, self.colleague)
        board = self.board()
        with freeze_time(start + timedelta(hours=5)):
            self.env.invalidate_all()
            self.assertEqual(board.pos_last_activity, start + timedelta(hours=2))
            self.assertAlmostEqual(board.pos_idle_hours, 3.0, places=3)
        # A later journal entry: the cashier resumes the register.
        with freeze_time(start + timedelta(hours=6)):
            self.bakery.with_user(self.cashier).open_ui()
        with freeze_time(start + timedelta(hours=7)):
            self.env.invalidate_all()
            self.assertEqual(board.pos_last_activity, start + timedelta(hours=6))
            self.assertAlmostEqual(board.pos_idle_hours, 1.0, places=3)

    def test_expected_cash_is_what_the_closing_popup_expects(self):
        session = self.open_session(self.bakery, self.colleague)
        session.with_user(self.colleague).set_opening_control(50, "")
        self.sync_order(session, self.colleague, self.cash_method)
        self.sync_order(session, self.colleague, self.cash_method)
        self.sync_order(session, self.colleague, self.bank_method)
        self.sync_order(session, self.colleague, self.cash_method, state="draft")
        board = self.board()
        self.assertEqual(board.pos_expected_cash, 70.0)
        self.assertEqual(board.pos_expected_cash, session.cash_register_balance_end)
        closing = session.with_user(self.manager).get_closing_control_data()
        self.assertEqual(closing["default_cash_details"]["amount"], 70.0)
        self.assertEqual(board.order_count, 4)
        # No cash payment method, no cash expected.
        clothes = self.start_session(self.clothes, self.colleague)
        self.sync_order(clothes, self.colleague)
        self.assertEqual(clothes.with_user(self.manager).pos_expected_cash, 0.0)

    def test_filters_abandoned_and_idle_for_four_hours(self):
        start = fields.Datetime.now()
        with freeze_time(start - timedelta(hours=5)):
            idle = self.start_session(self.bakery, self.colleague)
        with freeze_time(start - timedelta(hours=3)):
            busy = self.start_session(self.clothes, self.cashier)
        flagged = self.open_session(self.furniture, self.colleague)
        flagged.pos_abandoned = True
        with freeze_time(start):
            self.assertEqual(
                self.board().filtered_domain(self.board_filter("filter_idle")), idle
            )
            self.assertEqual(
                self.board().search(self.board_filter("filter_idle")), idle
            )
            self.assertEqual(
                self.board().search(
                    [("pos_idle_hours", "<", 4), ("id", "in", (idle | busy).ids)]
                ),
                busy,
            )
            self.assertEqual(
                self.board().search(self.board_filter("filter_abandoned")), flagged
            )

    def test_board_groups_by_register_and_company(self):
        self.start_session(self.bakery, self.cashier)
        self.open_session(self.clothes, self.colleague)
        Session = self.env["pos.session"].with_user(self.manager)
        domain = [("state", "!=", "closed")]
        self.assertEqual(
            dict(Session._read_group(domain, ["company_id"], ["__count"])),
            {self.bakery.company_id: 2},
        )
        self.assertEqual(
            dict(Session._read_group(domain, ["config_id"], ["__count"])),
            {self.bakery: 1, self.clothes: 1},
        )
        search_view = self.env.ref(
            "pos_session_restriction.view_pos_session_supervision_search"
        )
        self.assertIn("'group_by': 'company_id'", search_view.arch)

    def test_board_shows_the_companies_the_administrator_works_in(self):
        other = self.setup_other_company()
        third = self.setup_other_company(name="company_3")
        configs = self.env["pos.config"]
        for data in (other, third):
            journal = data["default_journal_sale"]
            configs |= self.env["pos.config"].create(
                {
                    "name": f"Shop of {data['company'].name}",
                    "company_id": data["company"].id,
                    "journal_id": journal.id,
                    "invoice_journal_id": journal.id,
                    "payment_method_ids": [Command.clear()],
                }
            )
        other = other["company"]
        ours = self.open_session(self.bakery, self.cashier)
        # sudo: the test's own user works in the first company only
        theirs = self.env["pos.session"].browse(
            [
                self.env["pos.session"].sudo().create({"config_id": config.id}).id
                for config in configs
            ]
        )
        self.manager.write({"company_ids": [Command.link(other.id)]})
        both = (self.bakery.company_id | other).ids
        # Every company they work in, never the third one.
        self.assertEqual(self.board(), ours | theirs[0])
        self.assertEqual(self.board(allowed_company_ids=both), ours | theirs[0])
        # The companies ticked in the company switcher.
        self.assertEqual(self.board(allowed_company_ids=other.ids), theirs[0])
        self.assertEqual(
            self.board(allowed_company_ids=self.bakery.company_id.ids), ours
        )
        with self.assertRaises(AccessError):
            theirs[1].with_user(self.manager).action_pos_close_remotely()
        self.assertEqual(theirs[1].state, "opening_control")

    def test_board_hands_a_session_over(self):
        """The board's Hand Over, on a row and on the form: the back office's
        hand-over of issue 11, by the administrator."""
        session = self.start_session(self.bakery, self.colleague)
        for view in ("list", "form"):
            arch = self.env.ref(
                f"pos_session_restriction.view_pos_session_supervision_{view}"
            ).arch
            self.assertTrue(
                etree.fromstring(arch).xpath("//button[@name='action_pos_hand_over']"),
                f"the board's {view} offers Hand Over",
            )
        action = self.board().with_user(self.manager).action_pos_hand_over()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"user_id": self.cashier.id})
        )
        self.assertIn(self.cashier, wizard.candidate_ids)
        wizard.action_hand_over()
        self.assertEqual(session.user_id, self.cashier)
        # In the giver's name, so that their unsent orders still sync.
        self.assertEqual(self.events(session)[-1], ("handed_over", self.colleague))
        entry = (
            self.env["pos.session.event"]
            .sudo()
            .search([("session_id", "=", session.id)], order="id desc", limit=1)
        )
        self.assertIn(self.manager.name, entry.note)

    def test_cashier_never_gets_the_board(self):
        menu = self.env.ref("pos_session_restriction.menu_pos_session_supervision")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())
        for user in (self.cashier, self.colleague):
            with self.subTest(user=user.login):
                self.assertNotIn(menu.id, Menu.with_user(user)._visible_menu_ids())
                session = self.open_session(self.clothes, user)
                with self.assertRaises(AccessError):
                    session.with_user(user).read(["pos_last_activity"])
                for value in (True, False):
                    with self.assertRaisesRegex(AccessError, "flag a session"):
                        session.with_user(user).sudo().write({"pos_abandoned": value})
                self.assertFalse(session.pos_abandoned)
                session.with_user(user).delete_opening_control_session()
        action = self.env.ref("pos_session_restriction.action_pos_session_supervision")
        self.assertEqual(
            action.group_ids, self.env.ref("point_of_sale.group_pos_manager")
        )

    def test_dashboard_card_shows_the_abandoned_badge(self):
        session = self.open_session(self.bakery, self.colleague)
        configs = self.bakery | self.clothes
        self.assertEqual(
            configs.with_user(self.cashier).mapped("pos_session_abandoned"),
            [False, False],
        )
        session.pos_abandoned = True
        configs.invalidate_recordset()
        self.assertEqual(
            configs.with_user(self.cashier).mapped("pos_session_abandoned"),
            [True, False],
        )
        kanban = self.env.ref("pos_session_restriction.view_pos_config_kanban_inherit")
        self.assertIn("o_pos_session_abandoned", kanban.arch)


@tagged("post_install", "-at_install")
class TestCloseRemotely(SupervisionCase):
    def setUp(self):
        super().setUp()
        self.session = self.open_session(self.bakery, self.colleague)
        self.session.with_user(self.colleague).set_opening_control(50, "")

    def test_admin_closes_session_with_cash_and_bank_orders_remotely(self):
        orders = (
            self.sync_order(self.session, self.colleague, self.cash_method)
            | self.sync_order(self.session, self.colleague, self.cash_method)
            | self.sync_order(self.session, self.colleague, self.bank_method)
        )
        self.assertEqual(self.session.with_user(self.manager).pos_expected_cash, 70.0)
        self.session.with_user(self.manager).action_pos_close_remotely()
        self.env.invalidate_all()
        session = self.session
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.cash_register_balance_end_real, 70.0)
        self.assertEqual(session.cash_register_difference, 0.0)
        self.assertEqual(session.order_ids, orders)
        self.assertEqual(set(orders.mapped("state")), {"done"})
        self.assertEqual(session.total_payments_amount, 30.0)
        self.assertEqual(session.move_id.state, "posted")
        # Core books the cash payments, and no difference: counted is expected.
        self.assertEqual(sum(session.statement_line_ids.mapped("amount")), 20.0)
        self.assertFalse(
            session.statement_line_ids.filtered(
                lambda line: "difference" in (line.payment_ref or "")
            )
        )
        self.assertIn("counted cash set to the expected", session.closing_notes)
        self.assertIn("70.00", session.closing_notes)
        self.assertIn("Mitchell Admin", session.closing_notes)
        self.assertEqual(
            self.events(session),
            [
                ("opened", self.colleague),
                ("started", self.colleague),
                ("closed_remotely", self.manager),
            ],
        )
        closed = (
            self.env["pos.session.event"]
            .sudo()
            .search(
                [("session_id", "=", session.id), ("event", "=", "closed_remotely")]
            )
        )
        self.assertEqual(closed.note, session.closing_notes)
        # Core's closing message, with its expected and counted cash.
        self.assertTrue(
            session.message_ids.filtered(
                lambda m: "Closing difference" in str(m.body)
                and "Closing counted" in str(m.body)
            )
        )

    def test_later_closings_are_journaled_as_closed(self):
        self.session.with_user(self.manager).action_pos_close_remotely()
        other = self.start_session(self.clothes, self.cashier)
        other.with_user(self.cashier).action_pos_session_closing_control()
        self.assertEqual(
            self.events(other)[-1], ("closed", self.cashier), "no override leaks"
        )

    def test_remote_close_refused_while_draft_orders_remain(self):
        paid = self.sync_order(self.session, self.colleague, self.cash_method)
        draft = self.sync_order(self.session, self.colleague, state="draft")
        with (
            self.assertSessionUnchanged(self.session),
            self.assertRaisesRegex(UserError, DRAFT_REFUSAL),
        ):
            self.session.with_user(self.manager).action_pos_close_remotely()
        self.assertEqual(self.session.order_ids, paid | draft)
        self.assertEqual(paid.state, "paid")
        self.assertEqual(draft.state, "draft")
        self.assertEqual(
            [event for event, _user in self.events(self.session)],
            ["opened", "started"],
        )

    def test_several_sessions_close_all_or_nothing(self):
        clothes = self.start_session(self.clothes, self.cashier)
        self.sync_order(clothes, self.cashier, state="draft")
        with (
            self.assertRaisesRegex(UserError, "on 'Clothes Shop' was not closed"),
            self.env.cr.savepoint(),
        ):
            (self.session | clothes).with_user(self.manager).action_pos_close_remotely()
        self.env.invalidate_all()
        self.assertEqual((self.session | clothes).mapped("state"), ["opened"] * 2)

    def test_core_error_during_closing_is_named_and_kept(self):
        self.sync_order(self.session, self.colleague, self.cash_method)

        message = "Invoices are not posted."

        def refuse(session):
            raise UserError(message)

        with (
            patch.object(type(self.session), "_check_invoices_are_posted", refuse),
            self.assertSessionUnchanged(self.session),
            self.assertRaisesRegex(
                UserError,
                r"The session .+ on 'Bakery Shop' was not closed: Invoices are "
                r"not posted\.",
            ),
            # What the request's rollback does
            self.env.cr.savepoint(),
        ):
            self.session.with_user(self.manager).action_pos_close_remotely()

    def test_already_closed_session_is_refused(self):
        self.session.with_user(self.manager).action_pos_close_remotely()
        with self.assertRaisesRegex(UserError, "is already closed"):
            self.session.with_user(self.manager).action_pos_close_remotely()

    def test_unstarted_session_without_orders_is_discarded(self):
        session = self.open_session(self.clothes, self.cashier)
        name = f"#{session.id}"
        action = session.with_user(self.manager).action_pos_close_remotely()
        self.assertFalse(session.exists())
        self.assertEqual(
            action["id"],
            self.env.ref("pos_session_restriction.action_pos_session_supervision").id,
        )
        discarded = (
            self.env["pos.session.event"]
            .sudo()
            .search([("session_name", "=", name), ("event", "=", "discarded")])
        )
        self.assertEqual(discarded.user_id, self.manager)
        self.assertIn("Discarded remotely", discarded.note)

    def test_cashiers_cannot_close_remotely_even_their_own_session(self):
        own = self.start_session(self.clothes, self.cashier)
        for session in (self.session, own):
            with (
                self.subTest(session=session.config_id.name),
                self.assertSessionUnchanged(session),
                self.assertRaisesRegex(
                    AccessError,
                    "Only Point of Sale administrators may close a session remotely",
                ),
            ):
                session.with_user(self.cashier).action_pos_close_remotely()

    def test_remote_close_marks_the_abandoned_activity_done(self):
        with (
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=1.0
            ),
            freeze_time(fields.Datetime.now() + timedelta(hours=13)),
        ):
            self.env["pos.session"]._pos_flag_abandoned_sessions()
            self.assertEqual(len(self.session.activity_ids), 1)
            self.session.with_user(self.manager).action_pos_close_remotely()
        self.assertFalse(self.session.activity_ids)
        done = self.session.message_ids.filtered("mail_activity_type_id")
        self.assertEqual(done.mail_activity_type_id, self.env.ref(ABANDONED_ACTIVITY))


@tagged("post_install", "-at_install")
class TestCloseRemotelyHttp(SupervisionCase, PosRestrictionHttpCommon):
    def setUp(self):
        super().setUp()
        self.register = self.start_session(self.bakery, self.colleague)
        self.sync_order(self.register, self.colleague, self.cash_method)

    @mute_logger("odoo.http")
    def test_cashier_calling_close_remotely_over_json_rpc_is_refused(self):
        self.authenticate("psr_cashier", "psr_cashier")
        for route in ("call_kw", "call_button"):
            with self.subTest(route=route), self.assertSessionUnchanged(self.register):
                response = self.rpc(
                    route,
                    "pos.session",
                    "action_pos_close_remotely",
                    [self.register.id],
                )
                self.assertEqual(
                    response["error"]["data"]["name"], "odoo.exceptions.AccessError"
                )
                self.assertIn(
                    "Only Point of Sale administrators may close a session remotely",
                    response["error"]["data"]["message"],
                )

    def test_administrator_closes_remotely_from_the_board_button(self):
        self.authenticate("psr_manager", "psr_manager")
        self.assertRpcResult(
            self.rpc(
                "call_button",
                "pos.session",
                "action_pos_close_remotely",
                [self.register.id],
            )
        )
        self.assertEqual(self.register.state, "closed")
        self.assertEqual(
            self.events(self.register)[-1], ("closed_remotely", self.manager)
        )


@tagged("post_install", "-at_install")
class TestAbandonedSessions(SupervisionCase):
    """The hourly scheduled action, at 13 hours of idleness (12 by default)."""

    def setUp(self):
        super().setUp()
        commit_patcher = patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=float("inf")
        )
        self.commit_progress = commit_patcher.start()
        self.addCleanup(commit_patcher.stop)
        self.cron = self.env.ref(
            "pos_session_restriction.ir_cron_flag_abandoned_sessions"
        )
        self.start = fields.Datetime.now()

    def run_cron(self, hours, **kwargs):
        """The scheduled action, ``hours`` from the start of the test, as the
        scheduler runs it: as its own user."""
        with freeze_time(self.start + timedelta(hours=hours)):
            self.env.invalidate_all()
            if kwargs:
                self.env["pos.session"].with_user(
                    self.cron.user_id
                )._pos_flag_abandoned_sessions(**kwargs)
            else:
                self.cron.ir_actions_server_id.with_user(self.cron.user_id).run()
            self.env.invalidate_all()

    def activities(self, sessions):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "pos.session"),
                ("res_id", "in", sessions.ids),
                ("activity_type_id", "=", self.env.ref(ABANDONED_ACTIVITY).id),
            ]
        )

    def administrator(self):
        return self.env["pos.session"]._pos_administrator(self.bakery.company_id)

    def test_cron_runs_hourly_and_is_kept_on_update(self):
        self.assertRecordValues(
            self.cron,
            [
                {
                    "active": True,
                    "interval_number": 1,
                    "interval_type": "hours",
                    "model_id": self.env["ir.model"]._get_id("pos.session"),
                    "code": "model._pos_flag_abandoned_sessions()",
                    "user_id": self.env.ref("base.user_root").id,
                }
            ],
        )
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "pos_session_restriction"),
                ("name", "=", "ir_cron_flag_abandoned_sessions"),
            ]
        )
        self.assertTrue(data.noupdate)

    def test_activity_says_names_as_text_never_as_markup(self):
        self.colleague.name = '<a href="https://evil.example">Colin</a>'
        idle = self.start_session(self.bakery, self.colleague)
        self.run_cron(13)
        note = self.activities(idle).note
        self.assertNotIn("<a", note)
        self.assertIn("&lt;a href=", note)

    def test_idle_sessions_are_flagged_with_one_activity(self):
        idle = self.start_session(self.bakery, self.colleague)
        self.sync_order(idle, self.colleague, self.cash_method)
        busy = self.start_session(self.clothes, self.cashier)
        with freeze_time(self.start + timedelta(hours=12, minutes=30)):
            self.sync_order(busy, self.cashier)
        self.run_cron(11)
        self.assertFalse((idle | busy).filtered("pos_abandoned"))
        self.run_cron(13)
        self.assertTrue(idle.pos_abandoned)
        self.assertFalse(busy.pos_abandoned)
        activity = self.activities(idle | busy)
        self.assertEqual(activity.res_id, idle.id)
        self.assertEqual(activity.user_id, self.administrator())
        self.assertTrue(activity.user_id.has_group("point_of_sale.group_pos_manager"))
        self.assertIn("Bakery Shop", activity.note)
        self.assertIn("12 hours", activity.note)
        # Never posted again while the session stays abandoned.
        for hours in (14, 15, 30):
            self.run_cron(hours)
        self.assertEqual(self.activities(idle), activity)
        self.assertTrue(busy.pos_abandoned, "idle since 12:30, flagged at 30 h")
        self.assertEqual(len(self.activities(busy)), 1)

    def test_session_active_again_is_unflagged(self):
        session = self.start_session(self.bakery, self.colleague)
        self.run_cron(13)
        self.assertTrue(session.pos_abandoned)
        with freeze_time(self.start + timedelta(hours=14)):
            self.sync_order(session, self.colleague)
        self.run_cron(15)
        self.assertFalse(session.pos_abandoned)
        self.assertFalse(self.activities(session))
        # Idle again: flagged again, with a new activity.
        self.run_cron(27)
        self.assertTrue(session.pos_abandoned)
        self.assertEqual(len(self.activities(session)), 1)

    def test_closed_session_is_unflagged(self):
        session = self.start_session(self.bakery, self.colleague)
        self.run_cron(13)
        with freeze_time(self.start + timedelta(hours=13)):
            session.with_user(self.colleague).action_pos_session_closing_control()
        self.run_cron(14)
        self.assertFalse(session.pos_abandoned)
        self.assertFalse(self.activities(session))

    def test_only_unstarted_sessions_without_orders_are_discarded(self):
        empty = self.open_session(self.bakery, self.colleague)
        empty_name = f"#{empty.id}"
        with_orders = self.open_session(self.clothes, self.colleague)
        self.sync_order(with_orders, self.colleague, state="draft")
        started = self.start_session(self.furniture, self.cashier)
        self.run_cron(13)
        self.assertFalse(empty.exists())
        self.assertTrue(with_orders.exists())
        self.assertEqual(len(with_orders.order_ids), 1)
        self.assertTrue(started.exists())
        self.assertTrue((with_orders | started).mapped("pos_abandoned"))
        discarded = (
            self.env["pos.session.event"]
            .sudo()
            .search([("session_name", "=", empty_name), ("event", "=", "discarded")])
        )
        self.assertEqual(discarded.user_id, self.cron.user_id)
        self.assertIn("Discarded by the scheduled action", discarded.note)
        self.assertIn("12 hours", discarded.note)
        self.assertEqual(discarded.config_id, self.bakery)

    def test_unstarted_session_not_idle_long_enough_is_kept(self):
        session = self.open_session(self.bakery, self.colleague)
        self.run_cron(11)
        self.assertTrue(session.exists())
        self.assertFalse(session.pos_abandoned)

    def test_setting_sets_the_idle_time(self):
        settings = self.env["res.config.settings"]
        self.assertEqual(
            settings.default_get(["pos_abandoned_after_hours"])[
                "pos_abandoned_after_hours"
            ],
            12,
        )
        settings.create({"pos_abandoned_after_hours": 3}).set_values()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(ABANDONED_AFTER_PARAM), "3"
        )
        session = self.start_session(self.bakery, self.colleague)
        self.run_cron(2)
        self.assertFalse(session.pos_abandoned)
        self.run_cron(4)
        self.assertTrue(session.pos_abandoned)
        self.assertIn("3 hours", self.activities(session).note)

    def test_setting_refuses_less_than_an_hour(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"pos_abandoned_after_hours": 0})
        for value in ("0", "-3", "soon"):
            self.env["ir.config_parameter"].set_param(ABANDONED_AFTER_PARAM, value)
            self.assertGreaterEqual(
                self.env["pos.session"]._pos_abandoned_after_hours(), 1, value
            )

    def make_idle_sessions(self, count):
        configs = self.env["pos.config"].create(
            [
                {
                    "name": f"Kiosk {index}",
                    "journal_id": self.company_data["default_journal_sale"].id,
                    "payment_method_ids": [Command.set(self.bank_method.ids)],
                }
                for index in range(count)
            ]
        )
        return self.env["pos.session"].browse(
            [self.start_session(config, self.colleague).id for config in configs]
        )

    def test_cron_flags_in_batches_reporting_progress(self):
        sessions = self.make_idle_sessions(5)
        self.run_cron(13, batch_size=2)
        self.assertEqual(set(sessions.mapped("pos_abandoned")), {True})
        self.assertEqual(len(self.activities(sessions)), 5)
        self.assertEqual(
            self.commit_progress.call_args_list, [call(2), call(2), call(1)]
        )

    def test_cron_stops_when_its_time_is_up(self):
        self.commit_progress.return_value = 0
        sessions = self.make_idle_sessions(5)
        self.run_cron(13, batch_size=2)
        self.assertEqual(len(sessions.filtered("pos_abandoned")), 2)
        self.assertEqual(self.commit_progress.call_args_list, [call(2)])


@tagged("post_install", "-at_install")
class TestAbandonedSessionsLocks(SupervisionCase):
    """The scheduled action against a cashier's transaction, on rows committed
    for the test (and removed after it), through three real connections: the
    cashier's, the scheduled action's, and the one that sets up."""

    def setUp(self):
        super().setUp()
        self.db = db_connect(get_db_name())
        with closing(self.db.cursor()) as cr:
            cr.execute(
                """
                INSERT INTO pos_config (name, company_id, picking_type_id,
                                        iface_tax_included, picking_policy)
                     SELECT 'Lock Test Shop', 1, id, 'subtotal', 'direct'
                       FROM stock_picking_type ORDER BY id LIMIT 1
                  RETURNING id
                """
            )
            (config_id,) = cr.fetchone()
            cr.execute(
                """
                INSERT INTO pos_session (config_id, user_id, name, state,
                                         create_date, write_date)
                     VALUES (%s, 1, 'LOCK/1', 'opened',
                             now() - interval '20 hours', now() - interval '20 hours'),
                            (%s, 1, '/', 'opening_control',
                             now() - interval '20 hours', now() - interval '20 hours')
                  RETURNING id
                """,
                [config_id, config_id],
            )
            self.opened_id, self.unstarted_id = (row[0] for row in cr.fetchall())
            # The rows must be committed for other connections to lock them.
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.remove_committed_rows, config_id)

    def remove_committed_rows(self, config_id):
        with closing(self.db.cursor()) as cr:
            cr.execute("DELETE FROM pos_session WHERE config_id = %s", [config_id])
            cr.execute("DELETE FROM pos_config WHERE id = %s", [config_id])
            cr.commit()  # pylint: disable=invalid-commit

    def cursor(self):
        cr = self.db.cursor()
        self.addCleanup(cr.close)
        # A lock the test would wait for fails it instead of hanging it.
        cr.execute("SET lock_timeout = '3s'")
        return cr

    def cron_env(self, cr):
        return self.env(cr=cr, user=self.env.ref("base.user_root"))

    def lock_batch(self, cr, session_id, state, lock):
        Session = self.cron_env(cr)["pos.session"]
        return Session._pos_lock_batch(
            [
                ("id", "=", session_id),
                ("state", "=", state),
                ("pos_idle_hours", ">=", 12),
            ],
            lock,
            10,
        )

    def test_cashier_syncing_orders_never_waits_for_the_flagging(self):
        cron_cr = self.cursor()
        sessions = self.lock_batch(cron_cr, self.opened_id, "opened", "NO KEY UPDATE")
        self.assertEqual(sessions.ids, [self.opened_id])
        sessions._pos_flag_abandoned(12)
        sessions.env.flush_all()
        # The cashier's order insert locks the session for its foreign key.
        cashier_cr = self.cursor()
        cashier_cr.execute(
            "SELECT id FROM pos_session WHERE id = %s FOR KEY SHARE", [self.opened_id]
        )
        self.assertEqual(cashier_cr.fetchall(), [(self.opened_id,)])
        cron_cr.rollback()

    def test_flagging_skips_a_session_a_cashier_is_writing(self):
        cashier_cr = self.cursor()
        cashier_cr.execute(
            "UPDATE pos_session SET write_date = now() WHERE id = %s", [self.opened_id]
        )
        cron_cr = self.cursor()
        self.assertFalse(
            self.lock_batch(cron_cr, self.opened_id, "opened", "NO KEY UPDATE")
        )
        cashier_cr.rollback()

    def test_discard_skips_a_session_receiving_an_order(self):
        cashier_cr = self.cursor()
        cashier_cr.execute(
            "SELECT id FROM pos_session WHERE id = %s FOR KEY SHARE",
            [self.unstarted_id],
        )
        cron_cr = self.cursor()
        self.assertFalse(
            self.lock_batch(cron_cr, self.unstarted_id, "opening_control", "UPDATE")
        )
        cashier_cr.rollback()
        self.assertEqual(
            self.lock_batch(
                cron_cr, self.unstarted_id, "opening_control", "UPDATE"
            ).ids,
            [self.unstarted_id],
        )
        cron_cr.rollback()
