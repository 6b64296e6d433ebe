import {
    isRegisterUnusable,
    isRestrictionError,
} from "@pos_session_restriction/app/utils/restriction_error.esm";
import {PosStore} from "@point_of_sale/app/services/pos_store";
import {RestrictionPopup} from "@pos_session_restriction/app/components/popups/restriction_popup/restriction_popup.esm";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

patch(PosStore.prototype, {
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
            "The orders that could not be sent stay in this register. %(user)s, who opened the session, or a manager can close it.",
            {user: session_user}
        );
    },
    /**
     * Leave a register the cashier may no longer use, for the dashboard.
     *
     * Unlike ``closePos``, do not discard a session still in opening control:
     * that is refused too, and it is the manager's to handle.
     */
    async leaveRestrictedRegister() {
        this._resetConnectedCashier();
        // Refusals stop registers, never data: the orders in the app still sync.
        if (await this.pushOrdersWithClosingPopup()) {
            this.redirectToBackend();
        }
    },
});
