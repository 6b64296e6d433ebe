import {POS_RESTRICTION_ERROR} from "@pos_session_restriction/core/errors/error_dialogs.esm";
import {RPCError} from "@web/core/network/rpc";

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
 * Whether the refusal ``error`` means that the register cannot be used: the
 * server's policy says so in the error's context. A refusal that does not
 * say is taken as the strictest.
 *
 * @param {RPCError} error
 * @returns {Boolean}
 */
export function isRegisterUnusable(error) {
    return error.data?.context?.register_unusable ?? true;
}
