import {
    BACKSPACE,
    Numpad,
    ZERO,
    getButtons,
} from "@point_of_sale/app/components/numpad/numpad";
import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";

export const CLEAR = {value: "Clear", text: "C"};

/**
 * An on-screen keypad to type a PIN: digits only, shown as dots, up to
 * ``maxLength`` of them. The parent keeps the value.
 */
export class PinKeypad extends Component {
    static template = "pos_session_restriction.PinKeypad";
    static components = {Numpad};
    static props = {
        value: String,
        onChange: Function,
        maxLength: {type: Number, optional: true},
        disabled: {type: Boolean, optional: true},
    };
    static defaultProps = {maxLength: 12, disabled: false};

    setup() {
        this.buttons = getButtons([CLEAR, ZERO, BACKSPACE]);
    }

    get placeholder() {
        return _t("PIN");
    }

    get masked() {
        return "•".repeat(this.props.value.length);
    }

    press(key) {
        const value = this.props.value;
        if (this.props.disabled) {
            return;
        }
        if (key === BACKSPACE.value) {
            this.props.onChange(value.slice(0, -1));
        } else if (key === CLEAR.value) {
            this.props.onChange("");
        } else if (/^[0-9]$/.test(key) && value.length < this.props.maxLength) {
            this.props.onChange(value + key);
        }
    }
}
