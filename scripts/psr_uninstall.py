"""The two halves of scripts/uninstall-check, run inside ``odoo shell`` (which
provides ``env``, as superuser) with PSR_UNINSTALL_PHASE set:

``before``  configures a cashier restricted in every way, proves the
            restriction refuses them a register, then uninstalls the addon;
``after``   (a fresh process, hence a fresh registry) proves the addon left
            nothing behind and that the same cashier runs that register as in
            standard Odoo: opens, starts, syncs a paid order, closes, with
            totals that match.

Prints what it proved; exits 1 on the first failure.
"""

import os
import sys
import time
from uuid import uuid4

from odoo import fields
from odoo.fields import Command

MODULE = "pos_session_restriction"
CASHIER = "psr_uninstall_cashier"
OWN_REGISTER = "Uninstall Check: Own Register"
OTHER_REGISTER = "Uninstall Check: Other Register"
PRODUCT = "Uninstall Check Bread"
TABLES = [
    "pos_restriction_log",
    "pos_session_event",
    "pos_session_restriction_view_rel",
    "pos_session_restriction_access_rel",
    "pos_approval_grant",
    "pos_approval_attempt",
]
COLUMNS = [
    ("res_users", "pos_lock_foreign_sessions"),
    ("res_users", "pos_single_session"),
    ("res_users", "pos_resource_calendar_id"),
    ("res_users", "pos_approval_pin_hash"),
]
FIELDS = [
    ("res.users", "pos_view_config_ids"),
    ("res.users", "pos_access_config_ids"),
    ("res.users", "pos_lock_foreign_sessions"),
    ("res.users", "pos_single_session"),
    ("res.users", "pos_resource_calendar_id"),
    ("res.users", "pos_refusal_count"),
    ("res.users", "pos_visibility_restricted"),
    ("res.users", "pos_approval_pin"),
    ("res.users", "pos_approval_pin_set"),
    ("pos.config", "pos_view_user_ids"),
    ("pos.config", "pos_access_user_ids"),
    ("pos.config", "pos_restriction_rule"),
    ("pos.config", "pos_restriction_hours_from"),
    ("res.config.settings", "pos_session_restriction_enabled"),
    ("res.config.settings", "pos_restriction_log_retention_days"),
    ("res.config.settings", "pos_restriction_hours_grace_minutes"),
]
BUNDLES = ["point_of_sale._assets_pos", "web.assets_backend"]
PARAMETERS = [
    "pos_session_restriction.enabled",
    "pos_session_restriction.log_retention_days",
    "pos_session_restriction.hours_grace_minutes",
]


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def module_state(env):
    return env["ir.module.module"].search([("name", "=", MODULE)]).state


