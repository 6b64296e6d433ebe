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

// The colleague of the tests (tests/common.py): new_test_user's password is the login.
const COLLEAGUE = "psr_colleague";

registry.category("web_tour.tours").add("pos_session_restriction_held_sale", {
    steps: () =>
        [
            Chrome.startPoS(),
            {
                content: "a colleague logs in, in another tab of this browser",
                trigger: "body",
                async run() {
                    await rpc("/web/session/authenticate", {
                        db: session.db,
                        login: COLLEAGUE,
                        password: COLLEAGUE,
                    });
                },
            },
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
        ].flat(),
});
