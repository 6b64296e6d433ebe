from odoo import api, models

from .pos_session import CLOSING_STATES

# What core must still write on orders of a session their user may not sell
# in (the allowlist of the deny-by-default rule, DESIGN §6; with the orders
# paid online in full and the amount paid recounted from the payments, below):
# closing a session, under a manager's approval to close it too, marks its
# paid orders done, and so does invoicing a paid order.
ACCOUNTED_STATE = "done"
ACCOUNTED_FROM_STATES = ("paid", "done")
# Cursor data: the order core's look-up (_get_open_order) finds for each
# uuid of the orders being synchronised, found already by the addon's check.
OPEN_ORDERS = "pos_session_restriction.open_orders"


class PosOrder(models.Model):
    _inherit = "pos.order"

    # The record rule reads the orders of the visible registers: core has no
    # index on config_id, so PostgreSQL would read the whole table. With the
    # company (the multi-company rule) and the session (res.users
    # _pos_visibility_domain), a list's count reads the index alone.
    _config_id_company_id_session_id_idx = models.Index(
        "(config_id, company_id, session_id)"
    )

    @api.model_create_multi
    def create(self, vals_list):
        user = self.env.user
        session_ids = {vals.get("session_id") for vals in vals_list} - {None, False}
        user._check_pos_selling(self.env["pos.session"].browse(session_ids))
        for vals in vals_list:
            if vals.get("config_id"):
                self._check_pos_register(vals["config_id"], vals.get("session_id"))
        return super().create(vals_list)

    def write(self, vals):
        # Deny by default: whatever field it is, changing an order is selling
        # in its session, but for the short allowlist above.
        if not (
            self._pos_accounted(vals)
            or self._pos_paid_online(vals)
            or self._pos_recounts_payments(vals)
        ):
            self._check_pos_selling(vals.get("session_id"))
        if vals.get("config_id"):
            self._check_pos_register(vals["config_id"], vals.get("session_id"))
        return super().write(vals)

    def unlink(self):
        self._check_pos_selling()
        return super().unlink()

    @api.model
    def sync_from_ui(self, orders):
        # Each order is judged on the session it lands in, before core, or
        # another addon, reads a session the user may not see. A paid sale
        # that may land nowhere the user sells is held for an administrator.
        user = self.env.user
        if not user._pos_restriction_applies():
            return super().sync_from_ui(orders)
        placed = []
        # sudo: the user may not read held sales; whether theirs is, is theirs
        held = self.env["pos.held.order"].sudo()
        try:
            for order in orders:
                sessions, existing = self._pos_landing_sessions(order)
                refused = sessions.filtered(
                    lambda s: user._pos_refusal("sell", s.config_id, s)
                )[:1]
                if not refused:
                    placed.append(order)
                elif existing.sudo().state not in (False, "draft") or held.search_count(
                    [("uuid", "=", order.get("uuid"))], limit=1
                ):
                    # Recorded already, or held (placed or cancelled since):
                    # sent again, it is safe, and the app's to send no more.
                    continue
                elif (
                    not existing
                    and order.get("state") == "paid"
                    and held._pos_may_hold(refused)
                ):
                    refusal = user._pos_refusal("sell", refused.config_id, refused)
                    held._hold(order, refused, refusal)
                else:
                    user._check_pos_selling(refused)
            if orders and not placed:
                return self._pos_nothing_placed(orders[0])
            return super().sync_from_ui(placed)
        finally:
            self.env.cr.cache.pop(OPEN_ORDERS, None)

    def action_pos_order_cancel(self):
        # Refuse before core reads the orders, which it may not for a hidden one.
        self._check_pos_selling()
        return super().action_pos_order_cancel()

    def action_pos_order_invoice(self):
        # Refuse before core reads the orders or creates their invoice.
        self._check_pos_selling()
        return super().action_pos_order_invoice()

    def refund(self):
        # Refuse before core reads the orders, which it may not for a hidden
        # one. Core refunds into the current session of each order's register.
        # sudo: a hidden session is refused by its rule, not by failing to read it
        current_sessions = self.sudo().session_id.config_id.current_session_id
        user = self.env.user
        user._check_pos_selling(current_sessions)
        # A refund from the back office is a manager-only action (DESIGN §9):
        # no keypad there, a manager's approval is given in the POS app only.
        for session in current_sessions:
            user._check_pos("refund", session.config_id, session)
        return super().refund()

    def _get_open_order(self, order):
        # pos_restaurant answers an order sent for a table with the draft order
        # already on that table, whichever register holds it (registers may
        # share a floor), then moves it into the session of the order sent. A
        # draft order of a session the user may not sell in is not theirs to
        # take over: the order sent stays an order of its own.
        found = self.env.cr.cache.get(OPEN_ORDERS, {})
        if order.get("uuid") in found:
            return self.browse(found.pop(order["uuid"]))
        open_order = super()._get_open_order(order)
        if (
            open_order
            and open_order.uuid != order.get("uuid")
            # sudo: the order's session may be hidden from the user
            and self.env.user._pos_refusal(
                "sell", open_order.sudo().config_id, open_order.sudo().session_id
            )
        ):
            return self.browse()
        return open_order

    @api.model
    def _pos_landing_sessions(self, order):
        """The sessions that syncing ``order`` changes, as core processes it,
        and the existing order it updates, if any (found by its uuid, as core
        finds it): the session the order is sent for or, that one closed, the
        register's open session; and an existing order's own session, which
        core moves a draft out of (it leaves any other order where it is).
        Core's own look-up then reuses this one's answer."""
        existing = self._get_open_order(order)
        if order.get("uuid"):
            self.env.cr.cache.setdefault(OPEN_ORDERS, {})[order["uuid"]] = existing.id
        # sudo: the sessions may be hidden from the user
        if existing and existing.sudo().state != "draft":
            return existing.sudo().session_id, existing
        session = self.env["pos.session"].sudo().browse(order.get("session_id"))
        if session.state in CLOSING_STATES:
            session = session.search(
                [
                    ("state", "not in", CLOSING_STATES),
                    ("config_id", "=", session.config_id.id),
                ],
                limit=1,
            )
        return existing.sudo().session_id | session, existing

    @api.model
    def _pos_nothing_placed(self, order):
        """Answer a sync that placed no order as core answers one: empty
        lists, read for the register of the session ``order`` was sent for
        (pos_restaurant wants one)."""
        # sudo: the register may be hidden from the user; nothing of it is read
        session = self.env["pos.session"].sudo().browse(order.get("session_id"))
        return self.browse().read_pos_data([], session.exists().config_id)

    def _pos_recounts_payments(self, vals):
        """Whether ``vals`` only set what these orders were paid to the sum of
        their payments, as core does once it recorded one (add_payment, after
        a payment the customer made online): it changes nothing they hold."""
        if vals.keys() != {"amount_paid"}:
            return False
        # sudo: the orders may be of a session hidden from the user
        return all(
            order.currency_id.compare_amounts(
                vals["amount_paid"], order._compute_amount_paid()
            )
            == 0
            for order in self.sudo()
        )

    def _pos_accounted(self, vals):
        """Whether ``vals`` only mark paid orders done (``ACCOUNTED_STATE``)."""
        # sudo: the orders may be of a session hidden from the user
        return vals == {"state": ACCOUNTED_STATE} and all(
            state in ACCOUNTED_FROM_STATES for state in self.sudo().mapped("state")
        )

    def _pos_paid_online(self, vals):
        """Whether ``vals`` only mark as paid orders that payments the customer
        made online paid in full: core does it once the payment provider
        confirmed the last one (see pos.payment._pos_paid_online)."""
        return vals == {"state": "paid"} and self._pos_paid_online_in_full()

    def _pos_paid_online_in_full(self):
        """Whether payments the customer made online (pos_online_payment, no
        dependency) paid each of these orders in full."""
        if "online_account_payment_id" not in self.env["pos.payment"]:
            return False
        # sudo: the orders may be of a session hidden from the user
        return all(
            order.payment_ids.online_account_payment_id and order._is_pos_order_paid()
            for order in self.sudo()
        )

    def _check_pos_register(self, config_id, session_id=None):
        """Raise unless the current user may put these orders (or a new one)
        on the register ``config_id``: the register of their session is
        theirs already; another one, or one outside any session, is sold in."""
        # sudo: the sessions may be hidden from the user
        sessions = self.env["pos.session"].sudo().browse(session_id or [])
        sessions = sessions or self.sudo().session_id
        if not (sessions and sessions.config_id.ids == [config_id]):
            self.env["pos.config"].browse(
                config_id
            )._check_pos_selling_outside_sessions()

    def _check_pos_selling(self, new_session_id=None):
        """Raise unless the current user may change these orders, and move
        them to the session ``new_session_id`` if given."""
        # sudo: refuse an order of a hidden session by its rule, not by failing
        # to read it
        orders = self.sudo()
        sessions = orders.session_id
        if new_session_id:
            sessions |= self.env["pos.session"].browse(new_session_id)
        self.env.user._check_pos_selling(sessions)
        # An order in no session (core takes pre-orders for a later day out of
        # theirs) is its register's.
        orders.filtered(
            lambda o: not o.session_id
        ).config_id._check_pos_selling_outside_sessions()
