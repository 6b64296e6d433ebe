"""Measures each flow of a cashier with the restrictions on and off.

Run by ``scripts/benchmark`` with Odoo's python, on a database where the addon
is installed: builds the data (``benchmark_data.py``), then, for each flow,
measures runs with the global switch off and on, ``--runs`` rounds of a block of
``--repeat`` runs in each mode. Every measured run starts from a cold record
cache and warm ormcaches (a warm-up run in its mode opens each block), in a
savepoint rolled back afterwards in the block's transaction (rolled back too),
so that every run starts from the same state. Prints a table: the median time
with the switch off and on, their ratio (the median of the ratios of every run
on to every run off) and its margin, and the queries of each run.

What the tests call alike comes from ``tests/common_benchmark.py``, imported
where it is used: the addon imports once the registry has put it on Odoo's
addons path.

    python3 benchmark_measure.py [--scale large|full|small] [--runs 7]
        [--repeat N|auto] [--only TEXT] [--build-only | --reuse-data]
        [--diff-queries] [--explain N] [--aa]
        -- <odoo options: -d DB --addons-path ... --db_host ...>

The flows are listed by ``Benchmark.flows()``, a group of flows per method
named in ``Benchmark.FLOW_GROUPS``; a flow is a ``Flow``: a name, the login
that runs it, what it runs and, optionally, how to prepare it (not timed) and
how to check its result (not timed either). Most back-office flows are one
line: ``self.list_flow(...)``, ``self.read_group_flow(...)``.
"""

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import time
from collections import deque
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from difflib import unified_diff
from pathlib import Path
from unittest.mock import patch

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark_data

import odoo
import odoo.http
import odoo.sql_db
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import Cursor, Savepoint
from odoo.tools import SQL, config

DASHBOARD_LIMIT = 40  # the web client's kanban page size
LIST_LIMIT = 80  # the web client's list page size, and its groups' limit
COUNT_LIMIT = 10001  # the web client counts records up to 10,000, plus one
X2MANY_LIMIT = 40  # the records of a one2many a form shows at first
RATIO_GOAL = 1.10
QUERY_DELTA_GOAL = 3
# With --repeat auto, the measured runs of a round (a block of runs in each
# mode, on one preparation) last about ROUND_SECONDS (a short call makes blocks
# of up to MAX_REPEAT runs, a long one of a single run), and a flow's rounds,
# warm-ups and preparations included, FLOW_SECONDS, or until a mode has
# MAX_RUNS runs.
ROUND_SECONDS = 2.0
MAX_REPEAT = 8
FLOW_SECONDS = 60.0
# A flow whose ratio is within two standard errors of the goal then, more
# rounds until it is not, for at most MAX_FLOW_SECONDS in all.
MAX_FLOW_SECONDS = 180.0
MAX_RUNS = 400  # a mode's runs past which the ratio's median barely moves
PG_SERIAL_PLANS = "-c max_parallel_workers_per_gather=0"
HTTP_FLOW_NAME = "GET /pos/ui/<id> (POS app page)"
# The key of the advisory lock a benchmark holds on its database.
BENCHMARK_LOCK = 0x505352  # "PSR"


@dataclass
class Flow:
    name: str
    login: str
    run: object  # (env, state) -> result
    prepare: object = None  # (superuser env, user env) -> state
    check: object = None  # (env, state, result, enabled) -> None, raises if wrong
    cleanup: object = None  # (superuser env) -> None, committed after the flow


def view_specification(env, view_xmlid, view_type):
    """The specification the web client sends to read the records of a view
    (``getFieldsSpec`` in web/static/src/model/relational_model/utils.js):
    each field of the view, many2one fields with their display name, x2many
    fields with the fields of their embedded list and its first page."""
    view = env.ref(view_xmlid).sudo()
    views = env[view.model].get_views([(view.id, view_type)])
    arch = etree.fromstring(views["views"][view_type]["arch"])
    models = {name: model["fields"] for name, model in views["models"].items()}
    specification = _node_specification(arch, view.model, models)
    if view_type == "form":
        specification["display_name"] = {}  # the breadcrumb
    return specification


def _node_specification(node, model_name, models):
    specification = {}
    for child in node.iterchildren(tag=etree.Element):
        if child.tag != "field":
            specification.update(_node_specification(child, model_name, models))
            continue
        field = models[model_name][child.get("name")]
        invisible = child.get("invisible") in ("1", "True")
        spec = specification.setdefault(child.get("name"), {})
        if field["type"] == "many2one":
            spec["fields"] = {} if invisible else {"display_name": {}}
        elif field["type"] in ("one2many", "many2many") and not invisible:
            subview = next(iter(child.iterchildren("list", "kanban")), None)
            if subview is not None:
                spec["fields"] = _node_specification(subview, field["relation"], models)
                spec["limit"] = int(subview.get("limit", X2MANY_LIMIT))
            elif child.get("widget") == "many2many_tags":
                spec["fields"] = {"display_name": {}}
    return specification


