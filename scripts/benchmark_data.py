"""Builds the benchmark's data: a few records through the ORM, the bulk in SQL.

Used by ``scripts/benchmark`` (through ``benchmark_measure.py``); not a module
of the addon. One real register, payment methods, a product, the cashiers and a
POS administrator are created through the ORM so that every required column is
valid; the other registers, users, sessions, orders, order lines, payments,
session journal entries and restriction log entries are copies made with
``INSERT ... SELECT`` over ``generate_series``, in the order a real database
gets them (orders by date), with the foreign key triggers off when the
database role may do so: the data is valid by construction, and the checks
would take most of the time at the large scale. The session journal is then
sealed by the addon's own code, as a live database has it.

What the tests build alike comes from ``tests/common_benchmark.py``, imported
where it is used: the addon imports once the registry has put it on Odoo's
addons path.
"""

import time
from dataclasses import dataclass, replace
from unittest.mock import patch

from odoo.fields import Command
from odoo.tools import SQL

ENABLED_PARAM = "pos_session_restriction.enabled"
CASHIER_LOGIN = "bench_cashier"
LOCKED_LOGIN = "bench_locked"
MANAGER_LOGIN = "bench_manager"
EVENT_MODULE = "odoo.addons.pos_session_restriction.models.pos_session_event_chain"
PASSWORD = "bench-cashier-password"


@dataclass(frozen=True)
class Scale:
    users: int
    registers: int
    closed_sessions: int
    orders: int
    cashier_sessions: int  # the measured cashier's own history of closed sessions
    open_share: int  # one register in this many has a session open by someone
    journal_entries: int  # session journal entries, the newest of the sessions'
    log_entries: int  # restriction log entries


SCALES = {
    "large": Scale(
        users=20000,
        registers=3000,
        closed_sessions=300000,
        orders=2000000,
        cashier_sessions=250,
        open_share=10,
        journal_entries=1000000,
        log_entries=1000000,
    ),
    "full": Scale(
        users=2000,
        registers=300,
        closed_sessions=30000,
        orders=200000,
        cashier_sessions=250,
        open_share=10,
        journal_entries=100000,
        log_entries=100000,
    ),
    "small": Scale(
        users=200,
        registers=30,
        closed_sessions=3000,
        orders=20000,
        cashier_sessions=25,
        open_share=10,
        journal_entries=10000,
        log_entries=10000,
    ),
}


@dataclass(frozen=True)
class Fixture:
    """The records the flows use."""

    cashier_id: int  # restricted: a few visible registers, an operable subset,
    # foreign sessions locked, one open session at a time
    locked_id: int  # sees every register; foreign sessions locked, one session,
    # working hours (open all week round)
    manager_id: int  # a POS administrator
    register_id: int  # the real register the cashier opens, starts and closes
    visible_ids: tuple
    operable_ids: tuple
    worked_register_id: int  # hidden from the cashier, who worked in its open
    # session (the journal says so): the rules' third clause


def build(env, scale, log=print):
    """Create the data at ``scale`` in ``env`` (superuser); commit is left to
    the caller."""
    started = time.perf_counter()
    fixture = _build_orm_records(env)
    log(f"  ORM records ready in {time.perf_counter() - started:.1f}s")
    env.flush_all()
    fixture = _bulk_insert(env, scale, fixture, log)
    env.invalidate_all()
    env.registry.clear_cache()
    log(f"  data ready in {time.perf_counter() - started:.1f}s")
    return fixture


def scale_of(env):
    """The name of the scale the data in this database was built at, by its
    number of registers."""
    registers = env["pos.config"].with_context(active_test=False).search_count([])
    for name, scale in SCALES.items():
        if registers == scale.registers:
            return name
    raise LookupError(f"no scale has {registers} registers")


