"""Fire simultaneous session openings at a running Odoo server and check that
the restrictions hold under real concurrency.

Run by scripts/concurrency-check, with Odoo's python (it needs ``requests``),
against a throwaway database where pos_session_restriction is installed and
scripts/psr_concurrency_setup.py built the registers and cashiers in-process:

    python3 psr_concurrency.py --url http://127.0.0.1:8069 --db DB \
        --fixtures FIXTURES.json [--rounds 3]

Over HTTP it only logs in and fires the raced requests (and, as the
administrator, counts the sessions and discards them between rounds). Each
kind of request has a limit of its own, named in the message when it runs out:
``--server-timeout`` for the server to answer after it started (it loads the
registry), ``--login-timeout`` for one login (a password check; four run at
once), ``--admin-timeout`` for one of the administrator's calls,
``--race-timeout`` for one raced request: the raced requests queue on row
locks and Odoo retries those that fail to serialise, so on a shared machine
the last of 20 may take a minute.

Each round, from separate HTTP sessions released together by a barrier, once
through the dashboard's JSON-RPC ``pos.config.open_ui`` and once through a
typed ``/pos/ui/<id>``:

1. one cashier restricted to one open session opens 20 registers at once:
   exactly one session may open, every other request gets the addon's
   refusal;
2. 20 cashiers who may not take over others' sessions open one register at
   once: exactly one session may open, every other request gets the addon's
   refusal, core's "Another session is already opened" or core's redirection
   to the dashboard.

3. 20 cashiers open 20 registers at once, then discard their sessions at
   once: 40 journal entries written by simultaneous transactions, each
   sealed once its transaction commits.

Then, once: the one-session cashier, logged in 20 times, sends 20 wrong
approval PINs for the administrator at once, then more one by one: at most
five wrong PINs are ever checked, every other attempt is refused as locked,
and so is the right PIN afterwards (pos_request_approval's brute-force lock,
counted in the database).

Never an HTTP 500 or an internal error. Every refusal of the one-session
cashier must reach the restriction log, written after the refused request's
rollback. At the end, the session journal must be one unbroken chain: every
entry sealed, numbered 1 to N without a gap or a repeat, each chained to the
one before it, and the journal's own integrity check must say it is intact.
With ``--server-log``, the server's log may hold no error but the
serialization failures and lock timeouts Odoo retries. Prints the counts of
each round; exits 1 on any violation, 2 when the check cannot run.
"""

import argparse
import html
import json
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

ADDON_ERROR = (
    "odoo.addons.pos_session_restriction.exceptions.PosSessionRestrictionError"
)
CORE_ERROR = "odoo.exceptions.ValidationError"
CORE_MESSAGE = "Another session is already opened for this point of sale."
SINGLE_MESSAGE = re.compile(
    r"You already have an open session \(.+\) on '.+'\. Close it before opening "
    r"another Point of Sale\."
)
FOREIGN_MESSAGE = re.compile(
    r"The session .+ on '.+' was opened by .+; you are not allowed to continue "
    r"or close it\. Ask your manager if you need to take it over\."
)
DASHBOARD = "/odoo/action-point_of_sale.action_client_pos_menu"
REFUSED_PAGE = "o_pos_session_restriction_refused"
# Expected in the server log: the retries that resolve the races.
RETRIED = re.compile(
    r"could not serialize access|could not obtain lock|deadlock detected|"
    r"SerializationFailure|LockNotAvailable|DeadlockDetected"
)
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ")
# Logins at once: each one checks a password hash (600,000 rounds of PBKDF2).
PARALLEL_LOGINS = 4
# For the threads of a round to be ready to fire together.
BARRIER_TIMEOUT = 60
# For the refusals to reach the restriction log (written as each refused
# request ends: they are there already, unless something is wrong).
LOG_TIMEOUT = 30
# The administrator's approval PIN, and how many wrong ones lock approvals.
PIN = "97531864"
LOCK_ATTEMPTS = 5


class CheckError(Exception):
    """The check could not run (setup, server): exit 2."""


