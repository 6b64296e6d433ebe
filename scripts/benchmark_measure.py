"""Measures each flow of a cashier with the restrictions on and off.

Run by ``scripts/benchmark`` with Odoo's python, on a database where the addon
is installed: builds the data (``benchmark_data.py``), then, for each flow,
alternates the global switch off and on for ``--runs`` rounds, ``--repeat``
measured runs per round and mode. Every measured run starts from a cold record
cache and warm ormcaches (a warm-up run of the same flow precedes it) in a
transaction of its own, rolled back afterwards, so that every run starts from
the same state. Prints a table: the median time with the switch off and on,
their ratio, and the queries of each run.

    python3 benchmark_measure.py [--scale full|small] [--runs 7] [--repeat 5]
        [--only TEXT] [--reuse-data] [--diff-queries]
        -- <odoo options: -d DB --addons-path ... --db_host ...>
"""

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import unified_diff
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark_data

import odoo
import odoo.http
import odoo.sql_db
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import Cursor
from odoo.tools import SQL, config

DASHBOARD_LIMIT = 40  # the web client's kanban page size
RATIO_GOAL = 1.10
QUERY_DELTA_GOAL = 3


@dataclass
class Flow:
    name: str
    login: str
    run: object  # (env, state) -> result
    prepare: object = None  # (superuser env, user env) -> state
    check: object = None  # (env, state, result, enabled) -> None, raises if wrong


