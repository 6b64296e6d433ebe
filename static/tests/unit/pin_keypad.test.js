import {Component, useState, xml} from "@odoo/owl";
import {animationFrame, expect, test} from "@odoo/hoot";
import {PinKeypad} from "@pos_session_restriction/app/components/pin_keypad/pin_keypad.esm";
import {click} from "@odoo/hoot-dom";
import {definePosModels} from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import {mountWithCleanup} from "@web/../tests/web_test_helpers";
import {setupPosEnv} from "@point_of_sale/../tests/unit/utils";

definePosModels();

class Parent extends Component {
    static template = xml`<PinKeypad value="state.pin" onChange="(pin) => this.state.pin = pin" maxLength="6"/>`;
    static components = {PinKeypad};
    static props = {};
    setup() {
        this.state = useState({pin: ""});
    }
}

async function press(...keys) {
    for (const key of keys) {
        await click(`.o_pos_pin_keypad .numpad-button[value="${key}"]`);
    }
    await animationFrame();
}

test("the keypad types digits, shown as dots only", async () => {
    await setupPosEnv();
    const parent = await mountWithCleanup(Parent);
    expect(".o_pos_pin_display").toHaveText("PIN");
    await press("4", "8", "1", "5");
    expect(parent.state.pin).toBe("4815");
    expect(".o_pos_pin_display").toHaveText("••••");
    expect(".o_pos_pin_keypad").not.toHaveText(/4815/);
});

test("backspace removes the last digit, C clears the PIN", async () => {
    await setupPosEnv();
    const parent = await mountWithCleanup(Parent);
    await press("1", "2", "3", "⌫");
    expect(parent.state.pin).toBe("12");
    await press("C");
    expect(parent.state.pin).toBe("");
    expect(".o_pos_pin_display").toHaveText("PIN");
});

test("the keypad stops at the longest PIN", async () => {
    await setupPosEnv();
    const parent = await mountWithCleanup(Parent);
    await press("1", "2", "3", "4", "5", "6", "7", "8");
    expect(parent.state.pin).toBe("123456");
    expect(".o_pos_pin_display").toHaveAttribute("data-length", "6");
});
