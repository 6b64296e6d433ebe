import copy
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# How many sales a user's apps may have held in a day: a terminal's backlog,
# not a flood.
HOLD_LIMIT = 200
# What placing a held sale never takes from what was sent: a record's id, and
# the accounting an order's processing creates itself.
UNPLACEABLE_FIELDS = {"id", "account_move", "picking_ids", "state"}
# What an administrator writes on a held sale from its form.
EDITABLE_FIELDS = {"target_session_id", "cancel_reason"}


def _only_new_records(model, vals):
    """``vals`` for ``model`` with each one2many keeping its create commands
    only, and their values alike: nothing of another record is linked,
    changed or deleted. Many2many fields (taxes, attributes) only name records."""
    clean = {}
    for name, value in vals.items():
        field = model._fields.get(name)
        if name in UNPLACEABLE_FIELDS:
            continue
        if field and field.type == "one2many":
            comodel = model.env[field.comodel_name]
            value = [
                [0, 0, _only_new_records(comodel, _command_vals(command))]
                for command in value or []
                if isinstance(command, list | tuple) and command and command[0] == 0
            ]
        clean[name] = value
    return clean


def _command_vals(command):
    """The values of a create or update command as the POS app sends them."""
    if isinstance(command, list | tuple) and len(command) > 2:
        return command[2] if isinstance(command[2], dict) else {}
    return {}


