/* The cashier's day at the Terrace Bar (pos_online_payment), after a
 * customer ordered from their table and paid online: the order paid online
 * is in the cashier's session, the cashier refunds it at the counter and
 * closes the register. */
import {
    closeRegister,
    enterRegister,
    helpersOf,
    refundCroissant,
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
            refundCroissant("2.00"),
            closeRegister(),
        ].flat();
    },
});
