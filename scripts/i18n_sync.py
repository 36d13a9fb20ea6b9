"""Regenerate each addon's .pot from a database where both addons are installed, merge it into the
addon's zh_CN.po (every existing translation kept, terms no longer used dropped), and list the terms
that still lack Chinese.

    python3 scripts/i18n_sync.py DB [--check]

With --check nothing is written: the exit status says whether a term lacks Chinese.
"""

import argparse
import copy
import io
import pathlib
import sys
import warnings

import polib

import odoo
from odoo.tools.translate import trans_export

warnings.filterwarnings("ignore", "pkg_resources")
ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ("real_estate_attribution", "real_estate_channel")


def export_pot(cr, addon):
    buffer = io.BytesIO()
    trans_export(False, [addon], buffer, "po", cr)
    return polib.pofile(buffer.getvalue().decode())


def _foreign(entry, addon):
    """An entry that overrides another module's term (stock CRM's pipeline is not a 渠道): kept as it is."""
    modules = {line.split(":", 1)[1].strip() for line in entry.comment.splitlines() if line.startswith("module:")}
    return bool(modules) and addon not in modules


def merge(pot, po, addon):
    """``po`` takes ``pot``'s entries, with its own translations where it has them, and keeps its overrides of
    other modules' terms."""
    known = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in po if not entry.obsolete}
    merged = polib.POFile(wrapwidth=pot.wrapwidth)
    merged.metadata = dict(po.metadata or pot.metadata)
    merged.metadata.update({key: pot.metadata[key] for key in ("POT-Creation-Date",) if key in pot.metadata})
    merged.metadata["PO-Revision-Date"] = pot.metadata.get("POT-Creation-Date", "")
    merged.header = po.header or pot.header
    for entry in map(copy.deepcopy, pot):
        entry.msgstr = known.get((entry.msgctxt, entry.msgid), "")
        merged.append(entry)
    ours = {(entry.msgctxt, entry.msgid) for entry in merged}
    for entry in po:
        if not entry.obsolete and _foreign(entry, addon) and (entry.msgctxt, entry.msgid) not in ours:
            merged.append(entry)
    return merged


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    odoo.tools.config.parse_config(["--addons-path=%s" % ROOT])
    registry = odoo.modules.registry.Registry(options.db)
    missing = 0
    with registry.cursor() as cr:
        for addon in ADDONS:
            folder = ROOT / addon / "i18n"
            pot = export_pot(cr, addon)
            po_path = folder / "zh_CN.po"
            po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
            merged = merge(pot, po, addon)
            exported = {(entry.msgctxt, entry.msgid) for entry in pot}
            for entry in merged:  # Odoo loads a term of the .po only when the .pot has it too
                if (entry.msgctxt, entry.msgid) not in exported:
                    template = copy.deepcopy(entry)
                    template.msgstr = ""
                    pot.append(template)
            if not options.check:
                pot.save(str(folder / ("%s.pot" % addon)))
                merged.save(str(po_path))
            lacking = [entry.msgid for entry in merged if not entry.msgstr.strip()]
            missing += len(lacking)
            for msgid in lacking:
                print("%s: %s" % (addon, msgid.replace("\n", " ")))
    print("%d term(s) lack Chinese." % missing, file=sys.stderr)
    return 1 if missing and options.check else 0


if __name__ == "__main__":
    sys.exit(main())
