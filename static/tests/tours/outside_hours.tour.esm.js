/* A cashier whose working hours start at 14:00 looks at the dashboard at 13:00:
 * each register says from when it may be opened and offers no button; typing
 * the address of one is refused with the same time. */
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_outside_hours", {
    steps: () =>
        [
            Restriction.dashboardShowsOutsideHours("Bakery Shop", "14:00"),
            Restriction.screenshot("outside_hours", ".o_pos_kanban"),
            Restriction.goToRegister("Bakery Shop"),
            {
                content: "the register is not available",
                trigger:
                    ".o_pos_session_restriction_refused h4:contains(This register is not available to you)",
            },
            {
                content: "until 14:00",
                trigger:
                    ".o_pos_session_restriction_message:contains(Outside your hours: you may open a register from 14:00.)",
            },
            {
                content: "go back to the dashboard",
                trigger: `.o_pos_session_restriction_refused a[href="${Restriction.DASHBOARD_URL}"]`,
                run: "click",
                expectUnloadPage: true,
            },
            Restriction.dashboardShowsOutsideHours("Bakery Shop", "14:00"),
        ].flat(),
});
