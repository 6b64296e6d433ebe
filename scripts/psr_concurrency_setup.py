"""The fixtures of scripts/concurrency-check, built inside ``odoo shell``
(which provides ``env``, as superuser) before the server starts, and
committed: setting up is not what the check measures, so it runs in-process,
untimed, and the HTTP part only logs in and fires the raced requests.

Builds, with PSR_CONC_SIZE (20) for N:

- a payment method, N registers and one shared register;
- one cashier limited to one open session (``pos_single_session``);
- N cashiers who may not take over others' sessions
  (``pos_lock_foreign_sessions``);

each cashier a POS user whose password is their login (hashing N + 1
passwords takes a while on a loaded machine). Writes the ids and the logins
as JSON to the file named by PSR_CONC_FIXTURES, for scripts/psr_concurrency.py.
"""

import json
import os
import sys
import time

from odoo.fields import Command

SINGLE_LOGIN = "psr_conc_single"
CASHIER_LOGIN = "psr_conc_cashier_{:02d}"


def build(env, size):
    sale_journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
    bank_journal = env["account.journal"].search([("type", "=", "bank")], limit=1)
    if not (sale_journal and bank_journal):
        raise SystemExit("no sale or bank journal (chart of accounts?)")
    method = env["pos.payment.method"].create(
        {"name": "Bank (concurrency check)", "journal_id": bank_journal.id}
    )
    names = [f"Register {i:02d}" for i in range(1, size + 1)]
    *registers, shared_register = env["pos.config"].create(
        [
            {
                "name": name,
                "journal_id": sale_journal.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
            for name in [*names, "Shared Register"]
        ]
    )
    groups = [
        env.ref("base.group_user").id,
        env.ref("point_of_sale.group_pos_user").id,
    ]
    logins = [SINGLE_LOGIN, *(CASHIER_LOGIN.format(i) for i in range(1, size + 1))]
    single, *cashiers = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "password": login,
                    "group_ids": [Command.set(groups)],
                    "pos_single_session": login == SINGLE_LOGIN,
                    "pos_lock_foreign_sessions": login != SINGLE_LOGIN,
                }
                for login in logins
            ]
        )
    )
    env.cr.commit()
    return {
        "registers": [register.id for register in registers],
        "shared_register": shared_register.id,
        "single": {"uid": single.id, "login": single.login, "password": single.login},
        "cashiers": [
            {"uid": user.id, "login": user.login, "password": user.login}
            for user in cashiers
        ],
    }


def main(env):
    start = time.monotonic()
    size = int(os.environ.get("PSR_CONC_SIZE", "20"))
    fixtures = build(env, size)
    with open(os.environ["PSR_CONC_FIXTURES"], "w", encoding="utf-8") as out:
        json.dump(fixtures, out, indent=1)
    print(
        f"fixtures: {size} registers + 1 shared register, 1 one-session cashier, "
        f"{size} cashiers locked out of others' sessions, built in-process and "
        f"committed in {time.monotonic() - start:.0f}s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(env))  # noqa: F821 - odoo shell provides env