class Client:
    """One HTTP session of one user, talking JSON-RPC as the web client does.
    ``timeouts`` has the limits in seconds: ``login_timeout``,
    ``admin_timeout``, ``race_timeout``."""

    def __init__(self, url, db, timeouts):
        self.url, self.db, self.timeouts = url, db, timeouts
        self.http = requests.Session()

    def login(self, login, password):
        body = self._post(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
            self.timeouts.login_timeout,
            f"login as {login} (--login-timeout)",
        )
        if "error" in body or not body["result"].get("uid"):
            raise CheckError(f"cannot log in as {login}: {body.get('error')}")
        self.uid = body["result"]["uid"]
        return self

    def call(self, model, method, args, **kwargs):
        """The JSON-RPC response of ``model.method``, called by the
        administrator between the rounds; raises on error."""
        body = self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            self.timeouts.admin_timeout,
            f"administrator's call of {model}.{method} (--admin-timeout)",
        )
        if "error" in body:
            data = body["error"].get("data", {})
            raise CheckError(
                f"{model}.{method} failed: {data.get('name')}: {data.get('message')}"
            )
        return body["result"]

    def attempt(self, register, via):
        """Open ``register`` the way ``via`` says: ``rpc``, the dashboard's
        ``pos.config.open_ui``, or ``url``, a typed ``/pos/ui/<id>``. Report
        what happened, never raising."""
        start = time.monotonic()
        timeout = self.timeouts.race_timeout
        outcome = {"via": via, "status": None, "error": None, "message": None}
        try:
            if via == "url":
                response = self.http.get(
                    f"{self.url}/pos/ui/{register}",
                    allow_redirects=False,
                    timeout=timeout,
                )
                outcome["status"] = response.status_code
                outcome["location"] = response.headers.get("Location", "")
                outcome["page"] = html.unescape(response.text)
            else:
                response = self.http.post(
                    f"{self.url}/web/dataset/call_kw/pos.config/open_ui",
                    json=self._payload(
                        {
                            "model": "pos.config",
                            "method": "open_ui",
                            "args": [[register]],
                            "kwargs": {},
                        }
                    ),
                    timeout=timeout,
                )
                outcome["status"] = response.status_code
                body = response.json()
                if "error" in body:
                    data = body["error"].get("data", {})
                    outcome.update(error=data.get("name"), message=data.get("message"))
                else:
                    outcome["result"] = body.get("result")
        except requests.Timeout as error:
            kind = "open_ui" if via == "rpc" else "/pos/ui/<id>"
            outcome.update(
                error="Timeout",
                message=f"raced {kind} request: no answer within {timeout:.0f}s "
                f"(--race-timeout): {error}",
            )
        except (requests.RequestException, ValueError) as error:
            outcome.update(error=type(error).__name__, message=str(error))
        outcome["elapsed"] = time.monotonic() - start
        return outcome

    def approve(self, register, approver, pin):
        """Ask ``approver`` to approve a take-over of ``register`` with
        ``pin``: ``granted``, the rule of the addon's refusal, or ``other``."""
        try:
            body = self._post(
                "/web/dataset/call_kw/pos.config/pos_request_approval",
                {
                    "model": "pos.config",
                    "method": "pos_request_approval",
                    "args": [[register], "take_over", approver, pin],
                    "kwargs": {},
                },
                self.timeouts.race_timeout,
                "an approval request (--race-timeout)",
            )
        except CheckError as error:
            return f"other: {error}"
        if "error" not in body:
            return "granted"
        data = body["error"].get("data", {})
        if data.get("name") == ADDON_ERROR:
            return data.get("context", {}).get("rule") or "other"
        return f"other: {data.get('name')}: {data.get('message')}"

    def _post(self, path, params, timeout, what):
        try:
            response = self.http.post(
                f"{self.url}{path}", json=self._payload(params), timeout=timeout
            )
            return response.json()
        except requests.Timeout as error:
            raise CheckError(
                f"{what}: no answer within {timeout:.0f}s (POST {path}: {error})"
            ) from error
        except (requests.RequestException, ValueError) as error:
            raise CheckError(f"{what}: POST {path}: {error}") from error

    @staticmethod
    def _payload(params):
        return {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}


