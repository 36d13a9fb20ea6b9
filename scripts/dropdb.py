"""Drop an Odoo database and its filestore (used by the test command)."""

import sys

import odoo
from odoo.service import db

if __name__ == "__main__":
    odoo.tools.config.parse_config([])
    name = sys.argv[1]
    if name in db.list_dbs(force=True):
        db.exp_drop(name)
