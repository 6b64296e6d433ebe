/* The cashier's day at the Bakery Shop (pos_sale): a customer comes to pay
 * their quotation, which the cashier settles in the session. Opens and starts
 * the register, settles and pays the quotation, refunds a croissant and
 * closes the register. */
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import {
    closeRegister,
    helpersOf,
    openAndStart,
    payOrderByBank,
    refundCroissant,
} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {inLeftSide} from "@point_of_sale/../tests/pos/tours/utils/common";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_sale_day", {
    steps: () => {
        const PosSale = helpersOf("@pos_sale/../tests/tours/utils/pos_sale_utils");
        return [
            openAndStart(),
            PosSale.settleSaleOrderByPrice("7.00"),
            inLeftSide(ProductScreen.orderLineHas("Croissant", "2")),
            ProductScreen.totalAmountIs("7.00"),
            payOrderByBank(),
            refundCroissant("7.00"),
            closeRegister(),
        ].flat();
    },
});