def before(env):
    check(module_state(env) == "installed", f"{MODULE} is not installed")
    bank_journal = env["account.journal"].search([("type", "=", "bank")], limit=1)
    sale_journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
    check(bank_journal and sale_journal, "no bank or sale journal (chart of accounts?)")
    method = env["pos.payment.method"].create(
        {"name": "Bank (uninstall check)", "journal_id": bank_journal.id}
    )
    own, other = env["pos.config"].create(
        [
            {
                "name": name,
                "journal_id": sale_journal.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
            for name in (OWN_REGISTER, OTHER_REGISTER)
        ]
    )
    env["product.product"].create(
        {
            "name": PRODUCT,
            "available_in_pos": True,
            "list_price": 10.0,
            "taxes_id": [Command.clear()],
        }
    )
    cashier = env["res.users"].create(
        {
            "name": "Uninstall Check Cashier",
            "login": CASHIER,
            "group_ids": [
                Command.set(
                    [
                        env.ref("base.group_user").id,
                        env.ref("point_of_sale.group_pos_user").id,
                    ]
                )
            ],
            "pos_view_config_ids": [Command.set(own.ids)],
            "pos_access_config_ids": [Command.set(own.ids)],
            "pos_lock_foreign_sessions": True,
            "pos_single_session": True,
            "pos_resource_calendar_id": env.company.resource_calendar_id.id,
        }
    )
    env["ir.config_parameter"].set_param("pos_session_restriction.enabled", "True")
    env["ir.config_parameter"].set_param(
        "pos_session_restriction.hours_grace_minutes", "15"
    )
    env.cr.commit()

    # The restriction is in force: the other register is hidden and refused.
    env.invalidate_all()
    as_cashier = env(user=cashier)
    check(
        not as_cashier["pos.config"].search([("id", "=", other.id)]),
        "before uninstalling, the cashier already sees the other register",
    )
    try:
        other.with_user(cashier).open_ui()
    except Exception as error:  # noqa: BLE001 - the class goes with the addon
        check(
            type(error).__name__ == "PosSessionRestrictionError",
            f"unexpected error before uninstalling: {error!r}",
        )
        env.cr.rollback()
    else:
        raise CheckFailed("before uninstalling, the cashier opened the other register")
    print(
        "before: the restricted cashier does not see the other register and is "
        "refused it",
        flush=True,
    )

    start = time.monotonic()
    env["ir.module.module"].search([("name", "=", MODULE)]).button_immediate_uninstall()
    print(
        f"before: {MODULE} uninstalled in {time.monotonic() - start:.0f}s", flush=True
    )


def after(env):
    check(module_state(env) == "uninstalled", f"{MODULE} is still {module_state(env)}")
    cr = env.cr

    # Nothing of the addon is left in the database.
    cr.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name = ANY(%s)",
        [TABLES],
    )
    tables = [row[0] for row in cr.fetchall()]
    check(not tables, f"tables left behind: {tables}")
    for table, column in COLUMNS:
        cr.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s",
            [table, column],
        )
        check(not cr.fetchone(), f"column {table}.{column} left behind")
    leftovers = [
        f"{model}.{name}"
        for model, name in FIELDS
        if env["ir.model.fields"].search_count(
            [("model", "=", model), ("name", "=", name)]
        )
    ]
    check(not leftovers, f"field definitions left behind: {leftovers}")
    check(
        not env["ir.model"].search_count([("model", "=", "pos.restriction.log")]),
        "model pos.restriction.log left behind",
    )
    records = env["ir.model.data"].search_count([("module", "=", MODULE)])
    check(not records, f"{records} records of {MODULE} left behind")
    rules = env["ir.rule"].search_count(
        [("name", "ilike", "visible to restricted users")]
    )
    check(not rules, f"{rules} record rules left behind")
    for bundle in BUNDLES:
        assets = env["ir.asset"]._get_asset_paths(bundle, {})
        files = [path for path, *__ in assets if f"/{MODULE}/" in path]
        check(not files, f"{bundle} still loads {files}")
    parameters = env["ir.config_parameter"].search([("key", "in", PARAMETERS)])
    check(not parameters, f"system parameters left behind: {parameters.mapped('key')}")
    print(
        f"after: no table, column, field, model, rule, view, record, parameter or "
        f"asset of {MODULE} left ({len(TABLES)} tables, {len(COLUMNS)} columns, "
        f"{len(FIELDS)} fields, {len(BUNDLES)} asset bundles checked)",
        flush=True,
    )

    # The formerly restricted cashier runs the register they were refused.
    cashier = env["res.users"].search([("login", "=", CASHIER)])
    own = env["pos.config"].search([("name", "=", OWN_REGISTER)])
    other = env["pos.config"].search([("name", "=", OTHER_REGISTER)])
    product = env["product.product"].search([("name", "=", PRODUCT)])
    check(cashier and own and other and product, "the fixtures are gone")
    as_cashier = env(user=cashier)
    check(
        other in as_cashier["pos.config"].search([]),
        "the cashier still does not see the other register",
    )
    other.with_user(cashier).open_ui()
    session = other.current_session_id
    check(session.user_id == cashier, "no session opened by the cashier")
    session.with_user(cashier).set_opening_control(0, "")
    check(session.state == "opened", f"session {session.state}, not opened")
    # One open session per cashier no longer applies: a second register opens.
    own.with_user(cashier).open_ui()
    check(own.current_session_id.user_id == cashier, "second register did not open")
    own.current_session_id.with_user(cashier).delete_opening_control_session()
    print(
        f"after: the cashier opened and started '{other.name}', and opened a second "
        "register while holding it",
        flush=True,
    )

    result = (
        env["pos.order"]
        .with_user(cashier)
        .sync_from_ui([order_payload(session, cashier, product)])
    )
    order = env["pos.order"].browse([values["id"] for values in result["pos.order"]])
    check(order.state == "paid", f"synced order is {order.state}, not paid")

    session = session.with_user(cashier)
    closing = session.get_closing_control_data()
    check(
        closing["orders_details"] == {"quantity": 1, "amount": 10.0},
        f"closing data: {closing['orders_details']}",
    )
    session.update_closing_control_state_session("Uninstall check")
    outcome = session.close_session_from_ui()
    check(outcome.get("successful"), f"closing failed: {outcome}")
    env.invalidate_all()
    session = session.sudo()
    check(session.state == "closed", f"session {session.state}, not closed")
    check(order.state == "done", f"order {order.state}, not done")
    check(
        session.total_payments_amount == 10.0 and order.amount_total == 10.0,
        f"totals: payments {session.total_payments_amount}, order {order.amount_total}",
    )
    check(
        session.move_id.state == "posted", "the session's journal entry is not posted"
    )
    print(
        f"after: the cashier synced a paid order and closed {session.name}: order "
        f"done, payments {session.total_payments_amount:.2f} = order "
        f"{order.amount_total:.2f}, journal entry posted",
        flush=True,
    )
    env.cr.commit()


def order_payload(session, cashier, product):
    """A paid order of one product, as the POS app sends it."""
    uuid = str(uuid4())
    now = fields.Datetime.to_string(fields.Datetime.now())
    return {
        "uuid": uuid,
        "name": f"Order {uuid}",
        "session_id": session.id,
        "user_id": cashier.id,
        "pricelist_id": session.config_id.pricelist_id.id,
        "fiscal_position_id": False,
        "partner_id": False,
        "to_invoice": False,
        "date_order": now,
        "last_order_preparation_change": "{}",
        "amount_paid": 10.0,
        "amount_return": 0.0,
        "amount_tax": 0.0,
        "amount_total": 10.0,
        "lines": [
            Command.create(
                {
                    "product_id": product.id,
                    "qty": 1,
                    "price_unit": 10.0,
                    "discount": 0.0,
                    "price_subtotal": 10.0,
                    "price_subtotal_incl": 10.0,
                    "tax_ids": [Command.clear()],
                    "pack_lot_ids": [],
                }
            )
        ],
        "payment_ids": [
            Command.create(
                {
                    "amount": 10.0,
                    "name": now,
                    "payment_method_id": session.config_id.payment_method_ids[:1].id,
                }
            )
        ],
    }


def main(env):
    phase = os.environ.get("PSR_UNINSTALL_PHASE")
    try:
        {"before": before, "after": after}[phase](env)
    except CheckFailed as failure:
        print(f"uninstall-check: FAILED ({phase}): {failure}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(env))  # noqa: F821 - odoo shell provides env
