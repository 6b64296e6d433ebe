from collections import namedtuple
from datetime import timedelta

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..exceptions import PosSessionRestrictionError

HOURS_GRACE_PARAM = "pos_session_restriction.hours_grace_minutes"
DEFAULT_HOURS_GRACE_MINUTES = 0
# How far ahead a refusal outside working hours looks for the next start of work.
HOURS_LOOKAHEAD = timedelta(days=7)
# The next start of work of a user outside their hours: an aware datetime in
# their time zone, or None when their schedule has none within HOURS_LOOKAHEAD.
OutsideHours = namedtuple("OutsideHours", ["next_start"])


class ResUsers(models.Model):
    _inherit = "res.users"

    pos_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        groups="point_of_sale.group_pos_manager",
        help="The user may open or continue a Point of Sale only within these "
        "hours, in their time zone (the schedule's when they have none), give or "
        "take the grace period of the Point of Sale settings. Public holidays of "
        "the schedule count as closed. A session already open is never cut: its "
        "orders keep syncing and it may still be closed. Leave empty for no "
        "limit.",
    )

    def _pos_hours_refusal(self):
        """The refusal this user meets when opening, starting or resuming a
        register outside their working hours, if any."""
        outside = self._pos_outside_hours()
        if not outside:
            return None
        if outside.next_start:
            message = self.env._(
                "Outside your hours: you may open a register from %(time)s. Ask "
                "your manager if you need to work outside your working hours.",
                time=self._pos_hours_label(outside.next_start),
            )
        else:
            message = self.env._(
                "Outside your hours: your working hours leave no time to open a "
                "register in the coming week. Ask your manager if you need to "
                "work outside them."
            )
        return PosSessionRestrictionError(message, rule="outside_hours")

    def _pos_outside_hours(self):
        """Whether this user's working hours keep them from opening, starting
        or resuming a register now: None when they do not, else an
        ``OutsideHours`` that says when they next may.

        The schedule's work intervals come from ``resource.calendar`` (cached
        per schedule, time zone and day), so that the check costs no query: the
        user's schedule and time zone are among their cached settings, the
        grace period a cached system parameter.
        """
        self.ensure_one()
        if not self._pos_restriction_applies():
            return None
        settings = self._pos_restriction_settings()
        if not settings.calendar_id:
            return None
        now = fields.Datetime.now()
        # sudo: the schedule is the administrator's setting, not the cashier's
        calendar = self.env["resource.calendar"].sudo().browse(settings.calendar_id)
        tz, intervals = calendar._pos_work_intervals(settings.tz, now.date())
        if intervals is None:
            return None
        grace = timedelta(minutes=self._pos_hours_grace_minutes())
        if any(start - grace <= now < stop + grace for start, stop in intervals):
            return None
        next_start = min(
            (start - grace for start, _stop in intervals if start - grace > now),
            default=None,
        )
        if next_start and next_start - now <= HOURS_LOOKAHEAD:
            return OutsideHours(utc.localize(next_start).astimezone(timezone(tz)))
        return OutsideHours(None)

    @api.model
    def _pos_hours_grace_minutes(self):
        """The grace period around working hours, in minutes, from Settings."""
        # sudo: cashiers cannot read system parameters
        value = self.env["ir.config_parameter"].sudo().get_param(HOURS_GRACE_PARAM)
        try:
            return max(int(value or DEFAULT_HOURS_GRACE_MINUTES), 0)
        except (TypeError, ValueError):
            return DEFAULT_HOURS_GRACE_MINUTES

    def _pos_hours_label(self, moment):
        """When ``moment`` (aware, in this user's time zone) is, as a refusal
        says it: "14:00" today, "Monday 09:00" on another day."""
        zone = moment.tzinfo.zone
        today = utc.localize(fields.Datetime.now()).astimezone(timezone(zone)).date()
        return format_datetime(
            self.env,
            moment.astimezone(utc).replace(tzinfo=None),
            tz=zone,
            dt_format="HH:mm" if moment.date() == today else "EEEE HH:mm",
        )
