import json
import logging
from collections import defaultdict

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .pos_held_order import HOLD_LIMIT

_logger = logging.getLogger(__name__)

# The records the POS app keeps in a browser (IndexedDB) until the server has
# them, besides orders, and the field naming the record each is created in:
# a line's combo children, say, are the order's lines, linked by uuid.
BROWSER_CHILDREN = {
    "pos.order.line": "order_id",
    "pos.payment": "pos_order_id",
    "pos.pack.operation.lot": "pos_order_line_id",
    "product.attribute.custom.value": "pos_order_line_id",
}


class PosOrder(models.Model):
    _inherit = "pos.order"

    @api.model
    def _pos_keep_browser_sales(self, stores):
        """Send the paid sales a refused register left in its browser as its
        app would have: recorded where the user may sell, held for an
        administrator where not. ``stores``: the app's records in that
        browser, by model. Returns the uuids recorded, those held, and how
        many paid sales are neither (refused past the held sales' limit,
        malformed, or synced as drafts before they were paid: only their app
        knows what changed since): those stay in the browser."""
        orders, browser = self._pos_browser_records(stores)
        for raw in orders[:HOLD_LIMIT]:
            if isinstance(raw["id"], int):
                continue
            order = self._pos_vals_from_browser(self, raw, browser)
            try:
                with self.env.cr.savepoint():
                    self.sync_from_ui([order])
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:  # noqa: BLE001 - the sale stays in the browser
                _logger.info("Sale %s left in its browser: %s", raw["uuid"], error)
        uuids = {raw["uuid"] for raw in orders}
        recorded = self.search([("uuid", "in", list(uuids)), ("state", "!=", "draft")])
        # sudo: the user may not read held sales; whether theirs are, is theirs
        held = (
            self.env["pos.held.order"]
            .sudo()
            .search(
                [
                    ("uuid", "in", list(uuids)),
                    ("uuid", "not in", recorded.mapped("uuid")),
                    ("user_id", "=", self.env.uid),
                ]
            )
        )
        return {
            "recorded": recorded.mapped("uuid"),
            "held": held.mapped("uuid"),
            "left": len(uuids) - len(recorded) - len(held),
        }

    @api.model
    def _pos_browser_records(self, stores):
        """The paid orders among ``stores`` (each local id once), and where to
        find the records the app created in each and the uuid of each."""
        records = {}
        for model in ("pos.order", *BROWSER_CHILDREN):
            raws = stores.get(model)
            by_id = {}
            for raw in raws if isinstance(raws, list) else []:
                if isinstance(raw, dict) and isinstance(raw.get("id"), int | str):
                    by_id.setdefault(str(raw["id"]), raw)
            records[model] = by_id
        browser = {
            # The records created in each record, by the local id of that record.
            "children": defaultdict(list),
            # Each record's uuid, by its model and local id.
            "uuids": {
                (model, local_id): raw.get("uuid")
                for model, by_id in records.items()
                for local_id, raw in by_id.items()
            },
        }
        for model, parent in BROWSER_CHILDREN.items():
            for raw in records[model].values():
                browser["children"][model, str(raw.get(parent))].append(raw)
        orders = [
            raw
            for raw in records["pos.order"].values()
            if raw.get("state") == "paid"
            and isinstance(raw.get("uuid"), str)
            and isinstance(raw.get("session_id"), int)
        ]
        return orders, browser

    @api.model
    def _pos_vals_from_browser(self, model, raw, browser, mapping=None):
        """The values of ``raw``, a record of ``model`` as the app keeps it, as
        the app serializes it: the records created in it as create commands,
        those it links by a local id in ``mapping``, by uuid (the order's
        ``relations_uuid_mapping``)."""
        vals = {}
        if mapping is None:
            mapping = vals["relations_uuid_mapping"] = {}
        for name, value in raw.items():
            field = model._fields.get(name)
            if (
                not field
                or not field.store
                or name in models.MAGIC_COLUMNS
                or (field.compute and field.readonly)
                or BROWSER_CHILDREN.get(model._name) == name
            ):
                continue
            if field.type == "one2many":
                if BROWSER_CHILDREN.get(field.comodel_name) == field.inverse_name:
                    comodel = self.env[field.comodel_name]
                    children = browser["children"].get(
                        (comodel._name, str(raw["id"])), []
                    )
                    vals[name] = [
                        [
                            0,
                            0,
                            self._pos_vals_from_browser(
                                comodel, child, browser, mapping
                            ),
                        ]
                        for child in children
                    ]
            elif field.type == "many2many":
                ids = value if isinstance(value, list) else []
                vals[name] = [[6, 0, [v for v in ids if isinstance(v, int)]]]
            elif field.type == "many2one" and value and not isinstance(value, int):
                linked = browser["uuids"].get((field.comodel_name, str(value)))
                if isinstance(linked, str) and isinstance(raw.get("uuid"), str):
                    mapping.setdefault(model._name, {}).setdefault(raw["uuid"], {})[
                        name
                    ] = linked
            elif isinstance(value, dict | list) and field.type != "json":
                # What the app keeps as an object, it sends as JSON text.
                vals[name] = json.dumps(value)
            else:
                vals[name] = value
        return vals
