from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .pos_restriction_record import (
    DEFAULT_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    RETENTION_PARAM,
)
from .pos_session_supervision import (
    ABANDONED_AFTER_PARAM,
    DEFAULT_ABANDONED_AFTER_HOURS,
)
from .res_users import ENABLED_PARAM
from .res_users_shift_hours import DEFAULT_HOURS_GRACE_MINUTES, HOURS_GRACE_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pos_session_restriction_enabled = fields.Boolean(
        string="Enforce Session Restrictions",
        config_parameter=ENABLED_PARAM,
        help="Enforce the per-user restrictions on Points of Sale and sessions. "
        "When off, every POS user works as in standard Odoo.",
    )

    pos_restriction_log_retention_days = fields.Integer(
        string="Keep Refused Attempts (Days)",
        config_parameter=RETENTION_PARAM,
        default=DEFAULT_RETENTION_DAYS,
        help="Entries of the restriction log, approval PIN attempts and expired "
        "manager approvals older than this are deleted daily. The session "
        "journal is kept for good.",
    )

    pos_abandoned_after_hours = fields.Integer(
        string="Flag Sessions Idle For (Hours)",
        config_parameter=ABANDONED_AFTER_PARAM,
        default=DEFAULT_ABANDONED_AFTER_HOURS,
        help="An open session without orders or journal entries for this long "
        "is flagged abandoned, and a POS administrator is asked to close it; one "
        "never started and without orders is discarded.",
    )
    pos_restriction_hours_grace_minutes = fields.Integer(
        string="Grace Period Around Working Hours (Minutes)",
        config_parameter=HOURS_GRACE_PARAM,
        default=DEFAULT_HOURS_GRACE_MINUTES,
        help="Users with working hours may open or continue a Point of Sale this "
        "many minutes before their hours start and after they end.",
    )

    @api.constrains("pos_restriction_log_retention_days")
    def _check_pos_restriction_log_retention_days(self):
        if any(s.pos_restriction_log_retention_days < MIN_RETENTION_DAYS for s in self):
            raise ValidationError(
                self.env._(
                    "Keep refused attempts for at least %(days)s days: approval PIN "
                    "lockouts count the wrong PINs of the last day and a half.",
                    days=MIN_RETENTION_DAYS,
                )
            )

    @api.constrains("pos_abandoned_after_hours")
    def _check_pos_abandoned_after_hours(self):
        if any(s.pos_abandoned_after_hours < 1 for s in self):
            raise ValidationError(
                self.env._("Flag sessions idle for at least one hour.")
            )

    @api.constrains("pos_restriction_hours_grace_minutes")
    def _check_pos_restriction_hours_grace_minutes(self):
        if any(s.pos_restriction_hours_grace_minutes < 0 for s in self):
            raise ValidationError(
                self.env._("The grace period around working hours cannot be negative.")
            )

    def set_values(self):
        res = super().set_values()
        # Setting the parameter clears the cached rule domains, but not the
        # users' cached flag these domains read.
        self.env["res.users"].invalidate_model(["pos_visibility_restricted"])
        return res
