/* Steps that sell at the register and close it, for the addon's tours inside the POS app. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";

/** Sell a croissant paid by bank, and wait until the order reached the server. */
export function sellCroissant() {
    return [
        ProductScreen.clickDisplayedProduct("Croissant", true),
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod("Bank"),
        PaymentScreen.clickValidate(),
        ReceiptScreen.isShown(),
        ReceiptScreen.clickNextOrder(),
        Chrome.isSynced(),
    ].flat();
}

/**
 * Close the register from the menu, with ``beforeClosing`` steps once asked
 * (a manager's approval, say); core then reloads it, at its login screen.
 *
 * @param {Array} [beforeClosing]
 * @returns {Array}
 */
export function closeRegister(beforeClosing = []) {
    return [
        Chrome.clickMenuOption("Close Register"),
        beforeClosing,
        {
            content: "close the register",
            trigger:
                ".modal .close-pos-popup .modal-footer .btn-primary:contains(Close Register)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the register was closed; core opens it again",
            trigger: ".login-overlay .select-logout:contains(Backend)",
        },
    ].flat();
}
