"""One Chinese vocabulary across both addons and stock CRM.

Stock Odoo's zh_CN calls the CRM pipeline 渠道, which is this product's word for a
channel (分销, 中介, 全民经纪: an outside company bringing customers). The zh_CN.po of
real_estate_attribution overrides those stock terms (销售管道, 我的商机, 商机分析...), so a
consultant never reads 渠道 for anything but a channel. These tests read the database
as ``scripts/run-tests`` leaves it: both addons installed, then zh_CN loaded.
"""

import pathlib
import re

import pytest

import odoo
from odoo.tools.translate import PoFileReader

ROOT = pathlib.Path(__file__).resolve().parents[1]

OURS = ("real_estate_attribution", "real_estate_channel")
ZH = "zh_CN"
QUDAO = "渠道"

# What a user reads: menus, actions, field labels and tooltips, selection labels, views,
# stages and activity types: (model, translated field).
SURFACES = [
    ("ir.ui.menu", "name"),
    ("ir.actions.act_window", "name"),
    ("ir.actions.act_window", "help"),
    ("ir.actions.server", "name"),
    ("ir.actions.client", "name"),
    ("ir.actions.report", "name"),
    ("ir.model.fields", "field_description"),
    ("ir.model.fields", "help"),
    ("ir.model.fields.selection", "name"),
    ("ir.ui.view", "arch_db"),
    ("crm.stage", "name"),
    ("mail.activity.type", "name"),
    ("mail.activity.type", "summary"),
]

# English that speaks of the pipeline or of a sales team: never 渠道 in Chinese.
NOT_A_CHANNEL = re.compile(r"pipeline|opportunit|sales team", re.IGNORECASE)

# The stock records of the pipeline, in the product's words.
PIPELINE_WORDS = {
    ("ir.ui.menu", "crm.menu_crm_opportunities"): "我的商机",
    ("ir.ui.menu", "crm.crm_opportunity_report_menu"): "销售管道",
    ("ir.ui.menu", "crm.menu_crm_config_lead"): "销售管道",
    ("ir.actions.act_window", "crm.crm_lead_action_pipeline"): "销售管道",
    ("ir.actions.act_window", "crm.crm_opportunity_report_action"): "商机分析",
    ("ir.actions.act_window", "crm.action_report_crm_opportunity_salesteam"): "商机分析",
    ("ir.actions.act_window", "crm.crm_activity_report_action_team"): "商机活动",
    ("ir.actions.server", "crm.action_your_pipeline"): "客户关系管理：我的商机",
}

# Our channel menus: 渠道 is the channel.
CHANNEL_MENUS = [
    "real_estate_channel.menu_channels_root",
    "real_estate_channel.menu_channel_partners",
    "real_estate_channel.menu_channel_performance",
]


@pytest.mark.parametrize("addon", OURS)
def test_every_translation_reaches_the_loader(server, addon):
    """Odoo reads a .po merged with the addon's .pot and drops every msgid the .pot lacks.

    The overrides of stock terms (module crm, sales_team) are not exported with our
    addon's terms: they must be kept in the .pot by hand, or they silently stop loading.
    """
    po_path = ROOT / addon / "i18n" / "zh_CN.po"
    dropped = sorted(entry.msgid for entry in PoFileReader(str(po_path)).pofile if entry.obsolete and entry.msgstr)
    assert not dropped, "%d translations of %s are missing from its .pot, so Odoo ignores them:\n%s" % (
        len(dropped),
        addon,
        "\n".join(dropped),
    )


def _env(cr):
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def _rows_saying(env, model, fname, word):
    """(xmlid module, xmlid, English, Chinese) of the records whose zh_CN contains word.

    For a field translated term by term (a view's arch), one row per term.
    """
    if model not in env:
        return []
    field = env[model]._fields[fname]
    env.cr.execute(
        f"""SELECT d.module, d.module || '.' || d.name, t."{fname}"->>'en_US', t."{fname}"->>%s
              FROM "{env[model]._table}" t
              JOIN ir_model_data d ON d.model = %s AND d.res_id = t.id
             WHERE t."{fname}"->>%s LIKE %s""",
        (ZH, model, ZH, "%" + word + "%"),
    )
    rows = []
    for module, xmlid, en, zh in env.cr.fetchall():
        if callable(field.translate):
            terms = field.get_translation_dictionary(en or "", {ZH: zh})
            rows += [(module, xmlid, term, t[ZH]) for term, t in terms.items() if word in (t.get(ZH) or "")]
        else:
            rows.append((module, xmlid, en, zh))
    return rows


