/* A cashier bound by every restriction opens their own register from the
 * dashboard, sells, and closes it: none of the restrictions stands in the way. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_allowed_flow", {
    steps: () =>
        [
            Restriction.dashboardShowsViewOnly("Clothes Shop"),
            {
                content: "open the Bakery Shop from the dashboard",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} button[name=open_ui]:contains("Open Register")`,
                run: "click",
                expectUnloadPage: true,
            },
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct("Croissant", true),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
            Chrome.clickMenuOption("Close Register"),
            {
                content: "close the register",
                trigger:
                    ".modal .close-pos-popup .modal-footer .btn-primary:contains(Close Register)",
                run: "click",
                expectUnloadPage: true,
            },
            // Core reloads the register after closing: leave it for the dashboard.
            {
                content: "back to the back office",
                trigger: ".login-overlay .select-logout:contains(Backend)",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "the Bakery Shop can be opened again",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} button[name=open_ui]:contains("Open Register")`,
            },
        ].flat(),
});
