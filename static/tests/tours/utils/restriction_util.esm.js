/* Tour steps shared by the addon's tours. They import nothing from the POS app:
 * the tours that use them also run on the back office and on public pages. */
import {rpc} from "@web/core/network/rpc";
import {session} from "@web/session";
import {user} from "@web/core/user";

// The manager of the tests (tests/common.py): new_test_user's password is the login.
const MANAGER = "psr_manager";
// Tests/test_tours.py watches the browser console for this prefix.
const SCREENSHOT_SIGNAL = "pos_session_restriction screenshot: ";

export const DASHBOARD_URL = "/odoo/action-point_of_sale.action_client_pos_menu";

async function jsonRpc(service, method, args) {
    // Authenticated by the password in ``args``: /jsonrpc neither reads nor saves
    // the browser session, which stays the cashier's. (The cookies still go
    // along: they name the database, and the test's cursor.)
    const response = await fetch("/jsonrpc", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({
            jsonrpc: "2.0",
            method: "call",
            id: 1,
            params: {service, method, args},
        }),
    });
    const {result, error} = await response.json();
    if (error) {
        throw new Error(`${service}.${method} failed: ${error.data?.message}`);
    }
    return result;
}

/**
 * The manager changes the restrictions of the logged-in cashier, from another
 * device: ``values`` (or the function returning them, evaluated when the step
 * runs) are written on the cashier's user.
 */
export function managerRestrictsCashier(content, values) {
    return {
        content,
        trigger: "body",
        async run() {
            const uid = await jsonRpc("common", "login", [
                session.db,
                MANAGER,
                MANAGER,
            ]);
            if (!uid) {
                throw new Error(`cannot log in as ${MANAGER}`);
            }
            const vals = typeof values === "function" ? values() : values;
            await jsonRpc("object", "execute_kw", [
                session.db,
                uid,
                MANAGER,
                "res.users",
                "write",
                [[user.userId], vals],
            ]);
        },
    };
}

/**
 * Ask the test to save a screenshot named ``name`` once ``trigger`` shows.
 * The test acknowledges each request (and only saves the picture when asked
 * to); without it, as when the tour is run by hand, go on after a while.
 */
export function screenshot(name, trigger = "body") {
    return {
        content: `Screenshot ${name}`,
        trigger,
        async run() {
            // Let dialogs and badges finish fading in.
            await new Promise((resolve) => setTimeout(resolve, 400));
            console.info(`${SCREENSHOT_SIGNAL}${name}`);
            const start = Date.now();
            while (window.psrScreenshotTaken !== name && Date.now() - start < 5000) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
    };
}

/** A step that goes to ``url``, as a cashier typing it would. */
export function goTo(url) {
    return {
        content: `Go to ${url}`,
        trigger: "body",
        run() {
            window.location.href = url;
        },
        expectUnloadPage: true,
    };
}

/** A step that goes to the POS app of the register ``name`` by its address. */
export function goToRegister(name) {
    return {
        content: `Go to the address of ${name}`,
        trigger: "body",
        async run() {
            const [config] = await rpc("/web/dataset/call_kw/pos.config/search_read", {
                model: "pos.config",
                method: "search_read",
                args: [[["name", "=", name]], ["id"]],
                kwargs: {},
            });
            window.location.href = `/pos/ui/${config.id}`;
        },
        expectUnloadPage: true,
    };
}

/** The card of the register ``name`` on the POS dashboard. */
export function dashboardCard(name) {
    return `.o_kanban_record:contains("${name}")`;
}

/** The dashboard shows ``name`` as a register the cashier may only look at. */
export function dashboardShowsViewOnly(name) {
    return [
        {
            content: `${name} is view only`,
            trigger: `${dashboardCard(name)} .o_pos_restriction_view_only`,
        },
        {
            content: `${name} offers no way to open, continue or close it`,
            trigger: `${dashboardCard(name)}:not(:has(button[name=open_ui])):not(:has(button[name=open_existing_session_cb]))`,
        },
    ];
}

/** The dashboard shows ``name`` as opened by ``userName``, out of reach. */
export function dashboardShowsOpenedBy(name, userName) {
    return [
        {
            content: `${name} shows who opened it`,
            trigger: `${dashboardCard(name)} .o_pos_restriction_foreign:contains("Opened by ${userName}")`,
        },
        {
            content: `${name} offers no way to continue or close it`,
            trigger: `${dashboardCard(name)}:not(:has(button[name=open_ui])):not(:has(button[name=open_existing_session_cb]))`,
        },
    ];
}

/** The dashboard shows ``name`` as out of the cashier's hours until ``time``. */
export function dashboardShowsOutsideHours(name, time) {
    return [
        {
            content: `${name} may be opened from ${time}`,
            trigger: `${dashboardCard(name)} .o_pos_restriction_outside_hours:contains("Outside your hours: from ${time}")`,
        },
        {
            content: `${name} offers no way to open it now`,
            trigger: `${dashboardCard(name)}:not(:has(button[name=open_ui])) .o_pos_restriction_hint:contains("during your working hours")`,
        },
    ];
}
