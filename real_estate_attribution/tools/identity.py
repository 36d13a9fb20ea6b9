"""Customer identity helpers (rules ID-1 and ID-2).

Pure functions, no ORM: the rule engine and the channel addon both call them,
so a phone number is normalised, masked and compared in exactly one place.
"""

import re

import phonenumbers

MAINLAND_REGION = "CN"
MAINLAND_PREFIX = "+86"
MASK = "****"
#: Full-width digits (全角数字), typed by Chinese input methods; phonenumbers reads them as digits.
FULL_WIDTH_DIGITS = "０１２３４５６７８９"

#: Two-character surnames (复姓) that must not be cut after the first character.
COMPOUND_SURNAMES = frozenset(
    """
    欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐
    钟离 西门 南宫 独孤 端木 百里 呼延 澹台 公冶 太史 申屠 闻人 万俟 濮阳 淳于
    单于 赫连 东郭 第五 左丘 梁丘 谷梁 拓跋 完颜 司空 闾丘 仲孙 叔孙 羊舌 微生
    """.split()
)

_MASKED_RE = re.compile(r"^\s*(?:\+?86[\s-]*|0086[\s-]*)?(1\d{2})[\s-]*[*xX＊]{4}[\s-]*(\d{4})\s*$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


class InvalidPhone(ValueError):
    """The text is not a usable mobile number."""


def normalize_phone(raw, region=MAINLAND_REGION):
    """Return the E.164 form of a customer's mobile number (ID-1).

    Mainland numbers must be mobile numbers (11 digits starting with 1);
    ``+86``, ``0086``, spaces and dashes are accepted and stripped. Numbers of
    other regions must be valid numbers of that region and are kept in E.164.
    Raises :class:`InvalidPhone` otherwise.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or MAINLAND_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid number")
    kind = phonenumbers.number_type(number)
    mobile_kinds = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if phonenumbers.region_code_for_number(number) == MAINLAND_REGION and kind not in mobile_kinds:
        raise InvalidPhone("not a mainland mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mainland(e164):
    """True when the E.164 number is a mainland China number."""
    return bool(e164) and e164.startswith(MAINLAND_PREFIX)


def national_digits(e164):
    """The 11 national digits of a mainland number, else the E.164 text."""
    return e164[len(MAINLAND_PREFIX) :] if is_mainland(e164) else e164


def national_number(e164):
    """The digits of an E.164 number without its country code (``13800000001`` for ``+8613800000001``)."""
    return str(phonenumbers.parse(e164).national_number)


def mask_phone(e164):
    """Masked form 前三后四 (``138****5678``) of a mainland number (ID-2).

    Numbers from outside the mainland are not masked by ID-2: they are shown
    with only their last four digits, so that no full foreign number leaks
    where masked numbers are expected.
    """
    if not e164:
        return ""
    if is_mainland(e164):
        digits = national_digits(e164)
        return digits[:3] + MASK + digits[-4:]
    return MASK + e164[-4:]


def parse_masked(raw):
    """Return ``(prefix, suffix)`` of a masked mainland number, else None."""
    match = _MASKED_RE.match(raw or "")
    return (match.group(1), match.group(2)) if match else None


def masked_matches(prefix, suffix, e164):
    """True when a full number fits the masked pattern's prefix and suffix."""
    if not is_mainland(e164):
        return False
    digits = national_digits(e164)
    return digits.startswith(prefix) and digits.endswith(suffix)


def number_match_key(e164, prefix=None, suffix=None):
    """The key shared by the full and the masked forms of one mainland number (ID-2): ``138:5678``.

    A number from outside the mainland is its own key; a masked number gives its prefix and suffix.
    """
    if e164 and is_mainland(e164):
        digits = national_digits(e164)
        return "%s:%s" % (digits[:3], digits[-4:])
    if e164:
        return e164
    return "%s:%s" % (prefix, suffix) if prefix and suffix else False


def surname(name):
    """The family name of a customer name (ID-2 compares it on masked numbers).

    Chinese names: the first character, or the first two for a compound
    surname (欧阳, 司马…). ``王先生`` gives ``王``. Latin names: the first word
    (pinyin order, ``Wang Wei``) unless written ``Family, Given``.
    """
    text = (name or "").strip()
    if not text:
        return ""
    if _CJK_RE.match(text):
        return text[:2] if text[:2] in COMPOUND_SURNAMES else text[:1]
    if "," in text:
        return text.split(",", 1)[0].strip().lower()
    return text.split()[0].lower()


def mask_number(text):
    """Any number as the masked form readers without the right to the full one see (ID-2).

    A full number is masked 前三后四; a masked number stays as it is; anything else keeps its first
    three and last four digits and nothing between.
    """
    text = (text or "").strip()
    if not text or parse_masked(text):
        return text
    try:
        return mask_phone(normalize_phone(text))
    except InvalidPhone:
        digits = re.sub(r"\D", "", text)
        return digits[:3] + MASK + digits[-4:] if len(digits) > 7 else MASK
