from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL

RETENTION_PARAM = "pos_session_restriction.log_retention_days"
DEFAULT_RETENTION_DAYS = 365
# A PIN attempt counts towards lockouts for a day and a half at most (see
# pos_approval_attempt.LOCK_LOOKBACK): it is kept two days at least.
MIN_RETENTION_DAYS = 2
PURGE_BATCH_SIZE = 10000


class PosRestrictionRecord(models.AbstractModel):
    """What happened at a register, who did it and from where: the
    restriction log, the session journal, manager approvals and approval PIN
    attempts. The addon's code creates them; nobody changes or deletes one,
    whatever the context (the uninstall's ``_force_unlink`` included), but
    for the counters a model names (``_pos_counters``, written by the addon
    as superuser) and the purge of what the retention period lets go."""

    _name = "pos.restriction.record"
    _description = "Point of Sale Restriction Record"

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="cascade"
    )
    config_id = fields.Many2one(
        "pos.config",
        string="Point of Sale",
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(string="Device", readonly=True)

    # The fields the addon's code updates on a record it created: none but a
    # model's counters.
    _pos_counters = frozenset()
    # The date after which the purge lets a record go, or None: kept for good.
    _pos_purged_after = None

    @api.ondelete(at_uninstall=False)
    def _unlink_except_restriction_record(self):
        raise UserError(self._pos_undeletable_message())

    def write(self, vals):
        self.check_access("write")
        if vals and not (self.env.su and vals.keys() <= self._pos_counters):
            raise UserError(self._pos_unchangeable_message())
        return super().write(vals)

    def unlink(self):
        # Even with the uninstall's context key, which skips ondelete methods.
        self.check_access("unlink")
        self._unlink_except_restriction_record()
        return super().unlink()

    def _pos_unchangeable_message(self):
        return self.env._(
            "%(model)s: a record of what happened cannot be changed.",
            model=self._pos_model_name(),
        )

    def _pos_undeletable_message(self):
        return self.env._(
            "%(model)s: a record of what happened cannot be deleted.",
            model=self._pos_model_name(),
        )

    def _pos_model_name(self):
        # sudo: the model's name, in the user's language, for whoever is refused
        return self.env["ir.model"].sudo()._get(self._name).name

    @api.model
    def _pos_request_origin(self):
        """Where the current request comes from: its address and device."""
        if not request:
            return {"ip_address": False, "user_agent": False}
        return {
            "ip_address": request.httprequest.remote_addr,
            "user_agent": (request.httprequest.user_agent.string or "")[:512] or False,
        }

    @api.model
    def _cron_purge_restriction_records(self):
        """Let the records of every model that is purged go once the
        retention period (Settings) is over, a batch at a time."""
        cutoff = fields.Datetime.now() - timedelta(days=self._pos_retention_days())
        for model in self.env.registry.descendants([self._name], "_inherit"):
            records = self.env[model]
            if records._abstract or not records._pos_purged_after:
                continue
            if not records._pos_purge(cutoff):
                return

    @api.model
    def _pos_purge(self, cutoff):
        """Delete this model's records older than ``cutoff``, by SQL: the ORM's
        unlink refuses them to everyone. Returns False when the scheduled
        action must stop (its time is up)."""
        while True:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %(table)s WHERE id IN (SELECT id FROM %(table)s "
                    "WHERE %(date)s < %(cutoff)s LIMIT %(limit)s)",
                    table=SQL.identifier(self._table),
                    date=SQL.identifier(self._pos_purged_after),
                    cutoff=cutoff,
                    limit=PURGE_BATCH_SIZE,
                )
            )
            count = self.env.cr.rowcount
            self.invalidate_model()
            if not count:
                return True
            if not self.env["ir.cron"]._commit_progress(count):
                return False

    @api.model
    def _pos_retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            return max(int(value or DEFAULT_RETENTION_DAYS), MIN_RETENTION_DAYS)
        except (TypeError, ValueError):
            return DEFAULT_RETENTION_DAYS
