import {animationFrame, expect, test} from "@odoo/hoot";
import {
    contains,
    makeServerError,
    mountWithCleanup,
    onRpc,
} from "@web/../tests/web_test_helpers";
import {ConnectionLostError} from "@web/core/network/rpc";
import {MainComponentsContainer} from "@web/core/main_components_container";
import {POS_RESTRICTION_ERROR} from "@pos_session_restriction/core/errors/error_dialogs.esm";
import {definePosModels} from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import {setupPosEnv} from "@point_of_sale/../tests/unit/utils";

definePosModels();

const CANDIDATES = [
    {id: 51, name: "Colin Colleague"},
    {id: 52, name: "Dana Day"},
];

test("the cashier picks a colleague; orders are sent, then the session is handed over", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const steps = [];
    onRpc("pos.session", "pos_hand_over_candidates", () => CANDIDATES);
    onRpc("pos.session", "pos_hand_over", ({args}) => {
        steps.push(["pos_hand_over", args]);
        return true;
    });
    store.pushOrdersWithClosingPopup = async () => {
        steps.push(["sync"]);
        return true;
    };
    store.redirectToBackend = () => steps.push(["leave"]);
    store.showHandOver();
    await animationFrame();
    expect(".o_pos_hand_over_popup .modal-title").toHaveText("Hand over register");
    expect(".o_pos_hand_over_candidate").toHaveCount(2);
    expect(".o_pos_hand_over_confirm").toHaveAttribute("disabled");
    await contains(".o_pos_hand_over_candidate:contains(Dana Day)").click();
    await contains(".o_pos_hand_over_confirm").click();
    await animationFrame();
    expect(steps).toEqual([
        ["sync"],
        ["pos_hand_over", [[store.session.id], 52]],
        ["leave"],
    ]);
    expect(".o_pos_hand_over_popup").toHaveCount(0);
});

test("the register is handed over only once its orders are safe on the server", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const steps = [];
    onRpc("pos.session", "pos_hand_over_candidates", () => CANDIDATES);
    onRpc("pos.session", "pos_hand_over", () => {
        steps.push("pos_hand_over");
        return true;
    });
    store.syncAllOrders = async (options = {}) => {
        steps.push(["sync", Boolean(options.throw)]);
        if (options.throw) {
            throw new ConnectionLostError();
        }
    };
    store.redirectToBackend = () => steps.push("leave");
    store.showHandOver();
    await animationFrame();
    await contains(".o_pos_hand_over_candidate:contains(Dana Day)").click();
    await contains(".o_pos_hand_over_confirm").click();
    await animationFrame();
    expect(".modal-title:contains(Offline Orders)").toHaveCount(1);
    expect(steps).toEqual([["sync", true]]);
});

test("a refused hand-over is said in the dialog, and the cashier stays", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    onRpc("pos.session", "pos_hand_over_candidates", () => CANDIDATES);
    onRpc("pos.session", "pos_hand_over", () => {
        throw makeServerError({
            errorName: POS_RESTRICTION_ERROR,
            message: "Dana Day is not allowed to operate the Point of Sale 'Shop'.",
            context: {
                rule: "not_operable",
                action: "hand_over",
                register_unusable: true,
            },
        });
    });
    store.pushOrdersWithClosingPopup = async () => true;
    let left = false;
    store.redirectToBackend = () => (left = true);
    store.showHandOver();
    await animationFrame();
    await contains(".o_pos_hand_over_candidate:contains(Dana Day)").click();
    await contains(".o_pos_hand_over_confirm").click();
    await animationFrame();
    expect(".o_pos_hand_over_error").toHaveText(
        "Dana Day is not allowed to operate the Point of Sale 'Shop'."
    );
    expect(left).toBe(false);
});

test("with nobody to hand over to, the dialog says so", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    onRpc("pos.session", "pos_hand_over_candidates", () => []);
    store.showHandOver();
    await animationFrame();
    expect(".o_pos_hand_over_none").toHaveText(
        "Nobody else may operate this register."
    );
});