class Benchmark:
    # The groups of flows, in the order of the table: each names a method
    # returning a list of Flow. To add flows, add a method and name it here.
    FLOW_GROUPS = (
        "register_flows",
        "journal_flows",
        "policy_flows",
        "selling_flows",
        "back_office_flows",
        "administrator_flows",
    )

    def __init__(self, registry, fixture, runs, repeat, diff_queries, log, aa=False):
        self.registry = registry
        self.aa = aa  # the switch stays off in the "on" runs too: the noise floor
        self.fixture = fixture
        self.runs = runs
        self.repeat = repeat  # None: as many as ROUND_SECONDS allows
        self.diff_queries = diff_queries
        self.log = log
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            logins = [
                benchmark_data.CASHIER_LOGIN,
                benchmark_data.LOCKED_LOGIN,
                benchmark_data.MANAGER_LOGIN,
            ]
            users = env["res.users"].search([("login", "in", logins)])
            self.users = {
                user.login: (user.id, user.with_user(user).context_get())
                for user in users
            }
            self.registers = env["pos.config"].search_count([])
            cashier_env = env(user=fixture.cashier_id)
            # What the web client asks for: every field of the kanban card,
            # many2one fields with their display name.
            self.kanban_specification = view_specification(
                cashier_env, "point_of_sale.view_pos_config_kanban", "kanban"
            )
            self.specifications = {}
            self.expected = {}  # what each flow must return, per mode
            # The newest order of the cashier's register, and the newest of
            # those they see: what they search for and open in the back office.
            order = env["pos.order"].search(
                [("config_id", "=", fixture.register_id)], limit=1
            )
            # Sessions not closed: what the supervision board shows.
            self.open_sessions = env["pos.session"].search_count(
                [("state", "!=", "closed")]
            )
            self.cashier_order = {
                "id": order.id,
                "name": order.name,
                "pos_reference": order.pos_reference,
            }

    def set_enabled(self, enabled):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(
                benchmark_data.ENABLED_PARAM, enabled and not self.aa and "True"
            )

    # Runs

    def run_once(self, flow, enabled, queries=None, explain=0):
        """Run ``flow`` in a transaction rolled back afterwards; return its
        duration and CPU time (seconds, see Stopwatch) and its query count.
        With ``queries``, append the SQL
        of each query to it; with ``explain`` too, ``(duration, SQL, plan)``
        of each, with the plans of the ``explain`` slowest SELECT queries."""
        return self.run_block(flow, enabled, 1, queries, explain)[0]

    def run_block(self, flow, enabled, runs, queries=None, explain=0):
        """Prepare ``flow`` in a transaction rolled back afterwards, then run
        it ``runs`` times, each in a savepoint rolled back afterwards, so that
        each starts from the state the preparation left, as a run in a
        transaction of its own would (as Odoo's TransactionCase does between
        tests); return each run's measures (see run_once)."""
        uid, context = self.users[flow.login]
        cr = self.registry.cursor()
        try:
            superuser = api.Environment(cr, SUPERUSER_ID, {})
            env = api.Environment(cr, uid, context)
            state = flow.prepare(superuser, env) if flow.prepare else None
            cr.flush()
            return [
                self._run(env, flow, state, enabled, queries, explain)
                for _run in range(runs)
            ]
        finally:
            cr.rollback()
            cr.close()

    def _run(self, env, flow, state, enabled, queries, explain):
        cr = env.cr
        hooks = [
            (hook, deque(hook._funcs), deepcopy(hook.data))
            for hook in (cr.precommit, cr.postcommit, cr.prerollback, cr.postrollback)
        ]
        savepoint = Savepoint(cr)
        try:
            env.transaction.clear()
            gc.collect()  # no collection of earlier garbage within the timing
            with capture_queries(queries, timed=bool(explain)):
                count = cr.sql_log_count
                with Stopwatch() as stopwatch:
                    result = flow.run(env, state)
                    cr.flush()
                count = cr.sql_log_count - count
            if flow.check and not self.aa:
                flow.check(env, state, result, enabled)
            if explain:
                explain_queries(cr, queries, explain)
            return stopwatch.wall, stopwatch.cpu, count
        finally:
            savepoint.close()
            env.transaction.clear()
            for hook, funcs, data in hooks:
                hook._funcs, hook.data = funcs, data

    def measure(self, flow, run_block=None):
        """Measure ``flow`` with the switch off and on, in blocks of runs of
        one mode, in turn off-on and on-off: ``self.runs`` rounds of a block of
        ``self.repeat`` runs in each mode (with --repeat auto, as many as have
        a round's measured runs last ROUND_SECONDS, from the first round, and
        rounds until the flow took FLOW_SECONDS, preparation and warm-ups
        included, or has MAX_RUNS runs a mode, then, while its ratio is within
        two standard errors of the goal, until MAX_FLOW_SECONDS). Each block
        starts with a warm-up run, as switching clears the caches. The times
        are the medians of the runs of a mode; the ratios are the median of the
        ratios of every run on to every run off (the Hodges-Lehmann estimate):
        on a shared machine, the speed of the same work swings by a fifth from
        one run to the next and from one second to the next, which blocks a
        moment apart, in turn off-on and on-off, weigh on both modes alike.
        Then the flow's cleanup, if any."""
        try:
            return self._measure(flow, run_block or self.run_block)
        finally:
            self.clean_up(flow)

    def _measure(self, flow, run_block):
        samples = {False: [], True: []}  # {enabled: [(wall, cpu, count)]}
        rounds = []  # the runs of each round: {enabled: [(wall, cpu, count)]}

        def measure_round(runs, order):
            rounds.append({})
            for enabled in order:
                self.set_enabled(enabled)
                rounds[-1][enabled] = run_block(flow, enabled, runs + 1)[1:]
                samples[enabled].extend(rounds[-1][enabled])

        started = time.perf_counter()
        measure_round(self.repeat or 1, (False, True))
        measured = samples[False][0][0] + samples[True][0][0]
        repeat = self.repeat or max(1, min(MAX_REPEAT, int(ROUND_SECONDS / measured)))

        def more():
            if len(rounds) < self.runs:
                return True
            if self.repeat:
                return False
            elapsed = time.perf_counter() - started
            if elapsed < FLOW_SECONDS and len(samples[False]) < MAX_RUNS:
                return True
            return elapsed < MAX_FLOW_SECONDS and not settled(samples, rounds)

        while more():
            measure_round(repeat, (True, False) if len(rounds) % 2 else (False, True))
        row = {"flow": flow.name, "samples": len(samples[False])}
        for enabled, key in ((False, "off"), (True, "on")):
            counts = {count for _wall, _cpu, count in samples[enabled]}
            row[f"{key}_ms"] = (
                statistics.median(wall for wall, *_ in samples[enabled]) * 1000
            )
            row[f"{key}_queries"] = max(counts)
            row[f"{key}_varies"] = len(counts) > 1
        row["ratio"] = median_ratio(samples, 0)
        row["cpu_ratio"] = median_ratio(samples, 1)
        row["margin"] = verdict_margin(samples, rounds)
        row["delta"] = row["on_queries"] - row["off_queries"]
        cpu_ratio = "" if row["cpu_ratio"] is None else f" (CPU {row['cpu_ratio']:.2f})"
        margin = "" if row["margin"] is None else f" ± {row['margin']:.2f}"
        self.log(
            f"  {flow.name}: off {row['off_ms']:.1f} ms, on {row['on_ms']:.1f} ms, "
            f"ratio {row['ratio']:.2f}{cpu_ratio}{margin}, "
            f"queries {row['off_queries']} / {row['on_queries']}, "
            f"{row['samples']} runs each in {len(rounds)} rounds"
        )
        if self.diff_queries and run_block == self.run_block:
            self.print_query_diff(flow)
        return row

    def measure_all(self, only, database):
        """Measure each flow whose name contains ``only``, in the order of
        FLOW_GROUPS; the POS app page over HTTP after the register flows."""
        rows = []
        for group in self.FLOW_GROUPS:
            rows.extend(
                self.measure(flow)
                for flow in getattr(self, group)()
                if only in flow.name.lower()
            )
            if group == "register_flows" and only in HTTP_FLOW_NAME.lower():
                with self.http_flow(database) as (flow, run_block):
                    rows.append(self.measure(flow, run_block))
        return rows

    def clean_up(self, flow):
        if flow.cleanup:
            with self.registry.cursor() as cr:
                flow.cleanup(api.Environment(cr, SUPERUSER_ID, {}))

    def explain(self, flow, count):
        """Print the plans of the ``count`` slowest queries of ``flow``, with
        the switch off then on: EXPLAIN (ANALYZE, BUFFERS) in the run's own
        transaction, right after the run."""
        try:
            self._explain(flow, count)
        finally:
            self.clean_up(flow)

    def _explain(self, flow, count):
        for enabled in (False, True):
            self.set_enabled(enabled)
            self.run_once(flow, enabled)  # warm the ormcaches
            queries = []
            self.run_once(flow, enabled, queries, explain=count)
            total = sum(elapsed for elapsed, _sql, _plan in queries)
            print(
                f"=== {flow.name}, switch {'on' if enabled else 'off'}: "
                f"{len(queries)} queries, {total * 1000:.1f} ms in PostgreSQL",
                file=sys.stderr,
            )
            slowest = sorted(queries, key=lambda query: -query[0])[:count]
            for elapsed, sql, plan in slowest:
                print(f"--- {elapsed * 1000:.1f} ms: {sql[:2000]}", file=sys.stderr)
                print(plan or "(not a SELECT)", file=sys.stderr)

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
        return [flow for group in self.FLOW_GROUPS for flow in getattr(self, group)()]

    def register(self, env):
        """The real register, which the cashier opens, starts and closes."""
        return env["pos.config"].browse(self.fixture.register_id)

    def free_register(self, superuser, _env=None):
        assert not self.register(superuser).current_session_id, "register in use"

    def new_session(self, superuser, env, opened=False):
        """A session of ``env``'s user on the real register, opened as the
        dashboard does; started (opening cash counted) when ``opened``."""
        self.free_register(superuser)
        self.register(env).open_ui()
        session = self.register(superuser).current_session_id
        assert session.user_id.id == env.uid
        assert session.state == "opening_control", session.state
        if opened:
            session.with_env(env).set_opening_control(100, "")
        return session.with_env(env)

    def register_flows(self):
        """What a cashier does at a register."""
        from odoo.addons.pos_session_restriction.tests.common_benchmark import (
            load_pos_app,
        )

        fixture = self.fixture
        cashier = benchmark_data.CASHIER_LOGIN
        register = self.register
        free_register = self.free_register
        new_session = self.new_session
        # The registers the restricted cashier sees on the dashboard.
        cashier_registers = {*fixture.visible_ids, fixture.worked_register_id}

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
                assert ids == cashier_registers, ids
            else:
                assert len(ids) == min(DASHBOARD_LIMIT, self.registers), len(ids)

        def check_open(env, _state, result, _enabled):
            assert result["url"].startswith(f"/pos/ui/{fixture.register_id}?"), result
            session = register(env).current_session_id
            assert session.user_id == env.user, session.user_id
            assert session.state == "opening_control", session.state
            # Opening a register journals it.
            assert journal(env, session) == [("opened", env.user)]

        def close(_env, session):
            data = session.get_closing_control_data()
            counted = data["default_cash_details"].get("amount", 0)
            session.post_closing_cash_details(counted)
            session.update_closing_control_state_session("")
            return session.close_session_from_ui()

        def check_close(_env, session, result, _enabled):
            assert result == {"successful": True}, result
            assert session.state == "closed", session.state

        def check_load(_env, session, data, _enabled):
            assert [record["id"] for record in data["pos.session"]] == session.ids
            assert [record["id"] for record in data["pos.config"]] == [
                fixture.register_id
            ]
            assert data["pos.payment.method"], "no payment method loaded"
            assert data["product.product"], "no product loaded"

        return [
            Flow(
                "Dashboard (cashier sees 5 + 1 worked-in registers)",
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
                "Open register (open_ui, journals 'opened')",
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
                lambda _env, session: load_pos_app(session),
                prepare=lambda superuser, env: new_session(superuser, env, True),
                check=check_load,
            ),
        ]

    def journal_flows(self):
        """The session journal: resuming a register journals it once per
        sitting (opening it is journaled in the register flows)."""
        cashier = benchmark_data.CASHIER_LOGIN

        def earlier_sitting(superuser, env):
            # The cashier's session, journaled two hours ago: resuming it now
            # is a new sitting.
            session = self.new_session(superuser, env, opened=True)
            superuser.flush_all()
            superuser.cr.execute(
                SQL(
                    "UPDATE pos_session_event SET date = date - interval '2 hours' "
                    "WHERE session_id = %s",
                    session.id,
                )
            )
            superuser.invalidate_all()
            return session

        def same_sitting(superuser, env):
            session = earlier_sitting(superuser, env)
            self.register(env).open_ui()
            return session

        def resume(env, _session):
            return self.register(env).open_ui()

        def check_resumed(env, session, result, _enabled):
            assert result["url"].startswith(f"/pos/ui/{session.config_id.id}?"), result
            resumed = journal(env, session).count(("resumed", env.user))
            assert resumed == 1, resumed

        return [
            Flow(
                "Resume register (open_ui, journals 'resumed')",
                cashier,
                resume,
                prepare=earlier_sitting,
                check=check_resumed,
            ),
            Flow(
                "Resume register again, same sitting (no entry)",
                cashier,
                resume,
                prepare=same_sitting,
                check=check_resumed,
            ),
        ]

    def policy_flows(self):
        """The checks of the newer policies on opening a register: working
        hours (Lou works shifts), a manager's approval (the cashier may see the
        register, not operate it)."""
        cashier = benchmark_data.CASHIER_LOGIN
        locked = benchmark_data.LOCKED_LOGIN
        # A register the cashier sees but may not operate, free.
        (approved_id, *_others) = sorted(
            set(self.fixture.visible_ids) - set(self.fixture.operable_ids)
        )

        def approved(superuser, env):
            # The manager's approval is a request of its own, committed before
            # the cashier's opening (which must not see it as its own insert:
            # PostgreSQL then checks every foreign key of the row it updates).
            # Before the run's transaction reads anything, so that it sees it.
            with self.registry.cursor() as cr:
                grants = api.Environment(cr, SUPERUSER_ID, {})["pos.approval.grant"]
                drop_approvals(grants.env)
                grants._grant(
                    grants.env["res.users"].browse(env.uid),
                    grants.env["pos.config"].browse(approved_id),
                    "open",
                    grants.env["pos.session"],
                    grants.env["res.users"].browse(self.fixture.manager_id),
                )
            config = superuser["pos.config"].browse(approved_id)
            assert not config.current_session_id, "register in use"
            return env["pos.config"].browse(approved_id)

        def drop_approvals(superuser):
            # Approvals are append-only for Odoo's users, not for the benchmark.
            superuser.cr.execute(
                SQL(
                    "DELETE FROM pos_approval_grant WHERE config_id = %s",
                    approved_id,
                )
            )

        def check_opened(env, config, _result, _enabled):
            session = config.sudo().current_session_id
            assert session.user_id == env.user, session.user_id
            assert session.state == "opening_control", session.state

        return [
            Flow(
                "Open register within shift hours (open_ui, hours check)",
                locked,
                lambda env, _state: self.register(env).open_ui(),
                prepare=lambda superuser, env: (
                    self.free_register(superuser) or self.register(env)
                ),
                check=check_opened,
            ),
            Flow(
                "Open register by a manager's approval (open_ui, approval check)",
                cashier,
                lambda _env, config: config.open_ui(),
                prepare=approved,
                check=check_opened,
                cleanup=drop_approvals,
            ),
        ]

    def selling_flows(self):
        """The POS app's order sync, which the selling rule guards."""
        cashier = benchmark_data.CASHIER_LOGIN

        def own_session(superuser, env):
            session = self.new_session(superuser, env, opened=True)
            return session, self.order_payload(superuser, session, env.user)

        def joined_session(superuser, env):
            # Lou opened and started the register; the cashier joined the
            # session, as the journal says. The cashier may not operate
            # sessions opened by others: only the journal lets them sell.
            locked = superuser(user=self.fixture.locked_id)
            session = self.new_session(superuser, locked, opened=True)
            env["pos.session.event"]._record("resumed", session)
            return session, self.order_payload(superuser, session, env.user)

        def sync(env, state):
            _session, payload = state
            return env["pos.order"].sync_from_ui([payload])

        def check_synced(_env, state, result, _enabled):
            session, payload = state
            (order,) = result["pos.order"]
            assert order["uuid"] == payload["uuid"], order
            assert order["session_id"] == session.id, order
            assert order["state"] == "paid", order

        return [
            Flow(
                "Order sync into own session (sync_from_ui)",
                cashier,
                sync,
                prepare=own_session,
                check=check_synced,
            ),
            Flow(
                "Order sync into joined session (sync_from_ui)",
                cashier,
                sync,
                prepare=joined_session,
                check=check_synced,
            ),
        ]

    def order_payload(self, superuser, session, user):
        """A paid order of one coffee, as the POS app of ``user`` sends it."""
        from odoo.addons.pos_session_restriction.tests.common_benchmark import (
            order_payload,
        )

        product = superuser["product.product"].search(
            [("available_in_pos", "=", True)], order="id desc", limit=1
        )
        card = session.sudo().config_id.payment_method_ids.filtered(
            lambda method: method.journal_id.type != "cash"
        )[:1]
        return order_payload(session, user, product, card, 2.5)

    def back_office_flows(self):
        """The back-office screens a restricted cashier opens, as the web
        client asks for them."""
        cashier = benchmark_data.CASHIER_LOGIN
        order = self.cashier_order
        analysis = [("state", "!=", "cancel")]  # the menu's default filter
        measures = ["order_id:count_distinct", "product_qty:sum", "price_total:sum"]
        form = self.specification("point_of_sale.view_pos_pos_form", "form", cashier)

        def read_form(env, _state):
            return env["pos.order"].browse(order["id"]).web_read(form)

        def check_form(_env, _state, result, _enabled):
            (values,) = result
            assert values["id"] == order["id"], values["id"]
            assert values["lines"] and values["payment_ids"], values

        return [
            self.list_flow("Orders list", cashier, "point_of_sale.view_pos_order_tree"),
            self.list_flow(
                "Orders list, search by order name",
                cashier,
                "point_of_sale.view_pos_order_tree",
                [("name", "ilike", order["name"])],
            ),
            self.list_flow(
                "Orders list, search by receipt number",
                cashier,
                "point_of_sale.view_pos_order_tree",
                [("pos_reference", "ilike", order["pos_reference"])],
            ),
            Flow("Order form (web_read)", cashier, read_form, check=check_form),
            self.list_flow(
                "Payments list", cashier, "point_of_sale.view_pos_payment_tree"
            ),
            self.grouped_list_flow(
                "Payments list by method (as the menu opens it)",
                cashier,
                "point_of_sale.view_pos_payment_tree",
                ["payment_method_id"],
            ),
            self.list_flow(
                "Sessions list", cashier, "point_of_sale.view_pos_session_tree"
            ),
            self.read_group_flow(
                "Order Analysis graph by register",
                cashier,
                "report.pos.order",
                [["config_id"]],
                ["price_total:sum"],
                analysis,
            ),
            self.read_group_flow(
                "Order Analysis graph by day",
                cashier,
                "report.pos.order",
                [["date:day"]],
                ["price_total:sum"],
                analysis,
            ),
            self.read_group_flow(
                "Order Analysis pivot, register x day",
                cashier,
                "report.pos.order",
                [[], ["date:day"], ["config_id"], ["config_id", "date:day"]],
                [*measures, "__count"],
                analysis,
            ),
        ]

    def administrator_flows(self):
        """The addon's own lists, for a POS administrator."""
        manager = benchmark_data.MANAGER_LOGIN
        log_list = "pos_session_restriction.view_pos_restriction_log_list"
        return [
            self.grouped_list_flow(
                "Restriction Log by day (as the menu opens it)",
                manager,
                log_list,
                ["last_date:day"],
            ),
            self.list_flow("Restriction Log list", manager, log_list),
            self.list_flow(
                "Session Journal list",
                manager,
                "pos_session_restriction.view_pos_session_event_list",
            ),
            self.board_flow(),
        ]

    def board_flow(self):
        """Sessions under Supervision: every session not closed, with its
        expected cash and last activity, and their count per company."""
        manager = benchmark_data.MANAGER_LOGIN
        specification = self.specification(
            "pos_session_restriction.view_pos_session_supervision_list",
            "list",
            manager,
        )
        domain = [("state", "!=", "closed")]

        def board(env, _state):
            sessions = env["pos.session"]
            return sessions.web_search_read(
                domain, specification, limit=None
            ), sessions.web_read_group(domain, ["company_id"], ["__count"])

        def check(_env, _state, result, _enabled):
            records, groups = result
            assert records["length"] == self.open_sessions, records["length"]
            assert all(record["pos_last_activity"] for record in records["records"])
            assert groups["groups"][0]["__count"] == self.open_sessions, groups

        return Flow(
            f"Sessions under Supervision ({self.open_sessions} open sessions)",
            manager,
            board,
            check=check,
        )

    # Back-office flows, as the web client calls them

    def specification(self, view_xmlid, view_type, login):
        """The read specification of a view, for ``login`` (see
        ``view_specification``)."""
        key = (view_xmlid, view_type, login)
        if key not in self.specifications:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, *self.users[login])
                self.specifications[key] = view_specification(
                    env, view_xmlid, view_type
                )
        return self.specifications[key]

    def list_flow(self, name, login, view_xmlid, domain=()):
        """A page of the list ``view_xmlid`` (80 records and their count, up
        to 10,000), as the web client loads it: ``web_search_read``."""
        model = self.view_model(view_xmlid)
        specification = self.specification(view_xmlid, "list", login)

        def call(records, domain):
            return records.with_context(bin_size=True).web_search_read(
                domain, specification, limit=LIST_LIMIT, count_limit=COUNT_LIMIT
            )

        return self.checked_flow(name, login, model, call, domain)

    def grouped_list_flow(self, name, login, view_xmlid, groupby):
        """The list ``view_xmlid`` grouped by ``groupby``, groups folded, as
        the web client loads it: ``web_read_group``."""
        model = self.view_model(view_xmlid)
        specification = self.specification(view_xmlid, "list", login)
        with self.registry.cursor() as cr:
            fields = api.Environment(cr, *self.users[login])[model].fields_get(
                list(specification), ["type", "aggregator"]
            )
        # The sums the list shows for each group (its numeric columns).
        aggregates = [
            f"{field_name}:{field['aggregator']}"
            for field_name, field in fields.items()
            if field["type"] in ("integer", "float", "monetary")
            and field.get("aggregator")
        ]

        def call(records, domain):
            return records.with_context(
                read_group_expand=True, bin_size=True
            ).web_read_group(
                domain,
                groupby,
                aggregates,
                limit=LIST_LIMIT,
                offset=0,
                auto_unfold=False,
                opening_info=[],
                unfold_read_specification=specification,
                unfold_read_default_limit=LIST_LIMIT,
                groupby_read_specification={},
            )

        return self.checked_flow(name, login, model, call)

    def read_group_flow(self, name, login, model, grouping_sets, aggregates, domain):
        """The groups of a graph (one grouping) or a pivot (several), as the
        web client asks for them: ``formatted_read_group`` with the graph's
        ``fill_temporal``, or ``formatted_read_grouping_sets``."""

        def call(records, domain):
            if len(grouping_sets) > 1:
                return records.formatted_read_grouping_sets(
                    domain, grouping_sets, aggregates
                )
            return records.with_context(fill_temporal=True).formatted_read_group(
                domain, grouping_sets[0], aggregates
            )

        return self.checked_flow(name, login, model, call, domain)

    def checked_flow(self, name, login, model, call, domain=()):
        """A flow that runs ``call(records, domain)`` on ``model`` as ``login``,
        and checks that it returns what the same call returns for the
        superuser with what the user may see (``visibility_domain``) added to
        ``domain`` (computed once per mode)."""

        def run(env, _state):
            return call(env[model], list(domain))

        def check(env, _state, result, enabled):
            key = (name, enabled)
            if key not in self.expected:
                visible = self.visibility_domain(env, model, login, enabled)
                self.expected[key] = call(env[model].sudo(), [*domain, *visible])
            expected = self.expected[key]
            assert result == expected, (str(result)[:300], str(expected)[:300])

        return Flow(name, login, run, check=check)

    def view_model(self, view_xmlid):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {}).ref(view_xmlid).model

    def visibility_domain(self, env, model, login, enabled):
        """What ``login`` may see of ``model``, restated from the rules'
        meaning: everything, or for the restricted cashier, the records of the
        registers in their visible list, of the sessions they hold, and of
        those they worked in."""
        if not enabled or login != benchmark_data.CASHIER_LOGIN:
            return []
        cashier = env["res.users"].sudo().browse(self.fixture.cashier_id)
        worked = cashier.pos_worked_session_ids.ids
        config, holder, session = {
            "pos.session": ("config_id", "user_id", "id"),
            "pos.payment": ("session_id.config_id", "session_id.user_id", "session_id"),
        }.get(model, ("config_id", "session_id.user_id", "session_id"))
        return [
            "|",
            "|",
            (config, "in", list(self.fixture.visible_ids)),
            (holder, "=", cashier.id),
            (session, "in", worked),
        ]

    # Over HTTP: the /pos/ui/<id> controller

    @contextmanager
    def http_flow(self, database):
        """The page the dashboard's "Open Register" leads to, requested over
        Odoo's WSGI application in this process, on a started session of the
        cashier (committed, as the request has its own transaction; deleted
        afterwards). Yields the flow and the function running it ``runs``
        times (see run_block)."""
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
            with Stopwatch() as stopwatch:
                response = client.get(url, environ_base=environ)
            count = odoo.sql_db.sql_counter - count
            body = response.get_data(as_text=True)
            assert response.status_code == 200, (response.status_code, body[:500])
            assert f'"pos_session_id": {session_id}' in body, body[:500]
            return stopwatch.wall, stopwatch.cpu, count

        try:
            yield (
                Flow(HTTP_FLOW_NAME, None, None),
                lambda flow, enabled, runs: [
                    run_once(flow, enabled) for _run in range(runs)
                ],
            )
        finally:
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["pos.session"].browse(
                    session_id
                ).unlink()


