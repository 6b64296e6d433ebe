import re

from odoo import SUPERUSER_ID, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from ..models.res_users import ENABLED_PARAM
from .common import (
    MSG_FOREIGN,
    MSG_HIDDEN,
    MSG_NOT_OPERABLE,
    MSG_OWN_NAME,
    MSG_SINGLE,
    PosRestrictionCommon,
    refusal_regex,
)

NOT_VISIBLE = re.escape(MSG_HIDDEN)


def not_operable(config):
    return refusal_regex(MSG_NOT_OPERABLE, pos=config.name)


def foreign(session, label=None):
    return refusal_regex(
        MSG_FOREIGN,
        session=label or f"#{session.id}",
        pos=session.config_id.name,
        user=session.user_id.name,
    )


def not_own_name(config):
    return refusal_regex(MSG_OWN_NAME, pos=config.name)


def already_open(label, config):
    return refusal_regex(MSG_SINGLE, session=label, pos=config.name)


class PosOpenCase(PosRestrictionCommon):
    """Helpers for the tests that open and resume sessions."""

    def count_sessions(self, config):
        return self.env["pos.session"].search_count([("config_id", "=", config.id)])

    def create_session(self, config, user, **vals):
        """Create a session in ``user``'s name as the POS administrator."""
        return self.env["pos.session"].create(
            {"config_id": config.id, "user_id": user.id, **vals}
        )

    def close(self, session):
        session.write({"state": "closed"})

    def create_closed_session(self, config, user):
        """A past session of ``user``; core only copies sessions that started."""
        return self.create_session(
            config, user, state="closed", start_at=fields.Datetime.now()
        )

    def assertOpensUrl(self, action, config):
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/pos/ui/{config.id}?from_backend=True")


