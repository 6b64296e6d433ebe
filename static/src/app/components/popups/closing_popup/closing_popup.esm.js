import {ClosePosPopup} from "@point_of_sale/app/components/popups/closing_popup/closing_popup";
import {isRestrictionError} from "@pos_session_restriction/app/utils/restriction_error.esm";
import {patch} from "@web/core/utils/patch";

patch(ClosePosPopup.prototype, {
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
