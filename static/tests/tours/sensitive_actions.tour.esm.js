/* Manager-only actions at the register (DESIGN §9): the cashier's rules come
 * with the POS app's data, so the app asks a manager's PIN (or says no) before
 * the action, and the server finds the approval bound to the order it syncs.
 * Offline, no manager can approve: the action goes, the order is flagged. */
import * as Approval from "@pos_session_restriction/../tests/tours/utils/approval_util.esm";
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as OfflineUtil from "@point_of_sale/../tests/generic_helpers/offline_util";
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as RestrictionPopup from "@pos_session_restriction/../tests/tours/utils/restriction_popup_util.esm";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import {
    closeRegister,
    sellCroissant,
} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";
import {payByBank} from "@pos_session_restriction/../tests/tours/utils/family_util.esm";
import {registry} from "@web/core/registry";

// The manager's PIN in tests/test_tours_sensitive.py.
const PIN = "246810";

/** Wait until the server has recorded every paid order of the register. */
function paidOrdersSent() {
    return {
        content: "every paid order reached the server",
        trigger: "body",
        async run({waitUntil}) {
            await waitUntil(
                () =>
                    window.posmodel.models["pos.order"]
                        .filter((order) => order.finalized)
                        .every((order) => order.isSynced),
                {timeout: 8000}
            );
        },
    };
}

function managerApproves(title) {
    return [
        Approval.isShown(title),
        Approval.pickApprover("Mitchell Admin"),
        Approval.typePin(PIN),
        Approval.confirm(),
        Approval.isGone(),
    ].flat();
}

/** A croissant at 15% off, over the cashier's limit of 10%. */
function croissantAt15PercentOff() {
    return [
        ProductScreen.clickDisplayedProduct("Croissant", true),
        ProductScreen.addDiscount("15"),
    ].flat();
}

function hasCroissantAt15PercentOff() {
    return ProductScreen.selectedOrderlineHas("Croissant", "1", "1.70");
}

registry.category("web_tour.tours").add("pos_session_restriction_sensitive_refund", {
    steps: () =>
        [
            Chrome.startPoS(),
            sellCroissant(),
            ProductScreen.clickRefund(),
            TicketScreen.selectOrderByPrice("2.00"),
            Order.hasLine({productName: "Croissant"}),
            ProductScreen.clickNumpad("1"),
            TicketScreen.toRefundTextContains("To Refund: 1"),
            TicketScreen.confirmRefund(),
            managerApproves("Manager approval: refund a sale"),
            PaymentScreen.isShown(),
            payByBank(),
            paidOrdersSent(),
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_sensitive_discount", {
    steps: () =>
        [
            Chrome.startPoS(),
            croissantAt15PercentOff(),
            managerApproves("Manager approval: discount over your limit"),
            hasCroissantAt15PercentOff(),
            ProductScreen.clickPayButton(),
            payByBank(),
            paidOrdersSent(),
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_sensitive_cash_out", {
    steps: () =>
        [
            Chrome.startPoS(),
            Chrome.doCashMove("5", "Change for the bakery next door"),
            RestrictionPopup.isShown(
                "Cash in and out refused",
                "Your user settings do not allow you to put cash in or take cash out at 'Bakery Shop'."
            ),
            {
                content: "and who can change that",
                trigger: `${RestrictionPopup.trigger} .o_pos_restriction_note:contains("Only a Point of Sale administrator can change this")`,
            },
            {
                content: "the cashier has read it",
                trigger: `${RestrictionPopup.trigger} .o_pos_restriction_stay:contains("Ok")`,
                run: "click",
            },
            {
                content: "the cash move dialog is gone too",
                trigger: "body:not(:has(.modal))",
            },
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_sensitive_closing", {
    steps: () =>
        [
            Chrome.startPoS(),
            closeRegister(managerApproves("Manager approval: close the session")),
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_sensitive_offline", {
    steps: () =>
        [
            Chrome.startPoS(),
            OfflineUtil.setOfflineMode(),
            croissantAt15PercentOff(),
            {
                content:
                    "the cashier is told the discount is allowed offline, and flagged",
                trigger:
                    '.modal:contains("Allowed offline"):contains("flagged for a manager\'s review when it syncs")',
            },
            Dialog.confirm("Ok"),
            hasCroissantAt15PercentOff(),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            {
                content: "the paid order waits in the register",
                trigger: ".pos .receipt-screen",
            },
            OfflineUtil.setOnlineMode(),
            {
                content: "back online, the register sends the order",
                trigger: "body",
                async run() {
                    await window.posmodel.syncAllOrders();
                },
            },
            paidOrdersSent(),
        ].flat(),
});
