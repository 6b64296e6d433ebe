/* An administrator sees the Bakery Shop's session abandoned on the dashboard
 * and opens Sessions under Supervision: the Clothes Shop's session is in use,
 * the Furniture Shop's opened yesterday. They filter, then close the abandoned
 * session remotely. */
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";

function row(name) {
    return `.o_data_row:contains("${name}")`;
}

function onlyRows(shown, hidden) {
    return {
        content: `the board shows ${shown.join(", ") || "no session"}`,
        trigger: [
            ".o_list_view",
            ...shown.map((name) => `:has(${row(name)})`),
            ...hidden.map((name) => `:not(:has(${row(name)}))`),
        ].join(""),
    };
}

function toggleFilter(name) {
    return {
        content: `toggle the filter ${name}`,
        trigger: `.o_filter_menu .o-dropdown-item:contains("${name}")`,
        run: "click",
    };
}

const SHOPS = ["Bakery Shop", "Clothes Shop", "Furniture Shop"];

registry.category("web_tour.tours").add("pos_session_restriction_supervision_board", {
    steps: () =>
        [
            {
                content: "the dashboard flags the Bakery Shop's session",
                trigger: `${Restriction.dashboardCard("Bakery Shop")} .o_pos_session_abandoned:contains(Abandoned)`,
            },
            {
                content: "and only that one",
                trigger: `.o_pos_kanban:not(:has(${Restriction.dashboardCard("Clothes Shop")} .o_pos_session_abandoned))`,
            },
            {
                content: "open the Orders menu",
                trigger:
                    ".o_menu_sections [data-menu-xmlid='point_of_sale.menu_point_of_sale']",
                run: "click",
            },
            {
                content: "open Sessions under Supervision",
                trigger:
                    "[data-menu-xmlid='pos_session_restriction.menu_pos_session_supervision']",
                run: "click",
            },
            {
                content: "the board is open",
                trigger: ".o_breadcrumb:contains(Sessions under Supervision)",
            },
            onlyRows(SHOPS, []),
            {
                content: "the abandoned session stands out",
                trigger: `.o_list_view ${row("Bakery Shop")}.text-danger [name=pos_abandoned] input:checked`,
            },
            {
                content: "it has been idle for 13 hours",
                trigger: `.o_list_view ${row("Bakery Shop")} .o_field_widget[name=pos_idle_hours]:contains("13:")`,
            },
            Restriction.screenshot("supervision_board", row("Bakery Shop")),
            {
                content: "open the filters",
                trigger: ".o_searchview_dropdown_toggler",
                run: "click",
            },
            toggleFilter("Opened before today"),
            onlyRows(["Furniture Shop"], ["Bakery Shop", "Clothes Shop"]),
            toggleFilter("Opened before today"),
            toggleFilter("Idle > 4 h"),
            onlyRows(["Bakery Shop"], ["Clothes Shop", "Furniture Shop"]),
            toggleFilter("Idle > 4 h"),
            toggleFilter("Abandoned"),
            onlyRows(["Bakery Shop"], ["Clothes Shop", "Furniture Shop"]),
            {
                content: "close the filters",
                trigger: ".o_searchview_dropdown_toggler",
                run: "click",
            },
            {
                content: "close the abandoned session remotely",
                trigger: `.o_list_view ${row("Bakery Shop")} button[name=action_pos_close_remotely]`,
                run: "click",
            },
            {
                content: "the board asks first",
                trigger: ".modal-body:contains(without counting its cash)",
            },
            {
                content: "confirm",
                trigger: ".modal-footer .btn-primary",
                run: "click",
            },
            {
                content: "no abandoned session left",
                trigger: ".o_list_view:not(:has(.o_data_row)), .o_view_nocontent",
            },
            {
                content: "remove the Abandoned filter",
                trigger: ".o_searchview_facet:contains(Abandoned) .o_facet_remove",
                run: "click",
            },
            onlyRows(["Clothes Shop", "Furniture Shop"], ["Bakery Shop"]),
        ].flat(),
});
