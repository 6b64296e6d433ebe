from contextlib import contextmanager

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from ..exceptions import PosSessionRestrictionError
from ..hooks import post_init_hook
from ..models.res_users import ENABLED_PARAM, RESTRICTION_FIELDS
from .common import MSG_SETTINGS, PosRestrictionCommon

HIDDEN_RECORDS = "top-secret records"


class PosVisibilityCase(PosRestrictionCommon):
    """Shared assertions; the classes below add the data they need."""

    @contextmanager
    def assertRaisesMessage(self, exception, regex):
        """Expect ``exception`` with a message matching ``regex``. Unlike
        ``assertRaisesRegex``, ``assertRaises`` rolls back to a savepoint, so
        the database and the cache are clean after a refused write."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    def set_global_switch(self, enabled):
        """Flip the global switch the way Settings > Point of Sale does."""
        self.env["res.config.settings"].create(
            {"pos_session_restriction_enabled": enabled}
        ).execute()

    def visible(self, model, user, **context):
        return self.env[model].with_user(user).with_context(**context).search([])


@tagged("post_install", "-at_install")
class TestPosVisibilityRules(PosVisibilityCase):
    """The cashier sees Bakery Shop only, plus the Clothes Shop session they
    opened before their list was restricted. The colleague works on Bakery
    Shop and Furniture Shop. Every session holds one order and its payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Session = cls.env["pos.session"]
        cls.bakery_session = Session.create(
            {"config_id": cls.bakery.id, "user_id": cls.colleague.id}
        )
        cls.furniture_session = Session.create(
            {"config_id": cls.furniture.id, "user_id": cls.colleague.id}
        )
        cls.own_session = cls.open_session(cls.clothes, cls.cashier)
        cls.bakery_order = cls.create_paid_order(cls.bakery_session)
        cls.furniture_order = cls.create_paid_order(cls.furniture_session)
        cls.own_order = cls.create_paid_order(cls.own_session)
        cls.restrict(cls.cashier, view=cls.bakery)

    # Restricted cashier

    def test_restricted_cashier_sees_visible_configs_and_config_of_own_session(self):
        self.assertEqual(
            self.visible("pos.config", self.cashier), self.bakery | self.clothes
        )

    def test_restricted_cashier_sees_sessions_of_visible_configs_and_own(self):
        self.assertEqual(
            self.visible("pos.session", self.cashier),
            self.bakery_session | self.own_session,
        )

    def test_restricted_cashier_sees_orders_of_visible_configs_and_own(self):
        self.assertEqual(
            self.visible("pos.order", self.cashier),
            self.bakery_order | self.own_order,
        )

    def test_restricted_cashier_sees_payments_of_visible_configs_and_own(self):
        self.assertEqual(
            self.visible("pos.payment", self.cashier),
            (self.bakery_order | self.own_order).payment_ids,
        )

    def test_restricted_cashier_sees_order_analysis_of_visible_configs_and_own(self):
        lines = self.visible("report.pos.order", self.cashier)
        self.assertEqual(lines.order_id, self.bakery_order | self.own_order)
        self.assertEqual(lines.config_id, self.bakery | self.clothes)

    def test_own_session_off_the_list_hidden_once_closed(self):
        self.own_session.write({"state": "closed"})
        # Closed, it is history of a register off their list: hidden with it.
        self.assertEqual(self.visible("pos.config", self.cashier), self.bakery)
        self.assertEqual(self.visible("pos.session", self.cashier), self.bakery_session)
        self.assertEqual(self.visible("pos.order", self.cashier), self.bakery_order)

    def test_session_held_elsewhere_while_switch_off_visible_once_on(self):
        """The rules read the cashier's sessions outside their list when they
        are computed, and cache them. Every path refuses to give them one
        there while the switch is on; while it is off, an administrator may,
        and turning the switch on clears that cache."""
        self.assertNotIn(self.furniture_order, self.visible("pos.order", self.cashier))
        self.set_global_switch(False)
        self.furniture_session.write({"user_id": self.cashier.id})
        self.set_global_switch(True)
        self.assertEqual(
            self.visible("pos.session", self.cashier),
            self.bakery_session | self.own_session | self.furniture_session,
        )
        self.assertEqual(
            self.visible("pos.order", self.cashier),
            self.bakery_order | self.own_order | self.furniture_order,
        )
        self.assertEqual(
            self.visible("pos.payment", self.cashier),
            (self.bakery_order | self.own_order | self.furniture_order).payment_ids,
        )
        lines = self.visible("report.pos.order", self.cashier)
        self.assertEqual(lines.config_id, self.bakery | self.clothes | self.furniture)

    def test_grouped_reads_do_not_leak_hidden_configs(self):
        for model in ("pos.order", "report.pos.order"):
            groups = (
                self.env[model]
                .with_user(self.cashier)
                .formatted_read_group([], ["config_id"], ["__count"])
            )
            self.assertEqual(
                {group["config_id"][1] for group in groups},
                {"Bakery Shop", "Clothes Shop"},
                model,
            )
        groups = (
            self.env["pos.session"]
            .with_user(self.cashier)
            .formatted_read_group([], ["config_id"], ["__count"])
        )
        self.assertEqual(
            {(group["config_id"][1], group["__count"]) for group in groups},
            {("Bakery Shop", 1), ("Clothes Shop", 1)},
        )

    def test_search_read_and_name_search_do_not_leak_hidden_configs(self):
        Config = self.env["pos.config"].with_user(self.cashier)
        self.assertEqual(
            {row["name"] for row in Config.search_read([], ["name"])},
            {"Bakery Shop", "Clothes Shop"},
        )
        self.assertFalse(Config.search_read([("name", "=", "Furniture Shop")]))
        self.assertEqual(
            {name for __, name in Config.name_search("Shop")},
            {"Bakery Shop", "Clothes Shop"},
        )
        sessions = (
            self.env["pos.session"]
            .with_user(self.cashier)
            .search_read([], ["config_id", "user_id"])
        )
        self.assertEqual(
            {row["config_id"][1] for row in sessions}, {"Bakery Shop", "Clothes Shop"}
        )

    def test_export_data_does_not_leak_hidden_orders(self):
        self.cashier.group_ids |= self.env.ref("base.group_allow_export")
        Order = self.env["pos.order"].with_user(self.cashier)
        rows = Order.search([]).export_data(["config_id/name", "session_id/.id"])
        self.assertEqual(
            sorted(row[0] for row in rows["datas"]), ["Bakery Shop", "Clothes Shop"]
        )
        self.assertEqual(
            {int(row[1]) for row in rows["datas"]},
            {self.bakery_session.id, self.own_session.id},
        )
        with self.assertRaisesMessage(AccessError, HIDDEN_RECORDS):
            Order.browse(self.furniture_order.id).export_data(["config_id/name"])

    def test_reading_hidden_records_raises_access_error(self):
        self.assertEqual(self.bakery.with_user(self.cashier).name, "Bakery Shop")
        for record in (
            self.furniture,
            self.furniture_session,
            self.furniture_order,
            self.furniture_order.payment_ids,
        ):
            with self.assertRaisesMessage(AccessError, HIDDEN_RECORDS):
                record.with_user(self.cashier).mapped("display_name")
        with self.assertRaisesMessage(AccessError, r"\(pos\.config\)"):
            self.furniture.with_user(self.cashier).name  # noqa: B018

    # Unrestricted users

    def test_user_without_visible_list_sees_every_config(self):
        all_configs = self.bakery | self.clothes | self.furniture
        self.assertEqual(self.visible("pos.config", self.colleague), all_configs)
        self.assertEqual(
            self.visible("pos.order", self.colleague),
            self.bakery_order | self.furniture_order | self.own_order,
        )
        self.restrict(self.cashier)
        self.assertEqual(self.visible("pos.config", self.cashier), all_configs)
        self.assertEqual(
            self.visible("pos.session", self.cashier),
            self.bakery_session | self.furniture_session | self.own_session,
        )

    def test_pos_administrator_sees_every_config_despite_own_lists(self):
        self.restrict(self.manager, view=self.bakery, access=self.bakery)
        self.assertEqual(self.manager.sudo().pos_view_config_ids, self.bakery)
        self.assertEqual(
            self.visible("pos.config", self.manager),
            self.bakery | self.clothes | self.furniture,
        )
        self.assertEqual(
            self.visible("pos.session", self.manager),
            self.bakery_session | self.furniture_session | self.own_session,
        )
        self.assertEqual(
            self.visible("pos.payment", self.manager),
            (self.bakery_order | self.furniture_order | self.own_order).payment_ids,
        )

    def test_global_switch_off_lifts_visibility_restriction(self):
        self.assertEqual(
            self.visible("pos.config", self.cashier), self.bakery | self.clothes
        )
        self.set_global_switch(False)
        # A boolean setting stored as a parameter is removed when unticked.
        self.assertFalse(self.env["ir.config_parameter"].get_param(ENABLED_PARAM))
        self.assertEqual(
            self.visible("pos.config", self.cashier),
            self.bakery | self.clothes | self.furniture,
        )
        self.assertEqual(
            self.visible("pos.order", self.cashier),
            self.bakery_order | self.furniture_order | self.own_order,
        )

    def test_global_switch_back_on_restores_visibility_restriction(self):
        self.set_global_switch(False)
        self.assertEqual(
            self.visible("pos.config", self.cashier),
            self.bakery | self.clothes | self.furniture,
        )
        self.set_global_switch(True)
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(ENABLED_PARAM), "True"
        )
        self.assertEqual(
            self.visible("pos.config", self.cashier), self.bakery | self.clothes
        )
        self.assertEqual(
            self.visible("pos.session", self.cashier),
            self.bakery_session | self.own_session,
        )