@tagged("post_install", "-at_install")
class TestOpenOperable(PosOpenCase):
    """A cashier restricted to 'Clothes Shop' works there and nowhere else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, access=cls.clothes)

    def test_cashier_cannot_open_register_outside_operable_list(self):
        with self.assertRefused(not_operable(self.bakery)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 0)

        session = self.open_session(self.clothes, self.cashier)
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(session.state, "opening_control")

    def test_cashier_cannot_open_register_outside_visible_list(self):
        self.restrict(self.cashier, view=self.clothes, access=self.clothes)
        with self.assertRefused(NOT_VISIBLE):
            self.bakery.with_user(self.cashier).open_ui()
        with self.assertRefused(NOT_VISIBLE):
            self.env["pos.session"].with_user(self.cashier).create(
                {"config_id": self.bakery.id}
            )
        self.assertEqual(self.count_sessions(self.bakery), 0)

        self.assertEqual(
            self.open_session(self.clothes, self.cashier).user_id, self.cashier
        )

    def test_cashier_cannot_resume_colleague_session_outside_operable_list(self):
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(bakery_session.user_id, self.colleague)
        self.assertEqual(self.count_sessions(self.bakery), 1)

        clothes_session = self.open_session(self.clothes, self.colleague)
        action = self.clothes.with_user(self.cashier).open_ui()
        self.assertOpensUrl(action, self.clothes)
        self.assertEqual(self.clothes.current_session_id, clothes_session)
        self.assertEqual(self.count_sessions(self.clothes), 1)

    def test_cashier_cannot_close_register_outside_operable_list(self):
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            self.bakery.with_user(self.cashier).close_ui()
        self.assertEqual(bakery_session.state, "opening_control")

        self.open_session(self.clothes, self.colleague)
        self.assertOpensUrl(
            self.clothes.with_user(self.cashier).close_ui(), self.clothes
        )

    def test_cashier_cannot_open_frontend_outside_operable_list(self):
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            bakery_session.with_user(self.cashier).open_frontend_cb()
        self.assertEqual(bakery_session.user_id, self.colleague)

        clothes_session = self.open_session(self.clothes, self.colleague)
        action = clothes_session.with_user(self.cashier).open_frontend_cb()
        self.assertOpensUrl(action, self.clothes)

    def test_cashier_cannot_open_register_outside_operable_list_from_settings(self):
        settings = self.env["res.config.settings"].with_user(self.cashier)
        with self.assertRefused(not_operable(self.bakery)):
            settings.with_context(pos_config_id=self.bakery.id).pos_open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 0)

        action = settings.with_context(pos_config_id=self.clothes.id).pos_open_ui()
        self.assertOpensUrl(action, self.clothes)
        self.assertEqual(self.clothes.current_session_id.user_id, self.cashier)

    def test_cashier_cannot_open_session_form_outside_operable_list(self):
        self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            self.bakery.with_user(self.cashier).open_existing_session_cb()

        clothes_session = self.open_session(self.clothes, self.colleague)
        action = self.clothes.with_user(self.cashier).open_existing_session_cb()
        self.assertEqual(action["res_id"], clothes_session.id)

    def test_cashier_cannot_create_session_outside_operable_list(self):
        sessions = self.env["pos.session"].with_user(self.cashier)
        with self.assertRefused(not_operable(self.bakery)):
            sessions.create({"config_id": self.bakery.id})
        self.assertEqual(self.count_sessions(self.bakery), 0)

        session = sessions.create({"config_id": self.clothes.id})
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(self.clothes.current_session_id, session)

    def test_cashier_cannot_copy_session_outside_operable_list(self):
        bakery_session = self.create_closed_session(self.bakery, self.cashier)
        with self.assertRefused(not_operable(self.bakery)):
            bakery_session.with_user(self.cashier).copy()
        self.assertEqual(self.count_sessions(self.bakery), 1)

        clothes_session = self.create_closed_session(self.clothes, self.cashier)
        copy = clothes_session.with_user(self.cashier).copy()
        self.assertEqual(copy.state, "opening_control")
        self.assertEqual(copy.user_id, self.cashier)
        self.assertEqual(self.count_sessions(self.clothes), 2)

    def test_cashier_cannot_move_session_outside_operable_list(self):
        session = self.open_session(self.clothes, self.cashier)
        with self.assertRefused(not_operable(self.bakery)):
            session.with_user(self.cashier).write({"config_id": self.bakery.id})
        self.assertEqual(session.config_id, self.clothes)

        self.restrict(self.cashier, access=self.clothes | self.furniture)
        session.with_user(self.cashier).write({"config_id": self.furniture.id})
        self.assertEqual(session.config_id, self.furniture)

    def test_cashier_cannot_change_state_of_session_outside_operable_list(self):
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            bakery_session.with_user(self.cashier).write({"state": "closing_control"})
        self.assertEqual(bakery_session.state, "opening_control")

        clothes_session = self.open_session(self.clothes, self.colleague)
        clothes_session.with_user(self.cashier).write({"state": "closing_control"})
        self.assertEqual(clothes_session.state, "closing_control")

    def test_cashier_cannot_take_over_session_outside_operable_list(self):
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(not_operable(self.bakery)):
            bakery_session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(bakery_session.user_id, self.colleague)

        clothes_session = self.open_session(self.clothes, self.colleague)
        clothes_session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(clothes_session.user_id, self.cashier)


@tagged("post_install", "-at_install")
class TestOpenForeignSessions(PosOpenCase):
    """A cashier locked out of sessions opened by others, here by Colin on
    'Bakery Shop'."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, lock_foreign=True)
        cls.colleague_session = cls.open_session(cls.bakery, cls.colleague)

    def test_cashier_cannot_resume_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.colleague_session.user_id, self.colleague)
        self.assertEqual(self.count_sessions(self.bakery), 1)

        own_session = self.open_session(self.clothes, self.cashier)
        self.assertOpensUrl(
            self.clothes.with_user(self.cashier).open_ui(), self.clothes
        )
        self.assertEqual(self.clothes.current_session_id, own_session)
        self.assertEqual(self.count_sessions(self.clothes), 1)

    def test_refusal_names_started_session_by_its_number(self):
        self.colleague_session.with_user(self.colleague).set_opening_control(0, "")
        self.assertNotEqual(self.colleague_session.name, "/")
        label = self.colleague_session.name
        with self.assertRefused(foreign(self.colleague_session, label)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.colleague_session.state, "opened")

    def test_cashier_cannot_close_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.bakery.with_user(self.cashier).close_ui()
        self.assertEqual(self.colleague_session.state, "opening_control")

        self.open_session(self.clothes, self.cashier)
        self.assertOpensUrl(
            self.clothes.with_user(self.cashier).close_ui(), self.clothes
        )

    def test_cashier_cannot_open_frontend_of_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.colleague_session.with_user(self.cashier).open_frontend_cb()
        self.assertEqual(self.colleague_session.user_id, self.colleague)

        own_session = self.open_session(self.clothes, self.cashier)
        action = own_session.with_user(self.cashier).open_frontend_cb()
        self.assertOpensUrl(action, self.clothes)

    def test_cashier_cannot_resume_session_opened_by_other_user_from_settings(self):
        settings = self.env["res.config.settings"].with_user(self.cashier)
        with self.assertRefused(foreign(self.colleague_session)):
            settings.with_context(pos_config_id=self.bakery.id).pos_open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 1)

        action = settings.with_context(pos_config_id=self.clothes.id).pos_open_ui()
        self.assertOpensUrl(action, self.clothes)
        self.assertEqual(self.clothes.current_session_id.user_id, self.cashier)

    def test_cashier_cannot_open_form_of_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.bakery.with_user(self.cashier).open_existing_session_cb()

        own_session = self.open_session(self.clothes, self.cashier)
        action = self.clothes.with_user(self.cashier).open_existing_session_cb()
        self.assertEqual(action["res_id"], own_session.id)

    def test_cashier_cannot_create_session_in_name_of_other_user(self):
        sessions = self.env["pos.session"].with_user(self.cashier)
        with self.assertRefused(not_own_name(self.clothes)):
            sessions.create(
                {"config_id": self.clothes.id, "user_id": self.colleague.id}
            )
        self.assertEqual(self.count_sessions(self.clothes), 0)

        session = sessions.create(
            {"config_id": self.clothes.id, "user_id": self.cashier.id}
        )
        self.assertEqual(session.user_id, self.cashier)

    def test_cashier_cannot_copy_session_opened_by_other_user(self):
        self.close(self.colleague_session)
        past_session = self.create_closed_session(self.bakery, self.colleague)
        with self.assertRefused(not_own_name(self.bakery)):
            past_session.with_user(self.cashier).copy()
        self.assertEqual(self.count_sessions(self.bakery), 2)

        own_session = self.create_closed_session(self.clothes, self.cashier)
        copy = own_session.with_user(self.cashier).copy()
        self.assertEqual(copy.user_id, self.cashier)
        self.assertEqual(self.count_sessions(self.clothes), 2)

    def test_cashier_cannot_take_over_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.colleague_session.with_user(self.cashier).write(
                {"user_id": self.cashier.id}
            )
        self.assertEqual(self.colleague_session.user_id, self.colleague)

        self.restrict(self.cashier)
        self.colleague_session.with_user(self.cashier).write(
            {"user_id": self.cashier.id}
        )
        self.assertEqual(self.colleague_session.user_id, self.cashier)

    def test_cashier_hands_own_session_only_to_user_who_may_operate_it(self):
        # Writing the cashier of a session hands it over (pos_hand_over): the
        # receiver must pass the policy, as if opening it in their own name.
        own_session = self.open_session(self.clothes, self.cashier)
        self.restrict(self.colleague, access=self.bakery)
        with self.assertRefused("Colin Colleague is not allowed to operate"):
            own_session.with_user(self.cashier).write({"user_id": self.colleague.id})
        self.assertEqual(own_session.user_id, self.cashier)

        self.restrict(self.colleague)
        own_session.with_user(self.cashier).write({"user_id": self.colleague.id})
        self.assertEqual(own_session.user_id, self.colleague)

        # Handed over, it is the colleague's: the cashier may not take it back.
        with self.assertRefused(foreign(own_session)):
            own_session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(own_session.user_id, self.colleague)

    def test_cashier_cannot_change_state_of_session_opened_by_other_user(self):
        with self.assertRefused(foreign(self.colleague_session)):
            self.colleague_session.with_user(self.cashier).write(
                {"state": "closing_control"}
            )
        self.assertEqual(self.colleague_session.state, "opening_control")

        own_session = self.open_session(self.clothes, self.cashier)
        own_session.with_user(self.cashier).write({"state": "closing_control"})
        self.assertEqual(own_session.state, "closing_control")

    def test_context_key_cannot_skip_one_session_per_register(self):
        session = self.open_session(self.bakery, self.colleague)
        sessions = self.env["pos.session"].with_user(self.cashier)
        with (
            self.assertRaisesRegex(ValidationError, "Another session is already"),
            self.env.cr.savepoint(),
        ):
            sessions.with_context(onboarding_creation=True).create(
                {"config_id": self.bakery.id}
            )
        self.assertEqual(
            self.env["pos.session"].search([("config_id", "=", self.bakery.id)]),
            session,
        )


