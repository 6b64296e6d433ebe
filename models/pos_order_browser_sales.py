import logging
from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

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
        many sales are neither (refused past the held sales' limit, or
        malformed): those stay in the browser."""
        orders = self._pos_orders_from_browser(stores)
        for order in orders[:HOLD_LIMIT]:
            try:
                with self.env.cr.savepoint():
                    self.sync_from_ui([order])
            except (UserError, ValueError, TypeError) as error:
                _logger.info("Sale %s left in its browser: %s", order["uuid"], error)
        uuids = [order["uuid"] for order in orders]
        # sudo: whether a sale reached the server is the sender's to know
        recorded = self.sudo().search([("uuid", "in", uuids), ("state", "!=", "draft")])
        held = self.env["pos.held.order"].sudo().search([("uuid", "in", uuids)])
        held -= held.filtered(lambda sale: sale.uuid in recorded.mapped("uuid"))
        return {
            "recorded": recorded.mapped("uuid"),
            "held": held.mapped("uuid"),
            "left": len(set(uuids)) - len(recorded) - len(held),
        }

    @api.model
    def _pos_orders_from_browser(self, stores):
        """The paid orders never sent among ``stores``, each as the app sends
        it to ``sync_from_ui``."""
        records = {
            model: [raw for raw in stores.get(model) or [] if isinstance(raw, dict)]
            for model in ("pos.order", *BROWSER_CHILDREN)
        }
        browser = {
            # The records created in each record, by the local id of that record.
            "children": defaultdict(list),
            # Each record's uuid, by its model and local id.
            "uuids": {
                (model, str(raw.get("id"))): raw.get("uuid")
                for model, raws in records.items()
                for raw in raws
            },
        }
        for model, parent in BROWSER_CHILDREN.items():
            for raw in records[model]:
                browser["children"][model, str(raw.get(parent))].append(raw)
        orders = []
        for raw in records["pos.order"]:
            if not (
                raw.get("state") == "paid"
                and not isinstance(raw.get("id"), int)
                and isinstance(raw.get("uuid"), str)
                and isinstance(raw.get("session_id"), int)
            ):
                continue
            mapping = {}
            order = self._pos_vals_from_browser(self, raw, browser, mapping)
            orders.append({**order, "relations_uuid_mapping": mapping})
        return orders

    @api.model
    def _pos_vals_from_browser(self, model, raw, browser, mapping):
        """The values of ``raw``, a record of ``model`` as the app keeps it, as
        the app serializes it: the records created in it as create commands,
        those it links by a local id in ``mapping``, by uuid."""
        vals = {}
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
                        (comodel._name, str(raw.get("id"))), []
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
                if linked and raw.get("uuid"):
                    mapping.setdefault(model._name, {}).setdefault(raw["uuid"], {})[
                        name
                    ] = linked
            else:
                vals[name] = value
        return vals
