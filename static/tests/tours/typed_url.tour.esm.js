/* A cashier types the address of a register they may see but not operate. */
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_typed_url", {
    steps: () =>
        [
            {
                content: "the page says the register is not available",
                trigger:
                    ".o_pos_session_restriction_refused h4:contains(This register is not available to you)",
            },
            {
                content: "and why",
                trigger:
                    ".o_pos_session_restriction_message:contains(You are not allowed to operate the Point of Sale 'Clothes Shop'.)",
            },
            Restriction.screenshot("refusal_url", ".o_pos_session_restriction_refused"),
            {
                content: "go back to the dashboard",
                trigger: `.o_pos_session_restriction_refused a[href="${Restriction.DASHBOARD_URL}"]`,
                run: "click",
                expectUnloadPage: true,
            },
            Restriction.dashboardShowsViewOnly("Clothes Shop"),
        ].flat(),
});
