from contextlib import closing

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import JournalCase, PosRestrictionHttpCommon


class JournalChainCase(JournalCase):
    """A few days of a shop, sealed: the cashier opens the Bakery, the
    colleague joins, the cashier starts and closes it; the colleague opens the
    Clothes shop and discards it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Journal = cls.env["pos.session.event"].sudo()
        # Start from an empty journal, whatever the database holds (rolled back
        # with the test's transaction).
        cls.env.cr.execute("DELETE FROM pos_session_event")
        session = cls.open_session(cls.bakery, cls.cashier)
        cls.bakery.with_user(cls.colleague).open_ui()
        session.with_user(cls.cashier).set_opening_control(0, "")
        session.with_user(cls.cashier).action_pos_session_closing_control()
        discarded = cls.open_session(cls.clothes, cls.colleague)
        discarded.with_user(cls.colleague).delete_opening_control_session()
        cls.seal()

    @classmethod
    def seal(cls):
        """Seal what waits, in the test's transaction (the real sealing runs
        after each commit, in a transaction of its own)."""
        cls.env.flush_all()
        cls.Journal._seal()
        cls.env.invalidate_all()

    def chain(self, company=None):
        """The sealed entries of ``company`` (the test's), in chain order."""
        self.env.invalidate_all()
        return self.Journal.search(
            [
                ("company_id", "=", (company or self.env.company).id),
                ("chain_sequence", "!=", False),
            ],
            order="chain_sequence",
        )

    def tamper(self, query, *params):
        """Change the journal behind the ORM's back, as someone with access to
        the database would."""
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def assertBroken(self, entry, reason):
        self.assertEqual(self.Journal._check_journal_integrity(), entry)
        (report,) = self.Journal._journal_integrity_reports(self.env.company)
        self.assertEqual(report["broken_entry"], entry)
        self.assertEqual(report["reason"], reason)
        return report


@tagged("post_install", "-at_install")
class TestJournalSealing(JournalChainCase):
    """Each entry carries the hash of its content and of the entry before it."""

    def test_entries_are_chained_in_order(self):
        chain = self.chain()
        self.assertEqual(
            chain.mapped("event"),
            ["opened", "resumed", "started", "closed", "opened", "discarded"],
        )
        self.assertEqual(chain.mapped("chain_sequence"), list(range(1, 7)))
        self.assertEqual(chain[0].previous_hash, "")
        for previous, entry in zip(chain, chain[1:], strict=False):
            self.assertEqual(entry.previous_hash, previous.hash)
        for entry in chain:
            self.assertRegex(entry.hash, r"^[0-9a-f]{64}$")
            self.assertEqual(
                entry.hash,
                entry._journal_hash(entry.chain_sequence, entry.previous_hash),
            )

    def test_new_entries_wait_to_be_sealed_then_extend_the_chain(self):
        last = self.chain()[-1]
        self.bakery.with_user(self.cashier).open_ui()
        entry = self.journal()[0]
        self.assertEqual(entry.event, "opened")
        self.assertFalse(entry.chain_sequence)
        self.assertFalse(entry.hash)
        (report,) = self.Journal._journal_integrity_reports(self.env.company)
        self.assertEqual((report["count"], report["pending"]), (6, 1))
        self.seal()
        self.assertEqual(entry.chain_sequence, 7)
        self.assertEqual(entry.previous_hash, last.hash)
        self.assertFalse(self.Journal._check_journal_integrity())

    def test_sealing_an_entry_costs_five_queries(self):
        """The lock, the chain's last entry, the entries waiting, their
        content, and one update for them all."""
        self.bakery.with_user(self.cashier).open_ui()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            self.Journal._seal(self.env.company.ids)
        self.assertFalse(self.Journal._check_journal_integrity())

    def test_sealing_again_changes_nothing(self):
        before = self.chain().read(["chain_sequence", "previous_hash", "hash"])
        self.seal()
        self.assertEqual(
            self.chain().read(["chain_sequence", "previous_hash", "hash"]), before
        )

    def test_each_company_has_its_own_chain(self):
        other = self.setup_other_company()["company"]
        self.Journal.create(
            {
                "event": "opened",
                "config_id": self.bakery.id,
                "company_id": other.id,
                "user_id": self.manager.id,
            }
        )
        self.seal()
        (entry,) = self.chain(other)
        self.assertEqual((entry.chain_sequence, entry.previous_hash), (1, ""))
        self.assertEqual(len(self.chain()), 6)
        self.assertFalse(self.Journal._check_journal_integrity())

    def test_every_event_is_sealed_whatever_its_type(self):
        """Events the journal records for other features (hand-over, approval,
        remote close) go through ``_record`` too, and are chained alike."""
        session = self.open_session(self.furniture, self.cashier)
        events = [value for value, _label in self.Journal._fields["event"].selection]
        for event in events:
            self.Journal.with_user(self.manager)._record(event, session, note=event)
        self.seal()
        self.assertEqual(self.chain()[-len(events) :].mapped("event"), events)
        self.assertFalse(self.Journal._check_journal_integrity())
        approved = self.chain().filtered(lambda entry: entry.event == "approved")
        self.tamper(
            "UPDATE pos_session_event SET note = 'approved twice' WHERE id = %s",
            approved.id,
        )
        self.assertBroken(approved, "altered")

    def test_deleting_a_sealed_session_keeps_its_chain_intact(self):
        """A discarded session's entries lose their link to it, not their seal."""
        session = self.open_session(self.furniture, self.cashier)
        self.seal()
        session.with_user(self.cashier).delete_opening_control_session()
        self.seal()
        entries = self.chain().filtered(lambda e: e.session_name == f"#{session.id}")
        self.assertEqual(entries.mapped("event"), ["opened", "discarded"])
        self.assertFalse(entries.session_id)
        self.assertFalse(self.Journal._check_journal_integrity())

    def test_nobody_changes_a_seal_through_the_orm(self):
        entry = self.chain()[0]
        for vals in ({"hash": "0" * 64}, {"chain_sequence": 99}, {"note": "x"}):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "cannot be changed"),
            ):
                entry.write(vals)

    def test_chain_numbers_are_unique_per_company(self):
        first, second = self.chain()[:2]
        with mute_logger("odoo.sql_db"), self.assertRaises(Exception):  # noqa: B017
            with self.env.cr.savepoint():
                self.tamper(
                    "UPDATE pos_session_event SET chain_sequence = %s WHERE id = %s",
                    first.chain_sequence,
                    second.id,
                )


