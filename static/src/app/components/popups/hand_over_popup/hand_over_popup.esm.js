import {Component, onWillStart, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {RPCError} from "@web/core/network/rpc";
import {_t} from "@web/core/l10n/translation";
import {useAsyncLockedMethod} from "@point_of_sale/app/hooks/hooks";
import {usePos} from "@point_of_sale/app/hooks/pos_hook";

/**
 * Hand the register over to a colleague: pick among the users who may operate
 * it, confirm. The orders taken so far are sent first; then the cashier leaves
 * the register, which the colleague continues and closes as their own.
 */
export class HandOverPopup extends Component {
    static template = "pos_session_restriction.HandOverPopup";
    static components = {Dialog};
    static props = {close: Function};

    setup() {
        this.pos = usePos();
        this.state = useState({candidates: [], userId: false, error: ""});
        this.confirm = useAsyncLockedMethod(this.confirm);
        onWillStart(async () => {
            this.state.candidates = await this.pos.data.call(
                "pos.session",
                "pos_hand_over_candidates",
                [[this.pos.session.id]]
            );
        });
    }

    get noCandidateMessage() {
        return _t("Nobody else may operate this register.");
    }

    select(userId) {
        this.state.userId = userId;
        this.state.error = "";
    }

    async confirm() {
        if (!this.state.userId) {
            return;
        }
        try {
            if (await this.pos.handOverRegister(this.state.userId)) {
                this.props.close();
            }
        } catch (error) {
            if (error instanceof RPCError && error.data?.message) {
                this.state.error = error.data.message;
                return;
            }
            throw error;
        }
    }
}
