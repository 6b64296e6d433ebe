/* The cashier's day at the Bistro (pos_restaurant), whose dining room other
 * registers share, one of them hidden from the cashier. Opens and starts the
 * register, takes an order on table 1 that syncs as a draft, transfers it to
 * table 2, splits the bill and pays both parts, refunds a croissant and closes
 * the register. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import {
    closeRegister,
    helpersOf,
    openAndStart,
    ordersSynced,
    payByBank,
    refundCroissant,
} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {inLeftSide} from "@point_of_sale/../tests/pos/tours/utils/common";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_restaurant_day", {
    steps: () => {
        const FloorScreen = helpersOf(
            "@pos_restaurant/../tests/tours/utils/floor_screen_util"
        );
        const SplitBillScreen = helpersOf(
            "@pos_restaurant/../tests/tours/utils/split_bill_screen_util"
        );
        return [
            openAndStart(),
            // Table 1 holds draft orders of the other registers: not the cashier's.
            FloorScreen.table({name: "1", withoutClass: ".occupied"}),
            FloorScreen.clickTable("1"),
            ProductScreen.orderIsEmpty(),
            ProductScreen.clickDisplayedProduct("Croissant"),
            ProductScreen.clickDisplayedProduct("Croissant"),
            ProductScreen.clickDisplayedProduct("Coffee"),
            Chrome.clickPlanButton(),
            ordersSynced(),
            FloorScreen.table({name: "1", withClass: ".occupied"}),
            // Transfer the order to table 2.
            FloorScreen.clickTable("1"),
            ProductScreen.clickControlButton("Transfer"),
            FloorScreen.clickTable("2"),
            inLeftSide(ProductScreen.orderLineHas("Croissant", "2")),
            Chrome.clickPlanButton(),
            ordersSynced(),
            FloorScreen.table({name: "2", withClass: ".occupied"}),
            FloorScreen.table({name: "1", withoutClass: ".occupied"}),
            // Split the bill of table 2: the coffee first, then the croissants.
            FloorScreen.clickTable("2"),
            ProductScreen.clickControlButton("Split"),
            SplitBillScreen.clickOrderline("Coffee"),
            SplitBillScreen.subtotalIs("3.00"),
            SplitBillScreen.clickButton("Pay"),
            payByBank({next: false}),
            ReceiptScreen.clickContinueOrder(),
            SplitBillScreen.clickOrderline("Croissant"),
            SplitBillScreen.clickOrderline("Croissant"),
            SplitBillScreen.subtotalIs("4.00"),
            SplitBillScreen.clickButton("Pay"),
            payByBank(),
            // Refund one croissant.
            FloorScreen.clickTable("3"),
            refundCroissant("4.00"),
            ordersSynced(),
            closeRegister(),
        ].flat();
    },
});
