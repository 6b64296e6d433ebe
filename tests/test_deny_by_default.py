import base64
import copy
import inspect
from contextlib import closing
from unittest.mock import patch

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exceptions import PosSessionRestrictionError
from ..models import pos_held_order
from .common_selling import SellingCase

# Fields no call can write: the record's id.
UNWRITABLE = {"id"}
# Public methods that do not change a record: they answer the POS app's or
# the web client's reads. The inventory calls every other one.
READS = {
    "browse",
    "check_access",
    "exists",
    "fields_get",
    "filtered",
    "get_views",
    "mapped",
    "name_search",
    "read",
    "search",
    "search_count",
    "search_fetch",
    "search_read",
    "sorted",
    "web_read",
    "web_search_read",
    # The POS app's reads, which take what to read.
    "filter_local_data",
    "find_product_by_barcode",
    "get_existing_lots",
    "get_pos_ui_product_pricelist_item_by_product",
    "get_record_by_ref",
    "get_statistics_for_session",
    "load_data",
    "read_config_open_orders",
    "read_pos_data",
    "read_pos_data_uuid",
    "search_paid_order_ids",
}
# Where the methods the inventory calls without arguments come from, when they
# take some: the framework's, which write through create, write and unlink,
# called by the inventories above. A POS module's public method that takes
# arguments must be in READS or in ``TestDenyByDefault.arguments``.
FRAMEWORK_MODULES = (
    "odoo.orm",
    "odoo.models",
    "odoo.addons.base.",
    "odoo.addons.web.",
    "odoo.addons.web_hierarchy.",
    "odoo.addons.mail.",
    "odoo.addons.account.",
)


