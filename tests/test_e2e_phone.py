"""End to end on a phone: `python app.py` in Chromium as a 390 x 844 touch screen, digits drawn with a finger.

The phone is Chromium's mobile emulation (is_mobile, has_touch, device scale 3). Strokes are real touch input:
touchStart, touchMove and touchEnd sent through the Chrome DevTools Protocol (Input.dispatchTouchEvent), which
reach the sketchpad as a finger's do, pointer events included. On one screen, without scrolling, the visitor
sees the whole drawing area, the Clear button and the answer; drawing never scrolls the page. The app, the
browser and the helpers are those of the desktop test (tests/test_e2e_browser.py).

Screenshots go to screenshots/ (git-ignored); with UPDATE_DOCS_SCREENSHOTS=1 the README's docs/phone.png is
written too. Select it alone with `-m e2e`; it is part of the default run.
"""

from __future__ import annotations

import os
import re

import pytest
from test_e2e_browser import (  # noqa: F401  (app_url and browser are fixtures, used by name)
    DIGIT_STROKES,
    ROOT,
    SHOTS,
    SKETCHPAD,
    WORLD_STROKES,
    _assert_ready_to_draw,
    _wait_for_label,
    _wait_until_idle,
    app_url,
    browser,
)

from harness import drawing_area

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
DOCS_SHOT = ROOT / "docs" / "phone.png"
ANSWER = "#answer"
# The verdict line of the answer: "It's a 7 (98% sure)".
VERDICT = re.compile(r"It's an? (\d) \((\d+)% sure\)")
FINGER_RADIUS = 12  # CSS px: a fingertip's contact, as a phone reports it
MOVE_STEPS = 4  # touchMove events between two points of a stroke


@pytest.fixture()
def phone(browser, app_url):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.wait_for_selector(f"{SKETCHPAD} canvas")
    # Count scroll events from here on: drawing must never scroll the page, not even for a moment.
    page.evaluate("() => { window.scrolls = 0; addEventListener('scroll', () => window.scrolls++, {passive: true}); }")
    yield page
    context.close()


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not visible"
    return box


def _in_viewport(box: dict, what: str) -> None:
    """The box lies wholly on the 390 x 844 screen as it is now."""
    width, height = PHONE["viewport"]["width"], PHONE["viewport"]["height"]
    left, top, right, bottom = box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]
    assert left >= -0.5 and top >= -0.5 and right <= width + 0.5 and bottom <= height + 0.5, (
        f"{what} spans x {left:.0f}..{right:.0f}, y {top:.0f}..{bottom:.0f}: not all on the {width}x{height} screen")


def _drawing_box(page) -> dict:
    cx, cy, side = drawing_area(page)
    return {"x": cx - side / 2, "y": cy - side / 2, "width": side, "height": side}


def _touch_draw(page, cdp, digit: str, strokes: dict) -> None:
    """Draw `digit` with one finger: touch down, slide through the points, lift; wait for the sketchpad to settle
    between strokes, as a person waits for the ink. The page must not scroll at any moment of it."""
    scroll_y = page.evaluate("() => window.scrollY")
    cx, cy, side = drawing_area(page)
    for number, stroke in enumerate(strokes[digit]):
        if number:
            _wait_until_idle(page, f"stroke {number} of the {digit}")
        points = [(cx + x * side, cy + y * side) for x, y in stroke]
        path = [points[0]]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            path += [(x0 + (x1 - x0) * k / MOVE_STEPS, y0 + (y1 - y0) * k / MOVE_STEPS) for k in range(1, MOVE_STEPS + 1)]
        for kind, (x, y) in [("touchStart", path[0]), *(("touchMove", point) for point in path[1:])]:
            touch = {"x": x, "y": y, "radiusX": FINGER_RADIUS, "radiusY": FINGER_RADIUS, "force": 1, "id": 0}
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [touch]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    moved = page.evaluate("() => [window.scrollY, window.scrolls]")
    assert moved == [scroll_y, 0], f"drawing the {digit} scrolled the page: scrollY {scroll_y} -> {moved[0]}, " \
                                   f"{moved[1]} scroll events"


def _wait_for_answer(page, digit: str) -> int:
    """The answer's verdict names `digit`; its confidence in percent."""
    _wait_for_label(page, digit)  # the Top 3 list, as the desktop test reads it
    answer = page.locator(ANSWER)
    text = answer.inner_text()
    found = VERDICT.search(text)
    assert found and found.group(1) == digit, f"drew a {digit}, the answer says {text!r}"
    return int(found.group(2))


def test_phone_first_screen_shows_canvas_clear_and_answer(phone):
    """On opening the page: the drawing area spans the screen, and it, Clear and the answer are all on screen."""
    SHOTS.mkdir(exist_ok=True)
    _wait_until_idle(phone, "opening the page")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["viewport"]["width"], \
        "the page is wider than the phone's screen"
    pad = _box(phone, SKETCHPAD)
    assert pad["width"] >= PHONE["viewport"]["width"] - 1, f"the sketchpad is {pad['width']:.0f} px wide, not the screen"
    drawing = _drawing_box(phone)
    assert drawing["width"] >= 0.8 * PHONE["viewport"]["width"], f"the drawing area is only {drawing['width']:.0f} px"
    _in_viewport(drawing, "the drawing area")
    _in_viewport(_box(phone, ANSWER), "the answer")
    clear = _box(phone, "#clear")
    _in_viewport(clear, "Clear")
    assert clear["y"] >= PHONE["viewport"]["height"] / 2, "Clear is in the upper half of the screen, out of thumb reach"
    # The model picker is a single row of chips, not a block of three options.
    picker = _box(phone, "#model-choice")
    assert picker["height"] <= 60, f"the model picker is {picker['height']:.0f} px tall on a phone"
    phone.screenshot(path=str(SHOTS / "e2e-phone-open.png"))


def test_touch_drawn_digits_read_right_with_the_answer_in_sight(phone):
    """Digits drawn with a finger read right; the page stays put; the answer shows beside the whole canvas."""
    SHOTS.mkdir(exist_ok=True)
    cdp = phone.context.new_cdp_session(phone)
    digits = [(digit, DIGIT_STROKES) for digit in DIGIT_STROKES] + [("4", WORLD_STROKES)]
    for number, (digit, strokes) in enumerate(digits):
        if number:
            phone.locator("#clear").tap()
            phone.get_by_text("Draw a digit (0–9)").wait_for()
        _wait_until_idle(phone, "tapping Clear" if number else "opening the page")
        _assert_ready_to_draw(phone)
        _touch_draw(phone, cdp, digit, strokes)
        sure = _wait_for_answer(phone, digit)
        print(f"touch-drawn {digit}: read as {digit}, {sure}% sure")
        assert phone.evaluate("() => window.scrollY") == 0, "the page scrolled away from the top"
        _in_viewport(_box(phone, ANSWER), f"the answer to the {digit}")
        _in_viewport(_drawing_box(phone), f"the drawing area with the {digit}")
        phone.screenshot(path=str(SHOTS / f"e2e-phone-{digit}.png"))
        if digit == "7" and os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
            phone.screenshot(path=str(DOCS_SHOT))
