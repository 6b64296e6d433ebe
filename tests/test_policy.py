from contextlib import closing

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import PosRestrictionCommon


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
        # Works an hour, three days from today: outside their hours now.
        day = str((fields.Date.today().weekday() + 3) % 7)
        cls.night.pos_resource_calendar_id = cls.env["resource.calendar"].create(
            {
                "name": "Another day",
                "attendance_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "name": "Shift",
                            "dayofweek": day,
                            "hour_from": 9,
                            "hour_to": 10,
                        }
                    ),
                ],
            }
        )
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
