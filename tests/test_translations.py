"""zh_CN is complete: every term Odoo would export for each addon has a Chinese translation."""

import pathlib

import polib
import pytest

import odoo
from odoo.tools.translate import TranslationModuleReader

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ["real_estate_attribution", "real_estate_channel"]


@pytest.mark.parametrize("addon", ADDONS)
def test_every_term_has_a_chinese_translation(server, addon):
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        terms = {source for _m, _t, _n, _r, source, _v, _c in TranslationModuleReader(cr, [addon], "zh_CN")}
    po_path = ROOT / addon / "i18n" / "zh_CN.po"
    translated = {}
    if po_path.exists():
        translated = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_path)) if not entry.obsolete}
    missing = sorted(term for term in terms if not translated.get(term, "").strip())
    assert not missing, "%d terms of %s lack a zh_CN translation:\n%s" % (len(missing), addon, "\n".join(missing))
