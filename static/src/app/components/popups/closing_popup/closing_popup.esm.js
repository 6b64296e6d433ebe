import {ClosePosPopup} from "@point_of_sale/app/components/popups/closing_popup/closing_popup";
import {isRestrictionError} from "@pos_session_restriction/app/utils/restriction_error.esm";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

// The server adds the sales sent for the session and held for a manager
// (pos.session.get_closing_control_data): the closing figures leave them out.
ClosePosPopup.props = [...ClosePosPopup.props, "pos_held_sales?"];

patch(ClosePosPopup.prototype, {
    /** What the closing figures leave out: the sales a manager has to place. */
    get heldSalesWarning() {
        const {count, amount} = this.props.pos_held_sales;
        return _t(
            "%(count)s held sale(s) of %(amount)s are not in these figures: a manager places them from Held Sales. The money they were paid with is in the register.",
            {count, amount: this.env.utils.formatCurrency(amount)}
        );
    },
    async closeSession() {
        // Core swallows a refusal of update_closing_control_state_session and
        // turns one of close_session_from_ui into a generic error: ask the server
        // first whether this cashier may still close the session.
        try {
            await this.pos.getClosePosInfo();
        } catch (error) {
            if (isRestrictionError(error)) {
                this.props.close();
                this.pos.showRestrictionPopup(error);
                return;
            }
            throw error;
        }
        return await super.closeSession(...arguments);
    },
});
