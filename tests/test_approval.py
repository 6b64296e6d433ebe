import html
import json
import logging
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.res_users_approval_pin import PIN_HASH_COLUMN
from .common import CALLER_CONTEXT, MSG_HAND_OVER_NOT_OPERABLE
from .common_approval import OTHER_PIN, PIN, PosApprovalCommon

_logger = logging.getLogger(__name__)
APPROVE_URL = "/pos_session_restriction/approve"
MSG_WRONG_PIN = (
    "Wrong PIN for Mitchell Admin. {count} more wrong PINs and manager approvals "
    "are locked for 15 minutes."
)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:
            self.lines.append(str(record.msg))


@tagged("post_install", "-at_install")
class TestApprovalPinSecrecy(PosApprovalCommon):
    def pin_hash(self, user):
        self.env.cr.execute(
            f"SELECT {PIN_HASH_COLUMN} FROM res_users WHERE id = %s", [user.id]
        )
        return self.env.cr.fetchone()[0]

    def assertNoSecret(self, text, secrets, what):
        for secret in secrets:
            self.assertNotIn(secret, text, f"{what} carries a secret")

    def test_pin_is_hashed_and_leaves_the_server_in_no_response_and_no_log(self):
        capture = _Capture()
        root = logging.getLogger()
        sql_logger = logging.getLogger("odoo.sql_db")
        old_level, old_sql_level = root.level, sql_logger.level
        root.addHandler(capture)
        root.setLevel(logging.DEBUG)
        # Odoo's SQL debug log prints every query's parameters.
        sql_logger.setLevel(logging.DEBUG)
        responses = []
        try:
            self.authenticate("psr_manager", "psr_manager")
            # The administrator sets their own PIN from their preferences.
            response = self.url_open(
                "/web/dataset/call_kw/res.users/web_save",
                json={
                    "params": {
                        "model": "res.users",
                        "method": "web_save",
                        "args": [
                            [self.manager.id],
                            {"pos_approval_pin": OTHER_PIN},
                        ],
                        "kwargs": {
                            "specification": {
                                "pos_approval_pin": {},
                                "pos_approval_pin_set": {},
                            }
                        },
                    }
                },
            )
            responses.append(("web_save", response.text))
            self.assertEqual(
                response.json()["result"][0],
                {
                    "id": self.manager.id,
                    "pos_approval_pin": False,
                    "pos_approval_pin_set": True,
                },
            )
            pin_hash = self.pin_hash(self.manager)
            self.assertTrue(pin_hash.startswith("$pbkdf2-sha512$"))
            self.assertNotIn(OTHER_PIN, pin_hash)
            ids = [self.manager.id]
            pin_fields = ["pos_approval_pin", "pos_approval_pin_set"]
            for method, args, kwargs in [
                ("read", [ids, pin_fields], {}),
                ("web_read", [ids], {"specification": {f: {} for f in pin_fields}}),
                ("search_read", [[("id", "in", ids)], pin_fields], {}),
                ("export_data", [ids, pin_fields], {}),
            ]:
                response = self.url_open(
                    f"/web/dataset/call_kw/res.users/{method}",
                    json={
                        "params": {
                            "model": "res.users",
                            "method": method,
                            "args": args,
                            "kwargs": kwargs,
                        }
                    },
                )
                self.assertNotIn("error", response.json(), method)
                responses.append((method, response.text))
            export = {
                "model": "res.users",
                "fields": [{"name": "pos_approval_pin", "label": "PIN"}],
                "ids": ids,
                "domain": [],
                "import_compat": True,
            }
            response = self.url_open(f"/web/export/csv?data={json.dumps(export)}")
            self.assertEqual(response.status_code, 200)
            responses.append(("/web/export/csv", response.text))
            # The POS data the administrator's register downloads.
            session = self.open_session(self.bakery, self.manager)
            models = ["pos.session", *session._load_pos_data_models(self.bakery)]
            response = self.url_open(
                "/web/dataset/call_kw/pos.session/load_data",
                json={
                    "params": {
                        "model": "pos.session",
                        "method": "load_data",
                        "args": [[session.id], models],
                        "kwargs": {},
                    }
                },
            )
            self.assertNotIn("error", response.json())
            self.assertIn("res.users", response.json()["result"])
            responses.append(("load_data", response.text))

            # The cashier asks for approvals, wrong and right, and reads the page.
            self.authenticate("psr_cashier", "psr_cashier")
            self.start_session(self.clothes, self.colleague)
            approvers = self.call_kw("pos.config", "pos_approvers", [[self.clothes.id]])
            responses.append(("approvers", json.dumps(approvers)))
            # The PIN is OTHER_PIN now.
            wrong = self.approve("resume", self.clothes)
            self.assertRefusedRule(wrong, "wrong_pin")
            responses.append(("wrong PIN", json.dumps(wrong)))
            page = self.open_url(f"/pos/ui/{self.clothes.id}")
            self.assertEqual(page.status_code, 403)
            self.assertIn("o_pos_session_restriction_approval", page.text)
            responses.append(("refusal page", page.text))
            csrf, token, action = (
                re.search(rf'name="{name}" value="([^"]+)"', page.text)[1]
                for name in ("csrf_token", "approval_token", "approval_action")
            )
            for pin in (PIN, OTHER_PIN):
                page = self.url_open(
                    APPROVE_URL,
                    data={
                        "csrf_token": csrf,
                        "config_id": self.clothes.id,
                        "approval_action": action,
                        "approval_token": token,
                        "approver_id": self.manager.id,
                        "pin": pin,
                    },
                )
                responses.append(("approval form", page.text))
            self.assertTrue(self.grants(), "the right PIN was approved")
        finally:
            root.removeHandler(capture)
            root.setLevel(old_level)
            sql_logger.setLevel(old_sql_level)
        secrets = [PIN, OTHER_PIN, pin_hash, *pin_hash.split("$")[3:]]
        for what, text in responses:
            self.assertNoSecret(text, secrets, what)
        self.assertGreater(len(capture.lines), 100, "the log was captured")
        for line in capture.lines:
            self.assertNoSecret(line, secrets, f"the log line {line[:200]!r}")

    # Core's HTTP layer logs as a warning each ValidationError it answers.
    @mute_logger("odoo.http")
    def test_pin_must_be_6_to_12_digits_of_a_pos_administrator(self):
        for pin in ("123", "1234567890123", "12a4", "12 34", "١٢٣٤"):
            response = self.call_kw(
                "res.users", "write", [[self.cashier.id], {"pos_approval_pin": pin}]
            )
            self.assertIn("error", response)
        self.authenticate("psr_manager", "psr_manager")
        for pin in ("123", "1234", "12345", "1234567890123", "12a4"):
            response = self.call_kw(
                "res.users", "write", [[self.manager.id], {"pos_approval_pin": pin}]
            )
            self.assertEqual(
                response["error"]["data"]["message"],
                "An approval PIN is made of 6 to 12 digits, 0 to 9.",
            )
        # A cashier has no PIN, not even one set by a user administrator.
        response = self.call_kw(
            "res.users", "write", [[self.cashier.id], {"pos_approval_pin": "123456"}]
        )
        self.assertIn(
            "cannot have an approval PIN", response["error"]["data"]["message"]
        )
        self.assertFalse(self.pin_hash(self.cashier))
        self.assertTrue(self.manager._pos_verify_approval_pin(PIN))
        self.assertFalse(self.manager._pos_verify_approval_pin("1234"))

    def test_four_digit_pin_set_before_keeps_working_until_changed(self):
        # Stored as 19.0.2.1.0 let it be set: hashed, 4 digits.
        self.manager._pos_store_approval_pin_hash(
            self.manager._crypt_context().hash("4321")
        )
        self.assertTrue(self.manager._pos_verify_approval_pin("4321"))
        with self.assertRaisesRegex(ValidationError, "6 to 12 digits"):
            self.manager.pos_approval_pin = "1234"
        self.assertTrue(self.manager._pos_verify_approval_pin("4321"))


