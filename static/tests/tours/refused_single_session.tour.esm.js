/* A cashier restricted to one session, with a session open on the Bakery Shop,
 * tries to open the Clothes Shop from the dashboard. */
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

registry
    .category("web_tour.tours")
    .add("pos_session_restriction_refused_single_session", {
        steps: () => [
            {
                content: "open the Clothes Shop",
                trigger: `${Restriction.dashboardCard("Clothes Shop")} button[name=open_ui]:contains("Open Register")`,
                run: "click",
            },
            {
                content: "the refusal has its own title",
                trigger: ".modal .modal-title:contains(Not Allowed)",
            },
            {
                content: "and says which session to close first",
                trigger:
                    ".modal .modal-body:contains(You already have an open session):contains(on 'Bakery Shop'. Close it before opening another Point of Sale.)",
            },
            Restriction.screenshot("refusal_single_session", ".modal .modal-body"),
            {
                content: "close the dialog",
                trigger: ".modal .modal-footer .btn-primary",
                run: "click",
            },
            {
                content: "the dashboard is still there",
                trigger: `body:not(:has(.modal)) ${Restriction.dashboardCard("Clothes Shop")} button[name=open_ui]`,
            },
        ],
    });
