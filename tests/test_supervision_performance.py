"""Query budget of Sessions under Supervision: the board costs as many queries
for 300 open sessions as for 10 (tests/test_performance.py counts the other
flows)."""

import logging

from odoo.tests import tagged
from odoo.tools import SQL

from .common import QueryBudgetCase
from .common_benchmark import copy_rows

_logger = logging.getLogger(__name__)

SMALL_SCALE = 10
LARGE_SCALE = 300


@tagged("post_install", "-at_install")
class TestSupervisionQueryBudget(QueryBudgetCase):
    """Open sessions on as many registers, each with a cash order, its payment
    and a journal entry, copied in SQL from one made through the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cash = cls.create_payment_method(
            "Cash", cls.company_data["default_journal_cash"]
        )
        cls.furniture.payment_method_ids |= cash
        cls.template = cls.open_session(cls.furniture, cls.colleague)
        cls.template.with_user(cls.colleague).set_opening_control(5, "")
        cls.template_order = cls.create_paid_order(cls.template)
        cls.template_order.payment_ids.payment_method_id = cash
        cls.template_order.state = "paid"
        cls.scale = 1
        cls.specification = cls.view_specification(
            "pos_session_restriction.view_pos_session_supervision_list", cls.manager
        )

    @classmethod
    def add_sessions(cls, count):
        """``count`` registers more, each with an open session like the
        template: one cash order of 10, its payment, its journal entries."""
        env = cls.env
        env.flush_all()
        start = cls.scale
        configs = cls.copy_registers(count, SQL("'Board Register ' || (g + %s)", start))
        methods = env["pos.config"]._fields["payment_method_ids"]
        env.cr.execute(
            SQL(
                "INSERT INTO %(rel)s (%(config)s, %(method)s) "
                "SELECT c.id, rel.%(method)s FROM %(rel)s rel, "
                "unnest(%(configs)s::int[]) AS c(id) WHERE rel.%(config)s = %(model)s",
                rel=SQL.identifier(methods.relation),
                config=SQL.identifier(methods.column1),
                method=SQL.identifier(methods.column2),
                configs=configs,
                model=cls.furniture.id,
            )
        )
        users = (cls.cashier | cls.colleague).ids
        sessions = copy_rows(
            env,
            "pos.session",
            cls.template.id,
            count,
            config_id=SQL("(%s::int[])[g]", configs),
            user_id=SQL("(%s::int[])[g %% 2 + 1]", users),
            name=SQL("'BOARD/' || (g + %s)", start),
        )
        cls.copy_paid_order(
            cls.template_order,
            sessions,
            configs,
            name=SQL("'Board order ' || (g + %s)", start),
            date_order=SQL("now() - g * interval '1 minute'"),
        )
        for event in (
            env["pos.session.event"]
            .sudo()
            .search([("session_id", "=", cls.template.id)])
        ):
            copy_rows(
                env,
                "pos.session.event",
                event.id,
                count,
                session_id=SQL("(%s::int[])[g]", sessions),
                config_id=SQL("(%s::int[])[g]", configs),
            )
        env.invalidate_all()
        env.registry.clear_cache()
        cls.scale += count

    def load_board(self):
        Session = self.env["pos.session"].with_user(self.manager)
        return Session.web_search_read(
            [("state", "!=", "closed")], self.specification, limit=None
        ), Session.web_read_group(
            [("state", "!=", "closed")],
            ["company_id"],
            ["__count"],
        )

    def count_queries(self, flow):
        """The queries of ``flow`` from a cold record cache, warm ormcaches."""
        flow()
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = flow()
        return self.env.cr.sql_log_count - before, result

    def test_board_costs_the_same_for_300_open_sessions_as_for_10(self):
        counts = {}
        for scale in (SMALL_SCALE, LARGE_SCALE):
            self.add_sessions(scale - self.scale)
            counts[scale], (records, groups) = self.count_queries(self.load_board)
            with self.subTest(scale=scale):
                self.assertEqual(records["length"], scale)
                copies = [
                    r for r in records["records"] if r["name"] != self.template.name
                ]
                self.assertEqual({r["pos_expected_cash"] for r in copies}, {15.0})
                self.assertEqual({r["order_count"] for r in copies}, {1})
                self.assertTrue(all(r["pos_last_activity"] for r in copies))
                self.assertEqual(groups["groups"][0]["__count"], scale)
        _logger.info(
            "Sessions under Supervision: %s queries for %s open sessions, %s for %s",
            counts[SMALL_SCALE],
            SMALL_SCALE,
            counts[LARGE_SCALE],
            LARGE_SCALE,
        )
        self.assertEqual(counts[LARGE_SCALE], counts[SMALL_SCALE])

    def test_flagging_costs_the_same_per_batch_at_any_scale(self):
        """The scheduled action finds idle sessions in one query per batch,
        whatever the number of sessions."""
        self.add_sessions(SMALL_SCALE - self.scale)
        Session = self.env["pos.session"].sudo()
        domain = [("pos_idle_hours", ">=", 12), ("state", "!=", "closed")]
        counts = {}
        for scale in (SMALL_SCALE, LARGE_SCALE):
            self.add_sessions(scale - self.scale)
            counts[scale], batch = self.count_queries(
                lambda: Session._pos_lock_batch(domain, "NO KEY UPDATE", 100)
            )
            self.assertFalse(batch, "nothing is idle yet")
        self.assertEqual(counts[LARGE_SCALE], counts[SMALL_SCALE])
        self.assertEqual(counts[LARGE_SCALE], 1)

    def test_the_template_is_what_the_copies_are(self):
        self.assertEqual(
            self.template.with_user(self.manager).read(
                ["pos_expected_cash", "order_count", "state"]
            )[0],
            {
                "id": self.template.id,
                "pos_expected_cash": 15.0,
                "order_count": 1,
                "state": "opened",
            },
        )