@contextmanager
def benchmark_lock(registry):
    """Hold the database's benchmark lock, an advisory lock of a connection
    kept open meanwhile: each benchmark flips the restriction switch, two on
    one database would measure each other's mode."""
    cr = registry.cursor()
    try:
        cr.execute(SQL("SELECT pg_try_advisory_lock(%s)", BENCHMARK_LOCK))
        if not cr.fetchone()[0]:
            raise SystemExit(
                f"another benchmark is using the database {cr.dbname}: wait "
                "until it ends, or measure another one"
            )
        cr.commit()  # holds the lock, not a snapshot
        try:
            yield
        finally:
            cr.execute(SQL("SELECT pg_advisory_unlock(%s)", BENCHMARK_LOCK))
    finally:
        cr.close()


def median_ratio(samples, index):
    """The median of the ratios on / off of the ``index``-th measure (0:
    wall-clock, 1: CPU) of every run on to every run off; None without CPU."""
    off = [run[index] for run in samples[False]]
    on = [run[index] for run in samples[True]]
    if None in off or None in on:
        return None
    off = [math.log(value) for value in off]
    return math.exp(statistics.median(math.log(value) - x for value in on for x in off))


def verdict_index(samples):
    """The measure the goal applies to: the CPU time when PostgreSQL's could
    be read (the wall-clock time swings with the load of a shared machine),
    else the wall-clock time."""
    return 0 if samples[False][0][1] is None else 1


