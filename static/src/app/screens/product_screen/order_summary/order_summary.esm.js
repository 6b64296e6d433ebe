import {OrderSummary} from "@point_of_sale/app/screens/product_screen/order_summary/order_summary";
import {patch} from "@web/core/utils/patch";

patch(OrderSummary.prototype, {
    async setLinePrice(line) {
        // A price typed by hand (the numpad, or its popup) may be a manager's
        // to approve, for this order.
        const allowed = await this.pos.askSensitiveAction("price_change", {
            orderUuid: line.order_id.uuid,
        });
        if (!allowed) {
            this.numberBuffer.reset();
            return;
        }
        return await super.setLinePrice(...arguments);
    },
});
