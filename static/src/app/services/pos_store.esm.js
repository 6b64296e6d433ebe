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
import {patch} from "@web/core/utils/patch";

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
            }[action] || _t("Manager approval")
        );
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
