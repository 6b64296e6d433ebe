import base64
import json
import logging
import os
import re
from pathlib import Path
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import mute_logger

from .common import DASHBOARD_URL, JSONRPC_LOGGER, PosRestrictionCommon

_logger = logging.getLogger(__name__)

# The manager's approval PIN in the approval tours (static/tests/tours).
TOUR_PIN = "246810"

# Set it to a folder to save the tours' screenshots there, e.g. static/description.
SCREENSHOTS_DIR_VARIABLE = "PSR_SCREENSHOTS_DIR"
# Logged by the tours' screenshot steps (static/tests/tours/utils).
SCREENSHOT_SIGNAL = "pos_session_restriction screenshot: "

_handle_console = ChromeBrowser._handle_console


def _handle_console_with_screenshots(browser, type, args=None, **kwargs):
    """ChromeBrowser's console handler, answering the tours' screenshot steps."""
    if type == "info" and args:
        message = str(browser._from_remoteobject(args[0]))
        if message.startswith(SCREENSHOT_SIGNAL):
            _take_named_screenshot(browser, message.removeprefix(SCREENSHOT_SIGNAL))
    return _handle_console(browser, type, args=args, **kwargs)


def _take_named_screenshot(browser, name):
    """Save the page as ``<name>.png`` in the screenshots folder, if one is set,
    then let the tour go on."""

    def resume_tour():
        browser._websocket_send(
            "Runtime.evaluate",
            params={"expression": f"window.psrScreenshotTaken = {json.dumps(name)}"},
        )

    directory = os.environ.get(SCREENSHOTS_DIR_VARIABLE)
    if not directory or not re.fullmatch(r"[a-z_]+", name):
        resume_tour()
        return

    def save(future):
        try:
            path = Path(directory, f"{name}.png")
            path.write_bytes(base64.b64decode(future.result()["data"]))
            _logger.info("Screenshot saved as %s", path)
        except Exception:
            _logger.exception("Could not save the screenshot %s", name)
        finally:
            resume_tour()

    future = browser._websocket_send(
        "Page.captureScreenshot", params={"format": "png"}, with_future=True
    )
    future.add_done_callback(save)


