/* Steps on the addon's refusal popup inside the POS app. */
import {negate} from "@point_of_sale/../tests/generic_helpers/utils";

export const trigger = ".modal .o_pos_restriction_popup";
// What core shows for a server error in the POS app, or for one while closing.
const CORE_ERROR_TITLES = ["Not Allowed", "Odoo Server Error", "Closing session error"];

export function isShown(title, message) {
    return [
        {
            content: `the refusal popup says "${title}"`,
            trigger: `${trigger} .modal-title:contains("${title}")`,
        },
        {
            content: "with the server's message",
            trigger: `${trigger} .o_pos_restriction_message:contains("${message}")`,
        },
        ...CORE_ERROR_TITLES.map((coreTitle) => ({
            content: `and no "${coreTitle}" dialog from core`,
            trigger: negate(`.modal-title:contains("${coreTitle}")`),
        })),
    ];
}

export function cannotStay() {
    return {
        content: "the refusal popup only leads back to the dashboard",
        trigger: `${trigger}:has(.o_pos_restriction_back):not(:has(.o_pos_restriction_stay))`,
    };
}

export function clickKeepSelling() {
    return [
        {
            content: "keep selling",
            trigger: `${trigger} .o_pos_restriction_stay:contains("Keep selling")`,
            run: "click",
        },
        {
            content: "the refusal popup is gone",
            trigger: negate(trigger),
        },
    ];
}

export function clickBackToDashboard() {
    return {
        content: "go back to the dashboard",
        trigger: `${trigger} .o_pos_restriction_back:contains("Back to the dashboard")`,
        run: "click",
        expectUnloadPage: true,
    };
}
