from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import format_amount, mute_logger

from .common import JournalCase, PosRestrictionHttpCommon

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) PosRestrictionTest/1.0"


@tagged("post_install", "-at_install")
class TestJournalEvents(JournalCase):
    """What the journal records of a session's life, from the model."""

    def test_session_life_is_journaled(self):
        session = self.open_session(self.bakery, self.cashier)
        self.bakery.with_user(self.colleague).open_ui()
        session.with_user(self.cashier).set_opening_control(0, "")
        session.with_user(self.cashier).action_pos_session_closing_control()
        self.assertEqual(
            self.events(session),
            [
                ("opened", self.cashier),
                ("resumed", self.colleague),
                ("started", self.cashier),
                ("closed", self.cashier),
            ],
        )
        opened = self.journal(session)[-1]
        self.assertRecordValues(
            opened,
            [
                {
                    "config_id": self.bakery.id,
                    "company_id": self.bakery.company_id.id,
                    "session_name": f"#{session.id}",
                    "ip_address": False,
                    "user_agent": False,
                }
            ],
        )
        self.assertAlmostEqual(
            opened.date, fields.Datetime.now(), delta=timedelta(minutes=1)
        )
        self.assertEqual(self.journal(session)[0].session_name, session.name)

    def test_every_event_of_a_session_is_journaled(self):
        """Opened, resumed (by whom, from where), started, cash moved in and
        out, a cash move deleted, closed: each is an entry, in order."""
        self.setup_cash_register(self.bakery)
        session = self.open_session(self.bakery, self.cashier)
        self.bakery.with_user(self.colleague).open_ui()
        cashier_session = session.with_user(self.cashier)
        cashier_session.set_opening_control(0, "")
        # The POS app names the cashier's partner on each cash move.
        partner = self.cashier.partner_id.id
        cash_in_out = cashier_session.try_cash_in_out
        cash_in_out("in", 50.0, "Float", partner, {"translatedType": "in"})
        cash_in_out("out", 20.0, "Bank deposit", partner, {"translatedType": "out"})
        cash_out = session.statement_line_ids.filtered(lambda line: line.amount < 0)
        cash_out_label = cash_out.payment_ref
        cashier_session.delete_cash_in_out(cash_out.id, partner)
        cashier_session.action_pos_session_closing_control()
        self.assertEqual(
            self.events(session),
            [
                ("opened", self.cashier),
                ("resumed", self.colleague),
                ("started", self.cashier),
                ("cash_in", self.cashier),
                ("cash_out", self.cashier),
                ("cash_deleted", self.cashier),
                ("closed", self.cashier),
            ],
        )
        currency = session.currency_id
        self.assertEqual(
            [e.note for e in reversed(self.journal(session))][3:6],
            [
                f"{format_amount(self.env, 50.0, currency)}: Float",
                f"{format_amount(self.env, 20.0, currency)}: Bank deposit",
                f"{format_amount(self.env, -20.0, currency)}: {cash_out_label}",
            ],
        )

    def test_refused_cash_move_is_not_journaled(self):
        self.setup_cash_register(self.bakery)
        session = self.open_session(self.bakery, self.colleague)
        session.with_user(self.colleague).set_opening_control(0, "")
        self.restrict(self.cashier, lock_foreign=True)
        with self.assertRefused("was opened by Colin Colleague"):
            session.with_user(self.cashier).try_cash_in_out(
                "in", 5.0, "", False, {"translatedType": "in"}
            )
        self.assertNotIn("cash_in", [event for event, _user in self.events(session)])

    def test_discarded_session_keeps_its_journal(self):
        session = self.open_session(self.clothes, self.cashier)
        name = f"#{session.id}"
        session.with_user(self.cashier).delete_opening_control_session()
        self.assertFalse(session.exists())
        entries = self.journal().filtered(lambda e: e.session_name == name)
        self.assertEqual(entries.mapped("event"), ["discarded", "opened"])
        self.assertFalse(entries.session_id)
        self.assertEqual(entries.config_id, self.clothes)

    def test_resuming_again_from_same_device_is_one_sitting(self):
        session = self.open_session(self.bakery, self.colleague)
        for _attempt in range(3):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(
            self.events(session),
            [("opened", self.colleague), ("resumed", self.cashier)],
        )
        # An hour later, it is a new sitting.
        self.env.cr.execute(
            "UPDATE pos_session_event SET date = date - interval '2 hours'"
            " WHERE session_id = %s",
            [session.id],
        )
        self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(
            [event for event, _user in self.events(session)],
            ["opened", "resumed", "resumed"],
        )

    def test_refused_resume_is_not_journaled(self):
        session = self.open_session(self.bakery, self.colleague)
        self.restrict(self.cashier, lock_foreign=True)
        with self.assertRefused("was opened by Colin Colleague"):
            self.bakery.with_user(self.cashier).open_ui()
        self.assertEqual(self.events(session), [("opened", self.colleague)])

    def test_worked_in_is_what_the_journal_says(self):
        session = self.open_session(self.bakery, self.colleague)
        self.assertTrue(session.with_user(self.colleague).pos_worked_in)
        self.assertFalse(session.with_user(self.cashier).pos_worked_in)
        self.bakery.with_user(self.cashier).open_ui()
        self.assertTrue(session.with_user(self.cashier).pos_worked_in)
        self.assertEqual(self.cashier.pos_worked_session_ids, session)
        session.with_user(self.colleague).set_opening_control(0, "")
        session.with_user(self.colleague).action_pos_session_closing_control()
        self.cashier.invalidate_recordset(["pos_worked_session_ids"])
        self.assertFalse(self.cashier.pos_worked_session_ids)


