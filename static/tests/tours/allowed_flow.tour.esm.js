/* A cashier bound by every restriction opens their own register from the
 * dashboard, sells, and closes it: none of the restrictions stands in the way. */
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";
import {
    closeRegister,
    sellCroissant,
} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

registry.category("web_tour.tours").add("pos_session_restriction_allowed_flow", {
    steps: () =>
        [
            Restriction.dashboardShowsViewOnly("Clothes Shop"),
            {
                content: "open the Bakery Shop from the dashboard",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} button[name=open_ui]:contains("Open Register")`,
                run: "click",
                expectUnloadPage: true,
            },
            Dialog.confirm("Open Register"),
            sellCroissant(),
            closeRegister(),
            // Leave the register core reloaded after closing, for the dashboard.
            {
                content: "back to the back office",
                trigger: ".login-overlay .select-logout:contains(Backend)",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "the Bakery Shop can be opened again",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} button[name=open_ui]:contains("Open Register")`,
            },
        ].flat(),
});