@tagged("post_install", "-at_install")
class TestPosRestrictionTours(PosRestrictionCommon, HttpCase):
    """The POS dashboard and app in Chromium, as the cashier meets the
    restrictions: the manager (who also manages users here) may change them
    while the cashier's register is open."""

    browser_size = "1400x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.group_ids |= cls.env.ref("base.group_erp_manager")
        cls.croissant = cls.env["product.product"].create(
            {
                "name": "Croissant",
                "available_in_pos": True,
                "list_price": 2.0,
                "taxes_id": [Command.clear()],
            }
        )

    def browser_js(self, *args, **kwargs):
        with patch.object(
            ChromeBrowser, "_handle_console", _handle_console_with_screenshots
        ):
            return super().browser_js(*args, **kwargs)

    def start_restriction_tour(self, url, tour, login="psr_cashier"):
        self.start_tour(url, f"pos_session_restriction_{tour}", login=login)
        self.env.invalidate_all()

    def sessions(self):
        self.env.invalidate_all()
        return self.env["pos.session"].search([])

    @mute_logger(JSONRPC_LOGGER)
    def test_cashier_cannot_start_register_taken_out_of_operable_ones(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery | self.clothes,
        )
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "refused_not_operable")
        self.assertEqual(self.cashier.pos_access_config_ids, self.clothes)
        session = self.sessions()
        self.assertEqual(session.config_id, self.bakery)
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(session.state, "opening_control")

    def setup_pos_hr(self):
        """Turn on pos_hr's employee login on the Bakery Shop, for the cashier
        and the colleague."""
        # pos_hr is no dependency: the test command installs it for this test.
        pos_hr = self.env["ir.module.module"]._get("pos_hr")
        self.assertEqual(pos_hr.state, "installed", "install pos_hr to run this test")
        # Two employees, so that pos_hr asks who logs in.
        employees = self.env["hr.employee"]
        for user in self.cashier | self.colleague:
            # sudo: the test user is no HR officer
            employees |= user.sudo().employee_id or employees.sudo().create(
                {
                    "name": user.name,
                    "user_id": user.id,
                    "company_id": self.bakery.company_id.id,
                }
            )
        self.bakery.write(
            {"module_pos_hr": True, "basic_employee_ids": [Command.set(employees.ids)]}
        )

    @mute_logger(JSONRPC_LOGGER)
    def test_cashier_cannot_start_register_taken_out_of_operable_ones_pos_hr(self):
        self.setup_pos_hr()
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery | self.clothes,
        )
        self.start_restriction_tour(
            f"/pos/ui/{self.bakery.id}", "refused_not_operable_pos_hr"
        )
        self.assertEqual(self.cashier.pos_access_config_ids, self.clothes)
        session = self.sessions()
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(session.state, "opening_control")

    def test_cashier_cannot_open_second_register_from_dashboard(self):
        self.restrict(self.cashier, single=True)
        session = self.open_session(self.bakery, self.cashier)
        self.start_restriction_tour(DASHBOARD_URL, "refused_single_session")
        self.assertEqual(self.sessions(), session)
        self.assertEqual(session.state, "opening_control")

    @mute_logger(JSONRPC_LOGGER)
    def test_cashier_cannot_close_session_opened_by_other_user_once_locked(self):
        session = self.open_session(self.bakery, self.colleague)
        session.with_user(self.colleague).set_opening_control(0, "")
        self.start_restriction_tour(
            f"/pos/ui/{self.bakery.id}", "refused_foreign_session"
        )
        self.assertTrue(self.cashier.pos_lock_foreign_sessions)
        self.assertEqual(self.sessions(), session)
        self.assertEqual(session.state, "opened")
        self.assertEqual(session.user_id, self.colleague)
        # Both sales made in the app reached the server, refusal or not.
        self.assertEqual(len(session.order_ids), 2)
        self.assertEqual(set(session.order_ids.mapped("state")), {"paid"})
        self.assertEqual(session.order_ids.user_id, self.cashier)

    def test_card_sale_sent_as_another_user_is_held_not_lost(self):
        # A colleague, locked to their own sessions, logs in in another tab
        # of the register's browser: the sale is sent as them.
        self.restrict(self.colleague, lock_foreign=True)
        session = self.open_session(self.bakery, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "held_sale")
        self.assertFalse(session.order_ids)
        held = self.env["pos.held.order"].search([])
        self.assertRecordValues(
            held,
            [
                {
                    "state": "held",
                    "user_id": self.colleague.id,
                    "session_id": session.id,
                    "amount_total": 2.0,
                }
            ],
        )
        self.assertEqual(held.payload["payment_ids"][0][2]["amount"], 2.0)

    def test_offline_sale_of_register_refused_on_reload_is_kept_on_server(self):
        # The next cashier on the terminal is locked to their own sessions:
        # the register, running the cashier's session, is refused to them.
        self.restrict(self.colleague, lock_foreign=True)
        session = self.open_session(self.bakery, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "browser_sales")
        self.assertFalse(session.order_ids)
        held = self.env["pos.held.order"].search([])
        self.assertRecordValues(
            held,
            [{"state": "held", "session_id": session.id, "amount_total": 2.0}],
        )
        (line,) = held.payload["lines"]
        self.assertEqual(line[2]["product_id"], self.croissant.id)
        self.assertEqual(held.payload["payment_ids"][0][2]["amount"], 2.0)
        # Placed by a manager, it is the sale the cashier made.
        held = held.with_user(self.manager)
        held.target_session_id = session
        held.action_place()
        self.assertRecordValues(
            held.order_id,
            [{"session_id": session.id, "state": "paid", "amount_paid": 2.0}],
        )
        self.assertEqual(held.order_id.lines.product_id, self.croissant)

    @mute_logger(JSONRPC_LOGGER)
    def test_cashier_who_joined_colleague_session_keeps_syncing_once_locked(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery | self.clothes,
        )
        session = self.open_session(self.bakery, self.colleague)
        session.with_user(self.colleague).set_opening_control(0, "")
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "joined_session_sync")
        self.assertTrue(self.cashier.pos_lock_foreign_sessions)
        self.assertEqual(self.sessions(), session)
        self.assertEqual(session.user_id, self.colleague)
        # The sale made after the lock reached the server too.
        self.assertEqual(len(session.order_ids), 2)
        self.assertEqual(set(session.order_ids.mapped("state")), {"paid"})
        self.assertEqual(session.order_ids.user_id, self.cashier)
        journal = self.env["pos.session.event"].search(
            [("session_id", "=", session.id)]
        )
        self.assertIn(
            ("resumed", self.cashier), [(e.event, e.user_id) for e in journal]
        )

    def test_dashboard_shows_view_only_and_foreign_registers(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes | self.furniture,
            access=self.bakery | self.furniture,
            lock_foreign=True,
        )
        session = self.open_session(self.furniture, self.colleague)
        self.start_restriction_tour(
            f"/odoo/action-base.action_res_users/{self.cashier.id}",
            "dashboard_view_only",
            login="psr_manager",
        )
        self.assertEqual(self.sessions(), session)
        self.assertEqual(session.user_id, self.colleague)

    def test_cashier_typing_url_of_non_operable_register_is_sent_back(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes, access=self.bakery)
        self.start_restriction_tour(f"/pos/ui/{self.clothes.id}", "typed_url")
        self.assertFalse(self.sessions())

    def test_restricted_cashier_opens_sells_and_closes_own_register(self):
        self.restrict(
            self.cashier,
            view=self.bakery | self.clothes,
            access=self.bakery,
            lock_foreign=True,
            single=True,
        )
        self.start_restriction_tour(DASHBOARD_URL, "allowed_flow")
        sessions = self.sessions()
        self.assertEqual(sessions.config_id, self.bakery)
        self.assertEqual(sessions.user_id, self.cashier)
        closed = sessions.filtered(lambda session: session.state == "closed")
        self.assertEqual(len(closed), 1)
        self.assertEqual(len(closed.order_ids), 1)
        self.assertEqual(closed.order_ids.state, "done")
        # Core reopens the register once closed. The tour leaves it, which
        # discards that session, but the POS service worker, refreshing its
        # cache of /pos/ui/<id>, may open another one.
        self.assertLessEqual(
            set((sessions - closed).mapped("state")), {"opening_control"}
        )
        self.assertFalse((sessions - closed).order_ids)

    @mute_logger(JSONRPC_LOGGER)
    def test_locked_out_cashier_takes_session_over_with_manager_approval(self):
        self.manager.pos_approval_pin = TOUR_PIN
        session = self.start_session(self.bakery, self.colleague)
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "approval_take_over")
        self.assertTrue(self.cashier.pos_lock_foreign_sessions)
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.user_id, self.cashier)
        # Both sales, before and after the take-over, are in the closed session.
        self.assertEqual(len(session.order_ids), 2)
        self.assertEqual(set(session.order_ids.mapped("state")), {"done"})
        events = self.events(session)
        self.assertIn(("approved", self.cashier), events)
        self.assertIn(("handed_over", self.colleague), events)
        self.assertEqual(events[-1], ("closed", self.cashier))
        grant = self.env["pos.approval.grant"].search([])
        self.assertEqual(
            (grant.action, grant.user_id, grant.approver_id),
            ("take_over", self.cashier, self.manager),
        )

    @mute_logger(JSONRPC_LOGGER)
    def test_five_wrong_pins_lock_approvals_at_the_register(self):
        self.manager.pos_approval_pin = TOUR_PIN
        session = self.start_session(self.bakery, self.colleague)
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "approval_lockout")
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(session.state, "opened")
        self.assertFalse(self.env["pos.approval.grant"].search([]))
        attempts = self.env["pos.approval.attempt"].search([], order="id")
        self.assertEqual(attempts.mapped("result"), ["wrong_pin"] * 5 + ["locked"])
        log = self.env["pos.restriction.log"].search(
            [("user_id", "=", self.cashier.id)]
        )
        wrong = log.filtered(lambda entry: entry.rule == "wrong_pin")
        self.assertEqual(sum(wrong.mapped("attempt_count")), 5)
        self.assertEqual(wrong.approver_id, self.manager)
        self.assertIn("approval_locked", log.mapped("rule"))

    def test_owner_hands_register_over_and_colleague_continues(self):
        session = self.start_session(self.bakery, self.cashier)
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "hand_over")
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(session.state, "opened")
        self.assertEqual(session.order_ids.user_id, self.cashier)
        self.assertIn(("handed_over", self.cashier), self.events(session))
        self.start_restriction_tour(
            f"/pos/ui/{self.bakery.id}", "hand_over_receiver", login="psr_colleague"
        )
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(len(session.order_ids), 2)
        self.assertEqual(session.order_ids.user_id, self.cashier | self.colleague)

    def test_owner_hands_register_over_with_pos_hr_once_logged_in(self):
        self.setup_pos_hr()
        # pos_hr offers Close Register to employees with advanced rights only.
        self.bakery.advanced_employee_ids = self.colleague.sudo().employee_id
        session = self.start_session(self.bakery, self.cashier)
        self.start_restriction_tour(f"/pos/ui/{self.bakery.id}", "hand_over_pos_hr")
        self.assertEqual(session.user_id, self.colleague)
        self.assertIn(("handed_over", self.cashier), self.events(session))
        self.start_restriction_tour(
            f"/pos/ui/{self.bakery.id}",
            "hand_over_receiver_pos_hr",
            login="psr_colleague",
        )
        self.assertEqual(session.state, "closed")
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(len(session.order_ids), 1)

    def test_administrator_closes_abandoned_session_from_the_board(self):
        self.bakery.payment_method_ids |= self.create_payment_method(
            "Cash", self.company_data["default_journal_cash"]
        )
        abandoned = self.open_session(self.bakery, self.colleague)
        abandoned.with_user(self.colleague).set_opening_control(20, "")
        self.create_paid_order(abandoned).state = "paid"
        in_use = self.open_session(self.clothes, self.cashier)
        yesterdays = self.open_session(self.furniture, self.colleague)
        self.env.flush_all()
        # The Bakery's session was last used 13 hours ago; the Furniture Shop's
        # was opened yesterday, and resumed since.
        self.env.cr.execute(
            "UPDATE pos_session_event SET date = date - interval '13 hours' "
            "WHERE session_id = %s;"
            "UPDATE pos_order SET date_order = date_order - interval '13 hours' "
            "WHERE session_id = %s",
            [abandoned.id, abandoned.id],
        )
        self.env.cr.execute(
            "UPDATE pos_session SET create_date = create_date - interval '1 day' "
            "WHERE id = %s",
            [yesterdays.id],
        )
        self.env.invalidate_all()
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=1.0
        ):
            self.env["pos.session"]._pos_flag_abandoned_sessions()
        self.assertEqual(self.sessions().filtered("pos_abandoned"), abandoned)
        self.browser_size = "1600x900"
        self.start_restriction_tour(
            DASHBOARD_URL,
            "supervision_board",
            login="psr_manager",
        )
        self.assertEqual(abandoned.state, "closed")
        self.assertEqual(abandoned.order_ids.state, "done")
        self.assertEqual(abandoned.cash_register_balance_end_real, 20.0)
        self.assertEqual(in_use.state, "opening_control")
        self.assertEqual(yesterdays.state, "opening_control")
        last = (
            self.env["pos.session.event"]
            .sudo()
            .search([("session_id", "=", abandoned.id)], limit=1)
        )
        self.assertEqual((last.event, last.user_id), ("closed_remotely", self.manager))

    def test_cashier_outside_hours_sees_when_and_is_refused(self):
        schedule = self.env["resource.calendar"].create(
            {
                "name": "Afternoons",
                "tz": "Europe/Brussels",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 14,
                            "hour_to": 22,
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        self.cashier.write(
            {"tz": "Europe/Brussels", "pos_resource_calendar_id": schedule.id}
        )
        # Wednesday 15 January 2025, 13:00 in Brussels.
        with freeze_time("2025-01-15 12:00:00", tick=True):
            self.start_restriction_tour(DASHBOARD_URL, "outside_hours")
        self.assertFalse(self.sessions())
        # sudo: the test reads the log whoever runs it
        refusal = self.env["pos.restriction.log"].sudo().search([])
        self.assertEqual(
            refusal.mapped(lambda entry: (entry.rule, entry.channel)),
            [("outside_hours", "url")],
        )