def wait_for_server(url, timeout):
    """Until the server serves its login page: it loads the registry first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            left = max(1, deadline - time.monotonic())
            if requests.get(f"{url}/web/login", timeout=left).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise CheckError(
        f"server start: no answer from {url}/web/login within {timeout:.0f}s "
        "(--server-timeout)"
    )


def in_parallel(function, items, timeout, what):
    """``function(item)`` for every item, each in a thread of its own; the
    results in the order of ``items``. Raises the first error of any thread,
    or when ``what`` takes longer than ``timeout`` in all."""
    results = [None] * len(items)
    errors = []

    def run(index, item):
        try:
            results[index] = function(item)
        except Exception as error:  # noqa: BLE001 - re-raised below
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(index, item), daemon=True)
        for index, item in enumerate(items)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise CheckError(f"{what}: still running after {timeout:.0f}s")
    if errors:
        if isinstance(errors[0], CheckError):
            raise errors[0]
        raise CheckError(f"{type(errors[0]).__name__}: {errors[0]}") from errors[0]
    return results


class ConcurrencyCheck:
    def __init__(self, args):
        self.args = args
        self.violations = []
        self.refusals_of_single_user = 0
        self.opens = 0
        self.journal_writes = 0

    def client(self):
        return Client(self.args.url, self.args.db, self.args)

    # Setup: the fixtures are in the database already, only the logins are left

    def setup(self):
        with open(self.args.fixtures, encoding="utf-8") as fixtures_file:
            fixtures = json.load(fixtures_file)
        self.registers = fixtures["registers"]
        self.shared_register = fixtures["shared_register"]
        single, cashiers = fixtures["single"], fixtures["cashiers"]
        self.single_uid = single["uid"]
        size = len(self.registers)
        if len(cashiers) != size:
            raise CheckError(
                f"{self.args.fixtures}: {len(cashiers)} cashiers for {size} registers"
            )
        start = time.monotonic()
        self.admin = self.client().login("admin", self.args.admin_password)
        # Separate HTTP sessions: the one cashier logs in once per register.
        users = [single] * size + cashiers
        with ThreadPoolExecutor(PARALLEL_LOGINS) as pool:
            clients = list(
                pool.map(
                    lambda user: self.client().login(user["login"], user["password"]),
                    users,
                )
            )
        self.single_clients, self.cashier_clients = clients[:size], clients[size:]
        print(
            f"logins: the administrator, the one-session cashier {size} times and "
            f"{size} cashiers locked out of others' sessions, in "
            f"{time.monotonic() - start:.0f}s",
            flush=True,
        )

    # Rounds

    def fire(self, clients_and_registers, via):
        """Open the registers at once, one request per client, released
        together by a barrier; the outcomes."""
        barrier = threading.Barrier(len(clients_and_registers))

        def open_register(client_and_register):
            client, register = client_and_register
            barrier.wait(timeout=BARRIER_TIMEOUT)
            return client.attempt(register, via)

        return in_parallel(
            open_register,
            clients_and_registers,
            BARRIER_TIMEOUT + self.args.race_timeout + 10,
            f"{len(clients_and_registers)} raced requests",
        )

    def open_sessions(self, domain):
        return self.admin.call(
            "pos.session",
            "search_read",
            [[("state", "!=", "closed"), *domain], ["config_id", "user_id", "state"]],
        )

    def classify(self, outcome, refusal_message):
        if outcome["via"] == "url":
            return self.classify_page(outcome, refusal_message)
        if outcome["status"] != 200:
            return "http_error"
        if outcome["error"] is None:
            url = (outcome.get("result") or {}).get("url", "")
            return "opened" if url.startswith("/pos/ui/") else "other"
        if outcome["error"] == ADDON_ERROR and refusal_message.fullmatch(
            outcome["message"] or ""
        ):
            return "refused_by_addon"
        if outcome["error"] == CORE_ERROR and outcome["message"] == CORE_MESSAGE:
            return "refused_by_core"
        return "other"

    @staticmethod
    def classify_page(outcome, refusal_message):
        page = outcome.get("page", "")
        if outcome["status"] == 200 and '"pos_session_id"' in page:
            return "opened"
        if (
            outcome["status"] == 403
            and REFUSED_PAGE in page
            and refusal_message.search(page)
        ):
            return "refused_by_addon"
        if outcome["status"] in (302, 303) and outcome["location"].endswith(DASHBOARD):
            return "refused_by_core"
        if outcome["status"] is None or outcome["status"] >= 500:
            return "http_error"
        return "other"

    def check_scenario(self, label, outcomes, sessions, refusal_message, core_ok):
        kinds = Counter(self.classify(outcome, refusal_message) for outcome in outcomes)
        elapsed = sorted(outcome["elapsed"] for outcome in outcomes)
        slowest, median = elapsed[-1], elapsed[len(elapsed) // 2]
        print(
            f"  {label}: {len(sessions)} open session(s); requests: "
            f"{kinds['opened']} opened, {kinds['refused_by_addon']} refused by the "
            f"addon, {kinds['refused_by_core']} refused or redirected by core, "
            f"{kinds['http_error'] + kinds['other']} other; median {median:.1f}s, "
            f"slowest {slowest:.1f}s",
            flush=True,
        )
        problems = []
        if len(sessions) != 1:
            problems.append(f"{len(sessions)} open sessions instead of 1")
        if kinds["opened"] != 1:
            problems.append(
                f"{kinds['opened']} requests opened a register instead of 1"
            )
        if kinds["refused_by_core"] and not core_ok:
            problems.append(
                f"{kinds['refused_by_core']} refused by core, not the addon"
            )
        for outcome in outcomes:
            if self.classify(outcome, refusal_message) in ("http_error", "other"):
                detail = outcome["message"] or outcome.get("page", "")
                problems.append(
                    f"unexpected answer: HTTP {outcome['status']} "
                    f"{outcome['error'] or ''} {detail[:300]!r}"
                )
        for problem in problems:
            print(f"    VIOLATION: {problem}", flush=True)
        self.violations += [f"{label}: {problem}" for problem in problems]
        return kinds

    def clean_up(self):
        """Discard the sessions opened by the round, as an administrator."""
        for session in self.open_sessions([]):
            if session["state"] != "opening_control":
                raise CheckError(f"session {session} was started: cannot discard it")
            self.admin.call(
                "pos.session", "delete_opening_control_session", [[session["id"]]]
            )
        if self.open_sessions([]):
            raise CheckError("sessions left over after clean-up")

    def journal_scenario(self, label):
        """Each cashier opens a register of their own, all at once, then each
        discards their session, all at once: simultaneous journal entries."""
        size = len(self.registers)
        pairs = list(zip(self.cashier_clients, self.registers, strict=True))
        outcomes = self.fire(pairs, "rpc")
        opened = sum(
            self.classify(outcome, FOREIGN_MESSAGE) == "opened" for outcome in outcomes
        )
        sessions = self.open_sessions([("config_id", "in", self.registers)])
        by_user = {session["user_id"][0]: session["id"] for session in sessions}
        barrier = threading.Barrier(len(pairs))

        def discard(client):
            barrier.wait(timeout=BARRIER_TIMEOUT)
            start = time.monotonic()
            client.call(
                "pos.session", "delete_opening_control_session", [[by_user[client.uid]]]
            )
            return time.monotonic() - start

        elapsed = in_parallel(
            discard,
            self.cashier_clients,
            BARRIER_TIMEOUT + self.args.admin_timeout + 10,
            f"{len(self.cashier_clients)} simultaneous discards",
        )
        slowest = max(max(outcome["elapsed"] for outcome in outcomes), *elapsed)
        print(
            f"  {label}: {opened} of {size} cashiers opened a register at once, "
            f"{len(elapsed)} discarded it at once; slowest {slowest:.1f}s",
            flush=True,
        )
        problems = []
        if opened != size or len(by_user) != size:
            problems.append(
                f"{opened} registers opened, {len(by_user)} sessions, instead of {size}"
            )
        for problem in problems:
            print(f"    VIOLATION: {problem}", flush=True)
        self.violations += [f"{label}: {problem}" for problem in problems]
        self.journal_writes += 2 * size
        if self.open_sessions([]):
            raise CheckError("sessions left over after the journal scenario")

    def check_journal(self):
        """The journal is one chain: every entry sealed before its request
        answered, numbered without gaps, each chained to the one before; and
        the integrity check says so."""
        entries = self.admin.call(
            "pos.session.event",
            "search_read",
            [[], ["chain_sequence", "previous_hash", "hash", "company_id", "event"]],
            order="id",
        )
        problems = []
        unsealed = [entry for entry in entries if not entry["chain_sequence"]]
        if unsealed:
            problems.append(f"{len(unsealed)} entries not sealed")
        chain = sorted(
            (entry for entry in entries if entry["chain_sequence"]),
            key=lambda entry: entry["chain_sequence"],
        )
        numbers = [entry["chain_sequence"] for entry in chain]
        if numbers != list(range(1, len(chain) + 1)):
            problems.append(f"chain numbers are not 1 to {len(chain)}: {numbers[:50]}")
        previous_hash = ""
        for entry in chain:
            if (entry["previous_hash"] or "") != previous_hash:
                problems.append(
                    f"entry {entry['chain_sequence']} does not follow the one before"
                )
                break
            previous_hash = entry["hash"]
        # Entries sealed out of the order of their ids: transactions committed
        # in another order than they started.
        out_of_order = sum(
            later["id"] < earlier["id"]
            for earlier, later in zip(chain, chain[1:], strict=False)
        )
        action = self.admin.call(
            "pos.session.event", "action_check_journal_integrity", [[]]
        )
        verdict = action["params"]["message"]
        if action["params"]["type"] != "success" or "is intact since" not in verdict:
            problems.append(f"the integrity check says: {verdict}")
        print(
            f"journal: {len(entries)} entries ({self.journal_writes} written by "
            f"simultaneous transactions), {len(entries) - len(unsealed)} sealed, "
            f"{out_of_order} sealed out of id order; the integrity check says: "
            f"{verdict}",
            flush=True,
        )
        for problem in problems:
            print(f"    VIOLATION: {problem}", flush=True)
        self.violations += [f"journal: {problem}" for problem in problems]

    def run_round(self, number):
        print(f"round {number}/{self.args.rounds}", flush=True)
        size = len(self.registers)
        for via, label in (("rpc", "open_ui"), ("url", "/pos/ui/<id>")):
            pairs = list(zip(self.single_clients, self.registers, strict=True))
            outcomes = self.fire(pairs, via)
            sessions = self.open_sessions([("user_id", "=", self.single_uid)])
            kinds = self.check_scenario(
                f"{label:>12}: 1 one-session cashier, {size} registers",
                outcomes,
                sessions,
                SINGLE_MESSAGE,
                core_ok=False,
            )
            self.refusals_of_single_user += kinds["refused_by_addon"]
            self.check_log()
            self.clean_up()

            outcomes = self.fire(
                [(client, self.shared_register) for client in self.cashier_clients],
                via,
            )
            sessions = self.open_sessions([("config_id", "=", self.shared_register)])
            self.check_scenario(
                f"{label:>12}: {size} cashiers, 1 register",
                outcomes,
                sessions,
                FOREIGN_MESSAGE,
                core_ok=True,
            )
            self.clean_up()
            self.opens += 2 * size
        self.journal_scenario(f"{'journal':>12}: {size} cashiers, {size} registers")
        self.opens += size

    def run_pin_round(self):
        """Brute force on a manager's approval PIN, at once and one by one."""
        print("approval PINs", flush=True)
        admin = self.admin
        admin.call("res.users", "write", [[admin.uid], {"pos_approval_pin": PIN}])
        admin.call("pos.config", "open_ui", [[self.shared_register]])
        outcomes = in_parallel(
            lambda client: client.approve(self.shared_register, admin.uid, "0000"),
            self.single_clients,
            self.args.race_timeout + 10,
            f"{len(self.single_clients)} simultaneous approval requests",
        )
        burst = Counter(outcomes)
        checked = burst["wrong_pin"]
        sequential = []
        while len(sequential) < LOCK_ATTEMPTS + 1:
            outcome = self.single_clients[0].approve(
                self.shared_register, admin.uid, "0000"
            )
            sequential.append(outcome)
            if outcome != "wrong_pin":
                break
            checked += 1
        right_pin = self.single_clients[1].approve(self.shared_register, admin.uid, PIN)
        print(
            f"  {len(outcomes)} wrong PINs at once: {burst['wrong_pin']} checked, "
            f"{burst['approval_locked']} refused as locked; then "
            f"{sequential.count('wrong_pin')} checked one by one before the lock; "
            f"{checked} checked in all; the right PIN then: {right_pin}",
            flush=True,
        )
        problems = []
        if set(burst) - {"wrong_pin", "approval_locked"}:
            problems.append(f"unexpected answers at once: {dict(burst)}")
        if checked != LOCK_ATTEMPTS:
            problems.append(f"{checked} wrong PINs checked instead of {LOCK_ATTEMPTS}")
        if sequential[-1] != "approval_locked":
            problems.append(f"no lock after {checked} wrong PINs: {sequential[-1]}")
        if right_pin != "approval_locked":
            problems.append(f"the right PIN, once locked: {right_pin}")
        for problem in problems:
            print(f"    VIOLATION: {problem}", flush=True)
        self.violations += [f"approval PINs: {problem}" for problem in problems]
        self.clean_up()

    def check_log(self):
        """Refusals are logged once the refused request is rolled back,
        through a cursor of their own: they must all be there."""
        entries, attempts = [], None
        deadline = time.monotonic() + LOG_TIMEOUT
        while time.monotonic() < deadline:
            entries = self.admin.call(
                "pos.restriction.log",
                "search_read",
                [[("user_id", "=", self.single_uid)], ["attempt_count", "rule"]],
            )
            attempts = sum(entry["attempt_count"] for entry in entries)
            if attempts >= self.refusals_of_single_user:
                break
            time.sleep(0.5)
        rules = sorted({entry["rule"] for entry in entries})
        print(
            f"  {'':>12}  restriction log of the one-session cashier: {len(entries)} "
            f"entr{'y' if len(entries) == 1 else 'ies'} ({', '.join(rules)}), "
            f"{attempts} attempts for {self.refusals_of_single_user} refusals so far",
            flush=True,
        )
        problems = []
        if not entries:
            problems.append("no entry in the restriction log")
        if attempts != self.refusals_of_single_user:
            problems.append(
                f"the log counts {attempts} attempts for "
                f"{self.refusals_of_single_user} refusals"
            )
        for problem in problems:
            print(f"    VIOLATION: {problem}", flush=True)
        self.violations += [f"restriction log: {problem}" for problem in problems]

    def scan_server_log(self):
        """Tracebacks and errors in the server log, except the retries of
        serialization failures and lock timeouts that resolve the races."""
        retried, unexpected = 0, []
        with open(self.args.server_log, encoding="utf-8", errors="replace") as log:
            records, record = [], []
            for line in log:
                if LOG_RECORD.match(line) and record:
                    records.append("".join(record))
                    record = []
                record.append(line)
            records.append("".join(record))
        for record in records:
            level = LOG_RECORD.match(record)
            if not (
                "Traceback" in record
                or (level and level.group(1) in ("ERROR", "CRITICAL"))
            ):
                continue
            if RETRIED.search(record):
                retried += 1
            else:
                unexpected.append(record)
        print(
            f"server log: {retried} expected concurrency errors (retried), "
            f"{len(unexpected)} unexpected error(s)",
            flush=True,
        )
        for record in unexpected[:5]:
            print(f"    VIOLATION: server error: {record.strip()[:1500]}", flush=True)
        self.violations += [f"server error: {record[:200]}" for record in unexpected]

    def run(self):
        start = time.monotonic()
        wait_for_server(self.args.url, self.args.server_timeout)
        print(f"server answered in {time.monotonic() - start:.0f}s", flush=True)
        self.setup()
        for number in range(1, self.args.rounds + 1):
            self.run_round(number)
        self.run_pin_round()
        self.check_journal()
        if self.args.server_log:
            self.scan_server_log()
        duration = time.monotonic() - start
        if self.violations:
            print(
                f"concurrency-check: FAILED, {len(self.violations)} violation(s) in "
                f"{self.args.rounds} rounds, {self.opens} simultaneous opens "
                f"({duration:.0f}s)",
                flush=True,
            )
            return 1
        print(
            f"concurrency-check: passed, {self.args.rounds} rounds, {self.opens} "
            "simultaneous opens by RPC and URL: exactly 1 session each time, every "
            "other request refused cleanly, every refusal logged; 5 wrong approval "
            "PINs checked, then locked; the session journal one unbroken chain "
            f"({duration:.0f}s)",
            flush=True,
        )
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--fixtures",
        required=True,
        help="the JSON that scripts/psr_concurrency_setup.py wrote",
    )
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--server-timeout",
        type=float,
        default=600,
        help="s, for the server to serve its login page once started",
    )
    parser.add_argument("--login-timeout", type=float, default=120, help="s, per login")
    parser.add_argument(
        "--admin-timeout",
        type=float,
        default=120,
        help="s, per call of the administrator (counts and clean-up)",
    )
    parser.add_argument(
        "--race-timeout", type=float, default=300, help="s, per raced request"
    )
    parser.add_argument("--server-log", help="the server's log file, to scan")
    args = parser.parse_args()
    try:
        return ConcurrencyCheck(args).run()
    except CheckError as error:
        print(f"concurrency-check: cannot run: {error}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
