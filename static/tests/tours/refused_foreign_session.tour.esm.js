/* The cashier sells on a session a colleague opened. While the closing popup
 * is open, the manager locks the cashier out of sessions opened by others:
 * closing is refused with the addon's message (core would show a generic
 * closing error), orders keep syncing, and the cashier goes back to the
 * dashboard. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import * as RestrictionPopup from "@pos_session_restriction/../tests/tours/utils/restriction_popup_util.esm";
import {registry} from "@web/core/registry";
import {sellCroissant} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

const FOREIGN_MESSAGE =
    "was opened by Colin Colleague; you are not allowed to continue or close it.";

registry
    .category("web_tour.tours")
    .add("pos_session_restriction_refused_foreign_session", {
        steps: () =>
            [
                Chrome.startPoS(),
                sellCroissant(),
                Chrome.clickMenuOption("Close Register"),
                {
                    content: "the closing popup is open",
                    trigger: ".modal .close-pos-popup",
                },
                Restriction.managerRestrictsCashier(
                    "The manager locks the cashier out of sessions opened by others",
                    {pos_lock_foreign_sessions: true}
                ),
                Dialog.confirm("Close Register"),
                RestrictionPopup.isShown(
                    "This register is not available to you",
                    FOREIGN_MESSAGE
                ),
                {
                    content: "the closing popup made way for the refusal",
                    trigger: "body:not(:has(.close-pos-popup))",
                },
                Restriction.screenshot(
                    "refusal_foreign_session",
                    RestrictionPopup.trigger
                ),
                // The session is still open: the cashier may finish selling, and it syncs.
                RestrictionPopup.clickKeepSelling(),
                sellCroissant(),
                // Closing from the menu is refused before the closing popup opens.
                Chrome.clickMenuOption("Close Register"),
                RestrictionPopup.isShown(
                    "This register is not available to you",
                    FOREIGN_MESSAGE
                ),
                RestrictionPopup.clickBackToDashboard(),
                Restriction.dashboardShowsOpenedBy("Bakery Shop", "Colin Colleague"),
            ].flat(),
    });
