"""What the tests share with the benchmark (``scripts/benchmark_data.py`` and
``scripts/benchmark_measure.py``): rows copied in SQL, a schedule, an order as
the POS app sends it, the POS app's loading. Plain functions of an environment
or a record, no test case, so that the benchmark, which runs outside Odoo's
test runner, calls them too."""

from uuid import uuid4

from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL


def copy_rows(env, model_name, record_id, count, **overrides):
    """Insert ``count`` copies of a row in SQL; ``overrides`` maps a column to
    an SQL expression, where ``g`` numbers the copy from 1. Returns the new ids,
    in the order of ``g``."""
    model = env[model_name]
    table = model._table
    columns = [
        name
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id"
    ]
    env.cr.execute(
        SQL(
            "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s "
            "FROM %(table)s, generate_series(1, %(count)s) AS g "
            "WHERE %(table)s.id = %(id)s ORDER BY g RETURNING id",
            table=SQL.identifier(table),
            columns=SQL(", ").join(SQL.identifier(name) for name in columns),
            values=SQL(", ").join(
                overrides.get(name, SQL.identifier(table, name)) for name in columns
            ),
            count=count,
            id=record_id,
        )
    )
    return sorted(row[0] for row in env.cr.fetchall())


def always_open_schedule(env):
    """A working schedule open all week round, so that the hours check runs,
    and lets its user in, whenever it runs."""
    return env["resource.calendar"].create(
        {
            "name": "Always open",
            "tz": "UTC",
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                    }
                )
                for day in range(7)
            ],
        }
    )


def order_payload(session, user, product, payment_method, price, **options):
    """An order of one ``product`` at ``price``, paid with ``payment_method``,
    as the POS app of ``user`` sends it to ``pos.order.sync_from_ui``.
    ``options``: ``state`` ("paid", or "draft" for an order left open),
    ``uuid`` (of an order to update), ``qty`` (-1 for a refund, with
    ``refunded_line``)."""
    uuid = options.get("uuid") or str(uuid4())
    qty = options.get("qty", 1)
    paid = options.get("state", "paid") == "paid"
    amount = price * qty
    now = fields.Datetime.to_string(fields.Datetime.now())
    return {
        "uuid": uuid,
        "access_token": str(uuid4()),
        "name": f"Order {uuid}",
        "session_id": session.id,
        "user_id": user.id,
        "state": options.get("state", "paid"),
        "pricelist_id": session.sudo().config_id.pricelist_id.id,
        "fiscal_position_id": False,
        "partner_id": False,
        "to_invoice": False,
        "date_order": now,
        "last_order_preparation_change": "{}",
        "amount_paid": amount if paid else 0.0,
        "amount_return": 0.0,
        "amount_tax": 0.0,
        "amount_total": amount,
        "lines": [
            Command.create(
                {
                    "product_id": product.id,
                    "qty": qty,
                    "price_unit": price,
                    "discount": 0.0,
                    "price_subtotal": amount,
                    "price_subtotal_incl": amount,
                    "tax_ids": [Command.clear()],
                    "pack_lot_ids": [],
                    "refunded_orderline_id": options.get("refunded_line", False),
                }
            )
        ],
        "payment_ids": [
            Command.create(
                {"amount": amount, "name": now, "payment_method_id": payment_method.id}
            )
        ]
        if paid
        else [],
    }


def load_pos_app(session):
    """What the POS app asks of ``session`` when it loads."""
    session.load_data_params()
    data = session.with_context(
        pos_last_server_date=False, pos_limited_loading=True
    ).load_data([])
    session.filter_local_data({})
    return data