@tagged("post_install", "-at_install")
class TestJournalAccess(JournalCase):
    """Append-only: POS administrators read it, nobody changes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls.open_session(cls.bakery, cls.cashier)
        cls.entry = (
            cls.env["pos.session.event"]
            .sudo()
            .search([("session_id", "=", cls.session.id)])
        )

    def test_administrator_reads_the_journal_cashier_does_not(self):
        Journal = self.env["pos.session.event"]
        self.assertEqual(Journal.with_user(self.manager).search([]), self.entry)
        with self.assertRaises(AccessError):
            Journal.with_user(self.cashier).search([])
        with self.assertRaises(AccessError):
            self.entry.with_user(self.cashier).read(["event"])

    def test_nobody_writes_or_deletes_an_entry(self):
        for user in (self.cashier, self.manager):
            entry = self.entry.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    entry.write({"event": "closed"})
                with self.assertRaises(AccessError):
                    entry.unlink()
        # Not even code running as the superuser.
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            self.entry.sudo().write({"event": "closed"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.entry.sudo().unlink()
        self.assertEqual(self.entry.event, "opened")

    def test_only_odoo_adds_entries(self):
        vals = {
            "event": "closed",
            "session_id": self.session.id,
            "config_id": self.bakery.id,
            "company_id": self.bakery.company_id.id,
            "user_id": self.cashier.id,
        }
        for user in (self.cashier, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["pos.session.event"].with_user(user).create(vals)

    def test_other_company_journal_is_hidden(self):
        other = self.setup_other_company()["company"]
        self.manager.write({"company_ids": [(4, other.id)]})
        Journal = self.env["pos.session.event"].with_user(self.manager)
        self.assertEqual(
            Journal.with_context(allowed_company_ids=other.ids).search([]),
            Journal.browse(),
        )

    def test_session_form_opens_its_journal(self):
        session = self.session.with_user(self.manager)
        self.assertEqual(session.pos_event_count, 1)
        action = session.action_view_pos_session_events()
        self.assertEqual(action["res_model"], "pos.session.event")
        self.assertEqual(
            self.env["pos.session.event"]
            .with_user(self.manager)
            .search(action["domain"]),
            self.entry,
        )

    def test_session_form_shows_its_refusals_beside_the_journal(self):
        Log = self.env["pos.restriction.log"].sudo()
        vals = {
            "user_id": self.colleague.id,
            "config_id": self.bakery.id,
            "rule": "foreign_session",
            "action": "resume",
            "message": "Refused.",
            "last_date": fields.Datetime.now(),
        }
        entry = Log.create({**vals, "session_id": self.session.id, "attempt_count": 3})
        Log.create(vals)  # on the register, not on this session
        session = self.session.with_user(self.manager)
        self.assertEqual(session.pos_refusal_count, 3)
        action = session.action_view_restriction_log()
        self.assertEqual(action["res_model"], "pos.restriction.log")
        self.assertEqual(
            self.env["pos.restriction.log"]
            .with_user(self.manager)
            .search(action["domain"]),
            entry,
        )
        form = self.env.ref("point_of_sale.view_pos_session_form")
        arch = session.get_views([(form.id, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_view_pos_session_events"', arch)
        self.assertIn('name="action_view_restriction_log"', arch)


@tagged("post_install", "-at_install")
class TestJournalHttp(JournalCase, PosRestrictionHttpCommon):
    """Resuming through the dashboard's RPC and a typed URL: who, from where,
    with which browser."""

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")
        self.session = self.open_session(self.bakery, self.colleague)

    def test_resume_by_url_records_ip_and_user_agent(self):
        response = self.url_open(
            f"/pos/ui/{self.bakery.id}", headers={"User-Agent": USER_AGENT}
        )
        self.assertPosPage(response, self.session)
        resumed = self.journal(self.session)[0]
        self.assertRecordValues(
            resumed,
            [
                {
                    "event": "resumed",
                    "user_id": self.cashier.id,
                    "ip_address": "127.0.0.1",
                    "user_agent": USER_AGENT,
                }
            ],
        )

    def test_resume_by_dashboard_then_url_is_one_sitting(self):
        headers = {"User-Agent": USER_AGENT}
        self.assertRpcResult(
            self.call_kw("pos.config", "open_ui", [self.bakery.ids], headers=headers)
        )
        self.url_open(f"/pos/ui/{self.bakery.id}", headers=headers)
        self.assertEqual(
            self.events(self.session),
            [("opened", self.colleague), ("resumed", self.cashier)],
        )
        # Another device is another sitting.
        self.url_open(f"/pos/ui/{self.bakery.id}", headers={"User-Agent": "Tablet"})
        self.assertEqual(
            [e.user_agent for e in self.journal(self.session)[:2]],
            ["Tablet", USER_AGENT],
        )

    @mute_logger("odoo.http")
    def test_refused_url_is_not_journaled(self):
        self.restrict(self.cashier, lock_foreign=True)
        response = self.url_open(f"/pos/ui/{self.bakery.id}")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.events(self.session), [("opened", self.colleague)])