def log_ratio_error(rounds, index):
    """The standard error of the log of a flow's ratio, from the spread of
    its rounds' own ratios (the runs of a block share their preparation and
    their moment: a round is the independent unit); None below two rounds."""
    if len(rounds) < 2:
        return None
    differences = [
        math.log(statistics.median(run[index] for run in round_[True]))
        - math.log(statistics.median(run[index] for run in round_[False]))
        for round_ in rounds
    ]
    return statistics.stdev(differences) / math.sqrt(len(differences))


def verdict_margin(samples, rounds):
    """Two standard errors of the ratio the goal applies to, in ratio units
    (about a 95% interval); None below two rounds."""
    index = verdict_index(samples)
    error = log_ratio_error(rounds, index)
    if error is None:
        return None
    return median_ratio(samples, index) * (math.exp(2 * error) - 1)


def settled(samples, rounds):
    """Whether the ratio the goal applies to is more than two standard errors
    away from RATIO_GOAL: more runs would not change the flow's verdict."""
    index = verdict_index(samples)
    error = log_ratio_error(rounds, index)
    distance = abs(math.log(median_ratio(samples, index) / RATIO_GOAL))
    return error is not None and distance > 2 * error


class Stopwatch:
    """The wall-clock time of a block, and its CPU time: this process's and
    that of the PostgreSQL backends serving its connections (read from
    /proc/<pid>/schedstat when PostgreSQL runs on this machine, else None).
    On a machine others load, the wall-clock time grows with the time spent
    waiting for a CPU; the CPU time measures the work done."""

    def __enter__(self):
        self._backends = backend_cpu_times()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        backends = backend_cpu_times()
        if self._backends is None or backends is None:
            self.cpu = None
        else:
            self.cpu = (
                cpu
                + sum(
                    nanoseconds - self._backends.get(pid, 0)
                    for pid, nanoseconds in backends.items()
                )
                / 1e9
            )


