import logging
import re
import threading

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..exceptions import PosSessionRestrictionError

# What a PIN typed at the register may be: 4 to 12 digits, as PINs set before
# 19.0.2.2.0 keep working until they are changed.
PIN_PATTERN = re.compile(r"[0-9]{4,12}")
# What a PIN set now must be: at least 6 digits (10,000 PINs of 4 fall within
# weeks of locked-out guessing).
NEW_PIN_PATTERN = re.compile(r"[0-9]{6,12}")
# The column that keeps the hash of each approval PIN. No field maps it: only the
# SQL of this file reads or writes it, as res.users does with passwords.
PIN_HASH_COLUMN = "pos_approval_pin_hash"
# The public methods that take an approval PIN among their arguments.
PIN_METHODS = frozenset({"pos_request_approval"})


class _PinHashQueryFilter(logging.Filter):
    """Keeps out of Odoo's SQL debug log (which prints every query with its
    parameters) the query that stores a PIN hash, in the thread running it."""

    local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "active", False)


class _PinCallFilter(logging.Filter):
    """Keeps PINs out of Odoo's RPC debug log (``odoo.service.model`` prints
    every call with its arguments): the calls that carry one say so instead."""

    def filter(self, record):
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) == 3
            and (args[1] in PIN_METHODS or "pos_approval_pin" in str(args[2]))
        ):
            record.args = (args[0], args[1], "<arguments hidden: approval PIN>")
        return True


def _install_log_filter(logger_name, filter_class):
    """Add one ``filter_class`` to the logger, once however often this module
    is loaded, and return it."""
    logger = logging.getLogger(logger_name)
    for log_filter in list(logger.filters):
        if type(log_filter).__name__ == filter_class.__name__:
            logger.removeFilter(log_filter)
    log_filter = filter_class()
    logger.addFilter(log_filter)
    return log_filter


_PIN_HASH_FILTER = _install_log_filter("odoo.sql_db", _PinHashQueryFilter)
_install_log_filter("odoo.service.model", _PinCallFilter)


class ResUsers(models.Model):
    _inherit = "res.users"

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # POS administrators set their own PIN; the inverse refuses everyone else.
        return super().SELF_WRITEABLE_FIELDS + ["pos_approval_pin"]

    pos_approval_pin = fields.Char(
        string="Approval PIN",
        compute="_compute_pos_approval_pin",
        inverse="_inverse_pos_approval_pin",
        copy=False,
        groups="point_of_sale.group_pos_manager,base.group_erp_manager",
        help="6 to 12 digits a Point of Sale administrator types at a register to "
        "approve what a cashier may not do alone. Stored hashed, never shown: "
        "type a new one to replace it. A 4-digit PIN set before keeps working "
        "until it is changed.",
    )

    pos_approval_pin_set = fields.Boolean(
        string="Has an Approval PIN",
        compute="_compute_pos_approval_pin_set",
        groups="point_of_sale.group_pos_manager,base.group_erp_manager",
    )

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                "ALTER TABLE res_users ADD COLUMN IF NOT EXISTS %s varchar",
                SQL.identifier(PIN_HASH_COLUMN),
            )
        )
        return res

    def _compute_pos_approval_pin(self):
        # Write-only, like the password: a PIN is never read back.
        self.pos_approval_pin = False

    def _inverse_pos_approval_pin(self):
        for user in self:
            pin = user.pos_approval_pin
            if not pin:
                # The web client sends empty fields too: keep the current PIN.
                continue
            if not isinstance(pin, str) or not NEW_PIN_PATTERN.fullmatch(pin):
                raise ValidationError(
                    self.env._("An approval PIN is made of 6 to 12 digits, 0 to 9.")
                )
            if not user._has_group("point_of_sale.group_pos_manager"):
                raise ValidationError(
                    self.env._(
                        "Only Point of Sale administrators approve at the register: "
                        "%(user)s cannot have an approval PIN.",
                        user=user.name,
                    )
                )
            user._pos_store_approval_pin_hash(self._crypt_context().hash(pin))

    def _compute_pos_approval_pin_set(self):
        with_pin = self._pos_ids_with_approval_pin()
        for user in self:
            user.pos_approval_pin_set = user.id in with_pin

    def _pos_ids_with_approval_pin(self):
        ids = [user_id for user_id in self.ids if isinstance(user_id, int)]
        if not ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_users WHERE id IN %s AND %s IS NOT NULL",
                tuple(ids),
                SQL.identifier(PIN_HASH_COLUMN),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _pos_store_approval_pin_hash(self, pin_hash):
        self.ensure_one()
        _PIN_HASH_FILTER.local.active = True
        try:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_users SET %s = %s WHERE id = %s",
                    SQL.identifier(PIN_HASH_COLUMN),
                    pin_hash,
                    self.id,
                )
            )
        finally:
            _PIN_HASH_FILTER.local.active = False
        # The cache holds the PIN as typed: drop it, as _set_encrypted_password does.
        self.invalidate_recordset(["pos_approval_pin", "pos_approval_pin_set"])

    def _pos_verify_approval_pin(self, pin):
        """Whether ``pin`` is this user's approval PIN."""
        self.ensure_one()
        if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
            return False
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM res_users WHERE id = %s",
                SQL.identifier(PIN_HASH_COLUMN),
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return False
        valid, replacement = self._crypt_context().verify_and_update(pin, row[0])
        if valid and replacement:
            self._pos_store_approval_pin_hash(replacement)
        return valid

    @api.model
    def _pos_approvers(self, company):
        """The users who may approve a request at a register of ``company``:
        its Point of Sale administrators who have set an approval PIN."""
        # sudo: cashiers may not search users by group
        managers = (
            self.sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", company.id),
                    (
                        "all_group_ids",
                        "in",
                        self.env.ref("point_of_sale.group_pos_manager").id,
                    ),
                ],
                order="name, id",
            )
            .filtered(lambda user: not user._is_superuser())
        )
        with_pin = managers._pos_ids_with_approval_pin()
        return managers.filtered(lambda user: user.id in with_pin)

    def _pos_approver_refusal(self, approver, config):
        """The refusal this user meets asking ``approver`` to approve a request
        at ``config``, if any: only a Point of Sale administrator of its
        company who has set an approval PIN approves, and not for themselves."""
        approvers = self._pos_approvers(config.company_id)
        if approver and approver != self and approver.active and approver in approvers:
            return None
        # Only a name the cashier could pick: no other user's is told.
        name = approver.name if approver in approvers else self.env._("This user")
        return PosSessionRestrictionError(
            self.env._(
                "%(user)s cannot approve this request: approvals come from a Point "
                "of Sale administrator of %(company)s who has set an approval PIN.",
                user=name,
                company=config.company_id.name,
            ),
            rule="not_approver",
        )
