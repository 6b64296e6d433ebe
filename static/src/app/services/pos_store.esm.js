import {
    isRegisterUnusable,
    isRestrictionError,
} from "@pos_session_restriction/app/utils/restriction_error.esm";
import {AlertDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {ApprovalPopup} from "@pos_session_restriction/app/components/popups/approval_popup/approval_popup.esm";
import {HandOverPopup} from "@pos_session_restriction/app/components/popups/hand_over_popup/hand_over_popup.esm";
import {PosStore} from "@point_of_sale/app/services/pos_store";
import {RestrictionPopup} from "@pos_session_restriction/app/components/popups/restriction_popup/restriction_popup.esm";
import {
    heldSaleUuids,
    rememberHeldSales,
} from "@pos_session_restriction/held_sales/held_sales_memory.esm";
import {_t} from "@web/core/l10n/translation";
import {makeAwaitable} from "@point_of_sale/app/utils/make_awaitable_dialog";
import {patch} from "@web/core/utils/patch";

// What a user the restrictions do not bind may do of the manager-only actions
// (models/res_users_sensitive_actions.py, UNRESTRICTED_RULES).
const UNRESTRICTED_RULES = {
    refund: "allowed",
    price_change: "allowed",
    cash_move: "allowed",
    close: "allowed",
    discount_limit: 100,
};
// The manager-only actions done in an order: a manager approves them for it.
const SALE_ACTIONS = ["refund", "discount", "price_change"];

patch(PosStore.prototype, {
    /**
     * Send the orders waiting to be sent, then tell the cashier of the paid
     * sales the server kept for a manager instead of recording them here
     * (the session they were sent for is not one this user may sell in): the
     * server answers them as received, without an order, so the register no
     * longer holds them.
     */
    async syncAllOrders(options = {}) {
        const {orderToCreate, orderToUpdate} = this.getPendingOrder();
        const paid = (options.orders || [...orderToCreate, ...orderToUpdate]).filter(
            (order) => order.isUnsyncedPaid
        );
        const result = await super.syncAllOrders(...arguments);
        const held = paid.filter(
            (order) =>
                order.isUnsyncedPaid &&
                !this.pendingOrder.create.has(order.id) &&
                !this.pendingOrder.write.has(order.id)
        );
        if (held.length) {
            rememberHeldSales(held.map((order) => order.uuid));
            this.dialog.add(AlertDialog, {
                title: _t("Sale kept for a manager"),
                body: _t(
                    "%(orders)s could not be recorded in this session: it is not one you may sell in. The sale is safe on the server, in Held Sales, where a manager records it in a session or cancels it. Nothing is lost.",
                    {
                        orders: held
                            .map((order) => order.pos_reference || order.name)
                            .join(", "),
                    }
                ),
            });
        }
        return result;
    },
    addPendingOrder(orderIds, remove = false) {
        // A sale the server holds is safe: reloading the register sends it no more.
        if (!remove) {
            const held = heldSaleUuids();
            orderIds = orderIds.filter(
                (id) => !held.has(this.models["pos.order"].get(id)?.uuid)
            );
        }
        return super.addPendingOrder(orderIds, remove);
    },
    /**
     * Show the refusal ``error`` of the addon in one popup, unless one is
     * already shown.
     *
     * @param {RPCError} error
     * @returns {Boolean} whether ``error`` was a refusal of the addon
     */
    showRestrictionPopup(error) {
        if (!isRestrictionError(error)) {
            return false;
        }
        if (this.restrictionPopupShown) {
            return true;
        }
        const canLeave = isRegisterUnusable(error);
        // Paid orders still sync, so an opened register may stay up to finish a sale.
        const canStay = !canLeave || this.session.state === "opened";
        this.restrictionPopupShown = true;
        this.dialog.add(
            RestrictionPopup,
            {
                title: canLeave
                    ? _t("This register is not available to you")
                    : _t("Not Allowed"),
                message: error.data.message,
                note: this.restrictionNote(error),
                canLeave,
                canStay,
                stayLabel: canLeave ? _t("Keep selling") : _t("Ok"),
                approvalAction: error.data.context?.approval_action || "",
            },
            {onClose: () => (this.restrictionPopupShown = false)}
        );
        return true;
    },
    /**
     * What the cashier should know besides the server's message: a refused
     * sale stays in this register, unsent, until the session is dealt with.
     *
     * @param {RPCError} error
     * @returns {String}
     */
    restrictionNote(error) {
        const {action, session_user} = error.data.context || {};
        if (action !== "sell") {
            return "";
        }
        return _t(
            "The orders that could not be sent stay in this register. %(user)s, who holds the session, or a manager can close it.",
            {user: session_user}
        );
    },
    /**
     * The title of the approval a manager gives for ``action``.
     *
     * @param {String} action take_over, resume, close or open
     * @returns {String}
     */
    approvalTitle(action) {
        return (
            {
                take_over: _t("Manager approval: take over the session"),
                resume: _t("Manager approval: resume the session"),
                close: _t("Manager approval: close the session"),
                open: _t("Manager approval: open the register"),
                refund: _t("Manager approval: refund a sale"),
                discount: _t("Manager approval: discount over your limit"),
                price_change: _t("Manager approval: change a price"),
                cash_move: _t("Manager approval: cash in or out"),
            }[action] || _t("Manager approval")
        );
    },
    /**
     * What the logged-in user may do of the manager-only actions, as the
     * server sent it with the user's data (``pos_sensitive_rules``): refund,
     * price_change, cash_move and close are ``allowed``, ``approval`` or
     * ``refused``; discount_limit is a percentage.
     *
     * @returns {Object}
     */
    sensitiveRules() {
        return {...UNRESTRICTED_RULES, ...this.user?.raw?.pos_sensitive_rules};
    },
    /**
     * Whether a line discount of ``discount`` percent is over the user's
     * limit, so that a manager approves it.
     *
     * @param {Number|String} discount
     * @returns {Boolean}
     */
    isDiscountOverLimit(discount) {
        const value = parseFloat(discount);
        return !isNaN(value) && value > this.sensitiveRules().discount_limit;
    },
    /**
     * Whether the cashier may do the manager-only ``action`` now: at once when
     * their rules allow it (no request to the server), never when they refuse
     * it (a dialog says why and who can change it), and once a manager typed
     * their PIN when they ask for an approval. A sale's action is approved
     * for its order, ``orderUuid``, once: the server binds it to that order.
     * Offline, no manager can approve: the action goes through, and the order
     * will be flagged for a manager's review when it syncs.
     *
     * @param {String} action refund, discount, price_change, cash_move or close
     * @param {Object} [options]
     * @param {String} [options.orderUuid] the order of a sale's action
     * @returns {Promise<Boolean>}
     */
    async askSensitiveAction(action, {orderUuid} = {}) {
        const rule = action === "discount" ? "approval" : this.sensitiveRules()[action];
        if (!rule || rule === "allowed") {
            return true;
        }
        if (rule === "refused") {
            this.showSensitiveRefusal(action);
            return false;
        }
        const isSale = SALE_ACTIONS.includes(action);
        this.approvedSaleActions ||= new Map();
        const approved = this.approvedSaleActions.get(orderUuid);
        if (isSale && approved?.has(action)) {
            return true;
        }
        const outcome = await makeAwaitable(this.dialog, ApprovalPopup, {
            configId: this.config.id,
            action,
            title: this.approvalTitle(action),
            ...(isSale ? {orderUuid, allowOffline: true} : {}),
        });
        if (!outcome) {
            return false;
        }
        if (isSale) {
            this.approvedSaleActions.set(
                orderUuid,
                new Set([...(approved || []), action])
            );
        }
        if (outcome === "offline") {
            this.dialog.add(AlertDialog, {
                title: _t("Allowed offline"),
                body: _t(
                    "The register cannot reach the server, so no manager can approve this now: it is allowed. The order will be flagged for a manager's review when it syncs."
                ),
            });
        }
        return true;
    },
    /**
     * Tell the cashier that their settings refuse them the manager-only
     * ``action``, and who can change that.
     *
     * @param {String} action refund, price_change or cash_move
     */
    showSensitiveRefusal(action) {
        const pos = this.config.name;
        const message = {
            refund: _t(
                "Your user settings do not allow you to refund a sale at '%(pos)s'.",
                {pos}
            ),
            price_change: _t(
                "Your user settings do not allow you to change a price by hand at '%(pos)s'.",
                {pos}
            ),
            cash_move: _t(
                "Your user settings do not allow you to put cash in or take cash out at '%(pos)s'.",
                {pos}
            ),
        }[action];
        const title = {
            refund: _t("Refunds refused"),
            price_change: _t("Price changes refused"),
            cash_move: _t("Cash in and out refused"),
        }[action];
        this.dialog.add(RestrictionPopup, {
            title,
            message,
            note: _t(
                "Only a Point of Sale administrator can change this, on your user's POS Session Restrictions page."
            ),
            canLeave: false,
            canStay: true,
            stayLabel: _t("Ok"),
        });
    },
    async setDiscountFromUI(line, val) {
        // A discount over the cashier's limit is a manager's to approve, for
        // this order.
        if (
            this.isDiscountOverLimit(val) &&
            !(await this.askSensitiveAction("discount", {
                orderUuid: line.order_id.uuid,
            }))
        ) {
            this.numberBuffer.reset();
            return;
        }
        return await super.setDiscountFromUI(...arguments);
    },
    async closeSession() {
        // For some, closing is a manager's end-of-day count: ask for it before
        // the server refuses.
        if (
            this.session.state === "opened" &&
            !this.closingApproved &&
            this.sensitiveRules().close === "approval"
        ) {
            if (!(await this.askSensitiveAction("close"))) {
                return;
            }
            this.closingApproved = true;
        }
        return await super.closeSession(...arguments);
    },
    /**
     * Ask a manager to approve ``action`` on this register, by PIN; once
     * approved, retry what was refused.
     *
     * @param {String} action take_over, resume, close or open
     */
    requestApproval(action) {
        this.dialog.add(ApprovalPopup, {
            configId: this.config.id,
            action,
            title: this.approvalTitle(action),
            onApproved: () => this.afterApproval(action),
        });
    },
    /**
     * Retry what a manager approved: a taken-over session is the cashier's,
     * who goes on selling (and sends what was refused); closing opens the
     * closing popup; resuming or opening loads the register again.
     *
     * @param {String} action take_over, resume, close or open
     */
    async afterApproval(action) {
        if (action === "take_over") {
            this.session.update({user_id: this.user});
            await this.syncAllOrders();
        } else if (action === "close") {
            // The approval lasts until the session is closed.
            this.closingApproved = true;
            await this.closeSession();
        } else {
            window.location.reload();
        }
    },
    /** Show the dialog to hand this register over to a colleague. */
    showHandOver() {
        this.dialog.add(HandOverPopup, {});
    },
    /**
     * Hand this register over to the user ``userId``: send the orders taken
     * so far, hand the session over, then leave for the dashboard.
     *
     * @param {Number} userId
     * @returns {Boolean} whether the register was handed over
     */
    async handOverRegister(userId) {
        // Only once the giver's orders are safe on the server.
        if (!(await this.pushOrdersWithClosingPopup({throw: true}))) {
            return false;
        }
        await this.data.call("pos.session", "pos_hand_over", [
            [this.session.id],
            userId,
        ]);
        this._resetConnectedCashier();
        this.redirectToBackend();
        return true;
    },
    /**
     * Leave a register the cashier may no longer use, for the dashboard.
     *
     * Unlike ``closePos``, do not discard a session still in opening control:
     * that is refused too, and it is the manager's to handle.
     */
    async leaveRestrictedRegister() {
        this._resetConnectedCashier();
        // Refusals stop registers, never data: the orders in the app still sync,
        // and the register is left only once they are safe on the server.
        if (await this.pushOrdersWithClosingPopup({throw: true})) {
            this.redirectToBackend();
        }
    },
});
