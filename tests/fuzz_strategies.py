"""Hypothesis strategies for the XML-RPC fuzz tests (``tests/test_fuzz.py``).

What integrators, consultants and agents may send, from well-formed values to hostile ones: wrong types,
None and False, huge and negative numbers, lists and dicts where scalars belong, Chinese, control and
invisible characters, very long strings, masked and malformed mobile numbers, moments far in the past and
the future. Pure strategies: no Odoo, no server.

XML-RPC carries only what XML 1.0 can: the C0 control characters other than tab, line feed and carriage
return cannot travel (Python's client would send malformed XML, refused by the transport before any model
code runs), and ``<int>`` is 32 bits (larger integers fail in the client). Larger numbers are sent as
doubles or as digits in a string.
"""

import xmlrpc.client
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
XML_UNSAFE = [chr(code) for code in range(32) if code not in (9, 10, 13)] + ["\ufffe", "\uffff"]
xml_chars = st.characters(codec="utf-8", exclude_characters=XML_UNSAFE)

CJK = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤先生女士小姐"
)
#: Control, invisible and unusual characters XML 1.0 carries.
SPECIALS = [
    "\t",
    "\n",
    "\r\n",
    "\x7f",
    "\x85",
    "\x9f",
    "\u00a0",
    "\u200b",
    "\u200e",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\u3000",
    "\U0001f600",
    "\U00020000",
    "﹏",
]
NAMES = ["王先生", "李女士", "欧阳娜娜", "司马光", "张", "Wang Wei", "Smith, John", "O'Brien", "Zoë Ünal", "  周杰  "]
texts = st.one_of(
    st.text(xml_chars, max_size=40),
    st.text(st.sampled_from(CJK), min_size=1, max_size=8),
    st.lists(
        st.sampled_from([*SPECIALS, "王", "李", " ", "a", "1", "%s", "%(x)s", "{0}", "<b>", "&amp;"]), max_size=12
    ).map("".join),
)
long_texts = st.sampled_from(
    [
        "王" * 5_000,
        "x" * 20_000,
        "王先生\n" * 3_000,
        "a" * 100_001,
        "\u202e" * 1_000 + "王",
        "\t" * 10_000,
    ]
)
any_text = st.one_of(texts, texts, texts, long_texts)
names = st.one_of(
    st.sampled_from(NAMES),
    st.text(st.sampled_from(CJK), min_size=2, max_size=4),
    st.text(st.sampled_from(CJK), min_size=2, max_size=3).map(lambda name: name + "先生"),
)
small_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(INT_MIN, INT_MAX), st.floats(), st.text(xml_chars, max_size=12)
)
odd_strings = st.sampled_from(
    [
        "",
        " ",
        "0",
        "1",
        "-1",
        "True",
        "false",
        "null",
        "None",
        "[]",
        "{}",
        "99999999999999999999",
        "1e309",
        "NaN",
        "'; DROP TABLE crm_lead; --",
        "%s",
        "%(team_id)s",
        "{0}",
        "<script>alert(1)</script>",
        "\\x00",
        "visit",
        "customer",
    ]
)
#: Anything but a well-formed value: wrong types, None, extremes, containers.
junk = st.one_of(
    st.none(),
    st.just(False),
    st.just(True),
    st.sampled_from([0, -1, 1, INT_MIN, INT_MAX]),
    st.integers(INT_MIN, INT_MAX),
    st.sampled_from([0.5, -0.0, 1.0, 1e300, -1e300, float("inf"), float("-inf"), float("nan")]),
    st.floats(),
    odd_strings,
    texts,
    long_texts,
    st.binary(max_size=16).map(xmlrpc.client.Binary),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(xmlrpc.client.DateTime),
    st.lists(small_scalars, max_size=4),
    st.dictionaries(st.text(xml_chars, max_size=8), small_scalars, max_size=3),
)

