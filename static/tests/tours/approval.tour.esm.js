/* The cashier sells on a session a colleague opened; the manager then locks
 * them out of sessions opened by others. Closing is refused; a manager types
 * their PIN at the register: the cashier takes the session over, sells and
 * closes it. Another tour types a wrong PIN five times, which locks approvals. */
import * as Approval from "@pos_session_restriction/../tests/tours/utils/approval_util.esm";
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import * as RestrictionPopup from "@pos_session_restriction/../tests/tours/utils/restriction_popup_util.esm";
import {registry} from "@web/core/registry";
import {sellCroissant} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

// The manager's PIN in tests/test_tours.py.
const PIN = "246810";
const FOREIGN_MESSAGE =
    "was opened by Colin Colleague; you are not allowed to continue or close it.";

function closingIsRefusedThenApprovalAsked() {
    return [
        Chrome.startPoS(),
        sellCroissant(),
        Restriction.managerRestrictsCashier(
            "The manager locks the cashier out of sessions opened by others",
            {pos_lock_foreign_sessions: true}
        ),
        Chrome.clickMenuOption("Close Register"),
        RestrictionPopup.isShown(
            "This register is not available to you",
            FOREIGN_MESSAGE
        ),
        Approval.clickManagerApproval(),
        Approval.isShown("Manager approval: take over the session"),
        Approval.pickApprover("Mitchell Admin"),
    ].flat();
}

registry.category("web_tour.tours").add("pos_session_restriction_approval_take_over", {
    steps: () =>
        [
            closingIsRefusedThenApprovalAsked(),
            Approval.typePin(PIN),
            Restriction.screenshot("approval_keypad", Approval.trigger),
            Approval.confirm(),
            Approval.isGone(),
            // The session is the cashier's now: they sell and close it.
            sellCroissant(),
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
        ].flat(),
});

registry.category("web_tour.tours").add("pos_session_restriction_approval_lockout", {
    steps: () =>
        [
            closingIsRefusedThenApprovalAsked(),
            ...[4, 3, 2, 1].map((left) => [
                Approval.typePin("0000"),
                Approval.confirm(),
                Approval.saysError(
                    `Wrong PIN for Mitchell Admin. ${left} more wrong PINs`
                ),
            ]),
            Approval.typePin("0000"),
            Approval.confirm(),
            Approval.saysError(
                "Too many wrong PINs: manager approvals are locked until"
            ),
            // Now even the right PIN is not checked.
            Approval.typePin(PIN),
            Approval.confirm(),
            Approval.saysError("Too many wrong PINs were typed from your account"),
            Restriction.screenshot("approval_locked", Approval.trigger),
            {
                content: "give up",
                trigger: `${Approval.trigger} .o_pos_approval_cancel`,
                run: "click",
            },
            Approval.isGone(),
        ].flat(3),
});
