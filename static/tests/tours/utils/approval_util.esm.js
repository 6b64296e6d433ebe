/* Steps on the addon's manager approval and hand-over dialogs in the POS app. */
import {negate} from "@point_of_sale/../tests/generic_helpers/utils";

export const trigger = ".modal .o_pos_approval_popup";
export const handOverTrigger = ".modal .o_pos_hand_over_popup";

export function clickManagerApproval() {
    return {
        content: "ask for a manager's approval",
        trigger: ".modal .o_pos_restriction_popup .o_pos_restriction_approval",
        run: "click",
    };
}

export function isShown(title) {
    return {
        content: `the approval dialog says "${title}"`,
        trigger: `${trigger} .modal-title:contains("${title}")`,
    };
}

export function pickApprover(name) {
    return {
        content: `${name} picks their name`,
        trigger: `${trigger} .o_pos_approval_approver:contains("${name}")`,
        run: "click",
    };
}

/** Type ``pin`` on the on-screen keypad; the display shows dots only. */
export function typePin(pin) {
    return [
        ...[...pin].map((digit) => ({
            content: `type ${digit}`,
            trigger: `${trigger} .o_pos_pin_keypad .numpad-button[value="${digit}"]`,
            run: "click",
        })),
        {
            content: "the PIN shows as dots",
            trigger: `${trigger} .o_pos_pin_display[data-length="${pin.length}"]:contains("${"•".repeat(pin.length)}")`,
        },
    ];
}

export function confirm() {
    return {
        content: "approve",
        trigger: `${trigger} .o_pos_approval_confirm:not([disabled])`,
        run: "click",
    };
}

export function isGone() {
    return {content: "the approval dialog is gone", trigger: negate(trigger)};
}

export function saysError(message) {
    return {
        content: `the approval dialog says "${message}"`,
        trigger: `${trigger} .o_pos_approval_error:contains("${message}")`,
    };
}

export function pickColleague(name) {
    return {
        content: `hand over to ${name}`,
        trigger: `${handOverTrigger} .o_pos_hand_over_candidate:contains("${name}")`,
        run: "click",
    };
}

export function confirmHandOver() {
    return {
        content: "confirm the hand-over",
        trigger: `${handOverTrigger} .o_pos_hand_over_confirm:not([disabled])`,
        run: "click",
        expectUnloadPage: true,
    };
}
