"""System lines (chatter notes, to-do summaries) in both of the office's languages.

Chatter is read by everyone following a record, each in their own language,
but a message is stored once: lines written by the rules themselves are
stored in English and, when it is installed, in Simplified Chinese.
"""

from markupsafe import Markup, escape

CHINESE = "zh_CN"


def languages(env):
    """English, and Simplified Chinese when it is installed."""
    return ["en_US", CHINESE] if env["res.lang"]._lang_get(CHINESE) else ["en_US"]


def lines_in_both(env, render):
    """``render(env_in_lang)`` in each language, without repeating an untranslated line."""
    lines = []
    for lang in languages(env):
        line = render(env(context=dict(env.context, lang=lang)))
        if line not in lines:
            lines.append(line)
    return lines


def both_languages(env, text):
    """A lazy text (``LazyTranslate``) as HTML, one line per language."""
    return html_lines(lines_in_both(env, lambda lang_env: text._translate(lang_env.lang)))


def both_languages_plain(env, text):
    """A lazy text on one plain line (a to-do summary): ``English / 中文``."""
    return " / ".join(lines_in_both(env, lambda lang_env: text._translate(lang_env.lang)))


def html_lines(lines):
    return Markup("<br/>").join(escape(line) for line in lines)