class Benchmark:
    def __init__(self, registry, fixture, runs, repeat, diff_queries, log):
        self.registry = registry
        self.fixture = fixture
        self.runs = runs
        self.repeat = repeat
        self.diff_queries = diff_queries
        self.log = log
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            users = env["res.users"].search(
                [
                    (
                        "login",
                        "in",
                        [benchmark_data.CASHIER_LOGIN, benchmark_data.LOCKED_LOGIN],
                    )
                ]
            )
            self.users = {
                user.login: (user.id, user.with_user(user).context_get())
                for user in users
            }
            self.registers = env["pos.config"].search_count([])
            kanban = env.ref("point_of_sale.view_pos_config_kanban")
            fields = (
                env["pos.config"]
                .with_user(fixture.cashier_id)
                .get_views([(kanban.id, "kanban")])["models"]["pos.config"]["fields"]
            )
            # What the web client asks for: every field of the kanban card,
            # many2one fields with their display name.
            self.kanban_specification = {
                name: {"fields": {"display_name": {}}}
                if field["type"] == "many2one"
                else {}
                for name, field in fields.items()
            }

    def set_enabled(self, enabled):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(
                benchmark_data.ENABLED_PARAM, enabled and "True"
            )

    # One run

    def run_once(self, flow, enabled, queries=None):
        """Run ``flow`` in a transaction rolled back afterwards; return its
        duration (seconds) and query count."""
        uid, context = self.users[flow.login]
        cr = self.registry.cursor()
        try:
            superuser = api.Environment(cr, SUPERUSER_ID, {})
            env = api.Environment(cr, uid, context)
            state = flow.prepare(superuser, env) if flow.prepare else None
            cr.flush()
            env.invalidate_all()
            gc.collect()  # no collection of earlier garbage within the timing
            with capture_queries(queries):
                count = cr.sql_log_count
                started = time.perf_counter()
                result = flow.run(env, state)
                cr.flush()
                elapsed = time.perf_counter() - started
                count = cr.sql_log_count - count
            if flow.check:
                flow.check(env, state, result, enabled)
            return elapsed, count
        finally:
            cr.rollback()
            cr.close()

    def measure(self, flow, run_once=None):
        """Alternate the switch off and on for ``self.runs`` rounds; in each
        round and mode, a warm-up run then ``self.repeat`` measured runs."""
        run_once = run_once or self.run_once
        samples = {False: [], True: []}
        for round_ in range(self.runs):
            for enabled in (False, True) if round_ % 2 == 0 else (True, False):
                self.set_enabled(enabled)
                run_once(flow, enabled)
                samples[enabled].extend(
                    run_once(flow, enabled) for _repeat in range(self.repeat)
                )
        row = {"flow": flow.name}
        for enabled, key in ((False, "off"), (True, "on")):
            times = [elapsed for elapsed, _count in samples[enabled]]
            counts = {count for _elapsed, count in samples[enabled]}
            row[f"{key}_ms"] = statistics.median(times) * 1000
            row[f"{key}_queries"] = max(counts)
            row[f"{key}_varies"] = len(counts) > 1
        row["ratio"] = row["on_ms"] / row["off_ms"]
        row["delta"] = row["on_queries"] - row["off_queries"]
        self.log(
            f"  {flow.name}: off {row['off_ms']:.1f} ms, on {row['on_ms']:.1f} ms, "
            f"queries {row['off_queries']} / {row['on_queries']}"
        )
        if self.diff_queries and run_once == self.run_once:
            self.print_query_diff(flow)
        return row

    def print_query_diff(self, flow):
        queries = {}
        for enabled in (False, True):
            self.set_enabled(enabled)
            self.run_once(flow, enabled)
            queries[enabled] = []
            self.run_once(flow, enabled, queries[enabled])
        diff = unified_diff(
            queries[False], queries[True], "switch off", "switch on", lineterm="", n=0
        )
        print(f"--- queries of '{flow.name}', switch off vs on:", file=sys.stderr)
        for line in diff:
            print(line[:400], file=sys.stderr)

    # The flows

    def flows(self):
        fixture = self.fixture
        cashier = benchmark_data.CASHIER_LOGIN

        def register(env):
            return env["pos.config"].browse(fixture.register_id)

        def dashboard(env, _state):
            # As the web client asks: the kanban's state, then a page of cards
            # (with the record count, up to 10,000).
            configs = env["pos.config"].with_context(bin_size=True)
            configs.get_pos_kanban_view_state()
            return configs.web_search_read(
                [], self.kanban_specification, limit=DASHBOARD_LIMIT, count_limit=10001
            )

        def check_dashboard(env, _state, result, enabled):
            ids = {record["id"] for record in result["records"]}
            if enabled and env.user.login == cashier:
                assert ids == set(fixture.visible_ids), ids
            else:
                assert len(ids) == min(DASHBOARD_LIMIT, self.registers), len(ids)

        def free_register(superuser, _env):
            assert not register(superuser).current_session_id, "register in use"

        def new_session(superuser, env, opened=False):
            # The cashier's session, opened as the dashboard does; started
            # (opening cash counted) when ``opened``.
            free_register(superuser, env)
            register(env).open_ui()
            session = register(superuser).current_session_id
            assert session.user_id.id == env.uid
            assert session.state == "opening_control", session.state
            if opened:
                session.with_env(env).set_opening_control(100, "")
            return session.with_env(env)

        def check_open(env, _state, result, _enabled):
            assert result["url"].startswith(f"/pos/ui/{fixture.register_id}?"), result
            session = register(env).current_session_id
            assert session.user_id == env.user, session.user_id
            assert session.state == "opening_control", session.state

        def close(_env, session):
            data = session.get_closing_control_data()
            counted = data["default_cash_details"].get("amount", 0)
            session.post_closing_cash_details(counted)
            session.update_closing_control_state_session("")
            return session.close_session_from_ui()

        def check_close(_env, session, result, _enabled):
            assert result == {"successful": True}, result
            assert session.state == "closed", session.state

        def load_pos_app(_env, session):
            session.load_data_params()
            data = session.with_context(
                pos_last_server_date=False, pos_limited_loading=True
            ).load_data([])
            session.filter_local_data({})
            return data

        def check_load(_env, session, data, _enabled):
            assert [record["id"] for record in data["pos.session"]] == session.ids
            assert [record["id"] for record in data["pos.config"]] == [
                fixture.register_id
            ]
            assert data["pos.payment.method"], "no payment method loaded"
            assert data["product.product"], "no product loaded"

        return [
            Flow(
                "Dashboard (cashier sees 5 registers)",
                cashier,
                dashboard,
                check=check_dashboard,
            ),
            Flow(
                "Dashboard (user sees every register)",
                benchmark_data.LOCKED_LOGIN,
                dashboard,
                check=check_dashboard,
            ),
            Flow(
                "Open register (open_ui)",
                cashier,
                lambda env, _state: register(env).open_ui(),
                prepare=free_register,
                check=check_open,
            ),
            Flow(
                "Start session (set_opening_control)",
                cashier,
                lambda _env, session: session.set_opening_control(100, ""),
                prepare=new_session,
                check=lambda _env, session, _result, _enabled: assert_equal(
                    session.state, "opened"
                ),
            ),
            Flow(
                "Close session (POS app closing)",
                cashier,
                close,
                prepare=lambda superuser, env: new_session(superuser, env, True),
                check=check_close,
            ),
            Flow(
                "Load POS app (load_data)",
                cashier,
                load_pos_app,
                prepare=lambda superuser, env: new_session(superuser, env, True),
                check=check_load,
            ),
        ]

    # Over HTTP: the /pos/ui/<id> controller

    @contextmanager
    def http_flow(self, database):
        """The page the dashboard's "Open Register" leads to, requested over
        Odoo's WSGI application in this process, on a started session of the
        cashier (committed, as the request has its own transaction; deleted
        afterwards). Yields the flow and the function running it once."""
        from werkzeug.test import Client

        fixture = self.fixture
        with self.registry.cursor() as cr:
            env = api.Environment(cr, *self.users[benchmark_data.CASHIER_LOGIN])
            register = env["pos.config"].browse(fixture.register_id)
            register.open_ui()
            session = register.current_session_id
            session.set_opening_control(100, "")
            session_id = session.id
        # Odoo reads the client's address from the WSGI environment.
        environ = {"REMOTE_ADDR": "127.0.0.1"}
        client = Client(odoo.http.root)
        response = client.post(
            "/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "db": database,
                    "login": benchmark_data.CASHIER_LOGIN,
                    "password": benchmark_data.PASSWORD,
                },
            },
            environ_base=environ,
        )
        assert "error" not in response.json, response.json
        url = f"/pos/ui/{fixture.register_id}"

        def run_once(_flow, _enabled):
            count = odoo.sql_db.sql_counter
            started = time.perf_counter()
            response = client.get(url, environ_base=environ)
            elapsed = time.perf_counter() - started
            count = odoo.sql_db.sql_counter - count
            body = response.get_data(as_text=True)
            assert response.status_code == 200, (response.status_code, body[:500])
            assert f'"pos_session_id": {session_id}' in body, body[:500]
            return elapsed, count

        try:
            yield Flow("GET /pos/ui/<id> (POS app page)", None, None), run_once
        finally:
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["pos.session"].browse(
                    session_id
                ).unlink()


