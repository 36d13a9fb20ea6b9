"""CH-14 re-read (18.0.1.1.0): nothing decided is re-decided (expired protections stay expired), but the
protections still running under the old reading's cap (ending ``referral_deposit_days`` after the referral)
take their usual end (PR-1, PR-2) from now on."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    capped = env["real.estate.protection"].search([("state", "=", "active"), ("end_rule", "=", "CH-14")])
    capped._refresh_end()
