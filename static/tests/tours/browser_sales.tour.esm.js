/* A card sale is made while the register is offline, then the next cashier
 * logs in on that terminal, and the register is refused to them: the refusal
 * page sends the sale the app kept in the browser, and the server holds it for
 * a manager. Nothing sold stays in one browser only. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as OfflineUtil from "@point_of_sale/../tests/generic_helpers/offline_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import {registry} from "@web/core/registry";

// The colleague of the tests (tests/common.py): new_test_user's password is the login.
const COLLEAGUE = "psr_colleague";

registry.category("web_tour.tours").add("pos_session_restriction_browser_sales", {
    steps: () =>
        [
            Chrome.startPoS(),
            OfflineUtil.setOfflineMode(),
            ProductScreen.clickDisplayedProduct("Croissant", true),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content:
                    "the sale is kept in this browser, not sent, and the cashier logs out",
                trigger: "body",
                async run() {
                    await window.posmodel.data.synchronizeLocalDataInIndexedDB();
                    const register = `/pos/ui/${window.odoo.pos_config_id}`;
                    const login = `/web/login?redirect=${encodeURIComponent(register)}`;
                    window.location.href = `/web/session/logout?redirect=${encodeURIComponent(login)}`;
                },
                expectUnloadPage: true,
            },
            {
                content: "the colleague logs in on this terminal",
                trigger: "input[name=login]",
                run: `edit ${COLLEAGUE}`,
            },
            {
                content: "with their password",
                trigger: "input[name=password]",
                run: `edit ${COLLEAGUE}`,
            },
            {
                content: "and goes to the register",
                trigger: "button[type=submit]",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "the register is refused to them",
                trigger:
                    ".o_pos_session_restriction_refused h4:contains(This register is not available to you)",
            },
            {
                content: "and the sale the browser kept is safe on the server",
                trigger:
                    ".o_pos_session_restriction_browser_sales:contains(1 sale(s) this register had not sent yet are safe on the server)",
            },
        ].flat(),
});
