import re
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.web.tests.test_js import unit_test_error_checker

# The addon's own Hoot suites, as /web/tests names them.
SUITE = "@pos_session_restriction"
PASSED = re.compile(r"Passed (\d+) tests")


def hoot_id(name):
    """The id /web/tests gives a suite (web/tests/test_js.py, _generate_hash)."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


@tagged("post_install", "-at_install")
class TestPosRestrictionUnit(HttpCase):
    """The addon's JS unit tests (static/tests/unit), run by Hoot in Chromium."""

    def test_hoot_suites(self):
        messages = []
        handle_console = ChromeBrowser._handle_console

        def record(browser, type, args=None, **kwargs):
            if args:
                messages.append(str(browser._from_remoteobject(args[0])))
            return handle_console(browser, type, args=args, **kwargs)

        with patch.object(ChromeBrowser, "_handle_console", record):
            self.browser_js(
                "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000"
                f"&id={hoot_id(SUITE)}",
                "",
                "",
                login="admin",
                timeout=1800,
                success_signal="[HOOT] Test suite succeeded",
                error_checker=unit_test_error_checker,
            )
        passed = [int(m[1]) for m in map(PASSED.search, messages) if m]
        # A filter that matches nothing also "succeeds": count what ran.
        self.assertTrue(passed and passed[-1] >= 15, f"Hoot ran: {passed}")
