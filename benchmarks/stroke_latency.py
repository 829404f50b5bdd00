"""Pointer-up to answer in a real browser: real pen-written digits drawn stroke by stroke on the app's sketchpad.

Run: python -m benchmarks.stroke_latency [--digits 200] [--pages now before] [--locales en-US zh-CN]

Starts the app twice on free loopback ports: as it is ("now"), and with only the page scripts it had
before the editor's render loop was rested and its read-backs kept ("before": demo/ready_to_draw.js and
demo/upload_once.js). One headless Chromium (as tests/test_e2e_browser.py) opens each, and the two pages
take turns, digit by digit, so both see the same machine. Each digit is a pendigits .tes digit (real
strokes of 14 writers in Istanbul) drawn with the mouse, stroke by stroke, as a person would: Clear, then
each stroke, waiting for its answer before the next. For every stroke the page itself times the lift of
the pointer to the change of the answer's picture (in-page clocks: no polling from here), and counts the
uploads the stroke sends. Prints per page: strokes, p50 / p90 / p99 / max milliseconds, uploads per
stroke, the digits whose last answer was right, and what each misread digit was read as. With --locales,
each page is opened by a browser of each locale (its own server each), so the translated page (zh-CN) and
the English one are timed side by side.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks._common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOST,
    drawing_area,
    free_port,
    mouse_stroke,
    start_server,
    stop_server,
)
from demo.i18n import best_language
from mnist_core.pen import PenDigit, load_pendigits

BEFORE_SCRIPTS = ("ready_to_draw.js", "upload_once.js")
PAGES = {
    "now": [sys.executable, "app.py"],
    "before": [sys.executable, "-c", "import runpy, demo.ui as ui; "
               f"ui.LAUNCH_OPTIONS['js'] = ui.page_js({BEFORE_SCRIPTS!r}); runpy.run_path('app.py', run_name='__main__')"],
}
DIGIT_HEIGHT = 0.6  # of the drawing area's side, like the e2e tests' digits
# pendigits samples points at a fixed rate; fewer, one mouse move each, draw the same line. Each move waits
# for the page, which redraws the canvas while the pen is down (~50 ms a frame without a GPU).
POINTS_PER_STROKE = 16
ANSWER_TIMEOUT_MS = 15_000
PAUSE_MS = 300  # between seeing an answer and starting the next stroke
# In the page, before its own scripts: the time the pointer is lifted, and each time the answer's picture changes.
CLOCKS_JS = """
window.__lifted = 0; window.__answers = [];
document.addEventListener('pointerup', () => { window.__lifted = performance.now(); }, true);
document.addEventListener('DOMContentLoaded', () => {
  let last = null;
  new MutationObserver(() => {
    const img = document.querySelector('#seen img');
    const src = img ? img.getAttribute('src') : null;
    if (src && src !== last) window.__answers.push(performance.now());
    last = src;
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
});
"""
# Milliseconds from the last lift to the first answer after it; null (keep waiting) until that answer shows.
LATENCY_JS = "() => { const t = window.__answers.find((t) => t > window.__lifted); return t ? t - window.__lifted : null; }"
# The digit a confident answer names, in each of the page's languages ("It's a 7 (98% sure)", "这是 7（98% 把握）").
READ_DIGIT = {"en": r"It's an? (\d)", "zh-CN": r"这是 (\d)"}


@dataclass
class PageRun:
    """One page's strokes: their pointer-up to answer times, uploads, and the digits read right."""

    name: str
    locale: str = "en-US"  # the browser's language
    page: object = None
    process: object = None
    seconds: list[float] = field(default_factory=list)
    uploads: list[int] = field(default_factory=list)
    missed: int = 0
    right: int = 0
    digits: int = 0
    misread: list[str] = field(default_factory=list)  # "label: answer" of each digit not read right
    upload_count: int = 0


def pick_digits(count: int, seed: int) -> list[PenDigit]:
    """`count` pendigits .tes digits, as many of each digit as can be, in a seeded random order."""
    digits = load_pendigits("test")
    rng = np.random.default_rng(seed)
    chosen = []
    for label in range(10):
        pool = [digit for digit in digits if digit.label == label]
        chosen += [pool[i] for i in rng.choice(len(pool), count // 10 + (label < count % 10), replace=False)]
    return [chosen[i] for i in rng.permutation(len(chosen))]


def to_mouse(digit: PenDigit) -> list[list[tuple[float, float]]]:
    """The digit's strokes in the drawing area's coordinates (centre 0, side 1), DIGIT_HEIGHT tall, thinned."""
    points = np.concatenate(digit.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = DIGIT_HEIGHT / max(high[1] - low[1], (high[0] - low[0]) / 0.8, 1e-6)
    centre = (low + high) / 2
    strokes = []
    for stroke in digit.strokes:
        step = max(1, len(stroke) // POINTS_PER_STROKE)
        kept = np.concatenate([stroke[::step], stroke[-1:]]) if len(stroke) > 1 else np.repeat(stroke, 2, axis=0)
        strokes.append([tuple(p) for p in ((kept - centre) * scale).tolist()])
    return strokes


def open_page(browser, run: PageRun) -> None:
    """Start the page's server, open it in a fresh context and wait for the sketchpad."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"stroke-latency-{run.name.replace('/', '-')}-{port}.log"
    run.process = start_server(port, log, command=PAGES[run.name.split("/")[0]])
    context = browser.new_context(locale=run.locale, viewport={"width": 1280, "height": 1000})
    run.page = context.new_page()
    run.page.set_default_timeout(60_000)
    run.page.add_init_script(CLOCKS_JS)
    run.page.on("request", lambda request: setattr(run, "upload_count", run.upload_count + 1)
                if "/gradio_api/upload" in request.url else None)
    run.page.goto(f"http://{HOST}:{port}/")
    run.page.locator("#sketchpad .pixi-target canvas").wait_for()
    run.page.wait_for_timeout(2000)


def draw_digit(run: PageRun, digit: PenDigit) -> None:
    """Clear, then draw each stroke and wait for its answer; note each stroke's time, uploads and the last answer."""
    page, language = run.page, best_language(run.locale)
    page.locator("#clear").click()
    page.wait_for_function("() => !document.querySelector('#seen img')")  # the canvas is clear: no answer
    area = drawing_area(page)
    for stroke in to_mouse(digit):
        run.upload_count = 0
        mouse_stroke(page, *area, stroke, steps=1)
        try:
            latency = page.wait_for_function(LATENCY_JS, timeout=ANSWER_TIMEOUT_MS, polling=50)
            run.seconds.append(latency.json_value() / 1000)
        except Exception:  # noqa: BLE001 - a stroke with no answer is counted, not fatal
            run.missed += 1
        page.wait_for_timeout(PAUSE_MS)
        run.uploads.append(run.upload_count)
    answer = page.locator("#answer").inner_text().strip()
    read = re.search(READ_DIGIT[language], answer)  # a question is unsure
    run.digits += 1
    if read and int(read.group(1)) == digit.label:
        run.right += 1
    else:
        run.misread.append(f"{digit.label}: {answer.splitlines()[0] if answer else '(no answer)'}")


def report(runs: list[PageRun]) -> None:
    """One line per page: stroke count, latency percentiles, uploads per stroke, digits read right."""
    print(f"\n{'page':14s} {'strokes':>7s} {'p50 ms':>7s} {'p90 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} {'missed':>6s} "
          f"{'uploads/stroke':>14s} {'read right':>12s}")
    for run in runs:
        ms = sorted(s * 1000 for s in run.seconds) or [float("nan")]
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        print(f"{run.name:14s} {len(run.seconds):7d} {q[49]:7.0f} {q[89]:7.0f} {q[98]:7.0f} {ms[-1]:7.0f} {run.missed:6d} "
              f"{statistics.mean(run.uploads):14.2f} {run.right:5d}/{run.digits:<5d}")
    for run in runs:
        if run.misread:
            print(f"{run.name} misread: " + "; ".join(run.misread))
    if len(runs) == 2 and runs[0].seconds and runs[1].seconds:
        ratio = statistics.median(runs[0].seconds) / statistics.median(runs[1].seconds)
        print(f"p50 {runs[0].name} / {runs[1].name}: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=200, help="pendigits .tes digits each page draws")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES), help="which pages to time")
    parser.add_argument("--seed", type=int, default=0, help="which digits, in which order")
    parser.add_argument("--locales", nargs="+", choices=["en-US", "zh-CN"], default=["en-US"],
                        help="the browsers' languages; each page is timed in each")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    digits = pick_digits(args.digits, args.seed)
    strokes = sum(len(d.strokes) for d in digits)
    print(f"{len(digits)} pendigits .tes digits, {strokes} strokes, drawn on each of: {', '.join(args.pages)}")
    runs = [PageRun(name if len(args.locales) == 1 else f"{name}/{locale}", locale)
            for name in args.pages for locale in args.locales]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in runs:
                open_page(browser, run)
            for number, digit in enumerate(digits, 1):
                for run in runs if number % 2 else runs[::-1]:  # each page goes first half the time
                    draw_digit(run, digit)
                if number % 20 == 0:
                    print(f"  {number} digits: " + ", ".join(
                        f"{r.name} p50 {statistics.median(r.seconds) * 1000:.0f} ms" for r in runs if r.seconds), flush=True)
        finally:
            browser.close()
            for run in runs:
                if run.process is not None:
                    stop_server(run.process)
    report(runs)


if __name__ == "__main__":
    main()
