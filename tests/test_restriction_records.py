from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.pos_restriction_record import RETENTION_PARAM
from .common import PosRestrictionCommon


@tagged("post_install", "-at_install")
class TestRestrictionRecords(PosRestrictionCommon):
    """The four records of what happened at a register (restriction log,
    session journal, manager approvals, approval PIN attempts) share one
    mixin: who, register, company, address, device; nobody changes or
    deletes one, whatever the context; the daily purge lets the log, the
    attempts and the expired approvals go after the retention period, never
    the journal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls.open_session(cls.bakery, cls.cashier)
        cls.env["ir.config_parameter"].set_param(RETENTION_PARAM, 10)

    def records(self, age=timedelta(0)):
        """One record of each model, dated ``age`` ago."""
        date = fields.Datetime.now() - age
        common = {
            "user_id": self.cashier.id,
            "config_id": self.bakery.id,
            "company_id": self.bakery.company_id.id,
        }
        env = self.env(su=True)
        return {
            "pos.restriction.log": env["pos.restriction.log"].create(
                {
                    **common,
                    "last_date": date,
                    "rule": "not_operable",
                    "action": "open",
                    "channel": "rpc",
                }
            ),
            "pos.session.event": env["pos.session.event"].create(
                {**common, "session_id": self.session.id, "event": "resumed"}
            ),
            "pos.approval.grant": env["pos.approval.grant"].create(
                {
                    **common,
                    "date": date,
                    "approver_id": self.manager.id,
                    "action": "open",
                    "expiration_date": date + timedelta(minutes=5),
                }
            ),
            "pos.approval.attempt": env["pos.approval.attempt"].create(
                {
                    **common,
                    "date": date,
                    "approver_id": self.manager.id,
                    "result": "wrong_pin",
                }
            ),
        }

    def test_nobody_changes_or_deletes_a_record_whatever_the_context(self):
        for model, record in self.records().items():
            with self.subTest(model=model, user="POS administrator"):
                manager_record = record.with_user(self.manager)
                with self.assertRaises(AccessError):
                    manager_record.write({"ip_address": "10.0.0.1"})
                with self.assertRaises(AccessError):
                    manager_record.unlink()
            for env in (
                self.env(su=True),
                self.env(su=True, context={"_force_unlink": True}),
            ):
                with self.subTest(model=model, su=env.su, context=env.context):
                    with self.assertRaisesRegex(UserError, "cannot be changed"):
                        record.with_env(env).write({"ip_address": "10.0.0.1"})
                    with self.assertRaisesRegex(UserError, "cannot be deleted"):
                        record.with_env(env).unlink()
            self.assertTrue(record.exists())
            self.assertFalse(record.ip_address)

    def test_only_the_addon_updates_a_model_s_counters(self):
        records = self.records()
        # An attempt's outcome is recorded by SQL: nothing writes it after.
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            records["pos.approval.attempt"].sudo().write({"result": "granted"})
        entry = records["pos.restriction.log"]
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            entry.with_user(self.manager).sudo().write({"message": "Changed"})
        with self.assertRaises(AccessError):
            entry.with_user(self.manager).write({"attempt_count": 5})
        entry.sudo().write({"attempt_count": 5})
        self.assertEqual(entry.attempt_count, 5)

    def test_purge_lets_go_what_the_retention_lets_go_never_the_journal(self):
        old = self.records(age=timedelta(days=11))
        recent = self.records(age=timedelta(days=9))
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=float("inf")
        ):
            self.env["pos.restriction.record"]._cron_purge_restriction_records()
        for model, record in old.items():
            with self.subTest(model=model):
                self.assertEqual(
                    bool(record.exists()), model == "pos.session.event", model
                )
        for model, record in recent.items():
            with self.subTest(model=model):
                self.assertTrue(record.exists())
