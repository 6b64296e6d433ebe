import {Component, onMounted, onWillStart, useState} from "@odoo/owl";
import {ConnectionLostError, RPCError} from "@web/core/network/rpc";
import {Dialog} from "@web/core/dialog/dialog";
import {PinKeypad} from "@pos_session_restriction/app/components/pin_keypad/pin_keypad.esm";
import {_t} from "@web/core/l10n/translation";
import {useAsyncLockedMethod} from "@point_of_sale/app/hooks/hooks";
import {usePos} from "@point_of_sale/app/hooks/pos_hook";

/**
 * A manager's approval at the register: a Point of Sale administrator of the
 * register's company picks their name and types their PIN on the keypad. The
 * server checks it and grants the cashier ``action`` once (for the order
 * ``orderUuid``, for a sale's action); then ``onApproved`` retries what was
 * refused, and ``getPayload`` (as ``makeAwaitable`` gives it) says so.
 *
 * With ``allowOffline``, a register that cannot reach the server closes the
 * dialog with ``getPayload("offline")``: the caller lets the action go, and the
 * server flags the order when it syncs.
 */
export class ApprovalPopup extends Component {
    static template = "pos_session_restriction.ApprovalPopup";
    static components = {Dialog, PinKeypad};
    static props = {
        configId: Number,
        action: String,
        title: String,
        orderUuid: {type: String, optional: true},
        allowOffline: {type: Boolean, optional: true},
        onApproved: {type: Function, optional: true},
        getPayload: {type: Function, optional: true},
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
            try {
                this.state.approvers = await this.pos.data.call(
                    "pos.config",
                    "pos_approvers",
                    [[this.props.configId]]
                );
            } catch (error) {
                if (!this.isOffline(error)) {
                    throw error;
                }
                this.offline = true;
            }
            if (this.state.approvers.length === 1) {
                this.state.approverId = this.state.approvers[0].id;
            }
        });
        onMounted(() => {
            if (this.offline) {
                this.goOffline();
            }
        });
    }

    /**
     * Whether ``error`` says the server cannot be reached, and the caller
     * lets the action go offline.
     *
     * @param {Error} error
     * @returns {Boolean}
     */
    isOffline(error) {
        return Boolean(this.props.allowOffline) && error instanceof ConnectionLostError;
    }

    goOffline() {
        this.props.getPayload?.("offline");
        this.props.close();
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
        const args = [
            [this.props.configId],
            this.props.action,
            this.state.approverId,
            pin,
        ];
        if (this.props.orderUuid) {
            args.push(this.props.orderUuid);
        }
        try {
            await this.pos.data.call("pos.config", "pos_request_approval", args);
        } catch (error) {
            if (this.isOffline(error)) {
                this.goOffline();
                return;
            }
            if (error instanceof RPCError && error.data?.message) {
                this.state.error = error.data.message;
                this.state.locked = error.data.context?.rule === "approval_locked";
                return;
            }
            throw error;
        }
        this.props.getPayload?.(true);
        this.props.close();
        await this.props.onApproved?.();
    }
}
