"""Repository-wide pytest rules for the salon_otp_redeem tests.

- A skipped test of an ``HttpCase`` is a failure: Odoo's browser helpers turn
  a missing Chromium or a browser that would not start into
  ``unittest.SkipTest``, which must not pass silently.
- The session refuses to start unless the database given with
  ``--odoo-database`` has salon_otp_redeem installed.
- Odoo test classes defined here (outside ``odoo.addons``) get the class
  attributes Odoo's ``MetaCase`` gives addon tests.
- Before the first ``HttpCase``, what the HTTP server would parse lazily is
  parsed here, and ``ast.parse`` is serialized for the session: CPython
  3.11's ``ast`` is not thread-safe (tests/http_warmup.py).
"""

import logging

import pytest

from .http_warmup import serialize_ast_parse, warm_http_server

MODULE = "salon_otp_redeem"

# Before any thread of the test HTTP server exists.
serialize_ast_parse()


class _QuietTestImport(logging.Filter):
    """pytest-odoo imports odoo.tests before tests are enabled (on purpose, so
    that loading the registry runs no test), and Odoo logs that as an error
    with a stack trace: drop that one record."""

    def filter(self, record):
        return not str(record.msg).startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_QuietTestImport())


def _odoo_case(item, base_name):
    try:
        from odoo.tests import common
    except ImportError:
        return False
    cls = getattr(item, "cls", None)
    return isinstance(cls, type) and issubclass(cls, getattr(common, base_name))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _odoo_case(item, "HttpCase"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"browser tour did not run: {reason}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    dbname = item.config.getoption("--odoo-database", default=None)
    if (
        dbname
        and item.config.getoption("--odoo-http", default=False)
        and _odoo_case(item, "HttpCase")
    ):
        warm_http_server(dbname)


def pytest_collection_modifyitems(items):
    for item in items:
        if not _odoo_case(item, "BaseCase"):
            continue
        cls = item.cls
        if getattr(cls, "test_tags", None) is None:
            cls.test_tags = {"standard", "at_install"}
        if getattr(cls, "test_module", None) is None:
            cls.test_module = MODULE
            cls.test_class = cls.__name__
            cls.test_sequence = 0


def pytest_sessionstart(session):
    dbname = session.config.getoption("--odoo-database", default=None)
    if not dbname:
        return
    import odoo.sql_db

    try:
        with odoo.sql_db.db_connect(dbname).cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [MODULE])
            row = cr.fetchone()
    except Exception as e:  # noqa: BLE001 - any failure here is fatal
        pytest.exit(f"cannot read database {dbname!r}: {e}", returncode=3)
    if not row or row[0] != "installed":
        state = row[0] if row else "absent"
        pytest.exit(
            f"{MODULE} is not installed in database {dbname!r} (state: {state}); "
            "run the tests with scripts/run-tests",
            returncode=3,
        )


# Figures a test wants in the run's output whatever the capture mode (the
# fuzz test's payload and error counts): printed before pytest's summary line.
SUMMARY_LINES = []


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY_LINES:
        terminalreporter.write_line(line)
