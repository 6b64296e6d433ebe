import {WarningDialog, odooExceptionTitleMap} from "@web/core/errors/error_dialogs";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

export const POS_RESTRICTION_ERROR =
    "odoo.addons.pos_session_restriction.exceptions.PosSessionRestrictionError";

// Both the back office and the POS app take the dialog title from this map.
odooExceptionTitleMap.set(POS_RESTRICTION_ERROR, _t("Not Allowed"));
registry.category("error_dialogs").add(POS_RESTRICTION_ERROR, WarningDialog);
