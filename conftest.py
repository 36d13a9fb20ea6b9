"""Root pytest configuration (pytest-odoo runs the suite, see scripts/run-tests)."""

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