def find(env):
    """The fixture of data built earlier (a database kept with PSR_KEEP_DB=1)."""
    users = {
        user.login: user
        for user in env["res.users"].search(
            [("login", "in", (CASHIER_LOGIN, LOCKED_LOGIN, MANAGER_LOGIN))]
        )
    }
    register = env["pos.config"].search([("name", "=", "Register 0001")])
    if len(users) != 3 or not register:
        raise LookupError("no benchmark data in this database")
    cashier = users[CASHIER_LOGIN]
    return Fixture(
        cashier_id=cashier.id,
        locked_id=users[LOCKED_LOGIN].id,
        manager_id=users[MANAGER_LOGIN].id,
        register_id=register.id,
        visible_ids=tuple(cashier.pos_view_config_ids.sorted("id").ids),
        operable_ids=tuple(cashier.pos_access_config_ids.sorted("id").ids),
        worked_register_id=cashier.pos_worked_session_ids.config_id.id,
    )


def _build_orm_records(env):
    from odoo.addons.pos_session_restriction.tests.common_benchmark import (
        always_open_schedule,
    )

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
    # As the POS onboarding does: a cash journal and method, and a card method.
    cash = env["pos.config"]._create_cash_payment_method()
    bank_journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    card = env["pos.payment.method"].create(
        {"name": "Card", "journal_id": bank_journal.id}
    )
    methods = cash | card
    register = env["pos.config"].create(
        {"name": "Register 0001", "payment_method_ids": [Command.set(methods.ids)]}
    )
    env["product.product"].create(
        {"name": "Coffee", "available_in_pos": True, "list_price": 2.5}
    )
    pos_user = env.ref("point_of_sale.group_pos_user")
    pos_manager = env.ref("point_of_sale.group_pos_manager")
    internal = env.ref("base.group_user")
    cashier, locked, manager = env["res.users"].create(
        [
            {
                "name": "Casey Cashier",
                "login": CASHIER_LOGIN,
                "password": PASSWORD,
                "email": "casey@example.com",
                "group_ids": [Command.set((internal | pos_user).ids)],
            },
            {
                "name": "Lou Locked",
                "login": LOCKED_LOGIN,
                "password": PASSWORD,
                "email": "lou@example.com",
                "group_ids": [Command.set((internal | pos_user).ids)],
            },
            {
                "name": "Max Manager",
                "login": MANAGER_LOGIN,
                "password": PASSWORD,
                "email": "max@example.com",
                "group_ids": [Command.set((internal | pos_manager).ids)],
            },
        ]
    )
    # Lou works shifts, always open: the hours check runs, and lets Lou in.
    locked.write(
        {
            "pos_lock_foreign_sessions": True,
            "pos_single_session": True,
            "pos_resource_calendar_id": always_open_schedule(env).id,
        }
    )
    env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
    return Fixture(
        cashier_id=cashier.id,
        locked_id=locked.id,
        manager_id=manager.id,
        register_id=register.id,
        visible_ids=(),
        operable_ids=(),
        worked_register_id=None,
    )


def _execute(env, log, label, query):
    started = time.perf_counter()
    env.cr.execute(query)
    log(f"  {label}: {env.cr.rowcount} rows in {time.perf_counter() - started:.1f}s")


