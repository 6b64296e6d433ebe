/* The cashier hands their register over to a colleague from the POS app's menu
 * (or, with pos_hr, from the employee login screen): their orders are sent,
 * they leave, and the colleague continues the session and closes it. */
import * as Approval from "@pos_session_restriction/../tests/tours/utils/approval_util.esm";
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";
import {sellCroissant} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

function handOverToColin({screenshot = true} = {}) {
    return [
        {
            content: "the dialog offers the colleagues who may operate the register",
            trigger: `${Approval.handOverTrigger} .o_pos_hand_over_candidate:contains("Colin Colleague")`,
        },
        Approval.pickColleague("Colin Colleague"),
        screenshot
            ? Restriction.screenshot("hand_over_dialog", Approval.handOverTrigger)
            : [],
        Approval.confirmHandOver(),
        {
            content: "the cashier is back in the back office",
            trigger: ".o_action_manager, .o_pos_kanban",
        },
    ].flat();
}

function closeRegister() {
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
            content: "the register was closed; core opens it again",
            trigger: ".login-overlay .select-logout:contains(Backend)",
        },
    ].flat();
}

registry.category("web_tour.tours").add("pos_session_restriction_hand_over", {
    steps: () =>
        [
            Chrome.startPoS(),
            sellCroissant(),
            Chrome.clickMenuOption("Hand over register"),
            handOverToColin(),
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_hand_over_receiver", {
    steps: () => [Chrome.startPoS(), sellCroissant(), closeRegister()].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_hand_over_pos_hr", {
    steps: () =>
        [
            {
                content: "the employee login screen offers to hand the register over",
                trigger: ".login-overlay .o_pos_hand_over_btn",
                run: "click",
            },
            handOverToColin({screenshot: false}),
        ].flat(),
});

registry
    .category("web_tour.tours")
    .add("pos_session_restriction_hand_over_receiver_pos_hr", {
        steps: () =>
            [
                Chrome.startPoS(),
                {
                    content: "pos_hr asks who is there",
                    trigger: ".login-overlay .select-cashier",
                    run: "click",
                },
                {
                    content: "the colleague picks their employee",
                    trigger: ".selection-item:contains(Colin Colleague)",
                    run: "click",
                },
                sellCroissant(),
                closeRegister(),
            ].flat(),
    });
