"""The page's workarounds for Gradio 6.31, in one home: its scripts, its CSS, the Clear hook and the guards.

Everything here leans on something of Gradio's that is not its public API: a DOM class, a private attribute,
a request the page makes. Each row says what, why, and the test that fails if a Gradio upgrade changes it.
**Re-check every row on a Gradio upgrade** (run the tests named; each was written to fail without its fix).

| Gradio internal used | by | why | pinned by |
| --- | --- | --- | --- |
| `globalThis.__PIXI_APP__` (the image editor's PixiJS app, exposed for PixiJS's devtools): its `ticker` | rest_after_stroke.js | stop the render loop one frame after a stroke (it redraws for 0.5 s) | tests/test_e2e_browser.py `test_the_canvas_shows_the_whole_stroke_once_its_render_loop_rests` |
| the same app's `renderer.extract.pixels`, `renderer.render`, `ticker.start` | export_once.js | an unchanged canvas is read back once, not at each of Gradio's asks | `test_a_stroke_right_after_clear_is_drawn_and_each_file_is_uploaded_once`, `test_an_example_loaded_over_a_drawing_is_read_as_the_example` |
| the editor's stage: the outline is the first child of the zIndex -10 container, with filters | plain_outline.js | a 4-pass blur at every frame is most of a frame's cost without a GPU | `test_the_canvas_edge_shows_without_a_filter_at_every_frame` |
| the page's `fetch` of `/gradio_api/upload` | upload_once.js | the same PNGs are uploaded up to 21 times a stroke | `test_a_stroke_right_after_clear_...`, tests/test_e2e_i18n.py `test_after_the_switch_a_stroke_uploads_each_file_once` |
| the toolbar's DOM (`.toolbar-wrap .half-container:not(.right) button`; Clear the last `.top-panel` button) | ready_to_draw.js, CLEAR_JS | the editor opens and clears with no tool selected; our Clear button presses Gradio's | `test_draw_digits_clear_and_draw_again`; tests/test_app.py `test_served_page_selects_the_brush_by_itself` |
| `changeLocale` of Gradio's loaded `assets/core-*.js` module | follow_language.js | the page's language switch and Gradio's own locale in step | test_e2e_i18n.py `test_the_switch_turns_a_chinese_page_english`, `test_a_plain_zh_browser_gets_gradio_s_words_in_chinese_too` |
| the toolbar buttons' `aria-label`s, set once when the editor is drawn | name_toolbar.js | they stay in the first language after a switch | `test_a_plain_zh_browser_gets_gradio_s_words_in_chinese_too` |
| examples drawn as `#examples button.gallery-item` with `<img alt="">` | name_examples.js | nameless buttons for a screen reader | `test_the_example_drawings_are_named_by_their_digit`; tests/test_accessibility.py |
| `#answer`'s element (our elem_id) becomes `aria-live` | announce_answer.js | Gradio has no live-region option | `test_the_live_region_holds_the_answer_after_a_stroke` |
| Gradio's class names in phone.css (toolbar, tabs, blocks) | phone.css | one phone screen: canvas, Clear and the answer in sight | tests/test_e2e_phone.py |
| the empty gr.Label: `.empty[aria-label]` on a bare div | ACCESSIBLE_CSS | accessibility checkers refuse a label without a role | tests/test_accessibility.py |
| `Sketchpad.accept_blobs` (+ `_is_server_fn`), `.blob_storage`, `.convert_and_format_image`, `.preprocess` | guards.py | the sketchpad trusts its client (issue 23) | tests/test_hostile.py (blob, layer and size tests), tests/test_app.py `test_the_sketchpad_keeps_only_the_latest_canvas_blobs` |
| `Blocks._queue`: `push`, `pending_messages_per_session`, `pending_event_ids_session`, `event_queue_per_concurrency_id`; `route_utils.get_fn` | guards.py | shares of the queue, addresses taking turns, sessions kept while they wait | test_hostile.py `test_a_flood_of_gallery_batches_...`, `test_sessions_waiting_...`, `test_the_served_page_keeps_sessions_with_pending_answers` |
| `page.fns[...].fn.__self__` | demo/training/tab.py `train_tab_of` | tests drive the Train tab's Start as the page does | tests/test_train_tab.py, test_hostile.py |
| Gradio looks an i18n key up in the app's table before its own nested ones | demo/i18n.py `toolbar_words`, locales `GRADIO_WORDS` | the toolbar's and the status tracker's words Gradio lacks in zh-CN | test_e2e_i18n.py `test_no_bare_gradio_key_shows_through_a_stroke` |

The scripts run once on load, in PAGE_SCRIPTS' order, each a function of `strings` (below); each stands
alone except one pair: export_once.js hands out its kept read-backs only while the editor's render loop is
stopped, which rest_after_stroke.js does after each stroke (without it every export is fresh again: right,
but slower). name_toolbar.js renames when follow_language.js turns a plain "zh" page to zh-CN.
"""

