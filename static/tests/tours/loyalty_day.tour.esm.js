/* The cashier's day at the Bakery Shop (pos_loyalty): its promotion applies,
 * not the one of a register hidden from the cashier, and the customer pays
 * with a gift card sold at that other register. Opens and starts the
 * register, sells, refunds a croissant and closes the register. */
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import {
    closeRegister,
    helpersOf,
    openAndStart,
    payOrderByBank,
    refundCroissant,
} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_loyalty_day", {
    steps: () => {
        const PosLoyalty = helpersOf(
            "@pos_loyalty/../tests/tours/utils/pos_loyalty_util"
        );
        return [
            openAndStart(),
            ProductScreen.clickDisplayedProduct("Croissant"),
            ProductScreen.clickDisplayedProduct("Coffee"),
            // 5.00 less the Bakery Shop's 10 %.
            PosLoyalty.orderTotalIs("4.50"),
            PosLoyalty.enterCode("044123456"),
            PosLoyalty.orderTotalIs("0.00"),
            payOrderByBank(),
            // Refund the croissant.
            refundCroissant("0.00"),
            closeRegister(),
        ].flat();
    },
});
