import {Component, onWillStart, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {PinKeypad} from "@pos_session_restriction/app/components/pin_keypad/pin_keypad.esm";
import {RPCError} from "@web/core/network/rpc";
import {_t} from "@web/core/l10n/translation";
import {useAsyncLockedMethod} from "@point_of_sale/app/hooks/hooks";
import {usePos} from "@point_of_sale/app/hooks/pos_hook";

/**
 * A manager's approval at the register: a Point of Sale administrator of the
 * register's company picks their name and types their PIN on the keypad. The
 * server checks it and grants the cashier ``action`` once; then
 * ``onApproved`` retries what was refused.
 */
export class ApprovalPopup extends Component {
    static template = "pos_session_restriction.ApprovalPopup";
    static components = {Dialog, PinKeypad};
    static props = {
        configId: Number,
        action: String,
        title: String,
        onApproved: Function,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.state = useState({
            approvers: [],
            approverId: false,
            pin: "",
            error: "",
            locked: false,
        });
        this.confirm = useAsyncLockedMethod(this.confirm);
        onWillStart(async () => {
            this.state.approvers = await this.pos.data.call(
                "pos.config",
                "pos_approvers",
                [[this.props.configId]]
            );
            if (this.state.approvers.length === 1) {
                this.state.approverId = this.state.approvers[0].id;
            }
        });
    }

    get noApproverMessage() {
        return _t("No manager of this company has set an approval PIN yet.");
    }

    get canConfirm() {
        return Boolean(this.state.approverId && this.state.pin.length >= 4);
    }

    selectApprover(approverId) {
        this.state.approverId = approverId;
        this.state.error = "";
    }

    setPin(pin) {
        this.state.pin = pin;
    }

    async confirm() {
        if (!this.canConfirm) {
            return;
        }
        const pin = this.state.pin;
        // The PIN goes to the server once, and leaves the screen at once.
        this.state.pin = "";
        try {
            await this.pos.data.call("pos.config", "pos_request_approval", [
                [this.props.configId],
                this.props.action,
                this.state.approverId,
                pin,
            ]);
        } catch (error) {
            if (error instanceof RPCError && error.data?.message) {
                this.state.error = error.data.message;
                this.state.locked = error.data.context?.rule === "approval_locked";
                return;
            }
            throw error;
        }
        this.props.close();
        await this.props.onApproved();
    }
}
