#!/usr/bin/env python3
"""Verdict of an Odoo 19.0 test run, from its log and its exit code.

usage: summarize-test-log.py LOGFILE ODOO_EXIT_CODE [CHECK=EXIT_CODE ...]

Each CHECK is a check run outside Odoo's runner (a script), counted as one test.
Prints what broke (failed and skipped tests, ERROR/CRITICAL log lines), then as the
very last line "N passed, N failed, N skipped". Exits 0 only when tests ran, none
failed (not even on a first try that a retry made up for), none was skipped, nothing
was logged at ERROR or CRITICAL and Odoo exited 0.

What Odoo 19.0 logs (odoo/tests/result.py, odoo/service/server.py):
- at the end, per database, logger odoo.tests.result (at- and post-install tests):
  "N failed, N error(s) of N tests when loading database 'DB'"
- per test, logger = the test's Python module: "Starting Class.test_x ..."
- a failure or error, level ERROR: "FAIL: Class.test_x" or "ERROR: Class.test_x",
  then the traceback
- a skipped test (unittest.SkipTest: skipTest(), @skip, no Chromium, no
  websocket-client), level INFO: "skipped Class.test_x : reason".
  The summary line does not count skips.
- with ODOO_TEST_FAILURE_RETRIES=N (odoo/tests/common.py, BaseCase.run), a test
  that failed is run again, up to N times. A try before the last fails when it
  fails or logs anything at WARNING or above; what it logs at WARNING or above is
  printed with the level name prefixed by "_" ("_WARNING", "_ERROR": INFO
  records), its failure too ("_ERROR ... FAIL: Class.test_x"). Each new try is
  logged at INFO as "Retrying a failed test: test_x (module.Class.test_x)", and
  the summary line counts every try as a test.
  A test that passed only when retried is counted as failed here, and listed with
  what its first try logged: a retry hides a flaky test, it does not make it pass.
  Retries serve to tell a flaky failure from a steady one.
"""

import re
import sys
from types import SimpleNamespace

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>_?[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)$"
)
SUMMARY = re.compile(
    r"^(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database "
)
STARTING = re.compile(r"^Starting (?P<desc>.+) \.\.\.$")
SKIPPED = re.compile(r"^skipped (?P<desc>.*?) : (?P<reason>.*)$")
FAILED = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<desc>.+)$")
RETRYING = re.compile(r"^Retrying a failed test: \S+ \((?P<path>[\w.]+)\)$")
# Summaries of failures already listed test by test (odoo/modules/loading.py).
MODULE_FAILED = re.compile(
    r"^(Module \S+: \d+ failures, \d+ errors of \d+ tests"
    r"|At least one test failed when loading the modules\.)$"
)
MAX_LISTED = 30
# What is shown of the lines a failed first try logged, per test.
MAX_REASONS = 3
MAX_REASON_CHARS = 200


def read_records(path):
    """Yields [level, logger, message, continuation lines] for each log record."""
    record = None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            match = RECORD.match(line)
            if match:
                if record:
                    yield record
                # Odoo ends each line with " " (and performance figures for HTTP).
                msg = match["msg"].rstrip()
                record = [match["level"], match["logger"], msg, []]
            elif record:
                record[3].append(line)
    if record:
        yield record


def test_key(logger, desc):
    """Identifies a test: "Subtest Class.test_x (i=1)" belongs to Class.test_x."""
    if desc.startswith("Subtest "):
        desc = desc[len("Subtest ") :].split(" ", 1)[0]
    return logger, desc


def exception_text(lines):
    """The exception ending a traceback ("AssertionError: ..."), else the last line."""
    lines = [line.rstrip() for line in lines if line.strip()]
    if not lines:
        return ""
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    if not frames:
        return lines[-1].strip()
    # The exception starts at the first unindented line after the last frame.
    after = range(frames[-1] + 1, len(lines))
    start = next((i for i in after if not lines[i][0].isspace()), None)
    if start is None:
        return lines[-1].strip()
    text = lines[start]
    if start < len(lines) - 1:
        # A multi-line message (assertEqual's diff): its end is the custom message.
        text += " ... " + lines[-1].strip()
    return text


def first_try_reason(logger, msg, more):
    """One line of what a try before the last logged at WARNING or above."""
    if (match := FAILED.match(msg)) and (detail := exception_text(more)):
        msg = f"{match['kind']}: {detail}"
    text = f"{logger}: {msg}"
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 3] + "..."
    return text


def show(title, items):
    if not items:
        return
    print(f"{title} ({len(items)}):")
    for item in items[:MAX_LISTED]:
        print(f"  {item}")
    if len(items) > MAX_LISTED:
        print(f"  ... and {len(items) - MAX_LISTED} more, see the log")