@tagged("post_install", "-at_install")
class TestJournalIntegrity(JournalChainCase):
    """Rows changed in SQL: the check names the first entry that no longer
    matches."""

    def test_intact_journal(self):
        self.assertFalse(self.Journal._check_journal_integrity())
        (report,) = self.Journal._journal_integrity_reports(self.env.company)
        chain = self.chain()
        self.assertEqual(report["count"], 6)
        self.assertEqual(report["first_entry"], chain[0])
        self.assertEqual(report["last_entry"], chain[-1])
        self.assertFalse(report["pending"])

    def test_changed_note_is_named(self):
        entry = self.chain()[2]
        self.tamper(
            "UPDATE pos_session_event SET note = 'Counted 100' WHERE id = %s", entry.id
        )
        report = self.assertBroken(entry, "altered")
        self.assertEqual(report["count"], 2)
        self.assertIn(
            "The chain is intact up to entry number 2.",
            self.Journal._journal_integrity_message(report),
        )

    def test_changed_user_is_named(self):
        entry = self.chain()[1]
        self.assertEqual(entry.user_id, self.colleague)
        self.tamper(
            "UPDATE pos_session_event SET user_id = %s WHERE id = %s",
            self.cashier.id,
            entry.id,
        )
        self.assertBroken(entry, "altered")

    def test_changed_date_event_or_address_is_named(self):
        entry = self.chain()[3]
        for column, value in (
            ("date", "2020-01-01 08:00:00"),
            ("event", "discarded"),
            ("ip_address", "10.0.0.1"),
            ("session_name", "POS/99999"),
        ):
            with self.subTest(column=column), closing(self.env.cr.savepoint()):
                self.tamper(
                    f"UPDATE pos_session_event SET {column} = %s WHERE id = %s",
                    value,
                    entry.id,
                )
                self.assertBroken(entry, "altered")

    def test_deleted_entry_in_the_middle_is_named_by_the_next(self):
        chain = self.chain()
        self.tamper("DELETE FROM pos_session_event WHERE id = %s", chain[2].id)
        report = self.assertBroken(chain[3], "missing")
        message = self.Journal._journal_integrity_message(report)
        self.assertIn("entry number 4 (Closed by Casey Cashier on", message)
        self.assertIn("the entry before it (number 3) was deleted", message)

    def test_deleted_first_entry_is_named_by_the_second(self):
        chain = self.chain()
        self.tamper("DELETE FROM pos_session_event WHERE id = %s", chain[0].id)
        self.assertBroken(chain[1], "missing")

    def test_entry_rehashed_after_a_change_breaks_the_next_link(self):
        """Whoever recomputes the hash of the entry they changed still breaks
        the chain: the next entry holds the old hash."""
        chain = self.chain()
        entry = chain[2]
        self.tamper(
            "UPDATE pos_session_event SET note = 'rewritten' WHERE id = %s", entry.id
        )
        self.tamper(
            "UPDATE pos_session_event SET hash = %s WHERE id = %s",
            entry._journal_hash(entry.chain_sequence, entry.previous_hash),
            entry.id,
        )
        self.assertBroken(chain[3], "unchained")

    def test_unsealed_entry_does_not_hide_a_change(self):
        chain = self.chain()
        self.tamper(
            "UPDATE pos_session_event SET chain_sequence = NULL WHERE id = %s",
            chain[4].id,
        )
        self.assertBroken(chain[5], "missing")

    def test_message_of_intact_journal(self):
        (report,) = self.Journal._journal_integrity_reports(self.env.company)
        message = self.Journal._journal_integrity_message(report)
        self.assertRegex(
            message,
            rf"^{self.env.company.name}: the journal is intact since .+, 6 entries\.$",
        )


