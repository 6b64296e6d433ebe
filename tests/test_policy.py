from contextlib import closing

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import PosRestrictionCommon


def another_day(env):
    """A schedule of an hour, three days from today: outside its hours now."""
    day = str((fields.Date.today().weekday() + 3) % 7)
    return env["resource.calendar"].create(
        {
            "name": "Another day",
            "attendance_ids": [
                Command.clear(),
                Command.create(
                    {"name": "Shift", "dayofweek": day, "hour_from": 9, "hour_to": 10}
                ),
            ],
        }
    )


@tagged("post_install", "-at_install")
class TestOnePolicy(PosRestrictionCommon):
    """The policy answers once (res.users._pos_refusal): the hand-over picker
    offers exactly the colleagues the hand-over accepts, and the dashboard's
    badge says the refusal opening or resuming meets. Users of every kind: a
    view-only cashier kept to one session, a colleague locked to their own
    sessions, a cashier outside their hours, an administrator, a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes | cls.furniture,
            access=cls.bakery | cls.furniture,
            single=True,
        )
        cls.restrict(cls.colleague, lock_foreign=True)
        cls.night = new_test_user(
            cls.env,
            "psr_night",
            name="Nora Night",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        cls.night.pos_resource_calendar_id = another_day(cls.env)
        new_test_user(cls.env, "psr_portal", groups="base.group_portal")
        cls.sessions = (
            cls.open_session(cls.bakery, cls.manager)
            | cls.open_session(cls.clothes, cls.colleague)
            | cls.open_session(cls.furniture, cls.cashier)
        )
        cls.users = cls.env["res.users"].search(
            [("share", "=", False), ("id", "!=", cls.env.ref("base.user_root").id)]
        )

    def accepts(self, giver, session, receiver):
        """Whether the hand-over of ``session`` by ``giver`` to ``receiver``
        passes the policy, tried and undone."""
        with closing(self.env.cr.savepoint()):
            try:
                giver._check_pos_receiver(session.config_id, receiver, session)
            except UserError:
                return False
        return True

    def test_picker_offers_whom_the_hand_over_accepts(self):
        offered = {}
        for session in self.sessions:
            giver = session.user_id
            candidates = session.with_user(giver)._pos_hand_over_candidates()
            offered[session.config_id] = candidates
            for user in self.users - giver:
                with self.subTest(session=session.config_id.name, user=user.login):
                    self.assertEqual(
                        user in candidates,
                        self.accepts(giver.with_user(giver), session, user),
                    )
        # What the fixtures make each register's picker say.
        self.assertIn(self.colleague, offered[self.bakery])
        # The cashier holds the Furniture Shop's session, and may hold one.
        self.assertNotIn(self.cashier, offered[self.bakery])
        # The cashier only sees the Clothes Shop.
        self.assertNotIn(self.cashier, offered[self.clothes])
        self.assertIn(self.manager, offered[self.clothes])
        for candidates in offered.values():
            self.assertNotIn(self.night, candidates)

    def test_dashboard_badge_is_the_refusal_the_register_meets(self):
        for user in self.cashier | self.colleague | self.night | self.manager:
            configs = (self.bakery | self.clothes | self.furniture).with_user(user)
            for config in configs:
                with self.subTest(user=user.login, config=config.name):
                    refusal = user._pos_refusal(*config._pos_dashboard_action())
                    self.assertEqual(
                        config.pos_restriction_rule, refusal and refusal.rule or False
                    )
        rules = {
            (user.login, config.name): config.with_user(user).pos_restriction_rule
            for user in self.cashier | self.colleague | self.night
            for config in self.bakery | self.clothes | self.furniture
        }
        self.assertEqual(rules["psr_cashier", "Clothes Shop"], "not_operable")
        self.assertEqual(rules["psr_cashier", "Furniture Shop"], False)
        self.assertEqual(rules["psr_colleague", "Bakery Shop"], "foreign_session")
        self.assertEqual(rules["psr_night", "Bakery Shop"], "outside_hours")


@tagged("post_install", "-at_install")
class TestPolicyAcrossWrites(PosRestrictionCommon):
    """What one write or one validation asks of the policy: each session a
    write hands over counts the one before, a session moved to another
    register is opened there, a check made while settings change reads them
    as they are."""

    def test_one_write_handing_over_two_sessions_keeps_one_open_session(self):
        self.restrict(self.cashier, single=True)
        sessions = self.open_session(self.bakery, self.colleague) | self.open_session(
            self.clothes, self.manager
        )
        with (
            self.assertRefused("You already have an open session"),
            self.env.cr.savepoint(),
        ):
            sessions.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(sessions.user_id, self.colleague | self.manager)

    def test_moving_a_session_to_another_register_is_opening_it_there(self):
        self.restrict(self.cashier)
        self.cashier.pos_resource_calendar_id = another_day(self.env)
        session = self.env["pos.session"].create(
            {"config_id": self.bakery.id, "user_id": self.cashier.id}
        )
        with self.assertRefused("Outside your hours"):
            session.with_user(self.cashier).write({"config_id": self.clothes.id})
        self.assertEqual(session.config_id, self.bakery)

    def test_self_ordering_check_reads_settings_as_they_are_now(self):
        # Asked by a constraint while the user's settings are written, before
        # the policy's cache of them is dropped.
        self.assertTrue(self.cashier._pos_sells_in_every_session(self.bakery))
        self.env.cr.execute(
            "UPDATE res_users SET pos_lock_foreign_sessions = TRUE WHERE id = %s",
            [self.cashier.id],
        )
        self.cashier.invalidate_recordset(["pos_lock_foreign_sessions"])
        self.assertFalse(self.cashier._pos_sells_in_every_session(self.bakery))
