"""Stop at once, with a clear message, when Odoo 18 or PostgreSQL is missing.

Reads the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); without
them libpq's defaults apply (the local socket, then 127.0.0.1:5432).
"""

import getpass
import os
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


if __name__ == "__main__":
    check_odoo()
    check_postgres()