class PosHeldOrder(models.Model):
    """A paid sale the server refused to place where it was sent (a session
    its cashier may not sell in, or the register's open session after theirs
    closed): kept as it was sent, never lost, until a Point of Sale
    administrator places it into a session or cancels it with a reason."""

    _name = "pos.held.order"
    _description = "Held Point of Sale Sale"
    _order = "date desc, id desc"

    name = fields.Char(string="Order", readonly=True)
    uuid = fields.Char(readonly=True, index=True, copy=False)
    date = fields.Datetime(
        string="Received On",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Sent By",
        required=True,
        readonly=True,
        ondelete="restrict",
        help="The user the POS app was logged in as when it sent the sale.",
    )
    session_id = fields.Many2one(
        "pos.session",
        string="Sent For Session",
        readonly=True,
        ondelete="set null",
    )
    config_id = fields.Many2one(
        "pos.config",
        string="Point of Sale",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="restrict"
    )
    currency_id = fields.Many2one(related="config_id.currency_id")
    amount_total = fields.Monetary(string="Total", readonly=True)
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    reason = fields.Text(
        string="Why It Was Held",
        readonly=True,
        help="The refusal the sale met where it was sent.",
    )
    payload = fields.Json(
        readonly=True,
        help="The sale exactly as the POS app sent it: what placing it records.",
    )
    summary = fields.Text(
        string="What Was Sent",
        compute="_compute_summary",
        help="The lines and payments of the sale as sent: what placing it records.",
    )
    state = fields.Selection(
        [("held", "Held"), ("placed", "Placed"), ("cancelled", "Cancelled")],
        required=True,
        readonly=True,
        default="held",
        index=True,
    )
    target_session_id = fields.Many2one(
        "pos.session",
        string="Place Into",
        domain="[('state', '=', 'opened'), ('company_id', '=', company_id)]",
        help="The open session the sale is recorded in when you place it.",
    )
    cancel_reason = fields.Char(
        string="Reason for Cancelling",
        help="Why the sale is not recorded: required to cancel it.",
    )
    order_id = fields.Many2one(
        "pos.order", string="Placed As", readonly=True, ondelete="set null"
    )
    resolved_by_id = fields.Many2one("res.users", string="Resolved By", readonly=True)
    resolved_date = fields.Datetime(string="Resolved On", readonly=True)

    # A sale is held once, however often its app sends it again.
    _uuid_unique = models.Constraint("UNIQUE(uuid)", "This sale is held already.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_held_sale(self):
        raise UserError(
            self.env._("Held sales cannot be deleted: place or cancel them.")
        )

    def unlink(self):
        # Even with the uninstall's context key: a sale is never dropped.
        self.check_access("unlink")
        self._unlink_except_held_sale()
        return super().unlink()

    def _compute_summary(self):
        for held in self:
            held.summary = held._pos_summary()

    def write(self, vals):
        # An administrator chooses where a held sale goes, or why it is
        # cancelled; the rest is the sale as it was sent, and its outcome.
        if vals.keys() - EDITABLE_FIELDS or self.filtered(
            lambda held: held.state != "held"
        ):
            raise UserError(
                self.env._(
                    "A held sale keeps what was sent: choose where to place it, "
                    "or why to cancel it, while it is held."
                )
            )
        return super().write(vals)

    @api.model
    def _pos_may_hold(self, session):
        """Whether a paid sale the current user sends, which ``session`` may
        not take, is held: for a session of one of their companies, up to
        HOLD_LIMIT a day (past that, it is refused and stays in the app)."""
        user = self.env.user
        # sudo: the session may be hidden from the user
        if session.sudo().company_id not in user.company_ids:
            return False
        return (
            self.sudo().search_count(
                [
                    ("user_id", "=", user.id),
                    ("date", ">", fields.Datetime.now() - timedelta(days=1)),
                ],
                limit=HOLD_LIMIT,
            )
            < HOLD_LIMIT
        )

    @api.model
    def _hold(self, order, session, refusal):
        """Keep ``order`` (a paid sale as the POS app sent it) that ``refusal``
        keeps out of ``session``, the session it would land in; log the
        refusal and journal the hold on the session it was sent for."""
        # sudo: nobody but Odoo writes held sales, whoever sends them
        held = self.sudo()
        # sudo: the session sent for may be hidden from the user
        sent_for = self.env["pos.session"].sudo().browse(order.get("session_id"))
        sent_for = sent_for.exists() or session
        config = sent_for.config_id
        entry = held.create(
            {
                "name": order.get("name"),
                "uuid": order.get("uuid"),
                "user_id": self.env.uid,
                "session_id": sent_for.id,
                "config_id": config.id,
                "company_id": config.company_id.id,
                "amount_total": order.get("amount_total") or 0.0,
                "amount_paid": order.get("amount_paid") or 0.0,
                "reason": refusal.args[0],
                "payload": copy.deepcopy(order),
            }
        )
        self.env["pos.restriction.log"]._log_refusal_kept(
            refusal, "sell", config, session
        )
        self.env["pos.session.event"]._record(
            "sale_held",
            sent_for,
            note=self.env._(
                "%(order)s held: %(reason)s",
                order=entry._pos_order_label(),
                reason=refusal.args[0],
            ),
        )
        return entry

    def action_place(self):
        """Record each held sale in its chosen open session, as its cashier's
        POS app would have, by the administrator who places it."""
        self._check_pos_resolving()
        for held in self:
            session = held.target_session_id
            if not session or session.state != "opened":
                raise UserError(
                    self.env._(
                        "Choose the open session %(order)s is recorded in.",
                        order=held.name,
                    )
                )
            # sudo: an order with this number may be hidden from the administrator
            if (
                self.env["pos.order"]
                .sudo()
                .search_count([("uuid", "=", held.uuid)], limit=1)
            ):
                raise UserError(
                    self.env._(
                        "An order numbered as %(order)s exists already: it cannot "
                        "be placed again. Cancel it, saying so.",
                        order=held.name,
                    )
                )
            payload = held._pos_placeable_payload()
            payload["session_id"] = session.id
            result = self.env["pos.order"].sync_from_ui([payload])
            order = (
                self.env["pos.order"]
                .browse([values["id"] for values in result["pos.order"]])
                .filtered(lambda o, uuid=held.uuid: o.uuid == uuid)
            )
            if order.state == "draft":
                raise UserError(
                    self.env._(
                        "The payments of %(order)s do not cover it: placed, it would "
                        "stay unpaid and keep the session from closing. Cancel it "
                        "and record the sale from the register.",
                        order=held.name,
                    )
                )
            held._pos_resolve("placed", order_id=order.id)
            self.env["pos.session.event"]._record(
                "sale_placed",
                session,
                note=self.env._(
                    "%(order)s placed by %(user)s",
                    order=held._pos_order_label(),
                    user=self.env.user.name,
                ),
            )
        return True

    def action_cancel(self):
        """Cancel each held sale, with the reason given: it is not recorded."""
        self._check_pos_resolving()
        for held in self:
            if not held.cancel_reason:
                raise UserError(
                    self.env._(
                        "Say why %(order)s is cancelled: the reason is kept.",
                        order=held.name,
                    )
                )
            held._pos_resolve("cancelled")
            note = self.env._(
                "%(order)s cancelled by %(user)s: %(reason)s",
                order=held._pos_order_label(),
                user=self.env.user.name,
                reason=held.cancel_reason,
            )
            journal = self.env["pos.session.event"]
            if held.session_id:
                journal._record("sale_cancelled", held.session_id, note=note)
            else:
                journal._record_on_config("sale_cancelled", held.config_id, note=note)
        return True

    def _check_pos_resolving(self):
        if not self.env.user._pos_is_pos_administrator():
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may place or cancel a held sale."
                )
            )
        # The held sales of companies the administrator does not work in
        # stay out of reach, whatever ids the call names.
        self.check_access("write")
        done = self.filtered(lambda held: held.state != "held")
        if done:
            raise UserError(
                self.env._(
                    "%(order)s was already placed or cancelled.", order=done[0].name
                )
            )

    def _pos_resolve(self, state, order_id=False):
        # The outcome is Odoo's to write, past the guard that keeps it from
        # any form or RPC call (write, below).
        return super(PosHeldOrder, self.sudo()).write(
            {
                "state": state,
                "order_id": order_id,
                "resolved_by_id": self.env.uid,
                "resolved_date": fields.Datetime.now(),
            }
        )

    def _pos_placeable_payload(self):
        """The sale as sent, less what would reach beyond it when an
        administrator places it: only new lines and payments (no command that
        links, updates or deletes an existing record), no record of another
        order reached by its uuid."""
        self.ensure_one()
        payload = copy.deepcopy(self.payload or {})
        Order = self.env["pos.order"]
        own_uuids = {payload.get("uuid")}
        for name in ("lines", "payment_ids"):
            own_uuids |= {_command_vals(c).get("uuid") for c in payload.get(name) or []}
        mapping = payload.pop("relations_uuid_mapping", None) or {}
        payload = {**_only_new_records(Order, payload), "state": "paid"}
        own_mapping = {
            model: {
                uuid: fields_map
                for uuid, fields_map in owners.items()
                if uuid in own_uuids
                and all(
                    set(uuids if isinstance(uuids, list) else [uuids]) <= own_uuids
                    for uuids in fields_map.values()
                )
            }
            for model, owners in mapping.items()
            if model in ("pos.order.line", "pos.payment")
        }
        if any(own_mapping.values()):
            payload["relations_uuid_mapping"] = own_mapping
        return payload

    def _pos_summary(self):
        """The lines (product, quantity, unit price, discount, what a refund
        refunds) and payments (method, amount) of the sale as sent."""
        self.ensure_one()
        payload = self.payload or {}
        Product = self.env["product.product"].with_context(active_test=False)
        Method = self.env["pos.payment.method"].with_context(active_test=False)
        lines = []
        for command in payload.get("lines") or []:
            vals = _command_vals(command)
            product = Product.browse(vals.get("product_id")).exists()
            refund = vals.get("refunded_orderline_id")
            lines.append(
                self.env._(
                    "%(qty)s × %(product)s at %(price)s, "
                    "discount %(discount)s%%%(refund)s",
                    qty=vals.get("qty"),
                    product=product.display_name or vals.get("product_id"),
                    price=self.currency_id.format(vals.get("price_unit") or 0.0),
                    discount=vals.get("discount") or 0,
                    refund=self.env._(" (refund of line %(line)s)", line=refund)
                    if refund
                    else "",
                )
            )
        for command in payload.get("payment_ids") or []:
            vals = _command_vals(command)
            method = Method.browse(vals.get("payment_method_id")).exists()
            lines.append(
                self.env._(
                    "Paid %(amount)s by %(method)s",
                    amount=self.currency_id.format(vals.get("amount") or 0.0),
                    method=method.name or vals.get("payment_method_id"),
                )
            )
        return "\n".join(lines)

    def _pos_order_label(self):
        """How the journal names this sale: its number and amount."""
        self.ensure_one()
        return self.env._(
            "Sale %(name)s of %(amount)s",
            name=self.name or self.uuid,
            amount=self.currency_id.format(self.amount_total),
        )
