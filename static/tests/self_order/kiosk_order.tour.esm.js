/* A customer orders a croissant at the kiosk of a register whose session a
 * restricted cashier opened. The self-ordering app has a test bundle of its
 * own, which exists only where pos_self_order is installed. */
import * as CartPage from "@pos_self_order/../tests/tours/utils/cart_page_util";
import * as ConfirmationPage from "@pos_self_order/../tests/tours/utils/confirmation_page_util";
import * as ProductPage from "@pos_self_order/../tests/tours/utils/product_page_util";
import * as Utils from "@pos_self_order/../tests/tours/utils/common";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_kiosk_order", {
    steps: () => [
        Utils.clickBtn("Order Now"),
        ProductPage.clickCategory("Bakery"),
        ProductPage.clickProduct("Croissant"),
        Utils.clickBtn("Checkout"),
        CartPage.checkProduct("Croissant", "2.00", "1"),
        Utils.clickBtn("Order"),
        ConfirmationPage.isShown(),
        ConfirmationPage.orderNumberShown(),
        Utils.clickBtn("Close"),
        Utils.checkBtn("Order Now"),
    ],
});