from __future__ import annotations

import json
from pathlib import Path

from demo.i18n import LANGUAGES, TABLES, toolbar_words

HERE = Path(__file__).resolve().parent
# The brush always ready; the editor's render loop rested after each stroke; the canvas's edge drawn without
# a filter at every frame; each unchanged drawing read back from the canvas and uploaded once; the example
# drawings named for screen readers; the answer spoken by them (a live region); the page's language switch
# and Gradio's own language kept in step; the sketchpad toolbar's names following that language.
PAGE_SCRIPTS = (
    "ready_to_draw.js", "rest_after_stroke.js", "plain_outline.js", "export_once.js", "upload_once.js",
    "name_examples.js", "announce_answer.js", "follow_language.js", "name_toolbar.js",
)
# What the scripts write on the page, in every language (each script is called with this object).
SCRIPT_STRINGS = ("draw.example_name",)


def script_strings(keys: tuple[str, ...] = SCRIPT_STRINGS) -> dict[str, dict[str, str]]:
    """{key: {language: text}} for the page's scripts, which write these themselves, and the sketchpad toolbar's words."""
    return {key: {language: TABLES[language][key] for language in LANGUAGES} for key in keys} | toolbar_words()


def page_js(scripts: tuple[str, ...] = PAGE_SCRIPTS) -> str:
    """One function for launch(js=...) that runs each of the page's scripts (files in demo/page/) in turn."""
    strings = json.dumps(script_strings(), ensure_ascii=False)
    return "() => {" + f" const strings = {strings};" + "".join(
        f" ({(HERE / name).read_text()})(strings);" for name in scripts
    ) + " }"


PAGE_JS = page_js()
# Our Clear button presses the editor's own (the last of its top panel), so Gradio resets its state itself.
CLEAR_JS = "() => { const buttons = document.querySelectorAll('#sketchpad .top-panel button'); buttons[buttons.length - 1].click(); }"

# On a phone (narrow screens only; wider ones keep the desktop layout) the Draw tab is made to fit one
# screen of a 390 x 844 phone: the sketchpad spans the screen, the answer shows below it and Clear without
# scrolling, and Clear sits in the lower half, within thumb reach. The title drops its intro (the tabs say
# the same), the model picker becomes one row of chips that scrolls sideways, the sketchpad's tools lie
# in a row along its top edge (upright, they would cover the left of the drawing area) and the answer
# keeps only its verdict line; the ten "It was a …" digits share one row. The editor fits the 512 px
# canvas into its block less 30 px each side: a 390 px wide block shows it at 64% (328 px), and 390 px
# of height is what that needs.
PHONE_CSS = (HERE / "phone.css").read_text()


def phone_words_css() -> str:
    """The phone layout's one word written by CSS (the model picker's short label), in each page language.

    Gradio sets <html lang> to the language it shows, so each language's word hangs on that."""
    rules = [f':root {{ --model-word: {json.dumps(TABLES[LANGUAGES[0]]["model_picker_short"])}; }}']
    rules += [f':root[lang="{code}"] {{ --model-word: {json.dumps(TABLES[code]["model_picker_short"], ensure_ascii=False)}; }}'
              for code in LANGUAGES[1:]]
    return "\n".join(rules)


# Gradio's empty gr.Label (before the first answer) is a bare div with aria-label="Empty value" and no
# role, which accessibility checkers refuse: the Top 3 box stays empty instead of showing its icon.
ACCESSIBLE_CSS = """
#top3 .empty[aria-label] { display: none !important; }
#language { flex-grow: 0 !important; }
"""
# In <head> as it is: Gradio scopes launch(css=...) to the blocks, and the page's own margins lie outside them.
PAGE_HEAD = f"<style>{PHONE_CSS}{phone_words_css()}{ACCESSIBLE_CSS}</style>"
