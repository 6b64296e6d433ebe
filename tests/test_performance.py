"""Query budgets: the restrictions must cost (almost) nothing, at any scale.

Each flow a cashier walks through (the dashboard, opening a register, starting
and closing a session, loading the POS app, syncing an order, the back office's
orders and payments lists) is counted with the global switch off and on, with
10 and with 200 registers, users and closed sessions (each with an order). The
restricted cashier is the worst case: a list of visible registers, an operable
subset, foreign sessions locked and one open session at a time, so that every
check runs, the single-session lock included.
"""

import logging
from contextlib import closing, contextmanager
from difflib import unified_diff
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.res_users import ENABLED_PARAM
from .common import QueryBudgetCase
from .common_benchmark import always_open_schedule, copy_rows, load_pos_app

_logger = logging.getLogger(__name__)

# At most this many queries more with the restrictions on than off.
QUERY_DELTA_BUDGET = 3
SMALL_SCALE = 10
LARGE_SCALE = 200


@tagged("post_install", "-at_install")
class TestQueryBudget(QueryBudgetCase):
    """The cashier may see the three shops and operate Bakery and Clothes; the
    colleague sees every register, with foreign sessions locked and one open
    session at a time (so every register's status is computed)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A paid order in a closed session on Furniture: the orders of the
        # scale's sessions are its copies.
        session = cls.env["pos.session"].create(
            {"config_id": cls.furniture.id, "user_id": cls.colleague.id}
        )
        cls.order = cls.create_paid_order(session)
        cls.order.state = "paid"
        session.write({"state": "closed", "stop_at": fields.Datetime.now()})
        cls.add_scale(SMALL_SCALE, start=0)
        cls.scale = SMALL_SCALE
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes | cls.furniture,
            access=cls.bakery | cls.clothes,
            lock_foreign=True,
            single=True,
        )
        cls.restrict(cls.colleague, lock_foreign=True, single=True)
        cls.kanban_specification = cls.view_specification(
            "point_of_sale.view_pos_config_kanban", cls.cashier
        )

    @classmethod
    def add_scale(cls, count, start):
        """Add ``count`` registers, ``count`` POS users and ``count`` closed
        sessions spread over every register and user, each with a paid order
        and its payment, in SQL. Each new user is restricted like the cashier:
        they see Bakery and two new registers, and operate Bakery and one of
        those; a new register in five has a session open by one of the new
        users."""
        env = cls.env
        env.flush_all()
        configs = cls.copy_registers(count, SQL("'Scale Register ' || (g + %s)", start))
        partners = copy_rows(
            env,
            "res.partner",
            cls.colleague.partner_id.id,
            count,
            name=SQL("'Scale User ' || (g + %s)", start),
            email=SQL("'scale' || (g + %s) || '@example.com'", start),
        )
        users = copy_rows(
            env,
            "res.users",
            cls.colleague.id,
            count,
            login=SQL("'psr_scale_' || (g + %s)", start),
            partner_id=SQL("(%s::int[])[g]", partners),
            pos_lock_foreign_sessions=SQL("TRUE"),
            pos_single_session=SQL("TRUE"),
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO res_groups_users_rel (gid, uid)
                     SELECT rel.gid, new_user.id
                       FROM res_groups_users_rel rel, unnest(%(users)s::int[])
                            AS new_user(id)
                      WHERE rel.uid = %(model_user)s;
                INSERT INTO pos_session_restriction_view_rel (user_id, config_id)
                     SELECT user_id, %(bakery)s
                       FROM unnest(%(users)s::int[]) AS u(user_id)
                      UNION ALL
                     SELECT user_id, (%(configs)s::int[])[(i + shift) %% %(n)s + 1]
                       FROM unnest(%(users)s::int[]) WITH ORDINALITY AS u(user_id, i),
                            generate_series(0, 1) AS shift;
                INSERT INTO pos_session_restriction_access_rel (user_id, config_id)
                     SELECT user_id, %(bakery)s
                       FROM unnest(%(users)s::int[]) AS u(user_id)
                      UNION ALL
                     SELECT user_id, (%(configs)s::int[])[i %% %(n)s + 1]
                       FROM unnest(%(users)s::int[]) WITH ORDINALITY AS u(user_id, i);
                INSERT INTO pos_session (config_id, user_id, name, state, start_at,
                                         stop_at, rescue, create_uid, create_date,
                                         write_uid, write_date)
                     SELECT (%(all_configs)s::int[])[g %% %(all_config_count)s + 1],
                            (%(all_users)s::int[])[g %% %(all_user_count)s + 1],
                            'SCALE/' || (g + %(start)s), 'closed',
                            now() - g * interval '1 day',
                            now() - g * interval '1 day' + interval '8 hours',
                            FALSE, 1, now(), 1, now()
                       FROM generate_series(1, %(n)s) AS g;
                INSERT INTO pos_session (config_id, user_id, name, state, start_at,
                                         rescue, create_uid, create_date, write_uid,
                                         write_date)
                     SELECT config_id, (%(users)s::int[])[i],
                            'SCALE/OPEN/' || config_id, 'opened', now(), FALSE,
                            1, now(), 1, now()
                       FROM unnest(%(configs)s::int[])
                            WITH ORDINALITY AS c(config_id, i)
                      WHERE i %% 5 = 0;
                """,
                users=users,
                bakery=cls.bakery.id,
                model_user=cls.colleague.id,
                configs=configs,
                n=count,
                start=start,
                all_configs=(cls.bakery | cls.clothes | cls.furniture).ids + configs,
                all_config_count=count + 3,
                all_users=(cls.cashier | cls.colleague).ids + users,
                all_user_count=count + 2,
            )
        )
        env.cr.execute(
            SQL(
                """
                SELECT id, config_id FROM pos_session
                 WHERE name LIKE 'SCALE/%%' AND state = 'closed' ORDER BY id
                OFFSET %s
                """,
                start,
            )
        )
        sessions, configs = zip(*env.cr.fetchall(), strict=True)
        cls.copy_paid_order(
            cls.order,
            sessions,
            configs,
            name=SQL("'Scale Order ' || (g + %s)", start),
        )
        env.invalidate_all()
        env.registry.clear_cache()

    # Counting

    def set_restrictions_enabled(self, enabled):
        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, enabled and "True")
        self.restrictions_enabled = enabled

    def queries_of(self, flow, check):
        """The queries ``flow`` runs from a cold record cache with warm ormcaches
        (a first run warms them), then ``check(result)``; both runs are rolled
        back, so that each starts from the same state."""
        for _warm_up in (True, False):
            self.env.flush_all()
            self.env.invalidate_all()
            with closing(self.env.cr.savepoint()):
                queries = []
                with self.recording_queries(queries):
                    result = flow()
                    self.env.flush_all()
                check(result)
        return queries

    @contextmanager
    def recording_queries(self, queries):
        """Append the SQL of every query run meanwhile to ``queries``."""
        execute = Cursor.execute

        def capture(cr, query, params=None, log_exceptions=True):
            queries.append(query.code if isinstance(query, SQL) else query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", capture):
            yield

    def measure(self, flow, check):
        """The queries of ``flow`` with the restrictions off, then on."""
        queries = {}
        for enabled in (False, True):
            self.set_restrictions_enabled(enabled)
            queries[enabled] = self.queries_of(flow, check)
        return queries[False], queries[True]

    def assertBudget(
        self, flow, check, constant_with_scale=True, budget=QUERY_DELTA_BUDGET
    ):
        """The restrictions cost at most ``budget`` queries on ``flow``, and no
        more with 200 registers, users and sessions than with 10; when
        ``constant_with_scale``, the flow runs as many queries at both scales."""
        counts = {}
        for scale in (SMALL_SCALE, LARGE_SCALE):
            if scale > self.scale:
                self.add_scale(scale - self.scale, start=self.scale)
                self.scale = scale
            off, on = self.measure(flow, check)
            counts[scale] = len(off), len(on)
            with self.subTest(scale=scale):
                self.assertLessEqual(
                    len(on) - len(off),
                    budget,
                    f"{len(on)} queries with the restrictions on, {len(off)} off, "
                    f"at scale {scale}; the difference:\n"
                    + "\n".join(unified_diff(off, on, "off", "on", lineterm="", n=0)),
                )
        _logger.info(
            "%s: queries off/on: %s/%s at scale %s, %s/%s at scale %s",
            self._testMethodName,
            *counts[SMALL_SCALE],
            SMALL_SCALE,
            *counts[LARGE_SCALE],
            LARGE_SCALE,
        )
        (small_off, small_on), (large_off, large_on) = counts.values()
        self.assertLessEqual(
            large_on - large_off,
            small_on - small_off,
            "the restrictions cost more queries at scale "
            f"{LARGE_SCALE} than at scale {SMALL_SCALE}",
        )
        if constant_with_scale:
            self.assertEqual(
                large_on,
                small_on,
                f"{small_on} queries at scale {SMALL_SCALE}, {large_on} at "
                f"scale {LARGE_SCALE}",
            )

    # Flows, as the web client and the POS app call them

    def load_dashboard(self, user):
        configs = self.env["pos.config"].with_user(user).with_context(bin_size=True)
        configs.get_pos_kanban_view_state()
        return configs.web_search_read(
            [], self.kanban_specification, limit=40, count_limit=10001
        )

    def close_from_pos_app(self, session):
        session.get_closing_control_data()
        session.update_closing_control_state_session("")
        return session.close_session_from_ui()

    # Tests

    def test_dashboard_of_restricted_cashier_costs_the_same_at_any_scale(self):
        def check(result):
            names = {record["name"] for record in result["records"]}
            if self.restrictions_enabled:
                self.assertEqual(
                    names, {"Bakery Shop", "Clothes Shop", "Furniture Shop"}
                )
            else:
                self.assertEqual(len(names), min(40, self.scale + 3))

        self.assertBudget(lambda: self.load_dashboard(self.cashier), check)

    def test_dashboard_of_cashier_seeing_every_register_costs_at_most_three_queries(
        self,
    ):
        def check(result):
            records = result["records"]
            self.assertEqual(len(records), min(40, self.scale + 3))
            rules = {record["pos_restriction_rule"] for record in records}
            self.assertEqual(
                rules,
                {False, "foreign_session"} if self.restrictions_enabled else {False},
            )

        # Core reads the last closed session of each register shown, one query
        # each: the count grows with the registers shown, restrictions or not.
        self.assertBudget(
            lambda: self.load_dashboard(self.colleague),
            check,
            constant_with_scale=False,
        )

    def test_opening_register_costs_at_most_three_queries(self):
        self.assertFalse(self.bakery.current_session_id)

        def check(action):
            self.assertEqual(
                action["url"], f"/pos/ui/{self.bakery.id}?from_backend=True"
            )
            session = self.bakery.current_session_id
            self.assertEqual(session.user_id, self.cashier)
            self.assertEqual(session.state, "opening_control")

        self.assertBudget(lambda: self.bakery.with_user(self.cashier).open_ui(), check)

    def test_hours_check_adds_at_most_one_query_to_opening_register(self):
        def open_register():
            return self.bakery.with_user(self.cashier).open_ui()

        def check(_action):
            self.assertEqual(self.bakery.current_session_id.user_id, self.cashier)

        self.set_restrictions_enabled(True)
        without_hours = self.queries_of(open_register, check)
        self.cashier.pos_resource_calendar_id = always_open_schedule(self.env)
        with_hours = self.queries_of(open_register, check)
        _logger.info(
            "%s: queries without/with working hours: %s/%s",
            self._testMethodName,
            len(without_hours),
            len(with_hours),
        )
        self.assertLessEqual(
            len(with_hours) - len(without_hours),
            1,
            "the difference:\n"
            + "\n".join(
                unified_diff(
                    without_hours, with_hours, "without", "with", lineterm="", n=0
                )
            ),
        )
        # And the restrictions, hours included, stay within their budget.
        self.assertBudget(open_register, check)

    def test_starting_session_costs_at_most_three_queries(self):
        session = self.open_session(self.bakery, self.cashier).with_user(self.cashier)
        self.assertBudget(
            lambda: session.set_opening_control(0, ""),
            lambda _result: self.assertEqual(session.state, "opened"),
        )

    def test_closing_session_costs_at_most_three_queries(self):
        session = self.start_session(self.bakery, self.cashier).with_user(self.cashier)

        def check(result):
            self.assertEqual(result, {"successful": True})
            self.assertEqual(session.state, "closed")

        self.assertBudget(lambda: self.close_from_pos_app(session), check)

    def test_loading_pos_app_costs_at_most_three_queries(self):
        session = self.start_session(self.bakery, self.cashier).with_user(self.cashier)

        def check(data):
            self.assertEqual(
                [record["id"] for record in data["pos.session"]], session.ids
            )
            self.assertEqual(
                [record["id"] for record in data["pos.config"]], self.bakery.ids
            )
            self.assertTrue(data["pos.payment.method"])

        # Core's own count varies with the partners it loads (fiscal positions).
        self.assertBudget(
            lambda: load_pos_app(session), check, constant_with_scale=False
        )

    def send_order(self, session, user):
        """``sync_order`` as measured: no cache dropped inside the budget, and
        the raw answer of ``sync_from_ui`` for the check."""
        payload = self.order_payload(session, user, self.product_a)
        return self.env["pos.order"].with_user(user).sync_from_ui([payload])

    def assertOrderSynced(self, session):
        def check(result):
            (order,) = result["pos.order"]
            self.assertEqual(order["session_id"], session.id)
            self.assertEqual(order["state"], "paid")

        return check

    def test_order_sync_into_own_session_costs_at_most_one_query(self):
        session = self.start_session(self.bakery, self.cashier)
        self.assertBudget(
            lambda: self.send_order(session, self.cashier),
            self.assertOrderSynced(session),
            budget=1,
        )

    def test_order_sync_into_joined_session_costs_at_most_one_query(self):
        """The colleague joined the cashier's session, then was locked out of
        sessions opened by others: the journal says they worked in it."""
        session = self.start_session(self.bakery, self.cashier)
        self.restrict(self.colleague, single=True)
        self.bakery.with_user(self.colleague).open_ui()
        self.restrict(self.colleague, lock_foreign=True, single=True)
        self.assertBudget(
            lambda: self.send_order(session, self.colleague),
            self.assertOrderSynced(session),
            budget=1,
        )

    # Manager-only actions (DESIGN §9): every rule set but manual prices, whose
    # check reads the pricelist.
    SENSITIVE_RULES = {
        "pos_refund_rule": "approval",
        "pos_cash_move_rule": "refused",
        "pos_discount_limit": 10.0,
        "pos_closing_rule": "approval",
    }

    def queries_with_rules(self, flow, check, **rules):
        """The queries of ``flow`` with the restrictions on, the cashier's
        manager-only rules as ``rules`` say (the defaults without)."""
        defaults = dict.fromkeys(
            ["pos_refund_rule", "pos_price_change_rule", "pos_cash_move_rule"],
            "allowed",
        )
        defaults.update(pos_discount_limit=100.0, pos_closing_rule="allowed")
        self.cashier.write({**defaults, **rules})
        self.set_restrictions_enabled(True)
        return self.queries_of(flow, check)

    def assertSameQueries(self, flow, check, **rules):
        plain = self.queries_with_rules(flow, check)
        ruled = self.queries_with_rules(flow, check, **rules)
        self.assertEqual(
            len(ruled),
            len(plain),
            "\n".join(
                unified_diff(plain, ruled, "defaults", "rules", lineterm="", n=0)
            ),
        )

    def test_manager_only_rules_cost_no_query_on_a_plain_order_sync(self):
        session = self.start_session(self.bakery, self.cashier)
        self.assertSameQueries(
            lambda: self.send_order(session, self.cashier),
            self.assertOrderSynced(session),
            **self.SENSITIVE_RULES,
        )

    def test_manager_only_rules_cost_no_query_loading_pos_app(self):
        session = self.start_session(self.bakery, self.cashier).with_user(self.cashier)

        def check(data):
            rules = data["res.users"][0]["pos_sensitive_rules"]
            self.assertIn(rules["refund"], ("allowed", "approval"))

        self.assertSameQueries(
            lambda: load_pos_app(session), check, **self.SENSITIVE_RULES
        )

    def test_flags_of_a_synced_batch_cost_one_query(self):
        """Three orders, each with a discount over the limit and no approval:
        one statement looks their approvals up, flags and logs them all."""
        session = self.start_session(self.bakery, self.cashier)
        sync = self.env["pos.order"].with_user(self.cashier)

        def batch(discount):
            payloads = [
                self.order_payload(session, self.cashier, self.product_a)
                for _order in range(3)
            ]
            for payload in payloads:
                payload["lines"][0][2]["discount"] = discount
            return lambda: sync.sync_from_ui(payloads)

        def check(flagged):
            def check_batch(result):
                self.assertEqual(
                    [order["state"] for order in result["pos.order"]], ["paid"] * 3
                )
                orders = self.env["pos.order"].browse(
                    [order["id"] for order in result["pos.order"]]
                )
                self.assertEqual(set(orders.mapped("pos_needs_review")), {flagged})

            return check_batch

        plain = self.queries_with_rules(
            batch(5.0), check(False), **self.SENSITIVE_RULES
        )
        flagged = self.queries_with_rules(
            batch(50.0), check(True), **self.SENSITIVE_RULES
        )
        self.assertLessEqual(
            len(flagged) - len(plain),
            1,
            "\n".join(
                unified_diff(plain, flagged, "plain", "flagged", lineterm="", n=0)
            ),
        )

    def test_manual_price_check_costs_at_most_five_queries(self):
        """For a cashier whose manual prices need an approval, whether a price
        was typed is checked against the register's pricelists: the register's
        list, the pricelist's rules and company are read (five queries for an
        order of one line)."""
        pricelist = self.env["product.pricelist"].create({"name": "Bakery prices"})
        self.bakery.write(
            {
                "use_pricelist": True,
                "pricelist_id": pricelist.id,
                "available_pricelist_ids": [Command.set(pricelist.ids)],
            }
        )
        session = self.start_session(self.bakery, self.cashier)
        self.product_a.lst_price = 10.0
        plain = self.queries_with_rules(
            lambda: self.send_order(session, self.cashier),
            self.assertOrderSynced(session),
        )
        checked = self.queries_with_rules(
            lambda: self.send_order(session, self.cashier),
            self.assertOrderSynced(session),
            pos_price_change_rule="approval",
        )
        self.assertLessEqual(
            len(checked) - len(plain),
            5,
            "\n".join(
                unified_diff(plain, checked, "plain", "checked", lineterm="", n=0)
            ),
        )

    def assertBackOfficeList(self, model, view_xmlid):
        """A page of the list, as the web client loads it (80 records and their
        count), costs the restricted cashier at most three queries more, and
        the same at both scales; they see the records of their three shops and
        of their own sessions."""
        specification = self.view_specification(view_xmlid, self.cashier)
        visible = [
            "|",
            (
                "session_id.config_id",
                "in",
                (self.bakery | self.clothes | self.furniture).ids,
            ),
            ("session_id.user_id", "=", self.cashier.id),
        ]

        def list_page():
            return (
                self.env[model]
                .with_user(self.cashier)
                .with_context(bin_size=True)
                .web_search_read([], specification, limit=80, count_limit=10001)
            )

        def check(result):
            ids = [record["id"] for record in result["records"]]
            domain = visible if self.restrictions_enabled else []
            records = self.env[model].search(domain)
            self.assertEqual(ids, records[:80].ids)
            self.assertEqual(result["length"], len(records))

        self.assertBudget(list_page, check)

    def test_orders_list_of_restricted_cashier_costs_at_most_three_queries(self):
        self.assertBackOfficeList("pos.order", "point_of_sale.view_pos_order_tree")

    def test_payments_list_of_restricted_cashier_costs_at_most_three_queries(self):
        self.assertBackOfficeList("pos.payment", "point_of_sale.view_pos_payment_tree")

    def test_record_rules_are_answered_from_indexes(self):
        """What a restricted cashier may see of orders, payments and sessions
        is read from indexes, not by filtering the whole table (as an OR
        across a join made PostgreSQL do): with sequential scans off, every
        scan of those tables that counts a list has an index condition."""
        self.add_scale(LARGE_SCALE - self.scale, start=self.scale)
        self.set_restrictions_enabled(True)
        self.env.flush_all()
        self.env.cr.execute("ANALYZE pos_order, pos_payment, pos_session")
        tables = ("pos_order", "pos_payment", "pos_session")
        for model in ("pos.order", "pos.payment", "pos.session"):
            with self.subTest(model=model):
                query = self.env[model].with_user(self.cashier)._search([])
                plan = self.plan_of(SQL("SELECT COUNT(*) FROM (%s) t", query.select()))
                nodes = plan.split("->")
                scans = [
                    node
                    for node in nodes
                    if "Scan" in node
                    and any(f" on {table}" in node for table in tables)
                ]
                self.assertTrue(scans, plan)
                for scan in scans:
                    self.assertNotIn("Seq Scan", scan, plan)
                    self.assertRegex(scan, "Index Cond|Recheck Cond", plan)

    def plan_of(self, query):
        """The plan of ``query`` with sequential scans off, as text."""
        with closing(self.env.cr.savepoint()):
            self.env.cr.execute("SET LOCAL enable_seqscan = off")
            self.env.cr.execute(SQL("EXPLAIN %s", query))
            return "\n".join(row[0] for row in self.env.cr.fetchall())

    def test_each_check_costs_a_fixed_number_of_queries(self):
        """The policy itself, from a cold record cache: the cashier's settings
        and their schedule's work intervals come from caches; a session costs
        its own row; an opening costs the single-session lock and the search
        for another open session."""
        self.set_restrictions_enabled(True)
        self.cashier.pos_resource_calendar_id = always_open_schedule(self.env)
        session = self.open_session(self.bakery, self.cashier)
        cashier = self.env(user=self.cashier).user  # as the overrides get it
        checks = (
            (
                "config",
                0,
                lambda: cashier._check_pos_config_access(self.clothes, "open"),
            ),
            ("session", 1, lambda: cashier._check_pos_session_access(session, "close")),
            (
                "resume, within working hours",
                1,
                lambda: cashier._check_pos_session_access(session, "resume"),
            ),
            (
                "opening",
                2,
                lambda: cashier._check_pos_session_opening(
                    self.bakery, self.cashier, "open"
                ),
            ),
        )
        for name, budget, check in checks:
            with self.subTest(check=name):
                check()  # warm the ormcaches
                self.env.invalidate_all()
                with self.assertQueryCount(budget):
                    check()