def parse_log(path):
    """What the log tells of the run, record by record."""
    log = SimpleNamespace(
        total=0,  # tests run, as Odoo's summary lines count them
        failed=0,  # failures and errors, as Odoo's summary lines count them
        summaries=0,
        started=set(),
        bad=set(),  # tests that failed, errored or were skipped
        retried=[],  # (logger, "Class.test_x") of each new try of a failed test
        failures=[],
        skips=[],
        errors=[],
        first_try={},  # test: what its tries before the last logged at WARNING+
    )
    current = None  # the test running
    for level, logger, msg, more in read_records(path):
        if level.startswith("_"):
            # Lowered to INFO by Odoo during a try before the last: no error of
            # the run, but what made that try fail.
            log.first_try.setdefault(current, []).append(
                first_try_reason(logger, msg, more)
            )
        elif logger == "odoo.tests.result" and (match := SUMMARY.match(msg)):
            log.summaries += 1
            log.failed += int(match[1]) + int(match[2])
            log.total += int(match[3])
        elif level == "INFO" and (match := STARTING.match(msg)):
            current = test_key(logger, match["desc"])
            log.started.add(current)
        elif level == "INFO" and (match := SKIPPED.match(msg)):
            log.bad.add(test_key(logger, match["desc"]))
            log.skips.append(f"{match['desc']} ({logger}): {match['reason']}")
        elif level == "INFO" and (match := RETRYING.match(msg)):
            module, cls, method = match["path"].rsplit(".", 2)
            log.retried.append((module, f"{cls}.{method}"))
        elif level == "ERROR" and (match := FAILED.match(msg)):
            log.bad.add(test_key(logger, match["desc"]))
            detail = exception_text(more)
            log.failures.append(
                f"{msg} ({logger})" + (f" -> {detail}" if detail else "")
            )
        if level in ("ERROR", "CRITICAL"):
            log.errors.append((level, logger, msg, more))
    return log


def failed_first(test, reasons):
    """A test that passed only when retried, with what its first try logged,
    each line once with how often (a warning is often repeated)."""
    logger, desc = test
    counts = {}
    for reason in reasons or ["(nothing logged)"]:
        counts[reason] = counts.get(reason, 0) + 1
    lines = [f"{count}x {reason}" for reason, count in counts.items()]
    if len(lines) > MAX_REASONS:
        lines[MAX_REASONS:] = [
            f"... and {len(lines) - MAX_REASONS} other lines, see the log"
        ]
    return f"{desc} ({logger}), its first try logged:" + "".join(
        f"\n      {line}" for line in lines
    )


def main(path, odoo_rc, checks):
    """``checks`` maps the name of each check run outside Odoo's runner to its
    exit code; each counts as one test."""
    log = parse_log(path)
    failures, skips, errors, started = log.failures, log.skips, log.errors, log.started
    # Odoo counts each try of a retried test as a test run.
    total = log.total - len(log.retried)
    # Errors and skips in setUpClass are counted by Odoo but are no started test.
    passed = max(0, total - len(log.bad & started))
    skipped = len(skips)
    # A test that failed once failed, whatever its retry did.
    failed_once = sorted({test for test in log.retried if test not in log.bad})
    passed = max(0, passed - len(failed_once))
    failed = log.failed + len(failed_once)

    other_errors = [
        f"{level} {logger}: {msg}" + (f" -> {exception_text(more)}" if more else "")
        for level, logger, msg, more in errors
        if not (FAILED.match(msg) or MODULE_FAILED.match(msg) or SUMMARY.match(msg))
    ]

    problems = []
    if not log.summaries:
        problems.append("no test summary in the log (Odoo stopped before the tests?)")
    elif total == 0:
        problems.append("no test ran")
    elif not started:
        # Without INFO lines, skipped tests are invisible.
        problems.append('no "Starting <test>" lines: run at log level info or test')
    if log.failed:
        problems.append(f"{log.failed} test failure(s)/error(s)")
    if failed_once:
        problems.append(
            f"{len(failed_once)} test(s) failed on a first try and passed only when"
            " retried: a retry is no pass"
        )
    if skipped:
        problems.append(f"{skipped} test(s) skipped: a skipped test is no passing test")
    if errors:
        problems.append(f"{len(errors)} line(s) logged at ERROR/CRITICAL")
    if odoo_rc != 0:
        problems.append(f"odoo exited with code {odoo_rc}")
    failed_checks = [name for name, rc in checks.items() if rc]
    problems += [f"{name} failed (exit code {checks[name]})" for name in failed_checks]
    passed += len(checks) - len(failed_checks)
    failed += len(failed_checks)

    print()
    print(f"=== Test log: {path}")
    show("Failed tests", failures)
    show(
        "Failed on a first try, passed when retried (flaky, or logs a warning: fix it)",
        [failed_first(test, log.first_try.get(test)) for test in failed_once],
    )
    show("Skipped tests", skips)
    show("Other ERROR/CRITICAL log lines", other_errors)
    show("Verdict: FAILED because", problems)
    if not problems:
        print("Verdict: OK")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or not all("=" in arg for arg in sys.argv[3:]):
        sys.exit(__doc__)
    extra = dict(arg.split("=", 1) for arg in sys.argv[3:])
    sys.exit(main(sys.argv[1], int(sys.argv[2]), {k: int(v) for k, v in extra.items()}))
