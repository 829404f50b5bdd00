"""The page in Chinese and to a screen reader, in a real browser (Debian's Chromium through Playwright).

A browser whose language is zh-CN (its navigator.language and its Accept-Language) opens the app served
in this process (conftest.served_app): the tabs, buttons and every visible string of the app's own are
Chinese, a drawn digit is answered in Chinese, and the switch turns the page and the answer to English.
An English page puts the answer's verdict in its polite live region after a stroke. Screenshots go to
screenshots/ (git-ignored); the zh-CN one is the README's docs/draw-zh-CN.png.
"""

from __future__ import annotations

import re

import pytest
from test_e2e_browser import (  # noqa: F401  (browser is a fixture, used by name)
    DIGIT_STROKES,
    SHOTS,
    SKETCHPAD,
    _draw,
    _wait_until_idle,
    browser,
)

from demo.i18n import ENGLISH, TABLES, say

pytestmark = pytest.mark.e2e

ANSWER_TIMEOUT_MS = 60_000
ZH = "zh-CN"
# Visible words in Latin letters on the zh-CN page that are no English of the app's own: names (MNIST,
# PyTorch, UNIPEN, MLP), code (make_grid), the switch's own names for its languages and its bilingual
# label, the licence, and Gradio's own footer and widgets (Gradio's words, translated by Gradio or not).
NOT_ENGLISH = (
    "MNIST", "PyTorch", "UNIPEN", "CC BY", "MLP", "English", "Language", "Gradio", "API", "make_grid",
)


@pytest.fixture()
def open_page(browser, served_url: str):  # noqa: F811  (browser: the fixture imported above)
    """A function that opens the app in a new browser context of a given locale; the contexts close after the test."""
    contexts = []

    def open_in(locale: str):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(served_url)
        page.wait_for_selector(f"{SKETCHPAD} canvas")
        return page

    yield open_in
    for context in contexts:
        context.close()


def _answer(page) -> str:
    """The answer panel's text as shown."""
    return page.locator("#answer").inner_text()


def _wait_for_answer(page, pattern: str) -> None:
    """Wait until the answer's text matches a regular expression."""
    page.wait_for_function("pattern => new RegExp(pattern).test(document.querySelector('#answer')?.innerText || '')",
                           arg=pattern, timeout=ANSWER_TIMEOUT_MS)


