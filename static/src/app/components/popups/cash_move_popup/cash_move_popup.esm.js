import {CashMovePopup} from "@point_of_sale/app/components/popups/cash_move_popup/cash_move_popup";
import {parseFloat} from "@web/views/fields/parsers";
import {patch} from "@web/core/utils/patch";

patch(CashMovePopup.prototype, {
    async confirm() {
        // Putting cash in or taking it out may be a manager's to approve, or
        // refused: asked before the server would refuse it.
        if (this.isValidCashMove() && parseFloat(this.state.amount)) {
            const rule = this.pos.sensitiveRules().cash_move;
            if (rule === "refused") {
                this.props.close();
            }
            if (!(await this.pos.askSensitiveAction("cash_move"))) {
                return;
            }
        }
        return await super.confirm(...arguments);
    },
});
