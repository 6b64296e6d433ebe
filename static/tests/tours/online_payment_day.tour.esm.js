/* The cashier's day at the Terrace Bar (pos_online_payment), after a
 * customer ordered from their table and paid online: the order paid online
 * is in the cashier's session, the cashier refunds it at the counter and
 * closes the register. */
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import {
    closeRegister,
    enterRegister,
    helpersOf,
    validatePayment,
} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_online_payment_day", {
    steps: () => {
        const FloorScreen = helpersOf(
            "@pos_restaurant/../tests/tours/utils/floor_screen_util"
        );
        return [
            enterRegister(),
            // Paid, the customer's order has left the table.
            FloorScreen.table({name: "1", withoutClass: ".occupied"}),
            FloorScreen.clickTable("1"),
            ProductScreen.clickRefund(),
            TicketScreen.selectOrderByPrice("2.00"),
            Order.hasLine({productName: "Croissant"}),
            ProductScreen.clickNumpad("1"),
            TicketScreen.toRefundTextContains("To Refund: 1"),
            TicketScreen.confirmRefund(),
            PaymentScreen.isShown(),
            PaymentScreen.clickPaymentMethod("Bank"),
            validatePayment(),
            ReceiptScreen.clickNextOrder(),
            closeRegister(),
        ].flat();
    },
});
