import re
from datetime import date, datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..models.res_users import ENABLED_PARAM
from ..models.res_users_shift_hours import HOURS_GRACE_PARAM
from .common import PosRestrictionCommon, PosRestrictionHttpCommon

# Wednesday 15 January 2025, in winter: Brussels is UTC+1, New York UTC-5.
WEDNESDAY = "2025-01-15"
MSG_OUTSIDE = (
    "Outside your hours: you may open a register from {time}. Ask your manager if "
    "you need to work outside your working hours."
)
ONE_HOUR = timedelta(hours=1)


def at(utc_time, day=WEDNESDAY):
    """Freeze the clock at ``utc_time`` (UTC) on ``day``."""
    return freeze_time(f"{day} {utc_time}")


def outside(time):
    return re.escape(MSG_OUTSIDE.format(time=time))


class HoursCase(PosRestrictionCommon):
    """One schedule, Monday to Friday from 9:00 to 17:00, kept by the cashier in
    Brussels and by the colleague in New York: each in their own time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schedule = cls.create_schedule("Shop hours", 9, 17)
        cls.cashier.write(
            {"tz": "Europe/Brussels", "pos_resource_calendar_id": cls.schedule.id}
        )
        cls.colleague.write(
            {"tz": "America/New_York", "pos_resource_calendar_id": cls.schedule.id}
        )

    @classmethod
    def create_schedule(cls, name, hour_from, hour_to, tz="Europe/Brussels", **vals):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "company_id": cls.env.company.id,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                        }
                    )
                    for day in range(5)
                ],
                **vals,
            }
        )

    def set_grace(self, minutes):
        self.env["ir.config_parameter"].set_param(HOURS_GRACE_PARAM, str(minutes))

    def add_public_holiday(self, day, **vals):
        """A public holiday of the schedule on ``day``, midnight to midnight in
        Brussels."""
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.schedule.id,
                "company_id": self.env.company.id,
                "date_from": datetime.fromisoformat(f"{day} 00:00") - ONE_HOUR,
                "date_to": datetime.fromisoformat(f"{day} 23:59") - ONE_HOUR,
                **vals,
            }
        )

    def assertMayOpen(self, config, user):
        session = self.open_session(config, user)
        self.assertEqual(session.user_id, user)
        return session

    def assertMayNotOpen(self, config, user, time):
        with self.assertRefused(outside(time)) as refusal:
            config.with_user(user).open_ui()
        self.assertEqual(refusal.exception.rule, "outside_hours")
        self.assertFalse(config.current_session_id)
        return refusal.exception


@tagged("post_install", "-at_install")
class TestShiftHours(HoursCase):
    """Opening and resuming a register inside and outside working hours."""

    def test_cashier_opens_register_within_hours(self):
        with at("12:00"):  # 13:00 in Brussels
            self.assertMayOpen(self.bakery, self.cashier)

    def test_cashier_cannot_open_register_before_hours(self):
        with at("07:30"):  # 8:30 in Brussels
            refusal = self.assertMayNotOpen(self.bakery, self.cashier, "09:00")
        self.assertEqual(refusal.context["action"], "open")

    def test_cashier_cannot_open_register_after_hours(self):
        with at("16:30"):  # 17:30 in Brussels
            self.assertMayNotOpen(self.bakery, self.cashier, "Thursday 09:00")

    def test_refusal_on_friday_evening_names_monday(self):
        with at("20:00", day="2025-01-17"):
            self.assertMayNotOpen(self.bakery, self.cashier, "Monday 09:00")

    def test_one_schedule_in_each_user_time_zone(self):
        with at("12:00"):  # 13:00 in Brussels, 7:00 in New York
            self.assertMayOpen(self.bakery, self.cashier)
            self.assertMayNotOpen(self.clothes, self.colleague, "09:00")
        with at("16:30"):  # 17:30 in Brussels, 11:30 in New York
            self.assertMayNotOpen(self.furniture, self.cashier, "Thursday 09:00")
            self.assertMayOpen(self.furniture, self.colleague)

    def test_user_without_time_zone_keeps_the_schedule_time_zone(self):
        self.cashier.tz = False
        self.schedule.tz = "America/New_York"
        with at("12:00"):  # 7:00 in New York
            self.assertMayNotOpen(self.bakery, self.cashier, "09:00")
        with at("15:00"):
            self.assertMayOpen(self.bakery, self.cashier)

    def test_grace_period_before_and_after_hours(self):
        self.set_grace(30)
        with at("07:25"):  # 8:25 in Brussels
            self.assertMayNotOpen(self.bakery, self.cashier, "08:30")
        with at("07:35"):
            session = self.assertMayOpen(self.bakery, self.cashier)
        with at("16:25"):  # 17:25: the cashier may still come back
            self.bakery.with_user(self.cashier).open_ui()
        with at("16:35"):
            with self.assertRefused(outside("Thursday 08:30")):
                self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(session.state, "opening_control")

    def test_grace_period_is_never_negative(self):
        self.set_grace(-30)
        with at("07:59"):
            self.assertMayNotOpen(self.bakery, self.cashier, "09:00")
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.env["res.config.settings"].create(
                {"pos_restriction_hours_grace_minutes": -1}
            )

    def test_public_holiday_counts_as_closed(self):
        holiday = self.add_public_holiday(WEDNESDAY)
        with at("12:00"):
            self.assertMayNotOpen(self.bakery, self.cashier, "Thursday 09:00")
            # The holiday of every schedule, too.
            holiday.calendar_id = False
            self.assertMayNotOpen(self.bakery, self.cashier, "Thursday 09:00")
            holiday.unlink()
            self.assertMayOpen(self.bakery, self.cashier)

    def test_time_off_of_one_employee_is_no_public_holiday(self):
        # sudo: resources belong to HR officers
        resource = (
            self.env["resource.resource"]
            .sudo()
            .create({"name": "Someone else", "calendar_id": self.schedule.id})
        )
        self.add_public_holiday(WEDNESDAY, resource_id=resource.id)
        with at("12:00"):
            self.assertMayOpen(self.bakery, self.cashier)

    def test_schedule_change_applies_at_once(self):
        with at("07:30"):
            self.assertMayNotOpen(self.bakery, self.cashier, "09:00")
            wednesday = self.schedule.attendance_ids.filtered(
                lambda attendance: attendance.dayofweek == "2"
            )
            wednesday.hour_from = 8
            self.assertMayOpen(self.bakery, self.cashier)

    def test_schedule_set_on_user_applies_at_once(self):
        self.cashier.pos_resource_calendar_id = False
        with at("06:00"):
            self.assertMayOpen(self.bakery, self.cashier)
            self.cashier.pos_resource_calendar_id = self.schedule
            self.assertMayNotOpen(self.clothes, self.cashier, "09:00")

    def test_cashier_cannot_resume_own_session_after_hours(self):
        with at("15:00"):
            session = self.start_session(self.bakery, self.cashier)
        with at("16:30"):
            with self.assertRefused(outside("Thursday 09:00")) as refusal:
                self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(refusal.exception.context["action"], "resume")
        self.assertEqual(session.state, "opened")

    def test_cashier_cannot_join_colleague_session_outside_hours(self):
        with at("16:30"):  # 11:30 in New York, 17:30 in Brussels
            self.start_session(self.bakery, self.colleague)
            with self.assertRefused(outside("Thursday 09:00")):
                self.bakery.with_user(self.cashier).open_ui()

    def test_handing_session_over_after_hours_is_allowed_taking_one_is_not(self):
        with at("15:00"):
            session = self.start_session(self.bakery, self.cashier)
        with at("16:30"):  # 17:30 in Brussels, 11:30 in New York
            session.with_user(self.cashier).write({"user_id": self.colleague.id})
            self.assertEqual(session.user_id, self.colleague)
            with self.assertRefused(outside("Thursday 09:00")):
                session.with_user(self.cashier).write({"user_id": self.cashier.id})
            # Nor may a manager hand it to a cashier outside their hours.
            with self.assertRefused(
                "Casey Cashier is outside their working hours: you cannot hand "
                "'Bakery Shop' over to them now."
            ):
                session.with_user(self.manager).pos_hand_over(self.cashier.id)
        self.assertEqual(session.user_id, self.colleague)

    def test_session_open_across_end_of_shift_is_never_cut(self):
        with at("15:00"):  # 16:00 in Brussels
            session = self.start_session(self.bakery, self.cashier)
        with at("16:30"):  # 17:30: the shift is over
            cashier_session = session.with_user(self.cashier)
            payload = self.order_payload(session, self.cashier, self.product_a)
            self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
            self.assertEqual(session.order_ids.mapped("state"), ["paid"])
            cashier_session.get_closing_control_data()
            cashier_session.update_closing_control_state_session("End of shift")
            self.assertTrue(cashier_session.close_session_from_ui()["successful"])
        self.assertEqual(session.state, "closed")

    def test_starting_session_counts_as_opening(self):
        """A session opened within hours but not started: starting it after
        hours opens the register, and is refused; discarding it is not."""
        with at("15:55"):  # 16:55 in Brussels
            session = self.open_session(self.bakery, self.cashier)
        with at("16:05"):
            with self.assertRefused(outside("Thursday 09:00")) as refusal:
                session.with_user(self.cashier).set_opening_control(0, "")
            self.assertEqual(refusal.exception.context["action"], "start")
            self.assertEqual(session.state, "opening_control")
            session.with_user(self.cashier).delete_opening_control_session()
        self.assertFalse(session.exists())

    def test_session_in_closing_control_may_be_closed_after_hours(self):
        with at("15:00"):
            session = self.start_session(self.bakery, self.cashier)
            session.with_user(self.cashier).update_closing_control_state_session("")
        with at("22:00"):
            self.bakery.with_user(self.cashier).open_existing_session_cb()
            session.with_user(self.cashier).action_pos_session_closing_control()
        self.assertEqual(session.state, "closed")

    def test_user_without_schedule_is_unaffected(self):
        self.cashier.pos_resource_calendar_id = False
        with at("02:00"):
            self.assertMayOpen(self.bakery, self.cashier)

    def test_administrator_is_unaffected(self):
        self.manager.pos_resource_calendar_id = self.schedule
        with at("02:00"):
            self.assertMayOpen(self.bakery, self.manager)

    def test_switch_off_lifts_hours(self):
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, "False")
        with at("02:00"):
            self.assertMayOpen(self.bakery, self.cashier)

    def test_flexible_schedule_fixes_no_hours(self):
        self.schedule.flexible_hours = True
        with at("02:00"):
            self.assertMayOpen(self.bakery, self.cashier)

    def test_schedule_without_hours_in_the_coming_week(self):
        self.schedule.attendance_ids.unlink()
        with at("12:00"):
            with self.assertRefused(
                "Outside your hours: your working hours leave no time to open a "
                "register in the coming week."
            ):
                self.bakery.with_user(self.cashier).open_ui()

    def test_schedule_is_set_on_the_user_restriction_page(self):
        form = self.env.ref("base.view_users_form")
        users = self.env["res.users"].with_user(self.manager)
        arch = users.get_views([(form.id, "form")])["views"]["form"]["arch"]
        page = arch[arch.index('name="pos_session_restrictions"') :]
        self.assertIn('name="pos_resource_calendar_id"', page)
        settings = self.env.ref("point_of_sale.res_config_settings_view_form")
        arch = self.env["res.config.settings"].get_views([(settings.id, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertIn('name="pos_restriction_hours_grace_minutes"', arch)


@tagged("post_install", "-at_install")
class TestShiftHoursDashboard(HoursCase):
    """The dashboard card says when the cashier may open a register."""

    def card(self, config, user):
        config = config.with_user(user).with_prefetch()
        config.invalidate_recordset(
            ["pos_restriction_rule", "pos_restriction_hours_from"]
        )
        return config.pos_restriction_rule, config.pos_restriction_hours_from

    def test_card_shows_outside_hours_and_when(self):
        with at("12:00"):
            self.assertEqual(self.card(self.bakery, self.cashier), (False, False))
            self.assertEqual(
                self.card(self.bakery, self.colleague), ("outside_hours", "09:00")
            )
        with at("16:30"):
            self.assertEqual(
                self.card(self.bakery, self.cashier),
                ("outside_hours", "Thursday 09:00"),
            )

    def test_card_of_open_session_outside_hours(self):
        with at("15:00"):
            session = self.start_session(self.bakery, self.cashier)
        with at("16:30"):
            self.assertEqual(self.card(self.bakery, self.cashier)[0], "outside_hours")
            session.with_user(self.cashier).update_closing_control_state_session("")
            self.bakery.invalidate_recordset(["current_session_state"])
            # In closing control, the card offers to close it.
            self.assertEqual(self.card(self.bakery, self.cashier), (False, False))

    def test_other_rules_come_first(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes, access=self.bakery)
        with at("16:30"):
            self.assertEqual(self.card(self.clothes, self.cashier)[0], "not_operable")
            self.assertEqual(self.card(self.bakery, self.cashier)[0], "outside_hours")


@tagged("post_install", "-at_install")
class TestShiftHoursCache(HoursCase):
    """The check costs no query once the schedule's intervals are cached, and
    a change to the schedule reaches the cache."""

    def test_hours_check_costs_no_query(self):
        # As the overrides get the user, in a request (which gives the language)
        cashier = self.env(user=self.cashier, context={"lang": "en_US"}).user
        for time, refused in (("07:30", True), ("12:00", False)):
            with self.subTest(time=time), at(time):
                cashier._pos_hours_refusal()  # warm the caches
                self.env.invalidate_all()
                with self.assertQueryCount(0):
                    self.assertEqual(bool(cashier._pos_hours_refusal()), refused)

    def test_cold_cache_reads_schedule_once(self):
        """From cold caches, the schedule's intervals cost a fixed number of
        queries: the schedule, its attendances, its public holidays."""
        calendar = self.schedule.sudo()
        with at("07:30"):
            self.env.registry.clear_cache()
            self.env.invalidate_all()
            with self.assertQueryCount(4):
                tz, intervals = calendar._pos_work_intervals(
                    "Europe/Brussels", date(2025, 1, 15)
                )
        self.assertEqual(tz, "Europe/Brussels")
        # From Monday 13 to Thursday 23 January: nine working days.
        self.assertEqual(len(intervals), 9)
        self.assertIn(
            (datetime(2025, 1, 15, 8, 0), datetime(2025, 1, 15, 16, 0)), intervals
        )


@tagged("post_install", "-at_install")
class TestShiftHoursHttp(HoursCase, PosRestrictionHttpCommon):
    """Over real HTTP: the dashboard's RPC, a typed URL, the POS app's calls."""

    @mute_logger("odoo.http")
    def test_refused_open_over_rpc_is_logged(self):
        known = self.log_entries()
        with at("07:30"):
            self.authenticate("psr_cashier", "psr_cashier")
            response = self.call_kw("pos.config", "open_ui", [self.bakery.ids])
        self.assertRpcRefused(response, MSG_OUTSIDE.format(time="09:00"))
        self.assertEqual(response["error"]["data"]["context"]["rule"], "outside_hours")
        self.assertFalse(self.bakery.current_session_id)
        entry = self.log_entries() - known
        self.assertRecordValues(
            entry,
            [
                {
                    "user_id": self.cashier.id,
                    "config_id": self.bakery.id,
                    "rule": "outside_hours",
                    "action": "open",
                    "channel": "rpc",
                    "message": MSG_OUTSIDE.format(time="09:00"),
                }
            ],
        )

    @mute_logger("odoo.http")
    def test_typed_url_outside_hours_is_refused(self):
        with at("07:30"):
            self.authenticate("psr_cashier", "psr_cashier")
            response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertUrlRefused(response, MSG_OUTSIDE.format(time="09:00"))
        self.assertFalse(self.bakery.current_session_id)

    def test_colleague_in_new_york_opens_by_url_when_brussels_has_closed(self):
        with at("16:30"):
            self.authenticate("psr_colleague", "psr_colleague")
            response = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertPosPage(response, self.bakery.current_session_id)
        self.assertEqual(self.bakery.current_session_id.user_id, self.colleague)

    @mute_logger("odoo.http")
    def test_session_open_across_end_of_shift_over_http(self):
        with at("15:00"):
            session = self.start_session(self.bakery, self.cashier)
        with at("16:30"):
            self.authenticate("psr_cashier", "psr_cashier")
            # Reloading the POS app resumes the session: refused.
            response = self.open_url(f"/pos/ui/{self.bakery.id}")
            self.assertUrlRefused(response, MSG_OUTSIDE.format(time="Thursday 09:00"))
            # The app still open on the register syncs its orders and closes.
            payload = self.order_payload(session, self.cashier, self.product_a)
            self.assertRpcResult(self.call_kw("pos.order", "sync_from_ui", [[payload]]))
            self.assertRpcResult(
                self.call_kw("pos.session", "get_closing_control_data", [session.ids])
            )
        self.assertEqual(session.order_ids.mapped("state"), ["paid"])
        self.assertEqual(session.state, "opened")
