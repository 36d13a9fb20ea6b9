"""Root pytest configuration (pytest-odoo runs the suite, see scripts/run-tests)."""

import logging
import sys
import traceback

import pytest


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    """Import Odoo's test framework in test mode, before pytest-odoo does.

    pytest-odoo switches ``test_enable`` on per test module only (on for
    good, Odoo would run every addon's tests when the registry loads) but
    imports ``odoo.tests`` while it is off, which logs a spurious error.
    """
    try:
        import odoo.tools  # noqa: PLC0415
    except ImportError:
        yield
        return
    previous = odoo.tools.config["test_enable"]
    odoo.tools.config["test_enable"] = True
    try:
        import odoo.tests  # noqa: PLC0415
    finally:
        odoo.tools.config["test_enable"] = previous
    yield


class _ServerErrors(logging.Handler):
    """Collects what the server logs at ERROR (or with a traceback) while the suite runs."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


_server_errors = _ServerErrors()


def pytest_sessionstart(session):
    logging.getLogger().addHandler(_server_errors)
    _read_manifests_once()


def _read_manifests_once():
    """Read every addon's manifest now, in one thread.

    The HTTP server reads them lazily on its first static file; the browser tests ask for many static files
    at once, and CPython 3.11.2's ``ast`` (Debian 12's) fails when several threads parse at the same time
    ("AST constructor recursion depth mismatch").
    """
    try:
        import odoo.http  # noqa: PLC0415
    except ImportError:
        return
    odoo.http.root.statics  # noqa: B018 - a lazy property: computing it reads every manifest


@pytest.fixture(autouse=True)
def _no_server_error(request):
    """A test fails when the server logged an ERROR or a traceback while it ran.

    Tests that expect a logged error mute that logger (``odoo.tools.mute_logger``).
    """
    start = len(_server_errors.records)
    yield
    logged = _server_errors.records[start:]
    if logged:
        pytest.fail(
            "The server logged %d error(s) during %s:\n%s"
            % (len(logged), request.node.nodeid, "\n".join(_format(record) for record in logged)),
            pytrace=False,
        )


def _format(record):
    text = "%s %s: %s" % (record.levelname, record.name, record.getMessage())
    if record.exc_info:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return text


def pytest_sessionfinish(session, exitstatus):
    """Errors logged outside any test (setup, teardown, the server between tests) fail the run too."""
    if _server_errors.records and session.exitstatus == 0:
        session.exitstatus = 1
        sys.stderr.write(
            "\nThe server logged %d error(s) during the suite:\n%s\n"
            % (len(_server_errors.records), "\n".join(_format(record) for record in _server_errors.records))
        )
