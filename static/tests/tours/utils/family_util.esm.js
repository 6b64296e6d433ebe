/* Tour helpers for the modules of the POS family, which the addon does not
 * depend on. A static import from one of them would leave the whole test
 * bundle with a missing module wherever it is not installed, failing every
 * tour: their helpers are looked up when a tour builds its steps, inside the
 * POS app, where the bundle has loaded them. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";

/** The exports of the test module ``name``, e.g. "@pos_restaurant/../tests/tours/utils/floor_screen_util". */
export function helpersOf(name) {
    const helpers = odoo.loader.modules.get(name);
    if (!helpers) {
        throw new Error(`${name} is not loaded: install its module to run this tour`);
    }
    return helpers;
}

/** Enter the register from the POS app's first screen, once it has loaded. */
export function enterRegister() {
    return [
        {
            // Loading every model of the family takes a while on a busy machine.
            content: "the POS app has loaded",
            trigger: ".screen-login .btn.open-register-btn",
            timeout: 60000,
        },
        Chrome.startPoS(),
    ].flat();
}

/** Enter the register and start its new session. */
export function openAndStart() {
    return [enterRegister(), Dialog.confirm("Open Register")].flat();
}

/** Wait until every order with lines has reached the server with its last
 * change: the POS app syncs in the background, and a change made meanwhile
 * may be overwritten by the server's answer to the previous sync. */
export function ordersSynced() {
    const unsynced = () =>
        window.posmodel.models["pos.order"].filter(
            (order) => !order.isEmpty() && (!order.isSynced || order.isDirty())
        );
    return {
        content: "every order reached the server",
        trigger: "body",
        timeout: 60000,
        async run({waitUntil}) {
            try {
                await waitUntil(() => !unsynced().length, {timeout: 50000});
            } catch {
                const names = unsynced().map((order) => order.uuid);
                throw new Error(`orders not synced: ${names.join(", ")}`);
            }
        },
    };
}

/** Validate the payment: the paid order's sync (stock, accounting) takes
 * seconds on a busy machine, longer than a tour step waits by default. */
export function validatePayment() {
    return [
        PaymentScreen.clickValidate(),
        {
            content: "the order is paid",
            trigger: ".pos .receipt-screen",
            timeout: 60000,
        },
    ].flat();
}

/** Pay the order on the payment screen by bank; with ``next``, go on to the next order. */
export function payByBank({next = true} = {}) {
    return [
        PaymentScreen.clickPaymentMethod("Bank"),
        validatePayment(),
        next ? ReceiptScreen.clickNextOrder() : [],
    ].flat();
}

/** Pay the current order by bank and go on to the next one. */
export function payOrderByBank() {
    return [ProductScreen.clickPayButton(), payByBank()].flat();
}

/** Refund one croissant of the paid order of ``price``, paid back by bank. */
export function refundCroissant(price, {next = true} = {}) {
    return [
        ProductScreen.clickRefund(),
        TicketScreen.selectOrderByPrice(price),
        Order.hasLine({productName: "Croissant"}),
        ProductScreen.clickNumpad("1"),
        TicketScreen.toRefundTextContains("To Refund: 1"),
        TicketScreen.confirmRefund(),
        PaymentScreen.isShown(),
        payByBank({next}),
    ].flat();
}

/** Close the register from the POS app's menu; core then opens it again. */
export function closeRegister() {
    return [
        Chrome.clickMenuOption("Close Register"),
        {
            content: "close the register",
            trigger:
                ".modal .close-pos-popup .modal-footer .btn-primary:contains(Close Register)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the register can be opened again",
            trigger: ".screen-login .btn.open-register-btn",
        },
    ].flat();
}