@tagged("post_install", "-at_install")
class TestDenyByDefault(SellingCase):
    """Deny by default (DESIGN §6): a view-only cashier, locked to their own
    sessions and to one open session, writes nothing of the colleague's
    session on the Clothes Shop — its orders, lines, payments and cash moves —
    nor any register's settings, whatever the field, including fields a later
    version or another module adds: the inventory reads them from the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        everything = cls.bakery | cls.clothes | cls.furniture
        cls.restrict(
            cls.cashier,
            view=everything,
            access=cls.bakery | cls.furniture,
            lock_foreign=True,
            single=True,
        )
        session = cls.foreign.session
        cls.cash_line = cls.env["account.bank.statement.line"].create(
            {
                "pos_session_id": session.id,
                "journal_id": session.cash_journal_id.id,
                "amount": -5.0,
                "payment_ref": "Change for the till",
            }
        )
        cls.lot = cls.env["pos.pack.operation.lot"].create(
            {"pos_order_line_id": cls.foreign.paid.lines.id, "lot_name": "LOT-1"}
        )
        cls.bill = cls.env["pos.bill"].create(
            {
                "name": "50",
                "value": 50.0,
                "pos_config_ids": [Command.set(cls.clothes.ids)],
            }
        )
        cls.targets = {
            "pos.order": cls.foreign.draft | cls.foreign.paid,
            "pos.order.line": cls.foreign.draft.lines | cls.foreign.paid.lines,
            "pos.payment": cls.foreign.payment | cls.foreign.paid.payment_ids,
            "pos.session": session,
            "account.bank.statement.line": cls.cash_line,
            # The operable register too: settings are an administrator's.
            "pos.config": cls.clothes | cls.bakery,
            "pos.pack.operation.lot": cls.lot,
            "pos.bill": cls.bill,
        }

    def stored_fields(self, model):
        return [
            name
            for name, field in self.env[model]._fields.items()
            if field.store and name not in UNWRITABLE
        ]

    def held_fields(self, model):
        """What the snapshot compares: the stored fields but the chatter's,
        which holds notes about a record, not what a session holds."""
        chatter = set()
        for mixin in ("mail.thread", "mail.activity.mixin"):
            chatter |= set(self.env[mixin]._fields)
        return [name for name in self.stored_fields(model) if name not in chatter]

    def snapshot(self):
        """What the targets hold, and how many records each model has, read
        from the database as an administrator."""
        self.env.invalidate_all()
        state = {}
        for model, records in self.targets.items():
            names = self.held_fields(model)
            for record in records.sudo().with_context(active_test=False):
                state[model, record.id] = {name: record[name] for name in names}
            state[model] = (
                self.env[model].sudo().with_context(active_test=False).search_count([])
            )
        state["modules"] = self.env["ir.module.module"].search_count(
            [("state", "in", ("installed", "to install", "to upgrade"))]
        )
        return state

    def value_for(self, record, name):
        """A value of the field's type other than the current one."""
        field = record._fields[name]
        current = record.sudo()[name]
        if field.type == "boolean":
            return not current
        if field.type in ("char", "text", "html"):
            return "Changed by the cashier"
        if field.type in ("integer", "float", "monetary"):
            return (current or 0) + 1
        if field.type == "date":
            return fields.Date.add(fields.Date.today(), days=-3)
        if field.type == "datetime":
            return fields.Datetime.add(fields.Datetime.now(), days=-3)
        if field.type == "selection":
            values = field.get_values(self.env)
            return next((v for v in values if v != current), values[0])
        if field.type == "many2one":
            other = (
                self.env[field.comodel_name]
                .sudo()
                .search([("id", "not in", current.ids)], limit=1)
            )
            return other.id or False
        if field.type in ("one2many", "many2many"):
            return [Command.clear()]
        if field.type == "binary":
            return base64.b64encode(b"changed")
        if field.type == "json":
            return {"changed": True}
        if field.type == "reference":
            return f"{record._name},{record.id}"
        if field.type == "properties":
            return []
        raise AssertionError(f"no value for {field.type} field {name}")

    def test_every_stored_field_write_is_refused_and_changes_nothing(self):
        before = self.snapshot()
        for model, records in self.targets.items():
            for record in records:
                for name in self.stored_fields(model):
                    with (
                        self.subTest(model=model, record=record.id, field=name),
                        closing(self.env.cr.savepoint()),
                    ):
                        value = self.value_for(record, name)
                        with self.assertRaises(PosSessionRestrictionError):
                            record.with_user(self.cashier).write({name: value})
        self.assertEqual(self.snapshot(), before)

    def test_every_delete_is_refused(self):
        before = self.snapshot()
        for model, records in self.targets.items():
            for record in records:
                with (
                    self.subTest(model=model, record=record.id),
                    closing(self.env.cr.savepoint()),
                    self.assertRaises(PosSessionRestrictionError),
                ):
                    record.with_user(self.cashier).unlink()
        self.assertEqual(self.snapshot(), before)

    def test_every_create_is_refused(self):
        session = self.foreign.session
        creations = {
            "pos.order": {
                "session_id": session.id,
                "amount_tax": 0.0,
                "amount_total": 10.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
            },
            "pos.order.line": {"order_id": self.foreign.draft.id, **self.line_vals()},
            "pos.payment": self.payment_vals(self.foreign.draft, 1.0),
            "account.bank.statement.line": {
                "pos_session_id": session.id,
                "journal_id": session.cash_journal_id.id,
                "amount": -250.0,
                "payment_ref": "Taken out",
            },
            "pos.config": {"name": "Cashier's own register"},
            "pos.pack.operation.lot": {
                "pos_order_line_id": self.foreign.draft.lines.id,
                "lot_name": "LOT-2",
            },
            "pos.bill": {"name": "500", "value": 500.0},
        }
        before = self.snapshot()
        for model, vals in creations.items():
            with (
                self.subTest(model=model),
                closing(self.env.cr.savepoint()),
                self.assertRaises(PosSessionRestrictionError),
            ):
                self.env[model].with_user(self.cashier).create(vals)
        with self.assertRaises(PosSessionRestrictionError):
            self.env["pos.bill"].with_user(self.cashier).name_create("500")
        self.assertEqual(self.snapshot(), before)

    # What core logs of the calls it refuses or skips itself: module installs
    # denied, notifications without recipients, deprecated methods.
    @mute_logger(
        "odoo.models.unlink",
        "odoo.addons.point_of_sale.models.pos_order",
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.base.models.ir_module",
        "py.warnings",
    )
    def test_every_public_method_is_refused_or_changes_nothing(self):
        """Each public method RPC can call, called by the cashier on the
        colleague's records (with the arguments a forged call would send,
        where it takes some), raises or changes nothing."""
        before = self.snapshot()
        for model, records in self.targets.items():
            for name, arguments in self.public_methods(model).items():
                for record in records:
                    with (
                        self.subTest(model=model, method=name, record=record.id),
                        closing(self.env.cr.savepoint()),
                    ):
                        try:
                            getattr(record.with_user(self.cashier), name)(*arguments)
                        except Exception:  # noqa: BLE001 - refused either way
                            self.env.invalidate_all()
                        self.env.flush_all()
                        self.assertEqual(self.snapshot(), before)

    def test_no_field_of_the_guarded_models_is_translated(self):
        # update_field_translations writes a translated field without write():
        # a guarded model's translated field would need its own guard.
        for model in self.targets:
            translated = [
                name
                for name, field in self.env[model]._fields.items()
                if field.store and field.translate
            ]
            self.assertEqual(translated, [], f"{model}: guard its translations")

    def arguments(self):
        """What the inventory calls each public method of the POS models that
        takes arguments with: the colleague's records, a forged call's values."""
        foreign = self.foreign
        note = "Changed by the cashier"
        payload = self.order_payload(
            foreign.session, self.cashier, self.product, uuid=foreign.draft.uuid
        )
        return {
            "pos.order": {
                "action_send_receipt": ("cashier@example.com", False, False),
                "add_payment": (self.payment_vals(foreign.draft, 1.0),),
                "remove_from_ui": (foreign.draft.ids,),
                "sync_from_ui": ([payload],),
            },
            "pos.session": {
                "delete_cash_in_out": (self.cash_line.id,),
                "log_partner_message": (self.partner_a.id, note, "CASH_DRAWER_ACTION"),
                "pos_hand_over": (self.cashier.id,),
                "post_closing_cash_details": (15.0,),
                "set_opening_control": (15.0, note),
                "try_cash_in_out": (
                    "out",
                    15.0,
                    note,
                    False,
                    {"translatedType": "out"},
                ),
                "update_closing_control_state_session": (note,),
            },
            "pos.config": {
                "notify_synchronisation": (foreign.session.id, "device"),
                "pos_request_approval": ("resume", self.manager.id, "000000"),
                "update_customer_display": ({}, "device"),
            },
            "pos.bill": {"name_create": ("20",)},
        }

    def public_methods(self, model):
        """The methods of ``model`` that RPC may call, with the arguments the
        inventory calls them with."""
        Model = type(self.env[model])
        arguments = self.arguments().get(model, {})
        methods = {}
        for name in dir(Model):
            if name.startswith("_") or name in READS:
                continue
            method = getattr(Model, name, None)
            if not callable(method) or getattr(method, "_api_private", False):
                continue
            if isinstance(inspect.getattr_static(Model, name), property):
                continue
            try:
                parameters = list(inspect.signature(method).parameters.values())[1:]
            except (TypeError, ValueError):
                continue
            if all(
                p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                for p in parameters
            ):
                methods[name] = arguments.get(name, ())
            elif name in arguments:
                methods[name] = arguments[name]
            else:
                # Where the method is first defined, whoever overrides it.
                owner = [c for c in Model.__mro__ if name in vars(c)][-1]
                self.assertTrue(
                    owner.__module__.startswith(FRAMEWORK_MODULES),
                    f"{model}.{name} ({owner.__module__}) takes arguments: "
                    "add them to the inventory, or the method to READS",
                )
        return methods