# ----------------------------------------------------------------------------------------------------
# Mobile numbers (ID-1, ID-2)
# ----------------------------------------------------------------------------------------------------
MOBILE_PREFIXES = [
    *("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159".split()),
    *("180 181 182 183 184 185 186 187 188 189 198 199".split()),
]
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
MALFORMED_PHONES = [
    "",
    " ",
    "12345",
    "10000000000",
    "19999999999",
    "+852 9123 4567",
    "+85291234567",
    "+886 912 345 678",
    "+1 202 555 0143",
    "+44 7911 123456",
    "010-65529988",
    "021 6234 5678",
    "400-800-8888",
    "95588",
    "+86",
    "0086",
    "00",
    "+",
    "++8613800138000",
    "8613800138000",
    "13800138000 13800138001",
    "13800138000,13900139000",
    "tel:13800138000",
    "一三八〇〇一三八〇〇〇",
    "\u202e13800138000",
    "13800138000\u200b",
    "+86 (138) 0013-8000",
    "0086 0086 13800138000",
    "138****5678abc",
    "***********",
    "138****",
    "****5678",
    "1" * 40,
]
mobiles = st.builds(
    lambda prefix, rest: "%s%08d" % (prefix, rest), st.sampled_from(MOBILE_PREFIXES), st.integers(0, 99_999_999)
)
#: Well-formed numbers, as people type them.
good_phones = st.one_of(
    mobiles,
    mobiles,
    mobiles.map(lambda m: f"+86 {m[:3]} {m[3:7]} {m[7:]}"),
    mobiles.map(lambda m: "0086-" + m),
    mobiles.map(lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}"),
    mobiles.map(lambda m: f" {m}\t"),
)
#: Masked numbers (前三后四) and near misses.
masked_phones = st.one_of(
    mobiles.map(lambda m: m[:3] + "****" + m[7:]),
    mobiles.map(lambda m: m[:3] + "xxxx" + m[7:]),
    mobiles.map(lambda m: m[:3] + "＊＊＊＊" + m[7:]),
    mobiles.map(lambda m: "+86 " + m[:3] + "****" + m[7:]),
    mobiles.map(lambda m: m[:3] + "***" + m[7:]),
    mobiles.map(lambda m: m[:3] + "*****" + m[8:]),
)
bad_phones = st.one_of(
    st.sampled_from(MALFORMED_PHONES),
    mobiles.map(lambda m: m.translate(FULLWIDTH_DIGITS)),
    mobiles.map(lambda m: m[:-1]),
    mobiles.map(lambda m: m + "0"),
    texts,
)


def phones(known=()):
    """Mobile numbers: fresh, already known to the office, masked, malformed."""
    choices = [good_phones, good_phones, masked_phones, bad_phones]
    if known:
        choices.insert(0, st.sampled_from(sorted(known)))
    return st.one_of(*choices)


# ----------------------------------------------------------------------------------------------------
# Moments and days
# ----------------------------------------------------------------------------------------------------
def utc_now():
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def fmt_datetime(moment):
    """``YYYY-MM-DD HH:MM:SS`` for any year (strftime does not pad years before 1000)."""
    return "%04d-%02d-%02d %02d:%02d:%02d" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


ODD_MOMENTS = [
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "1899-12-31 23:59:59",
    "1900-01-01 00:00:00",
    "1970-01-01 00:00:00",
    "2200-12-31 23:59:59",
    "2201-01-01 00:00:00",
    "2024-02-30 10:00:00",
    "2023-02-29 10:00:00",
    "2024-13-01 00:00:00",
    "2024-01-01 24:00:00",
    "2024-01-01 23:59:60",
    "2024-01-01T10:00:00",
    "2024-01-01T10:00:00Z",
    "2024-01-01 10:00:00+08:00",
    "2024-01-01 10:00:00.123456",
    "2024-01-01",
    "2024-01-01 10:00",
    "  2024-01-01 10:00:00  ",
    "2024/01/01 10:00:00",
    "01-01-2024 10:00:00",
    "二〇二四年一月一日",
    "明天下午三点",
    "now",
    "",
    "-0001-01-01 00:00:00",
    "10000-01-01 00:00:00",
]


