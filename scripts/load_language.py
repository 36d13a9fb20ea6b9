"""Load a language's translations for every installed module of a database.

``odoo --load-language`` on an existing database loads them while only the
``base`` module's models are set up, so the translations of other modules'
records (CRM stages, activity types...) are skipped. This loads them with the
whole registry, as Settings → Languages does, then loads the two addons'
terms again over the stock ones: their zh_CN overrides the stock terms whose
Chinese collides with the office's vocabulary (CRM's pipeline is not a 渠道).

usage: load_language.py DATABASE ADDONS_PATH LANG
"""

import sys

import odoo
from odoo import SUPERUSER_ID, api

ADDONS = ("real_estate_attribution", "real_estate_channel")


def main(db, addons_path, lang):
    odoo.tools.config.parse_config(["-d", db, "--addons-path", addons_path, "--log-level", "warn"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.lang"]._activate_lang(lang)
        modules = env["ir.module.module"].search([("state", "=", "installed")])
        modules._update_translations([lang])
        modules.filtered(lambda module: module.name in ADDONS)._update_translations([lang], overwrite=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
