/* The cashier hands their register over to a colleague from the POS app's menu
 * (with pos_hr, once an employee logged in): their orders are sent,
 * they leave, and the colleague continues the session and closes it. */
import * as Approval from "@pos_session_restriction/../tests/tours/utils/approval_util.esm";
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";
import {
    closeRegister,
    sellCroissant,
} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

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
                content:
                    "pos_hr's lock screen offers no hand-over before anyone logs in",
                trigger: ".screen-login .btn.open-register-btn",
                run() {
                    if (document.querySelector(".o_pos_hand_over_btn")) {
                        throw new Error(
                            "the lock screen offers to hand the register over"
                        );
                    }
                },
            },
            Chrome.startPoS(),
            {
                content: "pos_hr asks who is there",
                trigger: ".login-overlay .select-cashier",
                run: "click",
            },
            {
                content: "the cashier picks their employee",
                trigger: ".selection-item:contains(Casey Cashier)",
                run: "click",
            },
            Chrome.clickMenuOption("Hand over register"),
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