@tagged("post_install", "-at_install")
class TestJournalSealingAfterCommit(JournalCase):
    """The entries are sealed once the transaction that wrote them commits."""

    def test_commit_seals_the_new_entries(self):
        session = self.open_session(self.bakery, self.cashier)
        (entry,) = self.journal(session)
        self.assertFalse(entry.chain_sequence)
        self.env.flush_all()
        # What a commit runs; with cursors opened on the test's transaction.
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertTrue(entry.chain_sequence)
        self.assertTrue(entry.hash)
        self.assertFalse(
            self.env["pos.session.event"]._check_journal_integrity(self.env.company)
        )

    def test_commit_seals_an_approval_given_before_a_session(self):
        # A manager's approval to open a register goes in its journal at once:
        # its commit seals it, whatever else the transaction wrote.
        self.env.cr.postcommit.clear()
        entry = (
            self.env["pos.session.event"]
            .with_user(self.cashier)
            ._record_on_config("approved", self.bakery, "Mitchell Admin approved")
        )
        self.env.flush_all()
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertTrue(entry.chain_sequence)


@tagged("post_install", "-at_install")
class TestJournalIntegrityButton(JournalChainCase, PosRestrictionHttpCommon):
    """The "Check Integrity" button of the Session Journal list, as the web
    client calls it."""

    def check(self, login):
        self.authenticate(login, login)
        return self.rpc(
            "call_button",
            "pos.session.event",
            "action_check_journal_integrity",
            [[]],
        )

    def test_button_reports_intact_journal(self):
        # One more entry, not sealed yet: the button seals it first.
        self.bakery.with_user(self.cashier).open_ui()
        action = self.assertRpcResult(self.check("psr_manager"))
        self.assertEqual(action["tag"], "display_notification")
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertRegex(
            params["message"],
            rf"^{self.env.company.name}: the journal is intact since .+, 7 entries\.$",
        )
        self.assertNotIn("next", params)
        self.assertEqual(self.chain()[-1].event, "opened")

    def test_button_names_and_opens_the_entry_that_does_not_match(self):
        entry = self.chain()[1]
        self.tamper(
            "UPDATE pos_session_event SET note = 'never here' WHERE id = %s", entry.id
        )
        action = self.assertRpcResult(self.check("psr_manager"))
        params = action["params"]
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["sticky"])
        self.assertIn(
            "entry number 2 (Resumed by Colin Colleague on", params["message"]
        )
        self.assertIn("it was changed after it was recorded", params["message"])
        self.assertIn("The chain is intact up to entry number 1.", params["message"])
        self.assertEqual(params["next"]["res_model"], "pos.session.event")
        self.assertEqual(params["next"]["res_id"], entry.id)

    @mute_logger("odoo.http")
    def test_cashier_cannot_check_the_journal(self):
        response = self.check("psr_cashier")
        self.assertIn("error", response)
        self.assertEqual(
            response["error"]["data"]["name"], "odoo.exceptions.AccessError"
        )
