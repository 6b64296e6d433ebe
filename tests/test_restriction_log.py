from datetime import timedelta
from unittest.mock import call, patch

from odoo import fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models import pos_restriction_record
from ..models.pos_restriction_log import PosRestrictionLog
from ..models.pos_restriction_record import RETENTION_PARAM
from .common import (
    MSG_HIDDEN,
    MSG_NOT_OPERABLE,
    MSG_SINGLE,
    PosRestrictionHttpCommon,
)

LOGGER = "odoo.addons.pos_session_restriction.models.pos_restriction_log"
LOG_FAILURE = "Could not log a refused Point of Sale attempt"
CLIENT_IP = "127.0.0.1"


@tagged("post_install", "-at_install")
class TestRestrictionLogHttp(PosRestrictionHttpCommon):
    """Refusals met over HTTP, each written to the log once the refused
    request is rolled back. The cashier sees the Bakery and Clothes shops,
    operates only the Bakery, and may not touch sessions others opened; the
    colleague holds a session on the Bakery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes,
            access=cls.bakery,
            lock_foreign=True,
        )
        cls.foreign_session = cls.open_session(cls.bakery, cls.colleague)

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")
        self.known_entries = self.log_entries()

    # Helpers

    def new_entries(self):
        return self.log_entries() - self.known_entries

    def assertOneEntry(self, message, **expected):
        """Exactly one new entry, by the cashier from the test client, saying
        ``message``; ``expected`` gives the other fields."""
        entry = self.new_entries()
        self.assertEqual(len(entry), 1, "one refusal, one entry")
        values = {
            "user_id": self.cashier,
            "config_id": self.env["pos.config"],
            "session_id": self.env["pos.session"],
            "ip_address": CLIENT_IP,
            "message": message,
            "attempt_count": 1,
            **expected,
        }
        # assertRecordValues compares relations by id, an empty one as False
        values = {
            name: value.id if isinstance(value, models.BaseModel) else value
            for name, value in values.items()
        }
        self.assertRecordValues(entry, [values])
        self.assertAlmostEqual(
            entry.last_date, fields.Datetime.now(), delta=timedelta(minutes=1)
        )
        return entry

    # One entry per refusal path, with its channel

    def test_refused_open_over_jsonrpc_logs_rpc_entry(self):
        message = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        count = self.session_count()
        response = self.call_kw("pos.config", "open_ui", [self.clothes.ids])
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_count(), count)
        self.assertOneEntry(
            message,
            config_id=self.clothes,
            rule="not_operable",
            action="open",
            channel="rpc",
        )

    def test_allowed_open_over_jsonrpc_logs_nothing(self):
        self.restrict(
            self.cashier, view=self.bakery | self.clothes, access=self.clothes
        )
        self.assertRpcResult(self.call_kw("pos.config", "open_ui", [self.clothes.ids]))
        self.assertEqual(self.clothes.current_session_id.user_id, self.cashier)
        self.assertFalse(self.new_entries())

    def test_refused_resume_from_dashboard_button_logs_dashboard_entry(self):
        message = self.foreign_message(self.foreign_session)
        before = self.session_state(self.foreign_session)
        response = self.rpc("call_button", "pos.config", "open_ui", [self.bakery.ids])
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_state(self.foreign_session), before)
        self.assertOneEntry(
            message,
            config_id=self.bakery,
            session_id=self.foreign_session,
            rule="foreign_session",
            action="resume",
            channel="dashboard",
        )

    def test_refused_open_of_hidden_register_via_url_logs_url_entry(self):
        count = self.session_count()
        response = self.open_url(f"/pos/ui/{self.furniture.id}")
        self.assertUrlRefused(response, MSG_HIDDEN)
        self.assertEqual(self.session_count(), count)
        self.assertOneEntry(
            MSG_HIDDEN,
            config_id=self.furniture,
            rule="not_visible",
            action="open",
            channel="url",
        )

    def test_refused_resume_via_url_logs_url_entry_with_session(self):
        message = self.foreign_message(self.foreign_session)
        before = self.session_state(self.foreign_session)
        response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertUrlRefused(response, message)
        self.assertEqual(self.session_state(self.foreign_session), before)
        self.assertOneEntry(
            message,
            config_id=self.bakery,
            session_id=self.foreign_session,
            rule="foreign_session",
            action="resume",
            channel="url",
        )

    def test_refused_close_from_pos_app_logs_pos_app_entry(self):
        message = self.foreign_message(self.foreign_session)
        before = self.session_state(self.foreign_session)
        response = self.rpc(
            "call_kw",
            "pos.session",
            "get_closing_control_data",
            [self.foreign_session.ids],
            headers={"Referer": f"{self.base_url()}/pos/ui/{self.bakery.id}"},
        )
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_state(self.foreign_session), before)
        self.assertOneEntry(
            message,
            config_id=self.bakery,
            session_id=self.foreign_session,
            rule="foreign_session",
            action="close",
            channel="pos_app",
        )

    def test_refused_start_over_jsonrpc_logs_start_entry(self):
        message = self.foreign_message(self.foreign_session)
        before = self.session_state(self.foreign_session)
        response = self.call_kw(
            "pos.session", "set_opening_control", [self.foreign_session.ids, 0, ""]
        )
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_state(self.foreign_session), before)
        self.assertOneEntry(
            message,
            config_id=self.bakery,
            session_id=self.foreign_session,
            rule="foreign_session",
            action="start",
            channel="rpc",
        )

    def test_refused_second_register_logs_single_session_entry(self):
        self.restrict(self.cashier, access=self.clothes | self.furniture, single=True)
        own_session = self.open_session(self.clothes, self.cashier)
        message = MSG_SINGLE.format(
            session=own_session._pos_restriction_label(), pos="Clothes Shop"
        )
        count = self.session_count()
        response = self.call_kw("pos.config", "open_ui", [self.furniture.ids])
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_count(), count)
        self.assertFalse(self.furniture.current_session_id)
        self.assertOneEntry(
            message,
            config_id=self.furniture,
            rule="single_session",
            action="open",
            channel="rpc",
        )

    # The entry outlives the refused transaction

    def test_refused_request_changes_are_rolled_back_but_entry_remains(self):
        # The refusal comes after the request changed something of its own.
        marker = "pos_session_restriction.test_marker"
        users_class = type(self.env["res.users"])
        check_config_access = users_class._check_pos_config_access

        def change_then_check(user, config, action):
            user.env["ir.config_parameter"].sudo().set_param(marker, "changed")
            return check_config_access(user, config, action)

        message = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        with patch.object(users_class, "_check_pos_config_access", change_then_check):
            response = self.call_kw("pos.config", "open_ui", [self.clothes.ids])
        self.assertRpcRefused(response, message)
        self.assertFalse(self.env["ir.config_parameter"].get_param(marker))
        self.assertFalse(self.clothes.current_session_id)
        self.assertOneEntry(
            message,
            config_id=self.clothes,
            rule="not_operable",
            action="open",
            channel="rpc",
        )

    # Floods

    def test_flood_of_identical_refusals_counts_attempts_on_one_entry(self):
        self.restrict(self.cashier, access=self.bakery)
        message = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        for _attempt in range(3):
            response = self.call_kw("pos.config", "open_ui", [self.clothes.ids])
            self.assertRpcRefused(response, message)
        self.assertFalse(self.clothes.current_session_id)
        entry = self.assertOneEntry(
            message,
            config_id=self.clothes,
            rule="not_operable",
            action="open",
            channel="rpc",
            attempt_count=3,
        )
        # The same rule on another register: an entry of its own.
        self.assertRpcRefused(
            self.call_kw("pos.config", "open_ui", [self.furniture.ids]),
            MSG_NOT_OPERABLE.format(pos="Furniture Shop"),
        )
        # Another rule on the same register: an entry of its own.
        self.restrict(self.cashier, view=self.bakery)
        self.assertRpcRefused(
            self.call_kw("pos.config", "open_ui", [self.clothes.ids]), MSG_HIDDEN
        )
        self.assertFalse(self.furniture.current_session_id)
        self.assertFalse(self.clothes.current_session_id)
        others = self.new_entries() - entry
        self.assertEqual(len(others), 2)
        self.assertEqual(
            {(e.config_id, e.rule, e.attempt_count) for e in others},
            {(self.furniture, "not_operable", 1), (self.clothes, "not_visible", 1)},
        )
        self.assertEqual(entry.attempt_count, 3)

    def test_refusal_after_flood_window_starts_new_entry(self):
        message = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        self.assertRpcRefused(
            self.call_kw("pos.config", "open_ui", [self.clothes.ids]), message
        )
        entry = self.new_entries()
        # sudo: only the superuser writes the log
        entry.sudo().write({"last_date": fields.Datetime.now() - timedelta(minutes=2)})
        self.assertRpcRefused(
            self.call_kw("pos.config", "open_ui", [self.clothes.ids]), message
        )
        self.assertFalse(self.clothes.current_session_id)
        new_entry = self.new_entries() - entry
        self.assertEqual(len(new_entry), 1)
        self.assertRecordValues(
            entry | new_entry,
            [
                {"config_id": self.clothes.id, "rule": "not_operable"},
                {"config_id": self.clothes.id, "rule": "not_operable"},
            ],
        )
        self.assertEqual((entry | new_entry).mapped("attempt_count"), [1, 1])

    # Logging never stands in the refusal's way

    def test_logging_failure_keeps_jsonrpc_refusal_intact(self):
        message = MSG_NOT_OPERABLE.format(pos="Clothes Shop")
        count = self.session_count()
        with (
            patch.object(PosRestrictionLog, "_record", side_effect=Exception("boom")),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            response = self.call_kw("pos.config", "open_ui", [self.clothes.ids])
        self.assertRpcRefused(response, message)
        self.assertEqual(self.session_count(), count)
        self.assertIn(LOG_FAILURE, logs.output[0])
        self.assertFalse(self.new_entries())

    def test_logging_failure_keeps_url_refusal_intact(self):
        count = self.session_count()
        with (
            patch.object(PosRestrictionLog, "_record", side_effect=Exception("boom")),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            response = self.open_url(f"/pos/ui/{self.furniture.id}")
        self.assertUrlRefused(response, MSG_HIDDEN)
        self.assertEqual(self.session_count(), count)
        self.assertIn(LOG_FAILURE, logs.output[0])
        self.assertFalse(self.new_entries())


class RestrictionLogCase(TransactionCase):
    """A cashier, a POS administrator and a way to write entries, without
    any register: entries need none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = new_test_user(
            cls.env,
            "psr_log_cashier",
            name="Casey Cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        cls.manager = new_test_user(
            cls.env,
            "psr_log_manager",
            name="Mitchell Admin",
            groups="base.group_user,point_of_sale.group_pos_manager",
        )
        # sudo: only the superuser writes the log
        cls.Log = cls.env["pos.restriction.log"].sudo()

    @classmethod
    def entry_vals(cls, **vals):
        return {
            "user_id": cls.cashier.id,
            "config_id": False,
            "session_id": False,
            "rule": "not_operable",
            "action": "open",
            "channel": "rpc",
            "ip_address": CLIENT_IP,
            "message": "Refused.",
            **vals,
        }

    @classmethod
    def make_entry(cls, age=timedelta(0), **vals):
        return cls.Log.create(
            cls.entry_vals(last_date=fields.Datetime.now() - age, **vals)
        )


