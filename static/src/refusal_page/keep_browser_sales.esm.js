/* The page that refuses a register sends the paid sales its app kept in this
 * browser and never sent: the server records each as the app would have, or
 * holds it for an administrator. Nothing sold stays in one browser only. */
import {
    heldSaleUuids,
    rememberHeldSales,
} from "@pos_session_restriction/held_sales/held_sales_memory.esm";

// The app's records of a sale in the browser: the order, and what it is made of.
const SALE_STORES = [
    "pos.order",
    "pos.order.line",
    "pos.payment",
    "pos.pack.operation.lot",
    "product.attribute.custom.value",
];

function openDatabase(name) {
    return new Promise((resolve) => {
        const request = window.indexedDB.open(name);
        // A register never opened in this browser: create nothing.
        request.onupgradeneeded = () => request.transaction.abort();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
        request.onblocked = () => resolve(null);
    });
}

function readStores(database) {
    const names = SALE_STORES.filter((name) =>
        database.objectStoreNames.contains(name)
    );
    if (!names.length) {
        return Promise.resolve({});
    }
    const transaction = database.transaction(names, "readonly");
    return Promise.all(
        names.map(
            (name) =>
                new Promise((resolve, reject) => {
                    const request = transaction.objectStore(name).getAll();
                    request.onsuccess = () => resolve([name, request.result]);
                    request.onerror = () => reject(request.error);
                })
        )
    ).then(Object.fromEntries);
}

/**
 * The records of the paid sales never sent nor held already, by model. A
 * sale synced as a draft and paid since is the app's to send: only it knows
 * what changed.
 *
 * @param {Object} stores the app's records in this browser, by model
 * @returns {Object|null}
 */
function unsentSales(stores) {
    const held = heldSaleUuids();
    const orders = (stores["pos.order"] || []).filter(
        (order) =>
            order.state === "paid" &&
            typeof order.id !== "number" &&
            !held.has(order.uuid)
    );
    if (!orders.length) {
        return null;
    }
    const orderIds = new Set(orders.map((order) => order.id));
    const lines = (stores["pos.order.line"] || []).filter((line) =>
        orderIds.has(line.order_id)
    );
    const lineIds = new Set(lines.map((line) => line.id));
    const ofLines = (name) =>
        (stores[name] || []).filter((record) => lineIds.has(record.pos_order_line_id));
    return {
        "pos.order": orders,
        "pos.order.line": lines,
        "pos.payment": (stores["pos.payment"] || []).filter((payment) =>
            orderIds.has(payment.pos_order_id)
        ),
        "pos.pack.operation.lot": ofLines("pos.pack.operation.lot"),
        "product.attribute.custom.value": ofLines("product.attribute.custom.value"),
    };
}

async function keepBrowserSales(notice) {
    const database = await openDatabase(notice.dataset.database);
    if (!database) {
        return;
    }
    let sales = null;
    try {
        sales = unsentSales(await readStores(database));
    } finally {
        database.close();
    }
    if (!sales) {
        return;
    }
    const response = await fetch("/pos_session_restriction/keep_browser_sales", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({jsonrpc: "2.0", method: "call", params: {stores: sales}}),
    });
    const {result} = await response.json();
    if (!result) {
        throw new Error("The server did not take this register's sales.");
    }
    rememberHeldSales(result.held);
    if (result.message) {
        notice.textContent = result.message;
        notice.classList.remove("d-none");
    }
}

const notice = document.querySelector(".o_pos_session_restriction_browser_sales");
if (notice && window.indexedDB) {
    keepBrowserSales(notice).catch(() => {
        document
            .querySelector(".o_pos_session_restriction_browser_sales_failed")
            ?.classList.remove("d-none");
    });
}
