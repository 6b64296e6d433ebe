import {TicketScreen} from "@point_of_sale/app/screens/ticket_screen/ticket_screen";
import {patch} from "@web/core/utils/patch";

patch(TicketScreen.prototype, {
    async onDoRefund() {
        // A refund may be a manager's to approve: for the order core puts it
        // in, the empty order it picks (or creates) as it does below.
        const order = this.getSelectedOrder();
        if (order && this.getHasItemsToRefund()) {
            const destination = this._getEmptyOrder(order.getPartner());
            const allowed = await this.pos.askSensitiveAction("refund", {
                orderUuid: destination.uuid,
            });
            if (!allowed) {
                return;
            }
        }
        return await super.onDoRefund(...arguments);
    },
});
