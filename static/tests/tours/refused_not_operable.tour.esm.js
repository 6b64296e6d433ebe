/* The manager takes the Bakery Shop out of the cashier's operable registers
 * while the cashier's register waits in opening control: starting it is
 * refused, and the cashier goes back to the dashboard. The same with pos_hr,
 * where the cashier first logs in as their employee. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import * as RestrictionPopup from "@pos_session_restriction/../tests/tours/utils/restriction_popup_util.esm";
import {registry} from "@web/core/registry";

function startingIsRefused({screenshot = true} = {}) {
    return [
        Dialog.is({title: "Opening Control"}),
        Restriction.managerRestrictsCashier(
            "The manager takes the Bakery Shop out of the operable registers",
            () => ({pos_access_config_ids: [[3, odoo.pos_config_id]]})
        ),
        Dialog.confirm("Open Register"),
        RestrictionPopup.isShown(
            "This register is not available to you",
            "You are not allowed to operate the Point of Sale 'Bakery Shop'."
        ),
        RestrictionPopup.cannotStay(),
        screenshot
            ? Restriction.screenshot("refusal_not_operable", RestrictionPopup.trigger)
            : [],
        RestrictionPopup.clickBackToDashboard(),
        Restriction.dashboardShowsViewOnly("Bakery Shop"),
    ].flat();
}

registry
    .category("web_tour.tours")
    .add("pos_session_restriction_refused_not_operable", {
        steps: () => [Chrome.startPoS(), startingIsRefused()].flat(),
    });

registry
    .category("web_tour.tours")
    .add("pos_session_restriction_refused_not_operable_pos_hr", {
        steps: () =>
            [
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
                startingIsRefused({screenshot: false}),
            ].flat(),
    });