@tagged("post_install", "-at_install")
class TestApproval(PosApprovalCommon):
    def test_take_over_hands_session_to_cashier_who_sells_and_closes_it(self):
        session = self.start_session(self.bakery, self.colleague)
        refused = self.call_kw("pos.session", "get_closing_control_data", [session.ids])
        data = self.assertRefusedRule(refused, "foreign_session")
        self.assertEqual(data["context"]["approval_action"], "take_over")
        self.assertRpcResult(self.approve("take_over", self.bakery))
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(
            self.events(session, "note")[-2:],
            [
                (
                    "approved",
                    self.cashier,
                    "Mitchell Admin approved: Take over the session",
                ),
                (
                    "handed_over",
                    self.colleague,
                    "From Colin Colleague to Casey Cashier, by Mitchell Admin",
                ),
            ],
        )
        grant = self.grants()
        self.assertEqual(
            (grant.action, grant.user_id, grant.approver_id, grant.session_id),
            ("take_over", self.cashier, self.manager, session),
        )
        self.assertTrue(grant.used_date)
        payload = self.order_payload(session, self.cashier, self.product_a)
        self.assertRpcResult(self.call_kw("pos.order", "sync_from_ui", [[payload]]))
        self.close_via_rpc(session)

    def test_approval_to_resume_lets_cashier_in_once(self):
        session = self.start_session(self.bakery, self.colleague)
        page = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertUrlRefused(page, self.foreign_message(session))
        self.assertRpcResult(self.approve("resume", self.bakery))
        self.assertPosPage(self.open_url(f"/pos/ui/{self.bakery.id}"), session)
        # Used: neither the page nor the dashboard lets the cashier in again.
        self.assertUrlRefused(
            self.open_url(f"/pos/ui/{self.bakery.id}"), self.foreign_message(session)
        )
        self.assertRefusedRule(
            self.call_kw("pos.config", "open_ui", [self.bakery.ids]), "foreign_session"
        )
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(len(self.grants()), 1)

    def test_approval_from_dashboard_covers_the_page_that_follows_once(self):
        session = self.start_session(self.bakery, self.colleague)
        self.assertRpcResult(self.approve("resume", self.bakery))
        action = self.rpc("call_button", "pos.config", "open_ui", [self.bakery.ids])
        self.assertIn("/pos/ui", self.assertRpcResult(action)["url"])
        self.assertPosPage(self.open_url(f"/pos/ui/{self.bakery.id}"), session)
        self.assertUrlRefused(
            self.open_url(f"/pos/ui/{self.bakery.id}"), self.foreign_message(session)
        )

    def test_approval_to_close_covers_the_closing_steps_then_nothing(self):
        session = self.start_session(self.bakery, self.colleague)
        order = self.create_paid_order(session)
        order.action_pos_order_paid()
        self.assertRpcResult(self.approve("close", self.bakery))
        self.close_via_rpc(session)
        self.assertEqual(session.user_id, self.colleague)
        # Closing marks the colleague's orders done: accounting, not a sale.
        self.assertEqual(order.state, "done")
        # The approval is spent: the colleague's next session stays theirs.
        next_session = self.start_session(self.bakery, self.colleague)
        self.assertRefusedRule(
            self.call_kw("pos.session", "get_closing_control_data", [next_session.ids]),
            "foreign_session",
        )

    def test_approval_to_open_a_register_out_of_the_operable_ones(self):
        self.restrict(self.cashier, access=self.clothes)
        page = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertEqual(page.status_code, 403)
        self.assertIn('value="open"', page.text)
        self.assertRpcResult(self.approve("open", self.bakery))
        page = self.open_url(f"/pos/ui/{self.bakery.id}")
        session = self.bakery.current_session_id
        self.assertPosPage(page, session)
        self.assertEqual(session.user_id, self.cashier)
        self.assertRpcResult(
            self.call_kw("pos.session", "set_opening_control", [session.ids, 0, ""])
        )
        self.assertEqual(session.state, "opened")
        self.assertEqual(self.grants().session_id, session)
        # Opening is done: closing needs its own approval.
        refused = self.call_kw("pos.session", "get_closing_control_data", [session.ids])
        data = self.assertRefusedRule(refused, "not_operable")
        self.assertEqual(data["context"]["approval_action"], "close")

    def test_approval_is_only_for_this_cashier_register_and_action(self):
        self.restrict(self.colleague, lock_foreign=True)
        manager_session = self.start_session(self.bakery, self.manager)
        clothes_session = self.start_session(self.clothes, self.manager)
        self.assertRpcResult(self.approve("resume", self.bakery))
        # Another action on the same register
        self.assertRefusedRule(
            self.call_kw(
                "pos.session", "get_closing_control_data", [manager_session.ids]
            ),
            "foreign_session",
        )
        # The same action on another register
        self.assertUrlRefused(
            self.open_url(f"/pos/ui/{self.clothes.id}"),
            self.foreign_message(clothes_session),
        )
        # Another cashier
        self.authenticate("psr_colleague", "psr_colleague")
        self.assertUrlRefused(
            self.open_url(f"/pos/ui/{self.bakery.id}"),
            self.foreign_message(manager_session),
        )
        # Still unused, for the cashier and the action it was given for.
        self.authenticate("psr_cashier", "psr_cashier")
        self.assertPosPage(self.open_url(f"/pos/ui/{self.bakery.id}"), manager_session)

    def test_approval_expires_after_five_minutes(self):
        session = self.start_session(self.bakery, self.colleague)
        now = fields.Datetime.now()
        with freeze_time(now):
            self.assertRpcResult(self.approve("resume", self.bakery))
        with freeze_time(now + timedelta(minutes=5, seconds=1)):
            self.assertUrlRefused(
                self.open_url(f"/pos/ui/{self.bakery.id}"),
                self.foreign_message(session),
            )
        with freeze_time(now + timedelta(minutes=4, seconds=59)):
            self.assertPosPage(self.open_url(f"/pos/ui/{self.bakery.id}"), session)

    # Core's HTTP layer logs as a warning each AccessError and UserError it
    # answers: here the refusals of forged approvals.
    @mute_logger("odoo.http")
    def test_approval_cannot_be_forged(self):
        session = self.start_session(self.bakery, self.colleague)
        context = {
            **CALLER_CONTEXT,
            "pos_approved": True,
            "pos_approval": "take_over",
            "pos_approval_grant_id": 1,
            "approval_action": "take_over",
        }
        self.assertRefusedRule(
            self.call_kw(
                "pos.session",
                "get_closing_control_data",
                [session.ids],
                context=context,
            ),
            "foreign_session",
        )
        url = f"/pos/ui/{self.bakery.id}?approval_action=resume&pos_approved=1"
        self.assertUrlRefused(self.open_url(url), self.foreign_message(session))
        # Nobody but Odoo writes approvals, not even a POS administrator.
        vals = {
            "user_id": self.cashier.id,
            "approver_id": self.manager.id,
            "config_id": self.bakery.id,
            "session_id": session.id,
            "company_id": self.bakery.company_id.id,
            "action": "resume",
            "expiration_date": fields.Datetime.to_string(
                fields.Datetime.now() + timedelta(hours=1)
            ),
        }
        response = self.call_kw("pos.approval.grant", "create", [vals])
        self.assertIn("AccessError", response["error"]["data"]["name"])
        self.authenticate("psr_manager", "psr_manager")
        response = self.call_kw("pos.approval.grant", "create", [vals])
        self.assertIn("AccessError", response["error"]["data"]["name"])
        grant = self.env["pos.approval.grant"]._grant(
            self.cashier, self.bakery, "resume", session, self.manager
        )
        for method, args in [
            ("write", [grant.ids, {"used_date": False, "user_id": self.colleague.id}]),
            ("unlink", [grant.ids]),
        ]:
            response = self.call_kw("pos.approval.grant", method, args)
            self.assertIn("error", response, method)
        # An approval without PIN, or with a PIN of another type, is no approval.
        self.authenticate("psr_cashier", "psr_cashier")
        for pin in (False, "", int(PIN), [PIN], {"pin": PIN}):
            self.assertRefusedRule(
                self.approve("take_over", self.bakery, pin=pin), "wrong_pin"
            )
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(len(self.grants()), 1)

    def test_only_pos_administrators_of_the_company_with_a_pin_approve(self):
        session = self.start_session(self.bakery, self.colleague)
        other_company = self.env["res.company"].create({"name": "Other Shops Ltd"})
        other_admin = new_test_user(
            self.env,
            "psr_other_admin",
            name="Olga Other",
            groups="base.group_user,point_of_sale.group_pos_manager",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        other_admin.pos_approval_pin = PIN
        no_pin_admin = new_test_user(
            self.env,
            "psr_no_pin_admin",
            name="Nora NoPin",
            groups="base.group_user,point_of_sale.group_pos_manager",
        )
        self.colleague.group_ids |= self.env.ref("point_of_sale.group_pos_manager")
        self.colleague.pos_approval_pin = PIN
        self.colleague.group_ids -= self.env.ref("point_of_sale.group_pos_manager")
        approvers = self.assertRpcResult(
            self.call_kw("pos.config", "pos_approvers", [self.bakery.ids])
        )
        self.assertEqual(approvers, [{"id": self.manager.id, "name": "Mitchell Admin"}])
        for approver in (other_admin, no_pin_admin, self.colleague, self.cashier):
            data = self.assertRefusedRule(
                self.approve("take_over", self.bakery, approver=approver),
                "not_approver",
            )
            self.assertIn("cannot approve this request", data["message"])
            # Nobody the cashier could not pick is named to them.
            self.assertNotIn(approver.name, data["message"])
            self.assertTrue(data["message"].startswith("This user cannot approve"))
        self.assertRefusedRule(
            self.approve("take_over", self.bakery, approver=False), "not_approver"
        )
        self.assertEqual(session.user_id, self.colleague)
        self.assertFalse(self.grants())

    def test_refused_take_over_says_why_before_any_pin(self):
        session = self.start_session(self.bakery, self.colleague)
        self.restrict(self.cashier, access=self.clothes, lock_foreign=True)
        data = self.assertRefusedRule(
            self.approve("take_over", self.bakery, pin="0000"), "not_operable"
        )
        self.assertIn("You are not allowed to operate", data["message"])
        self.assertFalse(self.env["pos.approval.attempt"].search([]))
        self.assertEqual(session.user_id, self.colleague)


@tagged("post_install", "-at_install")
class TestApprovalBruteForce(PosApprovalCommon):
    def attempts(self):
        self.env.invalidate_all()
        return self.env["pos.approval.attempt"].search([], order="id")

    def test_five_wrong_pins_lock_approvals_for_fifteen_minutes(self):
        session = self.start_session(self.bakery, self.colleague)
        now = fields.Datetime.now()
        with freeze_time(now):
            for left in (4, 3, 2, 1):
                data = self.assertRefusedRule(
                    self.approve("take_over", self.bakery, pin="0000"), "wrong_pin"
                )
                self.assertEqual(data["message"], MSG_WRONG_PIN.format(count=left))
            data = self.assertRefusedRule(
                self.approve("take_over", self.bakery, pin="0000"), "wrong_pin"
            )
            self.assertIn(
                "Too many wrong PINs: manager approvals are locked", data["message"]
            )
            # Locked: the right PIN is not even checked.
            data = self.assertRefusedRule(
                self.approve("take_over", self.bakery), "approval_locked"
            )
            self.assertRegex(data["message"], r"until \d+/\d+/\d+, \d+:\d+\s[AP]M\.")
        with freeze_time(now + timedelta(minutes=14, seconds=59)):
            self.assertRefusedRule(
                self.approve("take_over", self.bakery), "approval_locked"
            )
        self.assertEqual(session.user_id, self.colleague)
        with freeze_time(now + timedelta(minutes=15, seconds=1)):
            self.assertRpcResult(self.approve("take_over", self.bakery))
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(
            self.attempts().mapped("result"),
            ["wrong_pin"] * 5 + ["locked", "locked", "granted"],
        )
        self.env.invalidate_all()
        log = self.env["pos.restriction.log"].search(
            [("user_id", "=", self.cashier.id)]
        )
        wrong = log.filtered(lambda entry: entry.rule == "wrong_pin")
        self.assertEqual(sum(wrong.mapped("attempt_count")), 5)
        self.assertEqual(wrong.approver_id, self.manager)
        self.assertEqual(wrong.config_id, self.bakery)
        self.assertEqual(set(wrong.mapped("ip_address")), {"127.0.0.1"})
        self.assertIn("approval_locked", log.mapped("rule"))

    def test_each_lock_again_within_a_day_lasts_twice_as_long_and_is_told(self):
        session = self.start_session(self.bakery, self.colleague)
        now = fields.Datetime.now()
        # sudo: the test reads every recipient's notifications
        Message = self.env["mail.message"].sudo()
        told = [("subject", "=", "Manager approvals locked")]
        for start, minutes in ((now, 15), (now + timedelta(minutes=16), 30)):
            with freeze_time(start):
                for _attempt in range(4):
                    data = self.assertRefusedRule(
                        self.approve("take_over", self.bakery, pin="0000"),
                        "wrong_pin",
                    )
                self.assertIn(f"locked for {minutes} minutes", data["message"])
                self.assertRefusedRule(
                    self.approve("take_over", self.bakery, pin="0000"), "wrong_pin"
                )
            with freeze_time(start + timedelta(minutes=minutes - 1)):
                self.assertRefusedRule(
                    self.approve("take_over", self.bakery), "approval_locked"
                )
        # The approver and the POS administrators are told of each lock.
        self.env.invalidate_all()
        messages = Message.search(told)
        manager_messages = messages.filtered(
            lambda m: self.manager.partner_id in m.partner_ids
        )
        self.assertEqual(len(manager_messages), 2, "one message for each lock")
        self.assertIn("typed by Casey Cashier at Bakery Shop", messages[0].body)
        with freeze_time(now + timedelta(minutes=16 + 31)):
            self.assertRpcResult(self.approve("take_over", self.bakery))
        self.assertEqual(session.user_id, self.cashier)

    def test_lockout_holds_when_two_http_sessions_alternate(self):
        self.start_session(self.bakery, self.colleague)
        # Two browsers of the same cashier, alternating their guesses.
        first = self.opener
        # Keep the first session: authenticate() deletes the current one.
        self.session = None
        self.authenticate("psr_cashier", "psr_cashier")
        second = self.opener
        for index in range(5):
            self.opener = (first, second)[index % 2]
            self.assertRefusedRule(
                self.approve("take_over", self.bakery, pin=f"000{index}"), "wrong_pin"
            )
        for opener in (first, second):
            self.opener = opener
            self.assertRefusedRule(
                self.approve("take_over", self.bakery), "approval_locked"
            )

    def test_wrong_pins_from_several_cashiers_lock_the_approver(self):
        self.restrict(self.colleague, lock_foreign=True)
        self.start_session(self.bakery, self.manager)
        cashier = self.opener
        self.session = None
        self.authenticate("psr_colleague", "psr_colleague")
        colleague = self.opener
        for index in range(5):
            self.opener = (cashier, colleague)[index % 2]
            self.assertRefusedRule(
                self.approve("take_over", self.bakery, pin="1111"), "wrong_pin"
            )
        for opener in (cashier, colleague):
            self.opener = opener
            data = self.assertRefusedRule(
                self.approve("take_over", self.bakery), "approval_locked"
            )
            self.assertIn("typed for Mitchell Admin", data["message"])


@tagged("post_install", "-at_install")
class TestHandOver(PosApprovalCommon):
    def test_owner_hands_register_to_colleague_who_continues_it(self):
        session = self.start_session(self.bakery, self.cashier)
        candidates = self.assertRpcResult(
            self.call_kw("pos.session", "pos_hand_over_candidates", [session.ids])
        )
        self.assertIn({"id": self.colleague.id, "name": "Colin Colleague"}, candidates)
        self.assertNotIn(self.cashier.id, [c["id"] for c in candidates])
        payload = self.order_payload(session, self.cashier, self.product_a)
        self.assertRpcResult(
            self.call_kw(
                "pos.session", "pos_hand_over", [session.ids, self.colleague.id]
            )
        )
        self.assertEqual(session.user_id, self.colleague)
        self.assertEqual(
            self.events(session, "note")[-1],
            (
                "handed_over",
                self.cashier,
                "From Casey Cashier to Colin Colleague, by Casey Cashier",
            ),
        )
        # The giver's unsent order still syncs; the giver may no longer close it.
        self.assertRpcResult(self.call_kw("pos.order", "sync_from_ui", [[payload]]))
        self.assertRefusedRule(
            self.call_kw("pos.session", "get_closing_control_data", [session.ids]),
            "foreign_session",
        )
        self.authenticate("psr_colleague", "psr_colleague")
        self.assertPosPage(self.open_url(f"/pos/ui/{self.bakery.id}"), session)
        self.close_via_rpc(session)

    def test_receiver_must_pass_the_policy_said_about_them(self):
        session = self.start_session(self.bakery, self.cashier)
        self.restrict(
            self.colleague, view=self.bakery | self.clothes, access=self.clothes
        )
        self.assertNotIn(
            self.colleague.id,
            [
                c["id"]
                for c in self.assertRpcResult(
                    self.call_kw(
                        "pos.session", "pos_hand_over_candidates", [session.ids]
                    )
                )
            ],
        )
        data = self.assertRefusedRule(
            self.call_kw(
                "pos.session", "pos_hand_over", [session.ids, self.colleague.id]
            ),
            "not_operable",
        )
        self.assertEqual(
            data["message"],
            MSG_HAND_OVER_NOT_OPERABLE.format(
                user="Colin Colleague", pos="Bakery Shop"
            ),
        )
        self.restrict(self.colleague, single=True)
        other = self.open_session(self.clothes, self.colleague)
        data = self.assertRefusedRule(
            self.call_kw(
                "pos.session", "pos_hand_over", [session.ids, self.colleague.id]
            ),
            "single_session",
        )
        self.assertIn(
            f"({other._pos_restriction_label()}) on 'Clothes Shop'", data["message"]
        )
        # A register the giver may not see is not named to them.
        self.restrict(
            self.cashier, view=self.bakery, access=self.bakery, lock_foreign=True
        )
        data = self.assertRefusedRule(
            self.call_kw(
                "pos.session", "pos_hand_over", [session.ids, self.colleague.id]
            ),
            "single_session",
        )
        self.assertIn("an open session on another Point of Sale", data["message"])
        self.assertNotIn("Clothes", data["message"])
        self.assertEqual(session.user_id, self.cashier)

    # Core's HTTP layer logs as a warning the UserError refusing the portal
    # receiver.
    @mute_logger("odoo.http")
    def test_only_holder_or_administrator_hands_session_over(self):
        # DESIGN §7. A cashier who may operate the session, not locked to
        # their own, may take it over, but not give it to a third person:
        # pos_hand_over asks what writing its cashier asks.
        session = self.start_session(self.bakery, self.colleague)
        self.restrict(self.cashier)
        data = self.assertRefusedRule(
            self.call_kw(
                "pos.session", "pos_hand_over", [session.ids, self.manager.id]
            ),
            "foreign_session",
        )
        self.assertIn("Only Colin Colleague, who holds the session", data["message"])
        self.assertEqual(session.user_id, self.colleague)
        portal = new_test_user(
            self.env, "psr_portal_receiver", groups="base.group_portal"
        )
        self.authenticate("psr_manager", "psr_manager")
        response = self.call_kw(
            "pos.session", "pos_hand_over", [session.ids, portal.id]
        )
        self.assertIn(
            "is not a Point of Sale user", response["error"]["data"]["message"]
        )
        self.assertRpcResult(
            self.call_kw("pos.session", "pos_hand_over", [session.ids, self.cashier.id])
        )
        self.assertEqual(session.user_id, self.cashier)
        self.assertEqual(
            self.events(session, "note")[-1][2],
            "From Colin Colleague to Casey Cashier, by Mitchell Admin",
        )

    # Core's HTTP layer logs as a warning the UserError refusing the hand-over.
    @mute_logger("odoo.http")
    def test_closed_session_is_not_handed_over(self):
        session = self.start_session(self.bakery, self.cashier)
        self.close_via_rpc(session)
        response = self.call_kw(
            "pos.session", "pos_hand_over", [session.ids, self.colleague.id]
        )
        self.assertIn("nothing to hand over", response["error"]["data"]["message"])
        self.assertEqual(session.user_id, self.cashier)

    def test_back_office_wizard_hands_over(self):
        session = self.start_session(self.bakery, self.cashier)
        wizard = (
            self.env["pos.session.hand.over"]
            .with_user(self.cashier)
            .create({"session_id": session.id, "user_id": self.colleague.id})
        )
        self.assertIn(self.colleague, wizard.candidate_ids)
        wizard.action_hand_over()
        self.assertEqual(session.user_id, self.colleague)


@tagged("post_install", "-at_install")
class TestApprovalQueries(PosApprovalCommon):
    """What looking for approvals costs: nothing when the policy allows, a
    query or two when it refuses."""

    def count_queries(self, func):
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        before = self.env.cr.sql_log_count
        try:
            func()
        except Exception as error:
            self.assertEqual(type(error).__name__, "PosSessionRestrictionError")
        return self.env.cr.sql_log_count - before

    def test_approval_lookup_costs_nothing_unless_the_policy_refuses(self):
        own = self.start_session(self.clothes, self.cashier)
        foreign = self.start_session(self.bakery, self.colleague)

        def check(session):
            return lambda: session.with_user(self.cashier)._check_pos_restriction(
                "close"
            )

        allowed = self.count_queries(check(own))
        # Refusals roll their request back; here the log would be written after.
        self.env.cr.postrollback.clear()
        refused = self.count_queries(check(foreign))
        self.env.cr.postrollback.clear()
        self.env["pos.approval.grant"]._grant(
            self.cashier, self.bakery, "close", foreign, self.manager
        )
        self.env["pos.approval.grant"]._grant(
            self.cashier, self.clothes, "close", own, self.manager
        )
        allowed_with_grants = self.count_queries(check(own))
        self.env.cr.postcommit.data.clear()
        approved = self.count_queries(check(foreign))
        self.env.cr.postcommit.data.clear()
        continued = self.count_queries(check(foreign))
        _logger.info(
            "Approval queries: allowed %s, allowed with grants %s, refused %s, "
            "refused then approved %s (first use), %s (next closing step)",
            allowed,
            allowed_with_grants,
            refused,
            approved,
            continued,
        )
        self.assertEqual(allowed_with_grants, allowed)
        self.assertLessEqual(approved - refused, 3)
        self.assertLessEqual(continued - refused, 3)


@tagged("post_install", "-at_install")
class TestApprovalRefusalPage(PosApprovalCommon):
    """The page of a typed URL offers the same approval, as a form."""

    def approval_form(self, config):
        page = self.open_url(f"/pos/ui/{config.id}")
        self.assertEqual(page.status_code, 403)
        self.assertIn("o_pos_session_restriction_approval", page.text)
        return {
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1],
            "config_id": config.id,
            "approval_action": re.search(
                r'name="approval_action" value="([a-z_]+)"', page.text
            )[1],
            "approval_token": re.search(
                r'name="approval_token" value="([^"]+)"', page.text
            )[1],
            "approver_id": self.manager.id,
        }

    def test_approval_form_approves_only_the_action_it_shows(self):
        session = self.start_session(self.bakery, self.colleague)
        form = self.approval_form(self.bakery)
        self.assertEqual(form["approval_action"], "take_over")
        for changed in (
            {"approval_action": "resume"},
            {"approval_token": "forged"},
            {"config_id": self.clothes.id},
        ):
            with self.subTest(changed=changed):
                page = self.url_open(APPROVE_URL, data={**form, **changed, "pin": PIN})
                self.assertEqual(page.status_code, 400)
                self.assertIn("This approval request is not valid", page.text)
        self.assertEqual(session.user_id, self.colleague)
        self.assertFalse(self.grants())

    def test_approval_form_answers_bad_input_with_400(self):
        self.start_session(self.bakery, self.colleague)
        form = self.approval_form(self.bakery)
        for bad in ({"config_id": "x"}, {"config_id": ""}, {"approval_action": ""}):
            with self.subTest(bad=bad):
                data = {**form, **bad, "pin": PIN}
                data = {key: value for key, value in data.items() if value != ""}
                page = self.url_open(APPROVE_URL, data=data)
                self.assertEqual(page.status_code, 400)
        self.assertFalse(self.grants())

    def test_approval_form_pin_is_no_password_field(self):
        self.start_session(self.bakery, self.colleague)
        page = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertNotIn('type="password"', page.text)
        self.assertIn('autocomplete="off"', page.text)

    def test_typed_url_approval_form_takes_session_over_and_opens_register(self):
        session = self.start_session(self.bakery, self.colleague)
        form = self.approval_form(self.bakery)
        self.assertEqual(form["approval_action"], "take_over")
        page = self.url_open(APPROVE_URL, data={**form, "pin": "0000"})
        self.assertEqual(page.status_code, 403)
        self.assertIn(MSG_WRONG_PIN.format(count=4), html.unescape(page.text))
        # The form is offered again, for another try.
        self.assertIn('name="approval_action" value="take_over"', page.text)
        self.assertEqual(session.user_id, self.colleague)
        page = self.url_open(APPROVE_URL, data={**form, "pin": PIN})
        self.assertPosPage(page, session)
        self.assertTrue(page.url.endswith(f"/pos/ui/{self.bakery.id}"))
        self.assertEqual(session.user_id, self.cashier)

    def test_approval_form_needs_its_csrf_token(self):
        session = self.start_session(self.bakery, self.colleague)
        form = self.approval_form(self.bakery)
        # Core's CSRF check refuses the form (and says so in a warning), before
        # the addon reads it.
        with self.assertLogs("odoo.http", "WARNING") as logs:
            page = self.url_open(
                APPROVE_URL, data={**form, "csrf_token": "x", "pin": PIN}
            )
        self.assertEqual(
            logs.output,
            [f"WARNING:odoo.http:CSRF validation failed on path '{APPROVE_URL}'"],
        )
        self.assertEqual(page.status_code, 400)
        self.assertEqual(session.user_id, self.colleague)
        self.assertFalse(self.grants())

    # Core's HTTP layer logs as a warning the AccessError refusing the approval.
    @mute_logger("odoo.http")
    def test_page_offers_no_approval_for_a_hidden_register(self):
        self.restrict(self.cashier, view=self.clothes)
        page = self.open_url(f"/pos/ui/{self.bakery.id}")
        self.assertEqual(page.status_code, 403)
        self.assertNotIn("o_pos_session_restriction_approval", page.text)
        response = self.approve("open", self.bakery)
        self.assertIn("AccessError", response["error"]["data"]["name"])
