from .common import ERROR_NAME, PosRestrictionHttpCommon

# Digits that appear nowhere else in a response by chance.
PIN = "58372914"
OTHER_PIN = "90817263"


class PosApprovalCommon(PosRestrictionHttpCommon):
    """The cashier is locked out of sessions opened by others; the POS
    administrator has an approval PIN."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.group_ids |= cls.env.ref("base.group_erp_manager")
        cls.manager.pos_approval_pin = PIN
        cls.restrict(cls.cashier, lock_foreign=True)

    def setUp(self):
        super().setUp()
        self.authenticate("psr_cashier", "psr_cashier")

    def approve(self, action, config, pin=PIN, approver=None):
        approver = approver if approver is not None else self.manager
        return self.call_kw(
            "pos.config",
            "pos_request_approval",
            [[config.id], action, approver.id if approver else approver, pin],
        )

    def assertRefusedRule(self, response, rule, message=None):
        self.assertIn("error", response, "the call should have been refused")
        data = response["error"]["data"]
        self.assertEqual(data["name"], ERROR_NAME)
        self.assertEqual(data["context"]["rule"], rule, data["message"])
        if message:
            self.assertRegex(data["message"], message)
        return data

    def close_via_rpc(self, session):
        """Walk the closing popup of the POS app over RPC."""
        for method, args in [
            ("get_closing_control_data", []),
            ("update_closing_control_state_session", [""]),
            ("close_session_from_ui", []),
        ]:
            self.assertRpcResult(
                self.call_kw("pos.session", method, [session.ids, *args])
            )
        self.assertEqual(session.state, "closed")

    def grants(self):
        self.env.invalidate_all()
        return self.env["pos.approval.grant"].search([], order="id")