def _english_words(text: str) -> list[str]:
    """Words of two or more Latin letters left in a text once the allowed names are taken out."""
    for allowed in NOT_ENGLISH:
        text = text.replace(allowed, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_the_page_speaks_chinese_to_a_chinese_browser(open_page):
    """Tabs, buttons and every visible string of the app's own in Chinese; a drawn 7 answered in Chinese."""
    SHOTS.mkdir(exist_ok=True)
    page = open_page(ZH)
    tabs = [tab.inner_text().strip() for tab in page.get_by_role("tab").all()]
    assert tabs[:4] == [TABLES[ZH][f"tab.{name}"] for name in ("draw", "gallery", "model", "train")], tabs
    page.get_by_role("button", name=TABLES[ZH]["draw.clear"], exact=True).wait_for()
    # Once the page has settled: on load the switch's events rewrite the answer in Chinese (their timer shows meanwhile).
    page.wait_for_function("prompt => document.querySelector('#answer')?.innerText.trim() === prompt", arg=say(ZH, "draw.prompt"))
    # The sketchpad's toolbar, named in Chinese by the page where Gradio has no zh-CN words.
    assert page.locator(f"{SKETCHPAD} button[aria-label='画笔']").count() == 1
    _wait_until_idle(page, "opening the page")
    _draw(page, "7")
    _wait_for_answer(page, "这是 7")
    page.screenshot(path=str(SHOTS / "e2e-zh-CN-draw-7.png"), full_page=False)
    answer = _answer(page)
    assert "网络看到的是" in answer and "%" in answer, answer
    visible = page.locator("body").inner_text()
    assert not _english_words(visible), f"English left on the zh-CN page: {sorted(set(_english_words(visible)))}"


# Every bare Gradio i18n key ("common.complete") that shows on the page at any moment, noted as it appears.
WATCH_KEYS_JS = """() => { window.__keys = new Set(); new MutationObserver(() => {
  for (const key of (document.body.innerText.match(/\\bcommon\\.[a-z_]+/g) || [])) window.__keys.add(key); })
  .observe(document.body, { subtree: true, childList: true, characterData: true }); }"""


@pytest.mark.parametrize("locale", ["en-US", ZH])
def test_no_bare_gradio_key_shows_through_a_stroke(open_page, locale: str):
    """Gradio's status tracker writes a word no Gradio locale has (common.complete) as an event ends; the page
    supplies it (demo/locales), so no bare key shows at any moment of a stroke and its answer."""
    page = open_page(locale)
    _wait_until_idle(page, "opening the page")
    page.evaluate(WATCH_KEYS_JS)
    _draw(page, "7")
    _wait_for_answer(page, "7")
    _wait_until_idle(page, "the 7")
    assert page.evaluate("() => [...window.__keys]") == [], "bare Gradio keys showed on the page"


def test_the_switch_turns_a_chinese_page_english(open_page):
    """English chosen on the switch: Gradio's words and the server's answer both change language."""
    page = open_page(ZH)
    _wait_until_idle(page, "opening the page")
    _draw(page, "1")
    _wait_for_answer(page, "这是 1")
    page.locator("#language label", has_text="English").click()
    page.get_by_role("tab", name="Gallery").wait_for()
    _wait_for_answer(page, "It's a 1")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_a_plain_zh_browser_gets_gradio_s_words_in_chinese_too(open_page):
    """A browser whose language is "zh" (Gradio starts it in English): footer and sketchpad toolbar turn Chinese."""
    page = open_page("zh")
    page.locator(f"{SKETCHPAD} button[aria-label='画笔'][title='画笔']").wait_for(state="attached")
    labels = page.locator(f"{SKETCHPAD} button[aria-label]").evaluate_all("all => all.map(b => b.getAttribute('aria-label'))")
    assert not _english_words(" ".join(labels)), labels
    visible = page.locator("body").inner_text()
    assert not _english_words(visible), f"English left on the zh page: {sorted(set(_english_words(visible)))}"


def _text(page, selector: str) -> str:
    """An element's text, shown or on a hidden tab."""
    return (page.locator(selector).text_content() or "").strip()


PHONE_WORD_JS = "() => getComputedStyle(document.querySelector('#model-choice .wrap:has(> label)'), '::before').content"


def test_the_switch_rewrites_every_tab_at_once(open_page):
    """Gallery status, Model facts and the phone layout's picker word turn English on the switch, no other event."""
    page = open_page(ZH)
    _wait_until_idle(page, "opening the page")
    page.get_by_role("tab", name=TABLES[ZH]["tab.gallery"]).click()
    page.wait_for_function("() => document.querySelector('#gallery-status')?.textContent.trim().startsWith('MNIST，')")
    page.get_by_role("tab", name=TABLES[ZH]["tab.model"]).click()
    page.wait_for_function("() => document.querySelector('#model-facts')?.innerText.includes('检查点')")
    page.set_viewport_size({"width": 390, "height": 844})  # the phone layout: the picker's label is one CSS word
    assert page.evaluate(PHONE_WORD_JS) == f'"{TABLES[ZH]["model_picker_short"]}"'
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.locator("#language label", has_text="English").click()
    page.wait_for_function("() => document.querySelector('#model-facts')?.innerText.includes('Checkpoint')")
    page.wait_for_function("() => document.querySelector('#gallery-status')?.textContent.trim().startsWith('MNIST, ')")
    assert "检查点" not in _text(page, "#model-facts") and "，" not in _text(page, "#gallery-status")
    page.set_viewport_size({"width": 390, "height": 844})
    # The word follows <html lang>, which Gradio sets once its locale has changed (after the server's rewrites).
    page.wait_for_function(f"() => ({PHONE_WORD_JS})() === '\"{TABLES[ENGLISH]['model_picker_short']}\"'")


def test_the_live_region_holds_the_answer_after_a_stroke(open_page):
    """A screen reader hears the answer: the polite live region (the answer panel) starts "It's a 0 (…% sure)"."""
    page = open_page("en-US")
    region = page.locator("#answer[aria-live=polite]")
    region.wait_for(state="attached")
    assert region.inner_text().strip() == say("en", "draw.prompt")  # marked before the first answer
    _wait_until_idle(page, "opening the page")
    _draw(page, "0")
    page.wait_for_function("() => /^It's a 0 \\(\\d+% sure\\)/.test(document.querySelector('#answer[aria-live=polite]').innerText.trim())",
                           timeout=ANSWER_TIMEOUT_MS)


def test_the_example_drawings_are_named_by_their_digit(open_page):
    """Each example drawing's button is named for a screen reader, in the page's language."""
    page = open_page(ZH)
    buttons = page.locator("#examples button.gallery-item")
    buttons.first.wait_for()
    names = [button.get_attribute("aria-label") for button in buttons.all()]
    assert names and all(re.fullmatch(r"示例：手写的数字 \d", name or "") for name in names), names


def test_after_the_switch_a_stroke_uploads_each_file_once(open_page):
    """Once the page's language has changed, Gradio's page sends each stroke's uploads twice at once (5 -> 10
    for the same drawing, issue 26): demo/page/upload_once.js sends the second as the first, so a stroke still
    uploads each of its files (background, layer, composite) at most once, as an English page does."""
    page = open_page("en-US")
    _wait_until_idle(page, "opening the page")
    page.locator("#language label", has_text="中文").click()
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    _wait_until_idle(page, "the switch")
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if "/gradio_api/upload" in request.url else None)
    counts = []
    for digit in ["7", "1"]:
        page.locator("#clear").click()
        _wait_until_idle(page, "Clear")
        uploads.clear()
        _draw(page, digit)
        _wait_for_answer(page, f"这是 {digit}")
        _wait_until_idle(page, f"the {digit}")
        page.wait_for_timeout(1000)  # uploads that would follow the answer
        counts.append(len(uploads))
    assert all(count <= 3 for count in counts), f"uploads per stroke after the switch: {counts}"
