import {POS_RESTRICTION_ERROR} from "@pos_session_restriction/core/errors/error_dialogs.esm";
import {RPCError} from "@web/core/network/rpc";

// The refusals under which the register in the app may not be used at all:
// the cashier can only go back to the dashboard (or, in an opened session, keep
// selling: paid orders still sync). Outside working hours, a session may not be
// started, but one already open is never cut.
const UNUSABLE_REGISTER_RULES = [
    "not_visible",
    "not_operable",
    "foreign_session",
    "outside_hours",
];

/**
 * Whether ``error`` is a refusal of the addon, raised by the server.
 *
 * @param {any} error
 * @returns {Boolean}
 */
export function isRestrictionError(error) {
    return error instanceof RPCError && error.exceptionName === POS_RESTRICTION_ERROR;
}

/**
 * Whether the refusal ``error`` means that the register cannot be used. The
 * server sends the rule that refused in the error's context; a refusal without
 * one is taken as the strictest.
 *
 * @param {RPCError} error
 * @returns {Boolean}
 */
export function isRegisterUnusable(error) {
    const rule = error.data?.context?.rule;
    return !rule || UNUSABLE_REGISTER_RULES.includes(rule);
}
