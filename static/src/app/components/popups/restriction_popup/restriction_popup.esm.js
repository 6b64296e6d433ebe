import {Component} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {useAsyncLockedMethod} from "@point_of_sale/app/hooks/hooks";
import {usePos} from "@point_of_sale/app/hooks/pos_hook";

class RestrictionDialog extends Dialog {
    onEscape() {
        // Escape does nothing: the cashier chooses with the buttons, as staying
        // is not always possible.
    }
}

/**
 * Explains a refusal of the addon inside the POS app: the server's message,
 * a way back to the dashboard when the register cannot be used, and a way to
 * stay when the cashier can still sell.
 */
export class RestrictionPopup extends Component {
    static template = "pos_session_restriction.RestrictionPopup";
    static components = {Dialog: RestrictionDialog};
    static props = {
        title: String,
        message: String,
        note: {type: String, optional: true},
        canLeave: Boolean,
        canStay: Boolean,
        stayLabel: String,
        approvalAction: {type: String, optional: true},
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.backToDashboard = useAsyncLockedMethod(this.backToDashboard);
    }

    async backToDashboard() {
        await this.pos.leaveRestrictedRegister();
    }

    askManagerApproval() {
        this.props.close();
        this.pos.requestApproval(this.props.approvalAction);
    }
}
