/* A colleague logs into the back office in another tab of the register's
 * browser: the register's next sale is sent as them, and they may not sell in
 * the cashier's session. The card sale is kept on the server for a manager,
 * never lost, and the cashier is told so. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";
import {session} from "@web/session";

// The users of the tests (tests/common.py): new_test_user's password is the login.
const CASHIER = "psr_cashier";
const COLLEAGUE = "psr_colleague";

function logIn(content, login) {
    return {
        content,
        trigger: "body",
        async run() {
            await rpc("/web/session/authenticate", {
                db: session.db,
                login,
                password: login,
            });
        },
    };
}

registry.category("web_tour.tours").add("pos_session_restriction_held_sale", {
    steps: () =>
        [
            Chrome.startPoS(),
            logIn("a colleague logs in, in another tab of this browser", COLLEAGUE),
            ProductScreen.clickDisplayedProduct("Croissant", true),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            {
                content: "the cashier is told the sale is kept for a manager",
                trigger:
                    ".modal .modal-title:contains(Sale kept for a manager), .modal .modal-body:contains(Held Sales)",
            },
            {
                content: "close the message",
                trigger: ".modal .modal-footer .btn-primary",
                run: "click",
            },
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
            logIn("the cashier logs in again in the other tab", CASHIER),
            Chrome.clickMenuOption("Close Register"),
            {
                content: "the closing figures say the held sale is not in them",
                trigger:
                    ".close-pos-popup .o_pos_held_sales_warning:contains(1 held sale(s) of)",
            },
        ].flat(),
});