def _bulk_insert(env, scale, fixture, log):
    from odoo.addons.pos_session_restriction.tests.common_benchmark import copy_rows

    cr = env.cr
    _skip_foreign_key_checks(env, log)
    cashier = env["res.users"].browse(fixture.cashier_id)
    register = env["pos.config"].browse(fixture.register_id)

    registers = [fixture.register_id] + copy_rows(
        env,
        "pos.config",
        fixture.register_id,
        scale.registers - 1,
        name=SQL("'Register ' || lpad((g + 1)::text, 4, '0')"),
        access_token=SQL("md5(random()::text)"),
    )
    # A cash method belongs to one register: each copy has its own, with its
    # own cash journal, and shares the others.
    cash = register.payment_method_ids.filtered(
        lambda method: method.journal_id.type == "cash"
    )
    label = "lpad((g + 1)::text, 4, '0')"
    journals = copy_rows(
        env,
        "account.journal",
        cash.journal_id.id,
        scale.registers - 1,
        name=SQL(f"jsonb_build_object('en_US', 'Cash ' || {label})"),
        code=SQL(f"'C' || {label}"),
    )
    methods = copy_rows(
        env,
        "pos.payment.method",
        cash.id,
        scale.registers - 1,
        name=SQL(f"jsonb_build_object('en_US', 'Cash ' || {label})"),
        journal_id=SQL("(%s::int[])[g]", journals),
    )
    cr.execute(
        SQL(
            """
            INSERT INTO pos_config_pos_payment_method_rel
                        (pos_config_id, pos_payment_method_id)
                 SELECT new.id, rel.pos_payment_method_id
                   FROM pos_config_pos_payment_method_rel rel,
                        unnest(%(registers)s::int[]) AS new(id)
                  WHERE rel.pos_config_id = %(model)s
                    AND rel.pos_payment_method_id != %(cash)s
                  UNION ALL
                 SELECT unnest(%(registers)s::int[]), unnest(%(methods)s::int[])
            """,
            registers=registers[1:],
            model=fixture.register_id,
            cash=cash.id,
            methods=methods,
        )
    )
    # The cash journal of each register, in the order of ``registers``.
    cash_journals = [cash.journal_id.id, *journals]
    log(f"  pos_config: {len(registers)} registers")

    extra_users = scale.users - 2
    partners = copy_rows(
        env,
        "res.partner",
        cashier.partner_id.id,
        extra_users,
        name=SQL("'Bench User ' || g"),
        email=SQL("'bench' || g || '@example.com'"),
        # Else every copy would share the cashier's: the chatter looks the
        # author up by it, and would sort all the users' partners each time.
        email_normalized=SQL("'bench' || g || '@example.com'"),
    )
    users = copy_rows(
        env,
        "res.users",
        fixture.cashier_id,
        extra_users,
        login=SQL("'bench_user_' || g"),
        partner_id=SQL("(%s::int[])[g]", partners),
        # Half the users lock foreign sessions and hold one session at a time.
        pos_lock_foreign_sessions=SQL("g %% 2 = 0"),
        pos_single_session=SQL("g %% 2 = 0"),
    )
    cr.execute(
        SQL(
            """
            INSERT INTO res_groups_users_rel (gid, uid)
                 SELECT rel.gid, new.id
                   FROM res_groups_users_rel rel, unnest(%(users)s::int[]) AS new(id)
                  WHERE rel.uid = %(model)s
            """,
            users=users,
            model=fixture.cashier_id,
        )
    )
    log(f"  res_users: {len(users) + 2} users, each with its partner and groups")

    # The cashier sees five registers and operates three of them; every other
    # user sees four registers of their own and operates two.
    visible = registers[:: max(1, len(registers) // 5)][:5]
    operable = visible[:3]
    cr.execute(
        SQL(
            """
            INSERT INTO pos_session_restriction_view_rel (user_id, config_id)
                 SELECT %(cashier)s, unnest(%(visible)s::int[]);
            INSERT INTO pos_session_restriction_access_rel (user_id, config_id)
                 SELECT %(cashier)s, unnest(%(operable)s::int[]);
            UPDATE res_users
               SET pos_lock_foreign_sessions = TRUE, pos_single_session = TRUE
             WHERE id = %(cashier)s;
            INSERT INTO pos_session_restriction_view_rel (user_id, config_id)
                 SELECT user_id, (%(registers)s::int[])[(i * 7 + shift) %% %(n)s + 1]
                   FROM unnest(%(users)s::int[]) WITH ORDINALITY AS u(user_id, i),
                        generate_series(0, 3) AS shift;
            INSERT INTO pos_session_restriction_access_rel (user_id, config_id)
                 SELECT user_id, (%(registers)s::int[])[(i * 7 + shift) %% %(n)s + 1]
                   FROM unnest(%(users)s::int[]) WITH ORDINALITY AS u(user_id, i),
                        generate_series(0, 1) AS shift;
            """,
            cashier=fixture.cashier_id,
            visible=visible,
            operable=operable,
            registers=registers,
            users=users,
            n=len(registers),
        )
    )

    # Closed sessions: the cashier's history on their registers, then the
    # others spread over every register and user, one a day per register.
    others = [fixture.locked_id] + users
    _execute(
        env,
        log,
        "pos_session (closed)",
        SQL(
            """
            INSERT INTO pos_session
                        (config_id, user_id, name, state, start_at, stop_at, rescue,
                         cash_journal_id, cash_register_balance_start,
                         cash_register_balance_end_real, cash_real_transaction,
                         update_stock_at_closing, access_token,
                         create_uid, create_date, write_uid, write_date)
                 SELECT (%(registers)s::int[])[k], user_id,
                        'POS/' || lpad(g::text, 6, '0'),
                        'closed', start_at, start_at + interval '8 hours', FALSE,
                        (%(cash_journals)s::int[])[k],
                        100, 100 + (g %% 500), 0, FALSE,
                        md5(g::text), 1, start_at, 1, start_at
                   FROM (
                    SELECT g,
                           CASE WHEN g <= %(mine)s
                                THEN (%(operable)s::int[])[g %% %(n_operable)s + 1]
                                ELSE g %% %(n_registers)s + 1
                           END AS k,
                           CASE WHEN g <= %(mine)s THEN %(cashier)s
                                ELSE (%(others)s::int[])[g %% %(n_others)s + 1]
                           END AS user_id,
                           now() - interval '1 day'
                                 - (g / %(n_registers)s) * interval '1 day'
                                 AS start_at
                      FROM generate_series(1, %(sessions)s) AS g
                   ) AS s
            """,
            mine=scale.cashier_sessions,
            # The positions of the operable registers in ``registers``.
            operable=[registers.index(config_id) + 1 for config_id in operable],
            n_operable=len(operable),
            registers=registers,
            n_registers=len(registers),
            cashier=fixture.cashier_id,
            others=others,
            n_others=len(others),
            sessions=scale.closed_sessions,
            cash_journals=cash_journals,
        ),
    )
    # Sessions open right now, by other users, on registers the cashier does
    # not operate (the real register stays free for the flows).
    open_registers = [
        (register_id, cash_journals[index])
        for index, register_id in enumerate(registers)
        if index % scale.open_share == scale.open_share // 2
        and register_id not in operable
    ]
    _execute(
        env,
        log,
        "pos_session (open)",
        SQL(
            """
            INSERT INTO pos_session
                        (config_id, user_id, name, state, start_at, rescue,
                         cash_journal_id, cash_register_balance_start,
                         update_stock_at_closing, access_token,
                         create_uid, create_date, write_uid, write_date)
                 SELECT config_id, (%(others)s::int[])[i %% %(n_others)s + 1],
                        'POS/OPEN/' || i, 'opened', now() - interval '2 hours', FALSE,
                        cash_journal_id, 100, FALSE, md5(random()::text),
                        1, now(), 1, now()
                   FROM unnest(%(open_registers)s::int[], %(open_journals)s::int[])
                        WITH ORDINALITY AS r(config_id, cash_journal_id, i)
            """,
            others=users,
            n_others=len(users),
            open_registers=[register_id for register_id, _journal in open_registers],
            open_journals=[journal for _register_id, journal in open_registers],
        ),
    )

    cr.execute("SELECT COALESCE(MAX(id), 0) FROM pos_order")
    (last_order,) = cr.fetchone()
    cr.execute(
        SQL(
            "SELECT id FROM product_product WHERE product_tmpl_id IN "
            "(SELECT id FROM product_template WHERE available_in_pos) "
            "ORDER BY id DESC LIMIT 1"
        )
    )
    (product_id,) = cr.fetchone()
    # Orders: paid and posted in the sessions, a few an hour; the open sessions
    # take the last ones, paid, so that the dashboard shows their statistics.
    # They are inserted by date, as a register records them: the orders of a
    # day sit together, those of a session among its day's.
    _execute(
        env,
        log,
        "pos_order",
        SQL(
            """
            WITH sessions AS (
                SELECT id, config_id, user_id, start_at, state,
                       row_number() OVER (ORDER BY id) - 1 AS rank
                  FROM pos_session
                 WHERE name LIKE 'POS/%%'
            ), n AS (SELECT count(*) AS sessions FROM sessions)
            INSERT INTO pos_order
                        (name, pos_reference, uuid, access_token, company_id,
                         session_id, config_id, user_id, state, date_order,
                         amount_tax, amount_total, amount_paid, amount_return,
                         amount_difference, sequence_number, currency_rate,
                         is_refund, to_invoice, source, create_uid, create_date,
                         write_uid, write_date)
                 SELECT 'Order ' || s.id || '-' || g,
                        'Order ' || lpad(s.id::text, 5, '0') || '-'
                                 || lpad(g::text, 6, '0'),
                        md5('order' || g), md5('token' || g), %(company)s,
                        s.id, s.config_id, s.user_id,
                        CASE WHEN s.state = 'closed' THEN 'done' ELSE 'paid' END,
                        s.start_at + (g %% 480) * interval '1 minute',
                        0, amount, amount, 0, 0, g, 1, FALSE, FALSE, 'pos',
                        s.user_id, s.start_at, s.user_id, s.start_at
                   FROM n, generate_series(1, %(orders)s) AS g
                   JOIN sessions s ON s.rank = g %% (SELECT sessions FROM n)
                  CROSS JOIN LATERAL (SELECT round((2.5 * (1 + g %% 9))::numeric, 2)
                                             AS amount) AS a
                  ORDER BY s.start_at + (g %% 480) * interval '1 minute', g
            """,
            company=env.company.id,
            orders=scale.orders,
        ),
    )
    _execute(
        env,
        log,
        "pos_order_line",
        SQL(
            """
            INSERT INTO pos_order_line
                        (order_id, product_id, company_id, name, full_product_name,
                         qty, price_unit, price_subtotal, price_subtotal_incl,
                         discount, price_extra, uuid, is_total_cost_computed,
                         create_uid, create_date, write_uid, write_date)
                 SELECT id, %(product)s, company_id, name, 'Coffee',
                        amount_total / 2.5, 2.5, amount_total, amount_total, 0, 0,
                        md5('line' || id), FALSE,
                        create_uid, create_date, write_uid, write_date
                   FROM pos_order
                  WHERE id > %(last)s
                  ORDER BY id
            """,
            product=product_id,
            last=last_order,
        ),
    )
    # Each register takes its cash and the card in turn.
    _execute(
        env,
        log,
        "pos_payment",
        SQL(
            """
            INSERT INTO pos_payment
                        (pos_order_id, payment_method_id, session_id, pos_config_id,
                         company_id, amount, payment_date, is_change, payment_status,
                         uuid, create_uid, create_date, write_uid, write_date)
                 SELECT o.id,
                        CASE WHEN o.id %% 2 = 0 THEN m.cash ELSE %(card)s END,
                        session_id, o.config_id, company_id, amount_total, date_order,
                        FALSE,
                        'done', md5('payment' || o.id),
                        create_uid, create_date, write_uid, write_date
                   FROM pos_order o
                   JOIN unnest(%(registers)s::int[], %(cash)s::int[])
                        AS m(config_id, cash) ON m.config_id = o.config_id
                  WHERE o.id > %(last)s
                  ORDER BY o.id
            """,
            registers=registers,
            cash=[cash.id, *methods],
            card=(register.payment_method_ids - cash)[:1].id,
            last=last_order,
        ),
    )
    _insert_journal(env, scale, log)
    worked_register_id = _insert_worked_session(env, fixture, visible)
    _insert_restriction_log(env, scale, registers, [fixture.cashier_id, *others], log)
    seal_journal(env, log)
    started = time.perf_counter()
    cr.execute("ANALYZE")
    log(f"  ANALYZE in {time.perf_counter() - started:.1f}s")
    return replace(
        fixture,
        visible_ids=tuple(visible),
        operable_ids=tuple(operable),
        worked_register_id=worked_register_id,
    )


def _skip_foreign_key_checks(env, log):
    """Skip the foreign key triggers for the rest of the transaction, when the
    role may (a superuser): the rows are valid by construction."""
    env.cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = env.cr.fetchone()
    if row and row[0]:
        env.cr.execute("SET LOCAL session_replication_role = replica")
    else:
        log("  (not a superuser: foreign keys are checked row by row, slower)")


def _insert_journal(env, scale, log):
    """The session journal: each session opened, started and resumed by its
    user, and closed when it is; the newest ``scale.journal_entries`` of those
    entries, oldest first."""
    _execute(
        env,
        log,
        "pos_session_event",
        SQL(
            """
            INSERT INTO pos_session_event
                        (date, session_id, session_name, config_id, company_id,
                         user_id, event, ip_address, user_agent,
                         create_uid, create_date, write_uid, write_date)
                 SELECT date, id, name, config_id, %(company)s, user_id, event,
                        '10.0.' || (config_id / 250) || '.' || (config_id %% 250),
                        'Mozilla/5.0 (X11; Linux x86_64) Benchmark/1.0',
                        1, date, 1, date
                   FROM (
                    SELECT s.id, s.name, s.config_id, s.user_id, e.event,
                           s.start_at + e.delay AS date
                      FROM pos_session s
                     CROSS JOIN (VALUES ('opened', interval '0 minutes', 0),
                                        ('started', interval '5 minutes', 1),
                                        ('resumed', interval '4 hours', 2),
                                        ('closed', interval '8 hours', 3))
                                AS e(event, delay, step)
                     WHERE s.name LIKE 'POS/%%'
                       AND (e.step < 3 OR s.state = 'closed')
                     ORDER BY date DESC, s.id DESC, e.step DESC
                     LIMIT %(entries)s
                   ) AS newest
                  ORDER BY date, id
            """,
            company=env.company.id,
            entries=scale.journal_entries,
        ),
    )


def seal_journal(env, log):
    """Seal the journal, as a live database has it: else the first commit of
    a measured flow would seal the whole of it. With the addon's own code, in
    batches of 50,000 (of 1,000 it would read the index of the entries still
    unsealed 1,000 times over, most of it rows this transaction sealed)."""
    started = time.perf_counter()
    with patch(f"{EVENT_MODULE}.SEAL_BATCH_SIZE", 50000):
        env["pos.session.event"]._seal()
    log(f"  pos_session_event: sealed in {time.perf_counter() - started:.1f}s")


def _insert_worked_session(env, fixture, visible):
    """The cashier worked in an open session of a register they no longer
    see: the journal says they resumed it. Returns that register."""
    cr = env.cr
    cr.execute(
        SQL(
            """
            SELECT id, config_id, name FROM pos_session
             WHERE state = 'opened' AND config_id != ALL(%(visible)s)
             ORDER BY id LIMIT 1
            """,
            visible=list(visible),
        )
    )
    session_id, config_id, name = cr.fetchone()
    cr.execute(
        SQL(
            """
            INSERT INTO pos_session_event
                        (date, session_id, session_name, config_id, company_id,
                         user_id, event, create_uid, create_date, write_uid,
                         write_date)
                 VALUES (now() - interval '1 hour', %(session)s, %(name)s,
                         %(config)s, %(company)s, %(cashier)s, 'resumed',
                         1, now(), 1, now())
            """,
            session=session_id,
            name=name,
            config=config_id,
            company=env.company.id,
            cashier=fixture.cashier_id,
        )
    )
    return config_id


def _insert_restriction_log(env, scale, registers, users, log):
    """Refused attempts, one a minute going back in time, spread over the
    users, registers, rules, actions and channels."""
    model = env["pos.restriction.log"]

    def values(name):
        return [value for value, _label in model._fields[name].selection]

    _execute(
        env,
        log,
        "pos_restriction_log",
        SQL(
            """
            INSERT INTO pos_restriction_log
                        (last_date, user_id, config_id, company_id, rule, action,
                         channel, ip_address, message, attempt_count,
                         create_uid, create_date, write_uid, write_date)
                 SELECT date, (%(users)s::int[])[g %% %(n_users)s + 1],
                        (%(registers)s::int[])[g * 7 %% %(n_registers)s + 1],
                        %(company)s,
                        (%(rules)s::varchar[])[g %% %(n_rules)s + 1],
                        (%(actions)s::varchar[])[g %% %(n_actions)s + 1],
                        (%(channels)s::varchar[])[g %% %(n_channels)s + 1],
                        '10.1.' || (g / 250 %% 250) || '.' || (g %% 250),
                        'You are not allowed to access this Point of Sale.',
                        1 + g %% 3, 1, date, 1, date
                   FROM generate_series(%(entries)s, 1, -1) AS g,
                        LATERAL (SELECT now() - g * interval '1 minute' AS date) d
            """,
            users=users,
            n_users=len(users),
            registers=registers,
            n_registers=len(registers),
            company=env.company.id,
            rules=values("rule"),
            n_rules=len(values("rule")),
            actions=values("action"),
            n_actions=len(values("action")),
            channels=values("channel"),
            n_channels=len(values("channel")),
            entries=scale.log_entries,
        ),
    )