@tagged("post_install", "-at_install")
class TestRestrictionLogRecord(RestrictionLogCase):
    """``_record`` adds to a recent identical entry instead of a new row."""

    def entries(self):
        return self.Log.search([("user_id", "in", (self.cashier | self.manager).ids)])

    def test_identical_refusals_within_a_minute_share_one_entry(self):
        for _attempt in range(4):
            self.Log._record(self.entry_vals())
        entry = self.entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.attempt_count, 4)
        self.assertAlmostEqual(
            entry.last_date, fields.Datetime.now(), delta=timedelta(seconds=5)
        )

    def test_refusals_of_other_rule_or_user_get_their_own_entry(self):
        # Another register: see TestRestrictionLogHttp, which has registers.
        self.Log._record(self.entry_vals())
        self.Log._record(self.entry_vals(rule="foreign_session"))
        self.Log._record(self.entry_vals(user_id=self.manager.id))
        self.Log._record(self.entry_vals())
        self.assertEqual(
            {(e.user_id, e.rule, e.attempt_count) for e in self.entries()},
            {
                (self.cashier, "not_operable", 2),
                (self.cashier, "foreign_session", 1),
                (self.manager, "not_operable", 1),
            },
        )

    def test_refusal_after_a_minute_starts_a_new_entry(self):
        old = self.make_entry(age=timedelta(minutes=2))
        self.Log._record(self.entry_vals())
        new = self.entries() - old
        self.assertEqual(len(new), 1)
        self.assertEqual(old.attempt_count, 1)
        self.assertEqual(new.attempt_count, 1)

    def test_refusal_count_sums_attempts_of_the_user(self):
        self.make_entry(attempt_count=3)
        self.make_entry(rule="foreign_session", attempt_count=2)
        self.make_entry(user_id=self.manager.id, attempt_count=7)
        cashier = self.cashier.with_user(self.manager)
        self.assertEqual(cashier.pos_refusal_count, 5)
        self.assertEqual(self.manager.with_user(self.manager).pos_refusal_count, 7)

    def test_refusal_count_is_zero_without_entries(self):
        self.assertEqual(self.cashier.with_user(self.manager).pos_refusal_count, 0)

    def test_refusals_button_opens_the_user_entries(self):
        entry = self.make_entry()
        self.make_entry(user_id=self.manager.id)
        action = self.cashier.with_user(self.manager).action_view_restriction_log()
        self.assertEqual(action["res_model"], "pos.restriction.log")
        self.assertEqual(action["domain"], [("user_id", "=", self.cashier.id)])
        self.assertEqual(action["context"], {})
        self.assertEqual(
            self.env["pos.restriction.log"]
            .with_user(self.manager)
            .search(action["domain"]),
            entry,
        )


