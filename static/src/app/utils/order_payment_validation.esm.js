import OrderPaymentValidation from "@point_of_sale/app/utils/order_payment_validation";
import {isRestrictionError} from "@pos_session_restriction/app/utils/restriction_error.esm";
import {patch} from "@web/core/utils/patch";

patch(OrderPaymentValidation.prototype, {
    handleValidationError(error) {
        // Core shows server errors of the payment screen itself, with a generic
        // alert; the order goes back to unpaid and stays in the app.
        if (isRestrictionError(error)) {
            this.order.state = "draft";
            this.pos.showRestrictionPopup(error);
            return error;
        }
        return super.handleValidationError(...arguments);
    },
});