@tagged("post_install", "-at_install")
class TestPosRestrictionConfiguration(PosVisibilityCase):
    """Editing the lists, from either side, and who may edit them."""

    # Immediate effect, from both sides

    def test_writing_user_visible_list_changes_visible_configs_at_once(self):
        all_configs = self.bakery | self.clothes | self.furniture
        self.assertEqual(self.visible("pos.config", self.cashier), all_configs)
        self.cashier.pos_view_config_ids = self.bakery
        self.assertEqual(self.visible("pos.config", self.cashier), self.bakery)
        self.cashier.write({"pos_view_config_ids": [Command.link(self.clothes.id)]})
        self.assertEqual(
            self.visible("pos.config", self.cashier), self.bakery | self.clothes
        )
        self.cashier.write({"pos_view_config_ids": [Command.clear()]})
        self.assertEqual(self.visible("pos.config", self.cashier), all_configs)

    def test_archiving_every_visible_config_does_not_lift_the_list(self):
        self.cashier.pos_view_config_ids = self.bakery
        self.bakery.active = False
        self.assertEqual(
            self.cashier.with_context(active_test=True).pos_view_config_ids,
            self.bakery,
        )
        self.assertFalse(self.visible("pos.config", self.cashier))
        with self.assertRaises(PosSessionRestrictionError):
            self.cashier._check_pos_config_access(self.clothes, "open")

    def test_allowed_users_on_config_edit_user_visible_list(self):
        self.bakery.write({"pos_view_user_ids": [Command.link(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery)
        self.assertEqual(self.visible("pos.config", self.cashier), self.bakery)
        self.clothes.write({"pos_view_user_ids": [Command.link(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery | self.clothes)
        self.assertEqual(
            self.visible("pos.config", self.cashier), self.bakery | self.clothes
        )
        self.bakery.write({"pos_view_user_ids": [Command.unlink(self.cashier.id)]})
        self.clothes.write({"pos_view_user_ids": [Command.unlink(self.cashier.id)]})
        self.assertFalse(self.cashier.pos_view_config_ids)
        self.assertEqual(
            self.visible("pos.config", self.cashier),
            self.bakery | self.clothes | self.furniture,
        )

    def test_allowed_operators_on_config_edit_user_operable_list(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes)
        self.clothes.write({"pos_access_user_ids": [Command.link(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_access_config_ids, self.clothes)
        self.assertEqual(self.clothes.pos_access_user_ids, self.cashier)
        with self.assertRefused("not allowed to operate the Point of Sale 'Bakery"):
            self.cashier._check_pos_config_access(self.bakery, "open")
        self.cashier._check_pos_config_access(self.clothes, "open")
        self.cashier.write({"pos_access_config_ids": [Command.link(self.bakery.id)]})
        self.assertEqual(self.bakery.pos_access_user_ids, self.cashier)
        self.assertEqual(self.bakery.pos_view_user_ids, self.cashier)
        self.assertFalse(self.furniture.pos_view_user_ids)
        self.cashier._check_pos_config_access(self.bakery, "open")

    # Operable must be a subset of visible

    def test_operable_config_outside_visible_list_refused_from_user_side(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes, access=self.bakery)
        with self.assertRaisesMessage(
            ValidationError,
            "Casey Cashier cannot operate 'Furniture Shop' without seeing it",
        ):
            self.cashier.write(
                {"pos_access_config_ids": [Command.link(self.furniture.id)]}
            )
        self.assertEqual(self.cashier.pos_access_config_ids, self.bakery)
        self.cashier.write({"pos_access_config_ids": [Command.link(self.clothes.id)]})
        self.assertEqual(self.cashier.pos_access_config_ids, self.bakery | self.clothes)

    def test_empty_visible_list_accepts_any_operable_list(self):
        self.restrict(self.cashier, access=self.furniture)
        self.assertFalse(self.cashier.pos_view_config_ids)
        self.assertEqual(self.cashier.pos_access_config_ids, self.furniture)
        self.assertEqual(
            self.visible("pos.config", self.cashier),
            self.bakery | self.clothes | self.furniture,
        )

    def test_removing_operable_config_from_visible_list_refused_from_user_side(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes, access=self.bakery)
        with self.assertRaisesMessage(
            ValidationError, "Casey Cashier cannot operate 'Bakery Shop' without"
        ):
            self.cashier.write({"pos_view_config_ids": [Command.set(self.clothes.ids)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery | self.clothes)
        self.cashier.write({"pos_view_config_ids": [Command.set(self.bakery.ids)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery)

    def test_adding_operator_who_cannot_see_config_refused_from_config_side(self):
        self.restrict(self.cashier, view=self.bakery)
        with self.assertRaisesMessage(
            ValidationError, "Casey Cashier cannot operate 'Clothes Shop' without"
        ):
            self.clothes.write({"pos_access_user_ids": [Command.link(self.cashier.id)]})
        self.assertFalse(self.cashier.pos_access_config_ids)
        self.assertFalse(self.clothes.pos_access_user_ids)
        self.bakery.write({"pos_access_user_ids": [Command.link(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_access_config_ids, self.bakery)

    def test_removing_viewer_who_still_operates_config_refused_from_config_side(self):
        self.restrict(self.cashier, view=self.bakery | self.clothes, access=self.bakery)
        with self.assertRaisesMessage(
            ValidationError, "Casey Cashier cannot operate 'Bakery Shop' without"
        ):
            self.bakery.write({"pos_view_user_ids": [Command.unlink(self.cashier.id)]})
        self.assertEqual(self.bakery.pos_view_user_ids, self.cashier)
        self.clothes.write({"pos_view_user_ids": [Command.unlink(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery)

    def test_first_visible_config_added_from_config_side_checks_operable_list(self):
        # No visible list yet: operating Clothes Shop is fine. Giving a visible
        # list without Clothes Shop from the Bakery form must be refused too.
        self.restrict(self.cashier, access=self.clothes)
        with self.assertRaisesMessage(
            ValidationError, "Casey Cashier cannot operate 'Clothes Shop' without"
        ):
            self.bakery.write({"pos_view_user_ids": [Command.link(self.cashier.id)]})
        self.assertFalse(self.cashier.pos_view_config_ids)
        self.clothes.write({"pos_view_user_ids": [Command.link(self.cashier.id)]})
        self.assertEqual(self.cashier.pos_view_config_ids, self.clothes)

    # Who may change the restrictions

    def test_cashier_cannot_write_own_restriction_fields(self):
        self.restrict(self.cashier, view=self.bakery)
        cashier = self.cashier.with_user(self.cashier)
        for vals in (
            {"pos_view_config_ids": [Command.clear()]},
            {"pos_access_config_ids": [Command.link(self.bakery.id)]},
            {"pos_lock_foreign_sessions": True},
            {"pos_single_session": True},
        ):
            with self.assertRaisesMessage(
                AccessError, r"not allowed to modify 'User' \(res\.users\)"
            ):
                cashier.write(vals)
        self.assertRecordValues(
            self.cashier,
            [
                {
                    "pos_view_config_ids": self.bakery.ids,
                    "pos_access_config_ids": [],
                    "pos_lock_foreign_sessions": False,
                    "pos_single_session": False,
                }
            ],
        )
        # Their preferences remain theirs to change.
        cashier.write({"tz": "Europe/Brussels"})
        self.assertEqual(self.cashier.tz, "Europe/Brussels")

    def test_cashier_cannot_read_own_restriction_fields(self):
        cashier = self.cashier.with_user(self.cashier)
        for field in sorted(RESTRICTION_FIELDS):
            with self.assertRaisesMessage(
                AccessError, f'enough rights to access the field "{field}"'
            ):
                cashier.read([field])
        self.assertEqual(cashier.read(["name"])[0]["name"], "Casey Cashier")

    def test_restriction_fields_are_not_preferences(self):
        Users = self.env["res.users"]
        self.assertFalse(RESTRICTION_FIELDS & set(Users.SELF_WRITEABLE_FIELDS))
        self.assertFalse(RESTRICTION_FIELDS & set(Users.SELF_READABLE_FIELDS))

    def test_cashier_cannot_edit_allowed_users_of_config(self):
        # Deny by default: no field of a register, these least of all.
        self.restrict(self.cashier, view=self.bakery)
        for vals in (
            {"pos_view_user_ids": [Command.unlink(self.cashier.id)]},
            {"pos_access_user_ids": [Command.link(self.cashier.id)]},
        ):
            with self.assertRaisesMessage(PosSessionRestrictionError, MSG_SETTINGS):
                self.bakery.with_user(self.cashier).write(vals)
        self.assertEqual(self.cashier.pos_view_config_ids, self.bakery)
        self.assertFalse(self.cashier.pos_access_config_ids)
        self.assertEqual(self.visible("pos.config", self.cashier), self.bakery)

    def test_cashier_cannot_change_global_switch(self):
        Params = self.env["ir.config_parameter"]
        param = Params.search([("key", "=", ENABLED_PARAM)])
        with self.assertRaisesMessage(AccessError, r"\(ir\.config_parameter\)"):
            Params.with_user(self.cashier).set_param(ENABLED_PARAM, "False")
        with self.assertRaisesMessage(AccessError, r"\(ir\.config_parameter\)"):
            param.with_user(self.cashier).write({"value": "False"})
        with self.assertRaisesMessage(AccessError, r"\(res\.config\.settings\)"):
            self.env["res.config.settings"].with_user(self.cashier).create(
                {"pos_session_restriction_enabled": False}
            )
        self.assertEqual(Params.get_param(ENABLED_PARAM), "True")
        # An administrator can.
        self.set_global_switch(False)
        self.assertFalse(Params.get_param(ENABLED_PARAM))


@tagged("post_install", "-at_install")
class TestPosVisibilityMultiCompany(PosVisibilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company()
        cls.company_2 = cls.company_data_2["company"]
        cls.harbour = (
            cls.env["pos.config"]
            .with_company(cls.company_2)
            .create(
                {
                    "name": "Harbour Shop",
                    "journal_id": cls.company_data_2["default_journal_sale"].id,
                }
            )
        )
        cls.both_companies = cls.env.company | cls.company_2
        (cls.cashier | cls.colleague).company_ids = cls.both_companies

    def test_restricted_cashier_does_not_see_other_company_configs(self):
        self.restrict(self.cashier, view=self.bakery)
        self.assertEqual(
            self.visible(
                "pos.config", self.cashier, allowed_company_ids=self.both_companies.ids
            ),
            self.bakery,
        )
        with self.assertRaisesMessage(AccessError, HIDDEN_RECORDS):
            self.harbour.with_user(self.cashier).with_context(
                allowed_company_ids=self.both_companies.ids
            ).mapped("name")

    def test_unrestricted_cashier_sees_configs_of_allowed_companies_only(self):
        company_1_configs = self.bakery | self.clothes | self.furniture
        self.assertEqual(
            self.visible(
                "pos.config", self.colleague, allowed_company_ids=self.env.company.ids
            ),
            company_1_configs,
        )
        self.assertEqual(
            self.visible(
                "pos.config",
                self.colleague,
                allowed_company_ids=self.both_companies.ids,
            ),
            company_1_configs | self.harbour,
        )
        with self.assertRaisesMessage(AccessError, "multi-company issue"):
            self.harbour.with_user(self.colleague).with_context(
                allowed_company_ids=self.env.company.ids
            ).mapped("name")


@tagged("post_install", "-at_install")
class TestPosRestrictionInstallDefaults(TransactionCase):
    """What installing the addon leaves behind. Not a PosRestrictionCommon:
    its setUpClass sets the switch itself and would hide the installed value."""

    def test_install_turns_global_switch_on(self):
        Params = self.env["ir.config_parameter"]
        self.assertEqual(Params.get_param(ENABLED_PARAM), "True")
        Params.set_param(ENABLED_PARAM, False)
        self.assertFalse(Params.get_param(ENABLED_PARAM))
        post_init_hook(self.env)
        self.assertEqual(Params.get_param(ENABLED_PARAM), "True")

    def test_install_leaves_users_unrestricted(self):
        self.assertRecordValues(
            self.env.ref("base.user_admin"),
            [
                {
                    "pos_view_config_ids": [],
                    "pos_access_config_ids": [],
                    "pos_lock_foreign_sessions": False,
                    "pos_single_session": False,
                }
            ],
        )
        restricted = (
            self.env["res.users"]
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    "|",
                    "|",
                    ("pos_view_config_ids", "!=", False),
                    ("pos_access_config_ids", "!=", False),
                    ("pos_lock_foreign_sessions", "=", True),
                    ("pos_single_session", "=", True),
                ]
            )
        )
        demo_users = (
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "pos_session_restriction"),
                    ("model", "=", "res.users"),
                ]
            )
            .mapped("res_id")
        )
        self.assertFalse(restricted.filtered(lambda user: user.id not in demo_users))
        rel_view = self.env["res.users"]._fields["pos_view_config_ids"].relation
        rel_access = self.env["res.users"]._fields["pos_access_config_ids"].relation
        self.assertNotEqual(rel_view, rel_access)
