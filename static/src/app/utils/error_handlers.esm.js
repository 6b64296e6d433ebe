import {registry} from "@web/core/registry";

/**
 * Show the addon's refusals in the POS app with its own popup, before core's
 * handler turns them into a generic alert.
 */
export function posRestrictionErrorHandler(env, error, originalError) {
    const pos = env.services.pos;
    if (pos && pos.showRestrictionPopup(originalError)) {
        // Handled: keep the error service from logging it as uncaught.
        error.event?.preventDefault();
        return true;
    }
    return false;
}

registry
    .category("error_handlers")
    .add("pos_session_restriction.errorHandler", posRestrictionErrorHandler, {
        sequence: 10,
    });
