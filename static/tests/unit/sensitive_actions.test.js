import {animationFrame, expect, test} from "@odoo/hoot";
import {getFilledOrder, setupPosEnv} from "@point_of_sale/../tests/unit/utils";
import {mountWithCleanup, onRpc} from "@web/../tests/web_test_helpers";
import {MainComponentsContainer} from "@web/core/main_components_container";
import {OrderSummary} from "@point_of_sale/app/screens/product_screen/order_summary/order_summary";
import {RAW_SYMBOL} from "@point_of_sale/app/models/related_models/utils";
import {click} from "@odoo/hoot-dom";
import {definePosModels} from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

const APPROVERS = [{id: 41, name: "Mitchell Admin"}];

/** The cashier's rules, as the server sends them with the user's data. */
function setRules(store, rules) {
    store.user[RAW_SYMBOL].pos_sensitive_rules = {
        refund: "allowed",
        price_change: "allowed",
        cash_move: "allowed",
        close: "allowed",
        discount_limit: 100,
        ...rules,
    };
}

async function approveWithPin(pin = "2468") {
    for (const digit of pin) {
        await click(`.o_pos_pin_keypad .numpad-button[value="${digit}"]`);
    }
    await animationFrame();
    await click(".o_pos_approval_confirm");
    await animationFrame();
}

function recordRequests() {
    const requests = [];
    onRpc("pos.config", "pos_approvers", () => APPROVERS);
    onRpc("pos.config", "pos_request_approval", ({args}) => {
        requests.push(args);
        return true;
    });
    return requests;
}

test("an allowed action goes at once, without asking the server", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = recordRequests();
    setRules(store, {refund: "allowed"});
    expect(await store.askSensitiveAction("refund", {orderUuid: "o-1"})).toBe(true);
    await animationFrame();
    expect(".modal").toHaveCount(0);
    expect(requests).toEqual([]);
});

test("a discount over the limit waits for the manager, bound to its order", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = recordRequests();
    setRules(store, {discount_limit: 10});
    const order = await getFilledOrder(store);
    const line = order.lines[0];
    // Within the limit: at once.
    await store.setDiscountFromUI(line, "10");
    expect(line.getDiscount()).toBe(10);
    const done = store.setDiscountFromUI(line, "15");
    await animationFrame();
    expect(".o_pos_approval_popup .modal-title").toHaveText(
        "Manager approval: discount over your limit"
    );
    expect(line.getDiscount()).toBe(10);
    await approveWithPin();
    await done;
    expect(requests).toEqual([[[store.config.id], "discount", 41, "2468", order.uuid]]);
    expect(line.getDiscount()).toBe(15);
    // The approval is the order's: no second PIN for it.
    await store.setDiscountFromUI(line, "20");
    expect(line.getDiscount()).toBe(20);
    expect(requests).toHaveLength(1);
});

test("a discount the manager does not approve is not given", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    recordRequests();
    setRules(store, {discount_limit: 10});
    const order = await getFilledOrder(store);
    const line = order.lines[0];
    const done = store.setDiscountFromUI(line, "50");
    await animationFrame();
    await click(".o_pos_approval_cancel");
    await done;
    await animationFrame();
    expect(line.getDiscount()).toBe(0);
    expect(".o_pos_approval_popup").toHaveCount(0);
});

test("a refused action says why and who can change it, and asks nobody", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = recordRequests();
    setRules(store, {cash_move: "refused"});
    expect(await store.askSensitiveAction("cash_move")).toBe(false);
    await animationFrame();
    expect(".o_pos_restriction_popup .modal-title").toHaveText(
        "Cash in and out refused"
    );
    expect(".o_pos_restriction_message").toHaveText(
        `Your user settings do not allow you to put cash in or take cash out at '${store.config.name}'.`
    );
    expect(".o_pos_restriction_note").toHaveText(
        "Only a Point of Sale administrator can change this, on your user's POS Session Restrictions page."
    );
    expect(".o_pos_approval_popup").toHaveCount(0);
    expect(requests).toEqual([]);
});

test("a price typed by hand waits for the manager's approval", async () => {
    const store = await setupPosEnv();
    const requests = recordRequests();
    setRules(store, {price_change: "approval"});
    const order = await getFilledOrder(store);
    const line = order.getSelectedOrderline();
    const summary = await mountWithCleanup(OrderSummary, {});
    await mountWithCleanup(MainComponentsContainer);
    const price = line.price_unit;
    const done = summary.setLinePrice(line, price + 5);
    await animationFrame();
    expect(".o_pos_approval_popup .modal-title").toHaveText(
        "Manager approval: change a price"
    );
    expect(line.price_unit).toBe(price);
    await approveWithPin();
    await done;
    expect(requests).toEqual([
        [[store.config.id], "price_change", 41, "2468", order.uuid],
    ]);
    expect(line.price_unit).toBe(price + 5);
    expect(line.price_type).toBe("manual");
});

test("a price the cashier may never change stays as it is", async () => {
    const store = await setupPosEnv();
    setRules(store, {price_change: "refused"});
    const order = await getFilledOrder(store);
    const line = order.getSelectedOrderline();
    const summary = await mountWithCleanup(OrderSummary, {});
    await mountWithCleanup(MainComponentsContainer);
    const price = line.price_unit;
    await summary.setLinePrice(line, price + 5);
    await animationFrame();
    expect(line.price_unit).toBe(price);
    expect(".o_pos_restriction_message").toHaveText(
        `Your user settings do not allow you to change a price by hand at '${store.config.name}'.`
    );
});

test("offline, a sale's action goes and the cashier is told it will be reviewed", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = recordRequests();
    // As core's data service answers any call while the register is offline.
    store.data.network.offline = true;
    setRules(store, {refund: "approval"});
    expect(await store.askSensitiveAction("refund", {orderUuid: "o-1"})).toBe(true);
    await animationFrame();
    expect(".o_pos_approval_popup").toHaveCount(0);
    expect(requests).toEqual([]);
    expect(".modal-title").toHaveText("Allowed offline");
    expect(".modal-body").toHaveText(
        "The register cannot reach the server, so no manager can approve this now: it is allowed. The order will be flagged for a manager's review when it syncs."
    );
});

test("closing a manager must count asks for the PIN before the server refuses", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = recordRequests();
    setRules(store, {close: "approval"});
    store.session.state = "opened";
    let asked = 0;
    store.getClosePosInfo = async () => {
        asked++;
        return false;
    };
    const done = store.closeSession();
    await animationFrame();
    expect(".o_pos_approval_popup .modal-title").toHaveText(
        "Manager approval: close the session"
    );
    expect(asked).toBe(0);
    await approveWithPin();
    await done;
    expect(requests).toEqual([[[store.config.id], "close", 41, "2468"]]);
    expect(asked).toBe(1);
    // The approval lasts until the session is closed.
    await store.closeSession();
    expect(asked).toBe(2);
    expect(requests).toHaveLength(1);
});
