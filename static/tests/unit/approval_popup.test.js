import {animationFrame, expect, test} from "@odoo/hoot";
import {
    contains,
    makeServerError,
    mountWithCleanup,
    onRpc,
} from "@web/../tests/web_test_helpers";
import {MainComponentsContainer} from "@web/core/main_components_container";
import {POS_RESTRICTION_ERROR} from "@pos_session_restriction/core/errors/error_dialogs.esm";
import {click} from "@odoo/hoot-dom";
import {definePosModels} from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import {setupPosEnv} from "@point_of_sale/../tests/unit/utils";

definePosModels();

const APPROVERS = [
    {id: 41, name: "Mitchell Admin"},
    {id: 42, name: "Marc Demo"},
];

async function typePin(pin) {
    for (const digit of pin) {
        await click(`.o_pos_pin_keypad .numpad-button[value="${digit}"]`);
    }
    await animationFrame();
}

test("the manager picks their name, types the PIN, and the app retries", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    const requests = [];
    onRpc("pos.config", "pos_approvers", () => APPROVERS);
    onRpc("pos.config", "pos_request_approval", ({args}) => {
        requests.push(args);
        return true;
    });
    const retried = [];
    store.afterApproval = async (action) => retried.push(action);
    store.requestApproval("take_over");
    await animationFrame();
    expect(".o_pos_approval_popup .modal-title").toHaveText(
        "Manager approval: take over the session"
    );
    // Only names are shown; nothing is sent before a name and a PIN are given.
    expect(".o_pos_approval_approver").toHaveCount(2);
    expect(".o_pos_approval_confirm").toHaveAttribute("disabled");
    await click(".o_pos_approval_approver:contains(Mitchell Admin)");
    await typePin("2468");
    expect(".o_pos_pin_display").toHaveText("••••");
    await click(".o_pos_approval_confirm");
    await animationFrame();
    expect(requests).toEqual([[[store.config.id], "take_over", 41, "2468"]]);
    expect(retried).toEqual(["take_over"]);
    expect(".o_pos_approval_popup").toHaveCount(0);
});

test("a wrong PIN is said in the dialog, which clears the PIN and stays", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    onRpc("pos.config", "pos_approvers", () => APPROVERS.slice(0, 1));
    onRpc("pos.config", "pos_request_approval", () => {
        throw makeServerError({
            errorName: POS_RESTRICTION_ERROR,
            message: "Wrong PIN for Mitchell Admin.",
            context: {rule: "wrong_pin", register_unusable: false},
        });
    });
    let retried = false;
    store.afterApproval = async () => (retried = true);
    store.requestApproval("close");
    await animationFrame();
    // The only approver is picked already.
    expect(".o_pos_approval_approver.active").toHaveText("Mitchell Admin");
    await typePin("1111");
    await click(".o_pos_approval_confirm");
    await animationFrame();
    expect(".o_pos_approval_error").toHaveText("Wrong PIN for Mitchell Admin.");
    expect(".o_pos_approval_error").toHaveClass("alert-warning");
    expect(".o_pos_pin_display").toHaveText("PIN");
    expect(".o_pos_approval_popup").toHaveCount(1);
    expect(retried).toBe(false);
});

test("without an approver, the dialog says so", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    onRpc("pos.config", "pos_approvers", () => []);
    store.requestApproval("open");
    await animationFrame();
    expect(".o_pos_approval_none").toHaveText(
        "No manager of this company has set an approval PIN yet."
    );
    expect(".o_pos_pin_keypad").toHaveCount(0);
});

test("a refusal a manager may lift offers a manager's approval", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(MainComponentsContainer);
    onRpc("pos.config", "pos_approvers", () => APPROVERS);
    store.showRestrictionPopup(
        makeServerError({
            errorName: POS_RESTRICTION_ERROR,
            message: "The session was opened by Colin Colleague.",
            context: {
                rule: "foreign_session",
                action: "close",
                approval_action: "take_over",
                register_unusable: true,
            },
        })
    );
    await animationFrame();
    await contains(".o_pos_restriction_approval").click();
    await animationFrame();
    expect(".o_pos_restriction_popup").toHaveCount(0);
    expect(".o_pos_approval_popup .modal-title").toHaveText(
        "Manager approval: take over the session"
    );
});