def backend_cpu_times():
    """``{pid: CPU nanoseconds}`` of the PostgreSQL backend of each open
    connection of Odoo's pools, or None when they are not on this machine."""
    times = {}
    for pool in (odoo.sql_db._Pool, odoo.sql_db._Pool_readonly):
        for connection in pool._connections if pool else ():
            if connection.closed:
                continue
            pid = connection.info.backend_pid
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                    return None
                times[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                return None
    return times


def assert_equal(value, expected):
    assert value == expected, (value, expected)


def journal(env, session):
    """``(event, user)`` of each journal entry of ``session``, oldest first."""
    entries = env["pos.session.event"].sudo().search([("session_id", "=", session.id)])
    return [(entry.event, entry.user_id) for entry in reversed(entries)]


@contextmanager
def capture_queries(queries, timed=False):
    """Append each query run meanwhile to ``queries``: its SQL code, or with
    ``timed``, ``(duration, SQL with its parameters)``."""
    if queries is None:
        yield
        return
    execute = Cursor.execute

    def capture(cr, query, params=None, log_exceptions=True):
        if not timed:
            queries.append(query.code if isinstance(query, SQL) else query)
            return execute(cr, query, params, log_exceptions)
        started = time.perf_counter()
        result = execute(cr, query, params, log_exceptions)
        elapsed = time.perf_counter() - started
        if isinstance(query, SQL):
            query, params = query.code, query.params
        queries.append((elapsed, cr.mogrify(query, params).decode()))
        return result

    with patch.object(Cursor, "execute", capture):
        yield


def explain_queries(cr, queries, count):
    """Replace each ``(duration, SQL)`` of ``queries`` by ``(duration, SQL,
    plan)``, the plan of the ``count`` slowest SELECT queries, else None."""
    slowest = sorted(
        (
            index
            for index, (_elapsed, sql) in enumerate(queries)
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ),
        key=lambda index: -queries[index][0],
    )[:count]
    for index, (elapsed, sql) in enumerate(queries):
        plan = None
        if index in slowest:
            # The SQL comes with its parameters merged: escape its % signs.
            cr.execute(
                SQL("EXPLAIN (ANALYZE, BUFFERS) %s", SQL(sql.replace("%", "%%")))
            )
            plan = "\n".join(row[0] for row in cr.fetchall())
        queries[index] = (elapsed, sql, plan)


def print_table(rows, scale_name, scale, machine):
    header = (
        "Flow",
        "runs",
        "off ms",
        "on ms",
        "ratio",
        "CPU ratio",
        "±",
        "off queries",
        "on queries",
        "delta",
    )
    lines = [
        (
            row["flow"],
            f"{row['samples']}",
            f"{row['off_ms']:.1f}",
            f"{row['on_ms']:.1f}",
            f"{row['ratio']:.2f}",
            "-" if row["cpu_ratio"] is None else f"{row['cpu_ratio']:.2f}",
            "-" if row["margin"] is None else f"{row['margin']:.2f}",
            f"{row['off_queries']}{'*' if row['off_varies'] else ''}",
            f"{row['on_queries']}{'*' if row['on_varies'] else ''}",
            f"{row['delta']:+d}",
        )
        for row in rows
    ]
    widths = [
        max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))
    ]

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
        f"{scale.closed_sessions} closed sessions, {scale.orders} orders, "
        f"{scale.journal_entries} journal and {scale.log_entries} log entries; "
        f"median of the runs per flow and mode; {machine}"
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
    print(
        "\nruns: measured runs in each mode; ms: wall-clock time, median of "
        "the runs; ratio: on / off, median of the ratios of every run on to every "
        "run off; CPU ratio: the "
        "same for the CPU time of Odoo and of "
        "its PostgreSQL backends, which waiting for a busy CPU does not inflate; "
        "±: two standard errors of the ratio the goal applies to (CPU), from the "
        "spread of the rounds' own ratios (a flow measured this close to the goal "
        f"is measured longer, up to {MAX_FLOW_SECONDS:.0f}s)."
    )
    if any(row["off_varies"] or row["on_varies"] for row in rows):
        print("* the count varied between runs; the table gives the highest")
    failures = [row["flow"] for row in rows if not meets_goal(row)]
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


