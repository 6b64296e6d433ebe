// Where this browser remembers the paid sales the server holds for a manager,
// so that reloading the register does not send them again.
const HELD_SALES_KEY = "pos_session_restriction.held_sales";
const HELD_SALES_KEPT = 500;

/**
 * @returns {Set<String>} the uuids of the sales the server holds
 */
export function heldSaleUuids() {
    try {
        return new Set(JSON.parse(localStorage.getItem(HELD_SALES_KEY) || "[]"));
    } catch {
        return new Set();
    }
}

/**
 * @param {String[]} uuids sales the server now holds
 */
export function rememberHeldSales(uuids) {
    const all = [...new Set([...heldSaleUuids(), ...uuids])].slice(-HELD_SALES_KEPT);
    localStorage.setItem(HELD_SALES_KEY, JSON.stringify(all));
}
