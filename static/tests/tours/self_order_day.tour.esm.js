/* The cashier's day at the Terrace Bar (pos_self_order), whose customers
 * order from their table's QR code: the first tour opens and starts the
 * register; once a customer has ordered at table 1, the second serves that
 * order, pays it, refunds it and closes the register. */
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import {
    closeRegister,
    enterRegister,
    helpersOf,
    openAndStart,
    payOrderByBank,
    refundCroissant,
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
            payOrderByBank(),
            FloorScreen.clickTable("2"),
            refundCroissant("2.00"),
            closeRegister(),
        ].flat();
    },
});