@tagged("post_install", "-at_install")
class TestWaysAround(SellingCase):
    """Each way around the guards an independent review found (issue 20),
    tried by a cashier who may see every register, operate the Bakery and
    Furniture shops, is locked to their own sessions and to one open session;
    the colleague runs the Clothes Shop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(
            cls.cashier,
            view=cls.bakery | cls.clothes | cls.furniture,
            access=cls.bakery | cls.furniture,
            lock_foreign=True,
        )
        cls.old_session = cls.env["pos.session"].create(
            {
                "config_id": cls.clothes.id,
                "user_id": cls.cashier.id,
                "state": "closed",
                "start_at": fields.Datetime.now(),
            }
        )

    def sync(self, payload, user=None):
        return (
            self.env["pos.order"]
            .with_user(user or self.cashier)
            .sync_from_ui([payload])
        )

    def held(self, payload):
        return self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])

    # 1. A detour through an old closed session

    @mute_logger("odoo.addons.point_of_sale.models.pos_order")
    def test_sale_for_old_closed_session_is_held_not_put_in_colleague_session(self):
        payload = self.order_payload(self.old_session, self.cashier, self.product)
        result = self.sync(payload)
        self.assertEqual(result["pos.order"], [])
        self.assertFalse(
            self.env["pos.order"].search([("uuid", "=", payload["uuid"])]),
            "nothing lands in the colleague's session",
        )
        held = self.held(payload)
        self.assertRecordValues(
            held,
            [
                {
                    "state": "held",
                    "user_id": self.cashier.id,
                    "session_id": self.old_session.id,
                    "config_id": self.clothes.id,
                    "amount_total": 10.0,
                }
            ],
        )
        self.assertIn(
            "not allowed to operate the Point of Sale 'Clothes Shop'", held.reason
        )
        self.assertEqual(held.payload["uuid"], payload["uuid"])
        # Sent again (the app retries), it is held once.
        self.sync(payload)
        self.assertEqual(len(self.held(payload)), 1)
        events = self.env["pos.session.event"].search(
            [("session_id", "=", self.old_session.id), ("event", "=", "sale_held")]
        )
        self.assertEqual(len(events), 1)

    @mute_logger("odoo.addons.point_of_sale.models.pos_order")
    def test_sale_with_uuid_of_colleague_draft_is_refused_and_changes_nothing(self):
        draft = self.foreign.draft
        before = self.holdings(self.foreign.session)
        payload = self.order_payload(
            self.old_session, self.cashier, self.product, uuid=draft.uuid
        )
        with self.assertRaises(PosSessionRestrictionError) as refused:
            self.sync(payload)
        self.assertEqual(refused.exception.rule, "not_operable")
        self.assertEqual(self.holdings(self.foreign.session), before)
        self.assertEqual(draft.state, "draft")
        self.assertFalse(self.held(payload))

    def test_paid_order_sent_again_is_left_as_it_is(self):
        # Core ignores a paid order sent again; so does the addon, wherever it
        # is: the app stops sending it, nothing changes.
        paid = self.foreign.paid
        before = self.holdings(self.foreign.session)
        payload = self.order_payload(
            self.foreign.session, self.cashier, self.product, uuid=paid.uuid
        )
        self.assertEqual(self.sync(payload)["pos.order"], [])
        self.assertEqual(self.holdings(self.foreign.session), before)
        self.assertFalse(self.held(payload))

    def test_draft_for_colleague_session_is_refused_not_held(self):
        payload = self.order_payload(
            self.foreign.session, self.cashier, self.product, state="draft"
        )
        with self.assertRaises(PosSessionRestrictionError):
            self.sync(payload)
        self.assertFalse(self.held(payload))

    # 2. Order fields

    def test_order_is_not_moved_to_a_register_the_cashier_may_not_operate(self):
        draft = self.spare.draft.with_user(self.cashier)
        with self.assertRaises(PosSessionRestrictionError) as refused:
            draft.write({"config_id": self.clothes.id})
        self.assertEqual(refused.exception.rule, "not_operable")
        self.assertEqual(self.spare.draft.config_id, self.bakery)

    def test_marking_colleague_draft_done_is_refused(self):
        draft = self.foreign.draft.with_user(self.cashier)
        with self.assertRaises(PosSessionRestrictionError):
            draft.write({"state": "done", "amount_total": 0.01})
        with self.assertRaises(PosSessionRestrictionError):
            draft.write({"state": "done"})
        self.assertEqual(self.foreign.draft.state, "draft")

    def test_order_out_of_any_session_is_its_register_s(self):
        # Core takes a pre-order for a later day out of its session.
        self.foreign.draft.session_id = False
        self.assertEqual(self.foreign.draft.config_id, self.clothes)
        draft = self.foreign.draft.with_user(self.cashier)
        with self.assertRaises(PosSessionRestrictionError) as refused:
            draft.write({"amount_total": 0.01})
        self.assertEqual(refused.exception.rule, "not_operable")
        with self.assertRaises(PosSessionRestrictionError):
            draft.lines.write({"qty": 5})
        self.assertEqual(self.foreign.draft.amount_total, 10.0)

    def test_invoicing_colleague_order_is_refused(self):
        with self.assertRaises(PosSessionRestrictionError):
            self.foreign.paid.with_user(self.cashier).action_pos_order_invoice()
        self.assertFalse(self.foreign.paid.account_move)

    # 3. Cash through the accounting model

    def test_cash_line_in_colleague_session_is_refused(self):
        session = self.foreign.session
        lines = self.env["account.bank.statement.line"].with_user(self.cashier)
        vals = {
            "pos_session_id": session.id,
            "journal_id": session.cash_journal_id.id,
            "amount": -250.0,
            "payment_ref": "Taken out",
        }
        with self.assertRaises(PosSessionRestrictionError):
            lines.create(vals)
        # Nor by the context's default, which the ORM fills in.
        with self.assertRaises(PosSessionRestrictionError):
            lines.with_context(default_pos_session_id=session.id).create(
                {key: value for key, value in vals.items() if key != "pos_session_id"}
            )
        with self.assertRaises(PosSessionRestrictionError):
            session.with_user(self.cashier).write(
                {"statement_line_ids": [Command.create(vals)]}
            )
        self.assertFalse(session.statement_line_ids)
        # In their own session, the cashier moves cash as the POS app does.
        own = self.own.session
        lines.create(
            {**vals, "pos_session_id": own.id, "journal_id": own.cash_journal_id.id}
        )
        self.assertEqual(own.statement_line_ids.amount, -250.0)

    # 5. One open session by proxy, one way to hand over

    def test_session_in_name_of_non_pos_user_is_refused(self):
        self.restrict(self.cashier, lock_foreign=False)
        outsider = self.env["res.users"].create(
            {"name": "Olivia Outsider", "login": "psr_outsider"}
        )
        self.close_all(self.bakery)
        sessions = self.env["pos.session"].with_user(self.cashier)
        with self.assertRaisesRegex(UserError, "is not a Point of Sale user"):
            sessions.create({"config_id": self.bakery.id, "user_id": outsider.id})
        with self.assertRaisesRegex(UserError, "is not a Point of Sale user"):
            self.own.session.with_user(self.cashier).write({"user_id": outsider.id})
        self.assertEqual(self.own.session.user_id, self.cashier)

    def test_session_in_name_of_colleague_holding_one_is_refused(self):
        self.restrict(self.cashier, lock_foreign=False)
        self.restrict(self.colleague, single=True)
        self.close_all(self.bakery)
        with self.assertRaises(PosSessionRestrictionError) as refused:
            self.env["pos.session"].with_user(self.cashier).create(
                {"config_id": self.bakery.id, "user_id": self.colleague.id}
            )
        self.assertEqual(refused.exception.rule, "single_session")

    def test_writing_the_cashier_of_a_session_asks_the_hand_over_policy(self):
        session = self.foreign.session
        with self.assertRaises(PosSessionRestrictionError) as refused:
            session.with_user(self.cashier).write({"user_id": self.cashier.id})
        self.assertEqual(refused.exception.rule, "not_operable")
        self.assertEqual(session.user_id, self.colleague)
        # An administrator hands it over, to whoever may operate the register.
        with self.assertRaises(PosSessionRestrictionError) as refused:
            session.with_user(self.manager).write({"user_id": self.cashier.id})
        self.assertEqual(refused.exception.rule, "not_operable")
        self.restrict(self.cashier, lock_foreign=True)
        session.with_user(self.manager).write({"user_id": self.cashier.id})
        self.assertEqual(session.user_id, self.cashier)

    # 6. Register settings

    def test_cashier_changes_no_register_setting_and_installs_nothing(self):
        sms = self.env["ir.module.module"].search([("name", "=", "pos_sms")])
        state = sms.state
        for config in (self.clothes, self.bakery):
            with self.assertRaises(PosSessionRestrictionError) as refused:
                config.with_user(self.cashier).write({"name": "Renamed"})
            self.assertEqual(refused.exception.rule, "administrator_only")
            if "module_pos_sms" in config._fields:
                with self.assertRaises(PosSessionRestrictionError):
                    config.with_user(self.cashier).write({"module_pos_sms": True})
        self.assertEqual(sms.state, state)
        self.assertEqual(self.clothes.name, "Clothes Shop")

    # 8. Smaller

    def test_journal_and_grants_survive_the_uninstall_context_key(self):
        event = self.env["pos.session.event"].search([], limit=1)
        grant = self.env["pos.approval.grant"]._grant(
            self.cashier, self.clothes, "resume", self.foreign.session, self.manager
        )
        for record in (event, grant):
            with self.subTest(model=record._name):
                self.assertTrue(record)
                with self.assertRaisesRegex(UserError, "cannot be deleted"):
                    record.sudo().with_context(_force_unlink=True).unlink()
                self.assertTrue(record.exists())

    def test_closed_sessions_off_the_visible_list_are_no_longer_seen(self):
        self.restrict(self.cashier, view=self.bakery, access=self.bakery)
        self.env.registry.clear_cache()
        Orders = self.env["pos.order"].with_user(self.cashier)
        self.assertFalse(Orders.search([("session_id", "=", self.old_session.id)]))
        self.assertFalse(
            self.env["pos.session"]
            .with_user(self.cashier)
            .search([("id", "=", self.old_session.id)])
        )

    def close_all(self, config):
        sessions = self.env["pos.session"].search(
            [("config_id", "=", config.id), ("state", "!=", "closed")]
        )
        sessions.order_ids.filtered(lambda o: o.state == "draft").write(
            {"state": "cancel"}
        )
        sessions.write({"state": "closed"})


@tagged("post_install", "-at_install")
class TestHeldSales(SellingCase):
    """A paid sale held for an administrator: placed into an open session, or
    cancelled with a reason; journaled either way; never deleted or edited."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restrict(cls.cashier, lock_foreign=True)
        payload = cls.order_payload(cls.foreign.session, cls.cashier, cls.product)
        cls.env["pos.order"].with_user(cls.cashier).sync_from_ui([payload])
        cls.held = cls.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])

    def test_sale_held_is_journaled_on_its_session(self):
        self.assertEqual(self.held.state, "held")
        (event,) = [
            e for e in self.events(self.foreign.session, "note") if e[0] == "sale_held"
        ]
        self.assertEqual(event[1], self.cashier)
        self.assertIn("of $\xa010.00 held", event[2])
        # What placing it records, for the administrator to read first.
        summary = self.held.with_user(self.manager).summary
        self.assertIn("1 × Scarf at $\xa010.00, discount 0%", summary)
        self.assertIn("Paid $\xa010.00 by Bank", summary)

    def test_board_and_closing_figures_count_held_sales(self):
        session = self.foreign.session
        self.assertEqual(session.with_user(self.manager).pos_held_count, 1)
        data = session.with_user(self.colleague).get_closing_control_data()
        self.assertEqual(data["pos_held_sales"], {"count": 1, "amount": 10.0})
        self.held.with_user(self.manager).write({"cancel_reason": "Duplicate"})
        self.held.with_user(self.manager).action_cancel()
        session.invalidate_recordset(["pos_held_count"])
        self.assertEqual(session.with_user(self.manager).pos_held_count, 0)

    def test_back_office_closing_form_warns_of_held_sales(self):
        def form(user):
            views = self.foreign.session.with_user(user).get_views([(False, "form")])
            return views["views"]["form"]["arch"]

        self.assertIn("o_pos_held_sales_warning", form(self.manager))
        self.assertEqual(self.foreign.session.with_user(self.manager).pos_held_count, 1)
        # Cashiers close in the POS app, whose closing popup warns them.
        self.assertNotIn("o_pos_held_sales_warning", form(self.colleague))

    def test_administrator_places_held_sale_into_an_open_session(self):
        held = self.held.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Choose the open session"):
            held.action_place()
        held.target_session_id = self.own.session
        held.action_place()
        order = held.order_id
        self.assertRecordValues(
            order,
            [
                {
                    "session_id": self.own.session.id,
                    "state": "paid",
                    "amount_total": 10.0,
                    "uuid": held.uuid,
                    "user_id": self.cashier.id,
                }
            ],
        )
        self.assertEqual(order.payment_ids.amount, 10.0)
        self.assertRecordValues(
            held, [{"state": "placed", "resolved_by_id": self.manager.id}]
        )
        self.assertIn(
            ("sale_placed", self.manager),
            [e[:2] for e in self.events(self.own.session, "note")],
        )
        with self.assertRaisesRegex(UserError, "already placed or cancelled"):
            held.action_cancel()

    def test_placing_creates_only_what_was_sold(self):
        # What the cashier sent could name other orders' lines and payments;
        # placing it, as an administrator, reaches none of them.
        foreign_line = self.foreign.paid.lines
        draft_line = self.foreign.draft.lines
        payment = self.foreign.paid.payment_ids
        payload = copy.deepcopy(self.held.payload)
        payload["lines"] += [[1, foreign_line.id, {"qty": 99}], [2, draft_line.id]]
        payload["payment_ids"] += [[4, payment.id], [1, payment.id, {"amount": 1}]]
        payload["account_move"] = self.foreign.paid.account_move.id
        payload["relations_uuid_mapping"] = {
            "pos.payment": {payment.uuid: {"pos_order_id": payload["uuid"]}}
        }
        models.Model.write(self.held.sudo(), {"payload": payload})
        held = self.held.with_user(self.manager)
        held.target_session_id = self.own.session
        held.action_place()
        self.assertEqual(held.order_id.lines.qty, 1)
        self.assertEqual(held.order_id.payment_ids.amount, 10.0)
        self.assertEqual(foreign_line.qty, 1)
        self.assertTrue(draft_line.exists())
        self.assertEqual(
            (payment.pos_order_id, payment.amount), (self.foreign.paid, 10.0)
        )

    def test_sale_numbered_as_an_existing_order_is_not_placed(self):
        payload = dict(self.held.payload, uuid=self.foreign.draft.uuid)
        models.Model.write(self.held.sudo(), {"payload": payload})
        held = self.held.with_user(self.manager)
        held.target_session_id = self.own.session
        models.Model.write(self.held.sudo(), {"uuid": self.foreign.draft.uuid})
        with self.assertRaisesRegex(UserError, "exists already"):
            held.action_place()
        self.assertEqual(self.foreign.draft.state, "draft")

    def test_administrator_cancels_held_sale_with_a_reason(self):
        held = self.held.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Say why"):
            held.action_cancel()
        held.cancel_reason = "Sold twice: the customer was refunded"
        held.action_cancel()
        self.assertEqual(held.state, "cancelled")
        (note,) = [
            e[2]
            for e in self.events(self.foreign.session, "note")
            if e[0] == "sale_cancelled"
        ]
        self.assertIn("Sold twice: the customer was refunded", note)
        # Sent again by the app, a resolved sale is neither held nor placed again.
        self.env["pos.order"].with_user(self.cashier).sync_from_ui([held.payload])
        self.assertEqual(
            self.env["pos.held.order"].search_count([("uuid", "=", held.uuid)]), 1
        )
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", held.uuid)]))

    def test_a_flood_of_sales_is_not_held(self):
        # One held already (setUpClass): past the day's limit, refused.
        with patch.object(pos_held_order, "HOLD_LIMIT", 1):
            payload = self.order_payload(
                self.foreign.session, self.cashier, self.product
            )
            with self.assertRaises(PosSessionRestrictionError):
                self.env["pos.order"].with_user(self.cashier).sync_from_ui([payload])
        self.assertFalse(
            self.env["pos.held.order"].search([("uuid", "=", payload["uuid"])])
        )

    def test_sale_sent_for_another_company_s_session_is_not_held(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        self.cashier.write(
            {
                "company_id": other_company.id,
                "company_ids": [Command.set(other_company.ids)],
            }
        )
        self.assertNotIn(self.foreign.session.company_id, self.cashier.company_ids)
        self.assertFalse(
            self.env["pos.held.order"]
            .with_user(self.cashier)
            ._pos_may_hold(self.foreign.session)
        )

    def test_cashier_neither_reads_nor_resolves_held_sales(self):
        held = self.held.with_user(self.cashier)
        with self.assertRaises(AccessError):
            held.read(["payload"])
        with self.assertRaises(AccessError):
            held.action_cancel()

    def test_held_sale_keeps_what_was_sent(self):
        held = self.held.with_user(self.manager)
        for vals in ({"amount_total": 1.0}, {"state": "cancelled"}, {"payload": {}}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                held.write(vals)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.held.sudo().with_context(_force_unlink=True).unlink()
        self.assertEqual(self.held.state, "held")


@tagged("post_install", "-at_install")
class TestCompaniesOfTheRecords(SellingCase):
    """The addon's own records always belong to a company, and a POS
    administrator of another company reads none of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        cls.other_manager = cls.env["res.users"].create(
            {
                "name": "Olga Other",
                "login": "psr_other_manager",
                "company_id": cls.other_company.id,
                "company_ids": [Command.set(cls.other_company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("point_of_sale.group_pos_manager").id,
                        ]
                    )
                ],
            }
        )

    def test_pin_attempts_belong_to_the_register_s_company(self):
        # sudo: only Odoo writes the attempts
        attempt = (
            self.env["pos.approval.attempt"]
            .sudo()
            .create(
                {
                    "date": fields.Datetime.now(),
                    "user_id": self.cashier.id,
                    "approver_id": self.manager.id,
                    "config_id": self.clothes.id,
                    "company_id": self.clothes.company_id.id,
                    "result": "wrong_pin",
                }
            )
        )
        Attempts = self.env["pos.approval.attempt"]
        self.assertIn(attempt, Attempts.with_user(self.manager).search([]))
        self.assertNotIn(attempt, Attempts.with_user(self.other_manager).search([]))

    def test_a_refusal_without_a_register_is_its_user_s_company_s(self):
        refusal = PosSessionRestrictionError("Refused", rule="administrator_only")
        vals = (
            self.env["pos.restriction.log"]
            .with_user(self.cashier)
            ._refusal_vals(refusal, "configure", self.env["pos.config"])
        )
        self.assertEqual(vals["company_id"], self.cashier.company_id.id)
        self.env["pos.restriction.log"].sudo()._record(vals)
        Log = self.env["pos.restriction.log"]
        entry = Log.search([("rule", "=", "administrator_only")])
        self.assertEqual(entry.company_id, self.cashier.company_id)
        self.assertIn(entry, Log.with_user(self.manager).search([]))
        self.assertNotIn(entry, Log.with_user(self.other_manager).search([]))