def meets_goal(row):
    """At most QUERY_DELTA_GOAL queries more, and a ratio within RATIO_GOAL:
    the CPU ratio when PostgreSQL's CPU time could be read (the wall-clock
    ratio swings with the load of a shared machine), else the wall-clock one."""
    ratio = row["ratio"] if row["cpu_ratio"] is None else row["cpu_ratio"]
    return ratio <= RATIO_GOAL and row["delta"] <= QUERY_DELTA_GOAL


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
        "--scale",
        choices=sorted(benchmark_data.SCALES),
        help="the scale to build (default: full); with --reuse-data, the one the "
        "data was built at (default: found from the data)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=7,
        help="rounds of a block of runs off and one on (at least, with --repeat auto)",
    )
    parser.add_argument(
        "--repeat",
        default="auto",
        help="runs per block, or 'auto': as many as have a round's measured "
        "runs fit in "
        f"{ROUND_SECONDS}s, at most {MAX_REPEAT}",
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="measure only the flows whose name has TEXT"
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument(
        "--build-only",
        action="store_true",
        help="build the data, commit it and stop",
    )
    data.add_argument(
        "--reuse-data",
        action="store_true",
        help="measure the data a previous run left in the database",
    )
    parser.add_argument(
        "--aa",
        action="store_true",
        help="measure the noise floor: the switch stays off in the runs said 'on' "
        "too (their checks skipped), so that every ratio should be 1.00",
    )
    parser.add_argument(
        "--diff-queries",
        action="store_true",
        help="print, for each flow, the queries that differ with the switch on",
    )
    parser.add_argument(
        "--explain",
        type=int,
        metavar="N",
        default=0,
        help="instead of timing, print the plans (EXPLAIN ANALYZE, BUFFERS) of "
        "the N slowest queries of each flow, switch off and on",
    )
    args, odoo_args = parser.parse_known_args()
    if args.aa and (args.explain or args.diff_queries):
        parser.error(
            "--aa measures times only: the plans and queries it would print "
            "as 'switch on' would be those of the switch off"
        )
    if odoo_args[:1] == ["--"]:
        odoo_args = odoo_args[1:]
    repeat = None if args.repeat == "auto" else int(args.repeat)
    # The CPU time of PostgreSQL's parallel workers cannot be read per query:
    # a plan that spreads a scan over them would look cheaper than it is. One
    # backend per query (for the plans too, so that they are the ones timed).
    os.environ["PGOPTIONS"] = " ".join(
        filter(None, [os.environ.get("PGOPTIONS"), PG_SERIAL_PLANS])
    )
    config.parse_config(odoo_args, setup_logging=True)
    database = config["db_name"]
    if isinstance(database, list | tuple):
        (database,) = database

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    registry = Registry(database)
    with benchmark_lock(registry):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if args.reuse_data:
                fixture = benchmark_data.find(env)
                scale_name = args.scale or benchmark_data.scale_of(env)
            else:
                scale_name = args.scale or "full"
                log(f"building the data at scale '{scale_name}' in {database}")
                fixture = benchmark_data.build(
                    env, benchmark_data.SCALES[scale_name], log=log
                )
        scale = benchmark_data.SCALES[scale_name]
        if args.build_only:
            log(f"data built and committed in {time.perf_counter() - started:.0f}s")
            return 0
        benchmark = Benchmark(
            registry, fixture, args.runs, repeat, args.diff_queries, log, args.aa
        )
        only = (args.only or "").lower()
        if args.explain:
            for flow in benchmark.flows():
                if only in flow.name.lower():
                    benchmark.explain(flow, args.explain)
            return 0
        modes = "switch off twice (--aa)" if args.aa else "switch off and on"
        log(f"measuring {args.runs} rounds of each flow, {modes}")
        measuring = time.perf_counter()
        load_before = os.getloadavg()[0]
        rows = benchmark.measure_all(only, database)
        machine = machine_description(registry, load_before)
        if args.aa:
            machine += "; A/A run: the switch off in both runs of each pair"
        ok = print_table(rows, scale_name, scale, machine)
        print(f"\nMeasured in {time.perf_counter() - measuring:.0f}s.")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
