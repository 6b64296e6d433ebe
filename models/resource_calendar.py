from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import models, tools

# The work intervals a cached entry holds, around the day it is for: the day
# before (a grace period may reach back into it) and the week after (where a
# refusal looks for the next start of work).
DAYS_BEFORE = 2
DAYS_AFTER = 9


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        # Hours, time zone, two-week mode, flexibility, public holidays: all of
        # them change what the cached work intervals say.
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @tools.ormcache("self.id", "tz_name", "day")
    def _pos_work_intervals(self, tz_name, day):
        """This schedule's work intervals around ``day`` (a UTC date), public
        holidays off, in the time zone ``tz_name`` (the schedule's own when
        empty, as resource does): ``(tz, intervals)`` where ``intervals`` is a
        tuple of ``(start, stop)`` in naive UTC, or None for a flexible
        schedule, which fixes no hours.

        Cached: a cashier's every check would otherwise read the schedule, its
        attendances and its leaves. Changing any of them clears the cache.
        """
        self.ensure_one()
        tz = tz_name or self.tz or "UTC"
        if self.flexible_hours:
            return tz, None
        zone = timezone(tz)
        start, stop = (
            zone.localize(datetime.combine(day + timedelta(days=offset), time.min))
            for offset in (-DAYS_BEFORE, DAYS_AFTER)
        )
        # Public holidays: leaves of no resource, of this schedule or of every
        # schedule, of its company when it has one.
        domain = [("time_type", "=", "leave")]
        if self.company_id:
            domain.append(("company_id", "in", [False, self.company_id.id]))
        intervals = self._work_intervals_batch(start, stop, domain=domain, tz=zone)
        return tz, tuple(
            (
                begin.astimezone(utc).replace(tzinfo=None),
                end.astimezone(utc).replace(tzinfo=None),
            )
            for begin, end, _attendance in intervals[False]
        )
