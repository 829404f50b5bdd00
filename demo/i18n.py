"""The page's languages: every string a visitor reads, looked up in one table per language (demo/locales/).

Two ways a string reaches the page:
- static text (labels, Markdown, buttons, tab names) is `T(key)`, a gr.I18n key that Gradio translates in
  the browser, from the browser's language or the page's switch;
- text a callback writes (the answer, the gallery's status line, the Train tab's messages) is
  `say(language, key, ...)`, in the visitor's language: the page switch's choice if they made one, else
  the best match for their browser's Accept-Language header (`visitor_language`), else English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import gradio as gr
from gradio.i18n import I18nData

from demo.locales import en, zh_cn

ENGLISH = "en"
# Language code -> its table. Codes are Gradio's own locale names, so both sides agree on them.
TABLES: dict[str, Mapping[str, str]] = {ENGLISH: en.STRINGS, "zh-CN": zh_cn.STRINGS}
LANGUAGES = tuple(TABLES)
# The switch's choices, each in its own language, so a visitor finds theirs whatever the page speaks.
LANGUAGE_NAMES = {ENGLISH: "English", "zh-CN": "中文（简体）"}
# Accept-Language primary tags (and whole tags) that map onto one of ours: zh-SG reads Simplified Chinese.
ALIASES = {"en": ENGLISH, "zh": "zh-CN", "zh-cn": "zh-CN", "zh-sg": "zh-CN", "zh-hans": "zh-CN"}
# Chinese outside mainland China and Singapore is written in Traditional characters: English is closer for them
# than Simplified (they can switch).
TRADITIONAL = {"zh-tw", "zh-hk", "zh-mo", "zh-hant"}

# Formatted static strings (T(key, **values)): their text in each language, filled in as they are made.
# gr.I18n keeps these dicts by reference and sends them with the page's config, so every T() call made
# while the page is built is in it.
_PAGE_TABLES: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}


def say(language: str | None, key: str, variant: object = None, **values: object) -> str:
    """The text of `key` in `language` (English if unknown), filled with `values`.

    `variant` picks a special form where a language has one: `key.<variant>` (say "a_digit.8" -> "an 8"),
    else the plain key.
    """
    table = TABLES.get(language or ENGLISH, TABLES[ENGLISH])
    text = table.get(f"{key}.{variant}") if variant is not None else None
    return (text or table[key]).format(**values)


def T(key: str, **values: object) -> I18nData:
    """Static text for a component (label, value, choice): translated in the browser by Gradio."""
    if not values:
        return I18nData(key)
    page_key = key + "(" + ",".join(f"{name}={value}" for name, value in sorted(values.items())) + ")"
    return page_text(page_key, {language: say(language, key, **values) for language in LANGUAGES})


def page_text(key: str, texts: Mapping[str, str]) -> I18nData:
    """Static text made while the page is built ({language: text}, e.g. a model's title), sent under `key`."""
    for language in LANGUAGES:
        _PAGE_TABLES[language][key] = texts[language]
    return I18nData(key)


def page_translations() -> gr.I18n:
    """The gr.I18n for launch(i18n=...): every table, the formatted static strings, and the words of Gradio's
    own widgets that Gradio leaves untranslated (the sketchpad's toolbar)."""
    tables = {
        language: _PAGE_TABLES[language] | dict(TABLES[language]) | dict(GRADIO_WORDS.get(language, {}))
        for language in LANGUAGES
    }
    for language, table in tables.items():
        _PAGE_TABLES[language] = table  # T() calls after this still land in what the page is sent
    return gr.I18n(**tables)


def best_language(accept_language: str | None) -> str:
    """The first of our languages in an Accept-Language header ('zh-CN,zh;q=0.9,en;q=0.8' -> 'zh-CN'), else English."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        match = re.search(r"q=([0-9.]+)", params)
        try:
            quality = float(match.group(1)) if match else 1.0
        except ValueError:
            quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag in TRADITIONAL or tag.startswith("zh-hant"):
            continue
        language = ALIASES.get(tag) or ALIASES.get(tag.split("-")[0])
        if language:
            return language
    return ENGLISH


def visitor_language(chosen: str | None, request: gr.Request | None = None) -> str:
    """The language to write in: the page switch's choice, else the browser's Accept-Language, else English."""
    if isinstance(chosen, str) and chosen in TABLES:
        return chosen
    headers = getattr(request, "headers", None) or {}
    return best_language(headers.get("accept-language"))


# Gradio 6.31 ships zh-CN words for most of its widgets but not the image editor's toolbar (brush, eraser,
# zoom, clear: English only, as in every locale but es and ru). Its translations are looked up by key
# before its own nested tables, so the page supplies them: the toolbar's buttons are named in Chinese too.
# (The English ones are Gradio's own, kept here for demo/page/name_toolbar.js, which renames the buttons when the
# language changes after the editor was drawn.)
GRADIO_WORDS: dict[str, dict[str, str]] = {ENGLISH: en.GRADIO_WORDS, "zh-CN": zh_cn.GRADIO_WORDS}


def toolbar_words() -> dict[str, dict[str, str]]:
    """{Gradio key: {language: word}} for the image editor's words every language has (demo/page/name_toolbar.js)."""
    keys = set.intersection(*(set(GRADIO_WORDS[language]) for language in LANGUAGES))
    return {key: {language: GRADIO_WORDS[language][key] for language in LANGUAGES} for key in sorted(keys)}
