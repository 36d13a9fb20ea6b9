"""Load a language's translations for every installed module of a database.

``odoo --load-language`` on an existing database loads them while only the
``base`` module's models are set up, so the translations of other modules'
records (CRM stages, activity types...) are skipped. This loads them with the
whole registry, as Settings → Languages does.

usage: load_language.py DATABASE ADDONS_PATH LANG
"""

import sys

import odoo
from odoo import SUPERUSER_ID, api


def main(db, addons_path, lang):
    odoo.tools.config.parse_config(["-d", db, "--addons-path", addons_path, "--log-level", "warn"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.lang"]._activate_lang(lang)
        env["ir.module.module"].search([("state", "=", "installed")])._update_translations([lang])


if __name__ == "__main__":
    main(*sys.argv[1:4])
