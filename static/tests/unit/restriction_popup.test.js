import {animationFrame, expect, test} from "@odoo/hoot";
import {getFilledOrder, setupPosEnv} from "@point_of_sale/../tests/unit/utils";
import {makeServerError, mountWithCleanup, onRpc} from "@web/../tests/web_test_helpers";
import {MainComponentsContainer} from "@web/core/main_components_container";
import OrderPaymentValidation from "@point_of_sale/app/utils/order_payment_validation";
import {POS_RESTRICTION_ERROR} from "@pos_session_restriction/core/errors/error_dialogs.esm";
import {definePosModels} from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

const FOREIGN_MESSAGE =
    "The session Shop/0001 on 'Shop' was opened by Colin Colleague; you are not allowed to continue or close it.";

// As the server sends a refusal of the session's holder: the register may not
// be used (res_users_policy.py, REGISTER_UNUSABLE_RULES).
function refusal(context) {
    return makeServerError({
        errorName: POS_RESTRICTION_ERROR,
        message: FOREIGN_MESSAGE,
        context: {register_unusable: true, ...context},
    });
}

test("a refused sale says the orders stay in the register and who can close it", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const error = refusal({
        rule: "foreign_session",
        action: "sell",
        session_user: "Colin Colleague",
    });
    expect(store.showRestrictionPopup(error)).toBe(true);
    await animationFrame();
    expect(".o_pos_restriction_popup .modal-title").toHaveText(
        "This register is not available to you"
    );
    expect(".o_pos_restriction_message").toHaveText(FOREIGN_MESSAGE);
    expect(".o_pos_restriction_note").toHaveText(
        "The orders that could not be sent stay in this register. Colin Colleague, who holds the session, or a manager can close it."
    );
});

test("a refusal the server says leaves the register usable lets the cashier stay", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    store.showRestrictionPopup(
        refusal({rule: "single_session", action: "open", register_unusable: false})
    );
    await animationFrame();
    expect(".o_pos_restriction_popup .modal-title").toHaveText("Not Allowed");
    expect(".o_pos_restriction_back").toHaveCount(0);
});

test("other refusals add no note", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    store.showRestrictionPopup(refusal({rule: "foreign_session", action: "close"}));
    await animationFrame();
    expect(".o_pos_restriction_message").toHaveText(FOREIGN_MESSAGE);
    expect(".o_pos_restriction_note").toHaveCount(0);
});

test("a sale refused at payment keeps the order, unpaid, in the register", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const order = await getFilledOrder(store);
    onRpc("pos.order", "sync_from_ui", () => {
        throw refusal({
            rule: "foreign_session",
            action: "sell",
            session_user: "Colin Colleague",
        });
    });
    const validation = new OrderPaymentValidation({
        pos: store,
        orderUuid: order.uuid,
        fastPaymentMethod: order.config.fast_payment_method_ids[0],
    });
    await validation.validateOrder(false);
    await animationFrame();
    expect(order.state).toBe("draft");
    expect(store.models["pos.order"].getBy("uuid", order.uuid)).toBe(order);
    expect(".o_pos_restriction_note").toHaveCount(1);
    // Core's generic alert is not shown besides.
    expect(".modal-title:contains(Not Allowed)").toHaveCount(0);
});

const OUTSIDE_HOURS_MESSAGE =
    "Outside your hours: you may open a register from 14:00. Ask your manager if you need to work outside your working hours.";

function outsideHours() {
    return makeServerError({
        errorName: POS_RESTRICTION_ERROR,
        message: OUTSIDE_HOURS_MESSAGE,
        context: {rule: "outside_hours", action: "start", register_unusable: true},
    });
}

test("outside working hours, a session not started can only be left", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    store.session.state = "opening_control";
    store.showRestrictionPopup(outsideHours());
    await animationFrame();
    expect(".o_pos_restriction_popup .modal-title").toHaveText(
        "This register is not available to you"
    );
    expect(".o_pos_restriction_message").toHaveText(OUTSIDE_HOURS_MESSAGE);
    expect(".o_pos_restriction_back").toHaveCount(1);
    expect(".o_pos_restriction_stay").toHaveCount(0);
});

test("outside working hours, an opened session may keep selling", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    store.session.state = "opened";
    store.showRestrictionPopup(outsideHours());
    await animationFrame();
    expect(".o_pos_restriction_back").toHaveCount(1);
    expect(".o_pos_restriction_stay").toHaveText("Keep selling");
});