def moments(around_now_days=400):
    """Datetimes as API strings: near now (past and future), any year 1-9999, and malformed."""
    seconds = around_now_days * 86_400
    return st.one_of(
        st.integers(-seconds, seconds).map(lambda s: fmt_datetime(utc_now() + timedelta(seconds=s))),
        st.integers(-3_600, 3 * 3_600).map(lambda s: fmt_datetime(utc_now() + timedelta(seconds=s))),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(fmt_datetime),
        st.sampled_from(ODD_MOMENTS),
    )


ODD_DAYS = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2200-12-31",
    "2201-01-01",
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "2024-1-1",
    "20240101",
    "2024/01/01",
    "2024-01-01 10:00:00",
    "2024-01-01T00:00:00",
    "today",
    "",
]


def days():
    return st.one_of(
        st.integers(-3_000, 3_000).map(lambda n: (utc_now() + timedelta(days=n)).date().isoformat()),
        st.dates(min_value=datetime(1, 1, 1).date(), max_value=datetime(9999, 12, 31).date()).map(
            lambda day: "%04d-%02d-%02d" % (day.year, day.month, day.day)
        ),
        st.sampled_from(ODD_DAYS),
    )


# ----------------------------------------------------------------------------------------------------
# Combinators
# ----------------------------------------------------------------------------------------------------
def mostly(good, bad=junk, good_in_ten=8):
    """``good`` nine times in ten (by default eight), else ``bad``."""
    return st.integers(0, 9).flatmap(lambda n: good if n < good_in_ten else bad)


def ids(*pools, extra=()):
    """One record id: from the pools (this office, other offices, other models), or none that exists."""
    strategies = [st.sampled_from(sorted(set(pool))) for pool in pools if pool]
    strategies += [
        st.sampled_from([0, -1, INT_MAX, INT_MIN, *extra]),
        st.integers(1, INT_MAX),
    ]
    return st.one_of(*strategies)


def id_lists(one_id):
    """The ``ids`` argument of a method on records: a list (empty, one, several, repeated, with junk in it),
    one bare id, None or False (no record), a string or a dictionary (Odoo iterates them).

    Not a bare float, True, binary or date: Odoo's ``call_kw`` fails on them in ``browse()`` (``tuple(ids)``)
    before any model code runs, a limit of the platform this suite does not test."""
    return st.one_of(
        st.lists(one_id, min_size=1, max_size=3),
        st.lists(one_id, min_size=1, max_size=3),
        st.lists(one_id, min_size=0, max_size=6),
        one_id,
        st.lists(mostly(one_id, junk, 7), min_size=1, max_size=3),
        st.sampled_from([None, False, "", "1", "12", "abc", "王"]),
        st.dictionaries(st.sampled_from(["1", "id", "王"]), small_scalars, min_size=1, max_size=2),
    )


def with_hostile_keys(vals_strategy, known_keys, bad_values=junk):
    """Well-formed values, then (half of the time) up to three mutations: a key set to junk, a key
    dropped, an unknown key added; once in ten, something that is not a dictionary at all."""

    @st.composite
    def mutate(draw):
        vals = dict(draw(vals_strategy))
        for _ in range(draw(st.integers(0, 3))):
            action = draw(st.sampled_from(["junk", "junk", "drop", "unknown"]))
            if action == "junk":
                vals[draw(st.sampled_from(sorted(known_keys)))] = draw(bad_values)
            elif action == "drop" and vals:
                vals.pop(draw(st.sampled_from(sorted(vals))))
            elif action == "unknown":
                key = draw(st.one_of(st.sampled_from(["id", "create_uid", "write_date", "__last_update", ""]), texts))
                vals[key] = draw(small_scalars)
        return vals

    return st.integers(0, 19).flatmap(
        lambda n: (
            vals_strategy if n < 9 else (mutate() if n < 18 else st.one_of(junk, st.lists(vals_strategy, max_size=2)))
        )
    )