def _name(env, model, xmlid, lang):
    record = env.ref(xmlid)
    assert record._name == model, xmlid
    return record.with_context(lang=lang).name


def test_chinese_is_loaded(server):
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        assert _env(cr)["res.lang"]._lang_get(ZH), "zh_CN is not installed: the vocabulary tests read nothing"


def test_stock_terms_never_say_qudao(server):
    """No stock menu, action, label, selection, view, stage or activity type reads 渠道.

    Stock modules never mean a real-estate channel: their 渠道 is the CRM pipeline (or a
    sales team, once called a sales channel) and is overridden by our zh_CN.po.
    """
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        env = _env(cr)
        found = [
            "%s,%s %s: %r -> %r" % (model, fname, xmlid, en, zh)
            for model, fname in SURFACES
            for module, xmlid, en, zh in _rows_saying(env, model, fname, QUDAO)
            if module not in OURS
        ]
    assert not found, "Stock terms read 渠道 (the product's word for a channel):\n" + "\n".join(found)


def test_our_terms_say_qudao_for_channels_only(server):
    """Our addons use 渠道 for channels, never for the pipeline or a sales team."""
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        env = _env(cr)
        found = [
            "%s,%s %s: %r -> %r" % (model, fname, xmlid, en, zh)
            for model, fname in SURFACES
            for module, xmlid, en, zh in _rows_saying(env, model, fname, QUDAO)
            if module in OURS and NOT_A_CHANNEL.search(en or "")
        ]
        channel_menus = {xmlid: _name(env, "ir.ui.menu", xmlid, ZH) for xmlid in CHANNEL_MENUS}
    assert not found, "Our terms read 渠道 for the pipeline or a sales team:\n" + "\n".join(found)
    assert all(QUDAO in name for name in channel_menus.values()), channel_menus


def test_the_pipeline_reads_the_product_words(server):
    """The stock pipeline menus and actions read 销售管道 / 我的商机 / 商机分析 (our zh_CN.po)."""
    registry = odoo.modules.registry.Registry(server.db)
    with registry.cursor() as cr:
        env = _env(cr)
        names = {xmlid: _name(env, model, xmlid, ZH) for (model, xmlid) in PIPELINE_WORDS}
        use_opportunities = env.ref("crm.field_crm_team__use_opportunities").with_context(lang=ZH)
        label = use_opportunities.field_description
    expected = {xmlid: word for (_model, xmlid), word in PIPELINE_WORDS.items()}
    assert names == expected
    assert label == "销售管道"


def test_menus_actions_activity_types_and_stages_are_translated(server):
    """Our menus, actions and activity types, and the crm stages, have a Chinese name."""
    registry = odoo.modules.registry.Registry(server.db)
    untranslated = []
    with registry.cursor() as cr:
        env = _env(cr)
        cr.execute(
            """SELECT model, module || '.' || name FROM ir_model_data
                WHERE (module = ANY(%s) AND model IN %s) OR (module = 'crm' AND model = 'crm.stage')
                ORDER BY model, name""",
            (
                list(OURS),
                (
                    "ir.ui.menu",
                    "ir.actions.act_window",
                    "ir.actions.server",
                    "ir.actions.client",
                    "ir.actions.report",
                    "mail.activity.type",
                ),
            ),
        )
        for model, xmlid in cr.fetchall():
            english, chinese = _name(env, model, xmlid, "en_US"), _name(env, model, xmlid, ZH)
            if chinese == english:
                untranslated.append("%s %s: %r" % (model, xmlid, english))
    assert not untranslated, (
        "No Chinese name:\n%s\n(Stages and activity types alone: `odoo --load-language` on an existing database"
        " loads the translations before the modules, only base's models get them: see scripts/load_language.py.)"
        % "\n".join(untranslated)
    )
