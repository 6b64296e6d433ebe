/* The manager looks at the cashier's restrictions, then the cashier logs in
 * and finds them on the dashboard: the Clothes Shop is view only, and the
 * Furniture Shop, opened by a colleague, is out of reach. */
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pos_session_restriction_dashboard_view_only", {
    steps: () =>
        [
            {
                content: "open the POS Session Restrictions tab of the cashier",
                trigger:
                    ".o_form_view .o_notebook a.nav-link:contains(POS Session Restrictions)",
                run: "click",
            },
            {
                content: "the cashier sees every register",
                trigger:
                    ".o_field_widget[name=pos_view_config_ids] .o_tag:contains(Furniture Shop)",
            },
            {
                content: "and operates the Bakery and Furniture shops",
                trigger:
                    ".o_field_widget[name=pos_access_config_ids]:has(.o_tag:contains(Bakery Shop)):has(.o_tag:contains(Furniture Shop))",
            },
            Restriction.screenshot(
                "users_form",
                ".o_field_widget[name=pos_lock_foreign_sessions] input:checked"
            ),
            Restriction.goTo(
                `/web/session/logout?redirect=${encodeURIComponent(
                    `/web/login?redirect=${Restriction.DASHBOARD_URL}`
                )}`
            ),
            {
                content: "the cashier logs in",
                trigger: ".oe_login_form input[name=login]",
                run: "edit psr_cashier",
            },
            {
                trigger: ".oe_login_form input[name=password]",
                run: "edit psr_cashier",
            },
            {
                trigger: ".oe_login_form button[type=submit]",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "the cashier may open the Bakery Shop",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} button[name=open_ui]:contains("Open Register")`,
            },
            Restriction.dashboardShowsViewOnly("Clothes Shop"),
            Restriction.dashboardShowsOpenedBy("Furniture Shop", "Colin Colleague"),
            Restriction.screenshot("dashboard_view_only", ".o_pos_kanban"),
        ].flat(),
});
