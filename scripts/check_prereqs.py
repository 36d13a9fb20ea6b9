"""Stop at once, with a clear message, when Odoo 18, PostgreSQL or what PDFs and tours need is missing.

Reads the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); without
them libpq's defaults apply (the local socket, then 127.0.0.1:5432).
"""

import getpass
import os
import shutil
import subprocess
import sys

PYTHON = sys.executable


def fail(message):
    sys.stderr.write("\n*** %s\n\n" % message)
    sys.exit(2)


def check_odoo():
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError:
        fail(
            "Odoo 18.0 is not importable by %s.\n"
            "    Install Odoo 18.0 Community for this interpreter, for instance:\n"
            "        pip install -r <odoo-18>/requirements.txt\n"
            "        pip install -e <odoo-18> --config-settings editable_mode=compat\n"
            "    or choose another interpreter with `make <target> PYTHON=/path/to/python3`." % PYTHON
        )
    if odoo.release.version_info[:2] != (18, 0):
        fail("Odoo %s found for %s; these addons need Odoo 18.0." % (odoo.release.version, PYTHON))


def check_postgres():
    import psycopg2  # noqa: PLC0415 - shipped with Odoo's requirements

    where = "%s:%s" % (os.environ.get("PGHOST", "local socket / 127.0.0.1"), os.environ.get("PGPORT", "5432"))
    try:
        psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"), connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        fail(
            "No PostgreSQL server answers at %s (as user %s):\n    %s\n"
            "    Start PostgreSQL, or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a running server.\n"
            "    Odoo refuses the role `postgres`: connect as a role that may create databases."
            % (where, os.environ.get("PGUSER") or getpass.getuser(), str(error).strip())
        )
    if os.environ.get("PGUSER") == "postgres":
        fail("Odoo refuses to run as the PostgreSQL role `postgres`: set PGUSER to another role.")


def check_cjk_font():
    """Without a Chinese font, wkhtmltopdf prints the 确认单 and statements with the Chinese left out."""
    listing = ""
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    if not listing.strip():
        fail(
            "No font with Chinese characters is installed: the printed 来访客户确认单 and commission\n"
            "    statements would lose every Chinese character silently.\n"
            "    Install one, for instance on Debian or Ubuntu:  apt-get install fonts-noto-cjk"
        )


def check_programs(names):
    for name, package, purpose in names:
        if not shutil.which(name):
            fail("%s is missing (%s): install it, e.g. apt-get install %s" % (name, purpose, package))


if __name__ == "__main__":
    check_odoo()
    check_postgres()
    check_cjk_font()
    check_programs([("wkhtmltopdf", "wkhtmltopdf", "it prints the PDF reports")])
    if "--tests" in sys.argv:
        check_programs(
            [
                ("chromium", "chromium", "the browser tests and tours run in it"),
                ("pdftotext", "poppler-utils", "the tests read the printed PDFs with it"),
            ]
        )