@tagged("post_install", "-at_install")
class TestOpenSingleSession(PosOpenCase):
    """A cashier allowed one open session at a time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, single=True)

    def test_cashier_cannot_open_second_register_while_holding_session(self):
        session = self.open_session(self.clothes, self.cashier)
        with self.assertRefused(already_open(f"#{session.id}", self.clothes)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 0)
        self.assertEqual(session.state, "opening_control")

        self.restrict(self.cashier)
        self.assertEqual(
            self.open_session(self.bakery, self.cashier).user_id, self.cashier
        )

    def test_refusal_names_started_session_by_its_number(self):
        session = self.open_session(self.clothes, self.cashier)
        session.with_user(self.cashier).set_opening_control(0, "")
        self.assertNotEqual(session.name, "/")
        with self.assertRefused(already_open(session.name, self.clothes)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 0)

    def test_cashier_cannot_create_second_session_directly(self):
        session = self.open_session(self.clothes, self.cashier)
        sessions = self.env["pos.session"].with_user(self.cashier)
        with self.assertRefused(already_open(f"#{session.id}", self.clothes)):
            sessions.create({"config_id": self.bakery.id})
        self.assertEqual(self.count_sessions(self.bakery), 0)

        self.close(session)
        self.assertEqual(
            sessions.create({"config_id": self.bakery.id}).user_id, self.cashier
        )

    def test_cashier_cannot_take_over_session_while_holding_one(self):
        own_session = self.open_session(self.clothes, self.cashier)
        bakery_session = self.open_session(self.bakery, self.colleague)
        with self.assertRefused(already_open(f"#{own_session.id}", self.clothes)):
            bakery_session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(bakery_session.user_id, self.colleague)

        self.close(own_session)
        bakery_session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(bakery_session.user_id, self.cashier)

    def test_cashier_may_resume_register_where_session_is_held(self):
        session = self.open_session(self.clothes, self.cashier)
        self.assertOpensUrl(
            self.clothes.with_user(self.cashier).open_ui(), self.clothes
        )
        self.assertOpensUrl(
            session.with_user(self.cashier).open_frontend_cb(), self.clothes
        )
        self.assertOpensUrl(
            self.clothes.with_user(self.cashier).close_ui(), self.clothes
        )
        self.assertEqual(self.clothes.current_session_id, session)
        self.assertEqual(self.count_sessions(self.clothes), 1)

        with self.assertRefused(already_open(f"#{session.id}", self.clothes)):
            self.furniture.with_user(self.cashier).open_ui()

    def test_cashier_may_move_only_session_to_other_register(self):
        session = self.open_session(self.clothes, self.cashier)
        session.with_user(self.cashier).write({"config_id": self.furniture.id})
        self.assertEqual(session.config_id, self.furniture)

        with self.assertRefused(already_open(f"#{session.id}", self.furniture)):
            self.bakery.with_user(self.cashier).open_ui()

    def test_closed_session_does_not_count(self):
        session = self.open_session(self.clothes, self.cashier)
        self.close(session)
        bakery_session = self.open_session(self.bakery, self.cashier)
        self.assertEqual(bakery_session.user_id, self.cashier)

        with self.assertRefused(already_open(f"#{bakery_session.id}", self.bakery)):
            self.furniture.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.furniture), 0)

    def test_rescue_session_does_not_count(self):
        rescue = self.create_session(self.clothes, self.cashier, rescue=True)
        self.assertTrue(rescue.rescue)
        bakery_session = self.open_session(self.bakery, self.cashier)
        self.assertEqual(bakery_session.user_id, self.cashier)

        with self.assertRefused(already_open(f"#{bakery_session.id}", self.bakery)):
            self.furniture.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.furniture), 0)

    def test_cashier_cannot_hide_a_session_as_recovery_session(self):
        own_session = self.open_session(self.clothes, self.cashier)
        sessions = self.env["pos.session"].with_user(self.cashier)
        with self.assertRaisesRegex(AccessError, "recovery session"):
            own_session.with_user(self.cashier).write({"rescue": True})
        with self.assertRaisesRegex(AccessError, "recovery session"):
            sessions.create({"config_id": self.bakery.id, "rescue": True})
        self.assertFalse(own_session.rescue)
        self.assertEqual(self.count_sessions(self.bakery), 0)
        with self.assertRefused(already_open(f"#{own_session.id}", self.clothes)):
            self.bakery.with_user(self.cashier).open_ui()


@tagged("post_install", "-at_install")
class TestOpenUnrestricted(PosOpenCase):
    """Who is never restricted, and when restrictions do not apply."""

    def restrict_everything(self, user):
        self.restrict_fully(user, self.furniture)

    def assertOpensEverything(self, user):
        """``user`` opens a register outside their lists while holding a session,
        resumes and takes over a colleague's session, and opens one in the
        colleague's name."""
        own_session = self.open_session(self.clothes, user)
        self.assertEqual(own_session.user_id, user)
        colleague_session = self.open_session(self.bakery, self.colleague)
        self.assertOpensUrl(self.bakery.with_user(user).open_ui(), self.bakery)
        self.assertEqual(self.bakery.current_session_id, colleague_session)
        colleague_session.with_user(user).write({"user_id": user.id})
        self.assertEqual(colleague_session.user_id, user)
        created = (
            self.env["pos.session"]
            .with_user(user)
            .create({"config_id": self.furniture.id, "user_id": self.colleague.id})
        )
        self.assertEqual(created.user_id, self.colleague)

    def test_pos_administrator_with_every_box_set_is_not_restricted(self):
        self.restrict_everything(self.manager)
        self.assertOpensEverything(self.manager)

    def test_superuser_is_not_restricted(self):
        root = self.env["res.users"].browse(SUPERUSER_ID)
        self.restrict_everything(root)
        self.assertOpensEverything(root)

    def test_empty_lists_and_unticked_boxes_behave_like_core(self):
        self.restrict(self.cashier)
        self.assertOpensEverything(self.cashier)

    def test_global_switch_off_lifts_every_restriction(self):
        self.restrict_everything(self.cashier)
        with self.assertRefused(NOT_VISIBLE):
            self.env["pos.session"].with_user(self.cashier).create(
                {"config_id": self.clothes.id}
            )
        self.assertEqual(self.count_sessions(self.clothes), 0)

        self.env["ir.config_parameter"].set_param(ENABLED_PARAM, False)
        self.assertOpensEverything(self.cashier)

    def test_operable_list_change_takes_effect_immediately(self):
        self.restrict(self.cashier, access=self.clothes)
        with self.assertRefused(not_operable(self.bakery)):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.count_sessions(self.bakery), 0)

        # The user form, as a settings administrator edits it.
        self.cashier.write({"pos_access_config_ids": [Command.link(self.bakery.id)]})
        self.assertEqual(
            self.open_session(self.bakery, self.cashier).user_id, self.cashier
        )

    def test_visible_list_change_takes_effect_immediately(self):
        self.restrict(self.cashier, view=self.clothes, access=self.clothes)
        with self.assertRefused(NOT_VISIBLE):
            self.env["pos.session"].with_user(self.cashier).create(
                {"config_id": self.bakery.id}
            )
        self.assertEqual(self.count_sessions(self.bakery), 0)

        # The POS form, as the POS administrator edits it.
        self.bakery.with_user(self.manager).write(
            {
                "pos_view_user_ids": [Command.link(self.cashier.id)],
                "pos_access_user_ids": [Command.link(self.cashier.id)],
            }
        )
        self.assertEqual(
            self.open_session(self.bakery, self.cashier).user_id, self.cashier
        )
