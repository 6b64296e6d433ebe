"""What the tests of the POS family share.

The addon depends on ``point_of_sale`` only: these tests need modules of the
POS family it does not depend on, which ``scripts/run-tests --family``
installs. Their classes are tagged ``psr_family`` and not ``standard``, so
that ``--test-tags /pos_session_restriction`` leaves them out and
``--test-tags psr_family/pos_session_restriction`` runs them; a module they
need that is not installed fails them instead of skipping them."""

from uuid import uuid4

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import PosRestrictionCommon


# Tagged here, so that no family test can land in the default run: subclasses
# inherit the tags.
@tagged("post_install", "-at_install", "-standard", "psr_family")
class PosFamilyCase(PosRestrictionCommon, HttpCase):
    """The cashier of the tests, restricted as tightly as the addon allows
    (visible and operable lists, lock on sessions opened by others, one open
    session), on registers that use the modules of ``family_modules``."""

    family_modules = ()
    browser_size = "1400x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        modules = cls.env["ir.module.module"].search(
            [("name", "in", cls.family_modules), ("state", "=", "installed")]
        )
        missing = set(cls.family_modules) - set(modules.mapped("name"))
        if missing:
            raise AssertionError(
                f"{cls.__name__} needs {', '.join(sorted(missing))} installed: "
                "run scripts/run-tests --family"
            )
        cls.croissant, cls.coffee = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "available_in_pos": True,
                    "list_price": price,
                    "taxes_id": [Command.clear()],
                }
                for name, price in (("Croissant", 2.0), ("Coffee", 3.0))
            ]
        )

    @classmethod
    def restrict_cashier(cls, configs):
        """Restrict the cashier to see and operate ``configs`` (and see the
        Bakery Shop), locked to their own sessions, one at a time."""
        cls.restrict(
            cls.cashier,
            view=configs | cls.bakery,
            access=configs,
            lock_foreign=True,
            single=True,
        )

    def assertLoadsLikeUnrestrictedUser(self, session):
        """The POS app of ``session`` loads for the cashier every record it
        loads for the colleague, whom nothing restricts: core's ``load_data``
        empties a model it may not read without a word. Returns the cashier's
        data."""

        def loaded(user):
            data = session.with_user(user).load_data([])
            # Each user loads their own user.
            data.pop("res.users")
            return data

        data = loaded(self.cashier)
        expected = loaded(self.colleague)
        self.assertEqual(data.keys(), expected.keys())
        for model, records in expected.items():
            self.assertEqual(
                [record["id"] for record in data[model]],
                [record["id"] for record in records],
                f"the cashier's POS app loads other {model} records",
            )
        return data

    def self_order_payload(self, session, table=None):
        """A croissant, as the self-ordering app sends it."""
        return {
            "uuid": str(uuid4()),
            "session_id": session.id,
            "table_id": table.id if table else False,
            "preset_id": False,
            # As the self-ordering app sends it: an order to pay later.
            "state": "draft",
            "amount_paid": 0.0,
            "amount_return": 0.0,
            "amount_tax": 0.0,
            "amount_total": 2.0,
            "lines": [
                Command.create(
                    {
                        "product_id": self.croissant.id,
                        "qty": 1,
                        "price_unit": 2.0,
                        "price_subtotal": 2.0,
                        "price_subtotal_incl": 2.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
            "payment_ids": [],
        }

    def start_family_tour(self, url, tour, login="psr_cashier"):
        # A day at the register is a long tour, on a busy machine.
        self.start_tour(
            url, f"pos_session_restriction_{tour}", login=login, timeout=300
        )
        self.env.invalidate_all()