def assert_equal(value, expected):
    assert value == expected, (value, expected)


@contextmanager
def capture_queries(queries):
    if queries is None:
        yield
        return
    execute = Cursor.execute

    def capture(cr, query, params=None, log_exceptions=True):
        queries.append(query.code if isinstance(query, SQL) else query)
        return execute(cr, query, params, log_exceptions)

    with patch.object(Cursor, "execute", capture):
        yield


def print_table(rows, scale_name, scale, samples, machine):
    header = ("Flow", "off ms", "on ms", "ratio", "off queries", "on queries", "delta")
    lines = [
        (
            row["flow"],
            f"{row['off_ms']:.1f}",
            f"{row['on_ms']:.1f}",
            f"{row['ratio']:.2f}",
            f"{row['off_queries']}{'*' if row['off_varies'] else ''}",
            f"{row['on_queries']}{'*' if row['on_varies'] else ''}",
            f"{row['delta']:+d}",
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(7)]

    def format_line(cells):
        return (
            "| "
            + " | ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(cells)
            )
            + " |"
        )

    print()
    print(
        f"Scale '{scale_name}': {scale.users} users, {scale.registers} registers, "
        f"{scale.closed_sessions} closed sessions, {scale.orders} orders; "
        f"median of {samples} runs per flow and mode; {machine}"
    )
    print()
    print(format_line(header))
    print(
        "|"
        + "|".join(
            "-" * (width + 1) + ":" if i else "-" * (width + 2)
            for i, width in enumerate(widths)
        )
        + "|"
    )
    for cells in lines:
        print(format_line(cells))
    if any(row["off_varies"] or row["on_varies"] for row in rows):
        print("\n* the count varied between runs; the table gives the highest")
    failures = [
        row["flow"]
        for row in rows
        if row["ratio"] > RATIO_GOAL or row["delta"] > QUERY_DELTA_GOAL
    ]
    print()
    if failures:
        print(
            f"Over the goal (ratio <= {RATIO_GOAL:.2f}, delta <= "
            f"{QUERY_DELTA_GOAL}): {', '.join(failures)}"
        )
    else:
        print(
            f"Every flow within the goal: ratio <= {RATIO_GOAL:.2f}, "
            f"delta <= {QUERY_DELTA_GOAL}."
        )
    return not failures


def machine_description(registry, load_before):
    cpu = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    with registry.cursor() as cr:
        cr.execute("SHOW server_version")
        (postgresql,) = cr.fetchone()
    load_after = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPU ({cpu}), PostgreSQL {postgresql.split()[0]}, "
        f"Python {platform.python_version()}, load average "
        f"{load_before:.1f} before, {load_after:.1f} after"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", choices=sorted(benchmark_data.SCALES), default="full"
    )
    parser.add_argument(
        "--runs", type=int, default=7, help="rounds of the switch off then on"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="measured runs per round and mode"
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="measure only the flows whose name has TEXT"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="measure the data a previous run left in the database",
    )
    parser.add_argument(
        "--diff-queries",
        action="store_true",
        help="print, for each flow, the queries that differ with the switch on",
    )
    args, odoo_args = parser.parse_known_args()
    if odoo_args[:1] == ["--"]:
        odoo_args = odoo_args[1:]
    config.parse_config(odoo_args, setup_logging=True)
    database = config["db_name"]
    if isinstance(database, list | tuple):
        (database,) = database
    scale = benchmark_data.SCALES[args.scale]

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    registry = Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.reuse_data:
            fixture = benchmark_data.find(env)
        else:
            log(f"building the data at scale '{args.scale}' in {database}")
            fixture = benchmark_data.build(env, scale, log=log)
    log(f"measuring {args.runs} runs of each flow, switch off and on")
    benchmark = Benchmark(
        registry, fixture, args.runs, args.repeat, args.diff_queries, log
    )
    measuring = time.perf_counter()
    load_before = os.getloadavg()[0]
    only = (args.only or "").lower()
    rows = [
        benchmark.measure(flow)
        for flow in benchmark.flows()
        if only in flow.name.lower()
    ]
    if only in "get /pos/ui (pos app page)":
        with benchmark.http_flow(database) as (flow, run_once):
            rows.append(benchmark.measure(flow, run_once))
    ok = print_table(
        rows,
        args.scale,
        scale,
        args.runs * args.repeat,
        machine_description(registry, load_before),
    )
    print(
        f"\nData built in {measuring - started:.0f}s, measured in "
        f"{time.perf_counter() - measuring:.0f}s."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
