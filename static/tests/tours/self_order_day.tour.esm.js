/* The cashier's day at the Terrace Bar (pos_self_order), whose customers
 * order from their table's QR code: the first tour opens and starts the
 * register; once a customer has ordered at table 1, the second serves that
 * order, pays it, refunds it and closes the register. */
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import {
    closeRegister,
    enterRegister,
    helpersOf,
    openAndStart,
    validatePayment,
} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {inLeftSide} from "@point_of_sale/../tests/pos/tours/utils/common";
import {registry} from "@web/core/registry";

function floorScreen() {
    return helpersOf("@pos_restaurant/../tests/tours/utils/floor_screen_util");
}

registry.category("web_tour.tours").add("pos_session_restriction_self_order_open", {
    steps: () =>
        [
            openAndStart(),
            floorScreen().table({name: "1", withoutClass: ".occupied"}),
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_self_order_serve", {
    steps: () => {
        const FloorScreen = floorScreen();
        return [
            // A customer has ordered at table 1.
            enterRegister(),
            FloorScreen.table({name: "1", withClass: ".occupied"}),
            FloorScreen.clickTable("1"),
            inLeftSide(ProductScreen.orderLineHas("Croissant", "1")),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            validatePayment(),
            ReceiptScreen.clickNextOrder(),
            FloorScreen.clickTable("2"),
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