@tagged("post_install", "-at_install")
class TestRestrictionLogAccess(RestrictionLogCase):
    """Nobody but the superuser writes the log; POS administrators read it,
    cashiers do not even see it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.entry = cls.make_entry()

    def assertNoAccess(self, operation):
        with self.assertRaises(AccessError):
            operation()
        self.entry.invalidate_recordset()
        self.assertRecordValues(
            self.entry, [{"attempt_count": 1, "message": "Refused."}]
        )

    def test_cashier_cannot_read_or_write_the_log(self):
        count = self.Log.search_count([])
        log = self.env["pos.restriction.log"].with_user(self.cashier)
        entry = self.entry.with_user(self.cashier)
        for name, operation in (
            ("search", lambda: log.search([])),
            ("read", lambda: entry.read(["message"])),
            ("write", lambda: entry.write({"message": "Nothing happened."})),
            ("unlink", entry.unlink),
            ("create", lambda: log.create(self.entry_vals())),
        ):
            with self.subTest(operation=name):
                self.assertNoAccess(operation)
        self.assertEqual(self.Log.search_count([]), count)

    def test_settings_administrator_cannot_write_the_log(self):
        admin = new_test_user(
            self.env,
            "psr_log_admin",
            groups="base.group_system,point_of_sale.group_pos_manager",
        )
        entry = self.entry.with_user(admin)
        for name, operation in (
            ("write", lambda: entry.write({"message": "Nothing happened."})),
            ("unlink", entry.unlink),
            ("create", lambda: entry.create(self.entry_vals())),
        ):
            with self.subTest(operation=name):
                self.assertNoAccess(operation)

    def test_pos_manager_reads_but_cannot_write_the_log(self):
        count = self.Log.search_count([])
        log = self.env["pos.restriction.log"].with_user(self.manager)
        entry = self.entry.with_user(self.manager)
        self.assertIn(entry, log.search([]))
        self.assertEqual(entry.read(["message"])[0]["message"], "Refused.")
        for name, operation in (
            ("write", lambda: entry.write({"message": "Nothing happened."})),
            ("unlink", entry.unlink),
            ("create", lambda: log.create(self.entry_vals())),
        ):
            with self.subTest(operation=name):
                self.assertNoAccess(operation)
        self.assertEqual(self.Log.search_count([]), count)


@tagged("post_install", "-at_install")
class TestRestrictionLogViews(RestrictionLogCase):
    """Point of Sale > Reporting > Restriction Log, for POS administrators,
    and the Refusals button on the user form."""

    def test_pos_manager_opens_log_as_list_pivot_and_graph_by_day(self):
        log = self.env["pos.restriction.log"].with_user(self.manager)
        action = self.cashier.with_user(self.manager).action_view_restriction_log()
        self.assertEqual(action["view_mode"], "list,pivot,graph,form")
        views = log.get_views(
            [(False, kind) for kind in ("list", "pivot", "graph", "form", "search")]
        )["views"]
        search = views["search"]["arch"]
        for name in (
            "user_id",
            "config_id",
            "filter_not_visible",
            "filter_not_operable",
            "filter_foreign_session",
            "filter_single_session",
            "filter_last_date",
            "group_by_day",
        ):
            with self.subTest(name=name):
                self.assertIn(f'name="{name}"', search)
        self.assertIn('interval="day"', views["graph"]["arch"])
        menu = self.env.ref("pos_session_restriction.menu_pos_restriction_log")
        self.assertEqual(
            menu.group_ids, self.env.ref("point_of_sale.group_pos_manager")
        )
        self.assertEqual(menu.parent_id, self.env.ref("point_of_sale.menu_point_rep"))

    def test_user_form_shows_refusals_button_to_pos_managers_only(self):
        def user_form(groups):
            admin = new_test_user(self.env, f"psr_log_{len(groups)}", groups=groups)
            users = self.env["res.users"].with_user(admin)
            form = self.env.ref("base.view_users_form")
            return users.get_views([(form.id, "form")])["views"]["form"]["arch"]

        arch = user_form("base.group_system,point_of_sale.group_pos_manager")
        self.assertIn('name="action_view_restriction_log"', arch)
        self.assertIn('name="pos_refusal_count"', arch)
        arch = user_form("base.group_system")
        self.assertNotIn('name="action_view_restriction_log"', arch)
        self.assertNotIn('name="pos_refusal_count"', arch)


@tagged("post_install", "-at_install")
class TestRestrictionLogPurge(RestrictionLogCase):
    """The daily cron deletes the entries older than the retention period,
    a batch at a time, committing between batches (not in these tests)."""

    def setUp(self):
        super().setUp()
        # The ORM deletes no record of what happened: only the purge, by SQL.
        self.env.cr.execute("DELETE FROM pos_restriction_log")
        self.Log.invalidate_model()
        commit_patcher = patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=float("inf")
        )
        self.commit_progress = commit_patcher.start()
        self.addCleanup(commit_patcher.stop)

    def purge(self):
        self.env["pos.restriction.record"]._cron_purge_restriction_records()

    def make_entries(self, count, days):
        return self.Log.browse(
            [self.make_entry(age=timedelta(days=days)).id for _entry in range(count)]
        )

    def test_purge_deletes_only_entries_older_than_retention_set_in_settings(self):
        self.env["res.config.settings"].create(
            {"pos_restriction_log_retention_days": 30}
        ).set_values()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(RETENTION_PARAM), "30"
        )
        expired = self.make_entries(3, days=31)
        kept = self.make_entries(2, days=29) | self.make_entry()
        self.purge()
        self.assertFalse(expired.exists())
        self.assertEqual(self.Log.search([]), kept)

    def test_purge_keeps_a_year_by_default(self):
        self.env["ir.config_parameter"].set_param(RETENTION_PARAM, False)
        defaults = self.env["res.config.settings"].default_get(
            ["pos_restriction_log_retention_days"]
        )
        self.assertEqual(defaults["pos_restriction_log_retention_days"], 365)
        expired = self.make_entries(1, days=366)
        kept = self.make_entries(1, days=364)
        self.purge()
        self.assertFalse(expired.exists())
        self.assertEqual(self.Log.search([]), kept)

    def test_purge_never_deletes_todays_entries_whatever_the_parameter(self):
        kept = self.make_entry()
        for value in ("-5", "0", "soon"):
            self.env["ir.config_parameter"].set_param(RETENTION_PARAM, value)
            self.purge()
            self.assertEqual(self.Log.search([]), kept, value)

    def test_settings_refuse_a_retention_below_two_days(self):
        # PIN lockouts count the wrong PINs of the last day and a half.
        for days in (0, 1):
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create(
                    {"pos_restriction_log_retention_days": days}
                )

    def test_purge_deletes_in_batches_reporting_progress(self):
        self.env["ir.config_parameter"].set_param(RETENTION_PARAM, 10)
        expired = self.make_entries(5, days=11)
        kept = self.make_entries(1, days=9)
        self.patch(pos_restriction_record, "PURGE_BATCH_SIZE", 2)
        self.purge()
        self.assertFalse(expired.exists())
        self.assertEqual(self.Log.search([]), kept)
        self.assertEqual(
            self.commit_progress.call_args_list, [call(2), call(2), call(1)]
        )

    def test_purge_stops_when_cron_time_is_up(self):
        self.env["ir.config_parameter"].set_param(RETENTION_PARAM, 10)
        self.commit_progress.return_value = 0
        expired = self.make_entries(5, days=11)
        self.patch(pos_restriction_record, "PURGE_BATCH_SIZE", 2)
        self.purge()
        self.assertEqual(len(expired.exists()), 3)
        self.assertEqual(self.commit_progress.call_args_list, [call(2)])

    def test_cron_purges_the_log_daily(self):
        cron = self.env.ref("pos_session_restriction.ir_cron_purge_restriction_log")
        self.assertRecordValues(
            cron,
            [
                {
                    "active": True,
                    "interval_number": 1,
                    "interval_type": "days",
                    "model_id": self.env["ir.model"]._get_id("pos.restriction.record"),
                    "code": "model._cron_purge_restriction_records()",
                }
            ],
        )
        self.env["ir.config_parameter"].set_param(RETENTION_PARAM, 10)
        expired = self.make_entries(2, days=11)
        kept = self.make_entries(1, days=9)
        cron.ir_actions_server_id.run()
        self.assertFalse(expired.exists())
        self.assertEqual(self.Log.search([]), kept)
