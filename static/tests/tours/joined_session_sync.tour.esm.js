/* The cashier joins a session a colleague opened and sells. The manager then
 * locks the cashier out of sessions opened by others: the cashier worked in
 * this one, so the next sale still reaches the server; reloading the register
 * is refused. */
import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Restriction from "@pos_session_restriction/../tests/tours/utils/restriction_util.esm";
import {registry} from "@web/core/registry";
import {sellCroissant} from "@pos_session_restriction/../tests/tours/utils/sale_util.esm";

registry.category("web_tour.tours").add("pos_session_restriction_joined_session_sync", {
    steps: () =>
        [
            Chrome.startPoS(),
            sellCroissant(),
            Restriction.managerRestrictsCashier(
                "The manager locks the cashier out of sessions opened by others",
                {pos_lock_foreign_sessions: true}
            ),
            sellCroissant(),
            {
                content: "reload the register",
                trigger: "body",
                run() {
                    window.location.reload();
                },
                expectUnloadPage: true,
            },
            {
                content: "the register is refused",
                trigger:
                    ".o_pos_session_restriction_refused .o_pos_session_restriction_message:contains(was opened by Colin Colleague; you are not allowed to continue or close it.)",
            },
        ].flat(),
});
