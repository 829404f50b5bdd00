"""Pointer-up to answer in a real browser: real pen-written digits drawn stroke by stroke on the app's sketchpad.

Run: python -m benchmarks.stroke_latency [--digits 200] [--pages now before] [--locales en-US zh-CN]
                                         [--densities 16 real] [--hz 120]

Starts the app on free loopback ports once per page: as it is ("now"); with the page scripts of commit
BEFORE_COMMIT ("before": the page as issue 29 measured it); and with only the page scripts it had before
the editor's render loop was rested and its read-backs kept ("early": demo/ready_to_draw.js and
demo/upload_once.js). One headless Chromium (as tests/test_e2e_browser.py) opens each, and the two pages
take turns, digit by digit, so both see the same machine. Each digit is a pendigits .tes digit (real
strokes of 14 writers in Istanbul) drawn with the mouse, stroke by stroke, as a person would: Clear, then
each stroke, waiting for its answer before the next. For every stroke the page itself times the lift of
the pointer to the change of the answer's picture (in-page clocks: no polling from here), and counts the
uploads the stroke sends. Prints per page: strokes, p50 / p90 / p99 / max milliseconds, uploads per
stroke, the digits whose last answer was right, and what each misread digit was read as.

Two stroke densities (--densities): "16", each stroke thinned to 16 points, one mouse move each, sent as
fast as the page takes them (the figure of issue 21); and "real", a real pointer's: every stroke resampled
so consecutive moves are at most 4 CSS px apart, one move every 1/--hz seconds (a mouse or finger reports
every 8-16 ms). Per stroke the page also notes when the first export request (the sketchpad's blobs or
uploads) and the predict request (the queue join) leave it after the pointer is lifted, so the wait is
split into pointer-up -> export -> join -> answer, and the moves the page received per stroke. Clear ->
the brush selected again (by the page) is timed too, and the uploads of the first stroke after a Clear are
counted apart from the later strokes'. With --locales,
each page is opened by a browser of each locale (its own server each), so the translated page (zh-CN) and
the English one are timed side by side.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demo.i18n import best_language
from harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOST,
    ROOT,
    drawing_area,
    free_port,
    mouse_stroke,
    start_server,
    stop_server,
)
from mnist_core.pen import PenDigit, load_pendigits

EARLY_SCRIPTS = ("ready_to_draw.js", "upload_once.js")
# The page as issue 29 measured it: the page scripts of this commit (its PAGE_SCRIPTS), run by today's app.
BEFORE_COMMIT = "a4ff399"
# The app, its launch(js=...) replaced by the file named in $STROKE_LATENCY_JS when that is set.
WITH_JS = ("import os, runpy, demo.ui as ui; js = os.environ.get('STROKE_LATENCY_JS'); "
           "js and ui.LAUNCH_OPTIONS.update(js=open(js).read()); runpy.run_path('app.py', run_name='__main__')")
PAGES = {
    "now": [sys.executable, "app.py"],
    "before": [sys.executable, "-c", WITH_JS],
    "early": [sys.executable, "-c", WITH_JS],
}
DIGIT_HEIGHT = 0.6  # of the drawing area's side, like the e2e tests' digits
# pendigits samples points at a fixed rate; fewer, one mouse move each, draw the same line. Each move waits
# for the page, which redraws the canvas while the pen is down (~50 ms a frame without a GPU).
POINTS_PER_STROKE = 16
REAL_STEP_PX = 4.0  # a real pointer's density: at most this many CSS px between consecutive moves
DENSITIES = ("16", "real")
ANSWER_TIMEOUT_MS = 15_000
PAUSE_MS = 300  # between seeing an answer and starting the next stroke
# In the page, before its own scripts: the time the pointer is lifted, and each time the answer's picture changes.
# Also: the moves the page received during each stroke, when each export request (the sketchpad's blobs
# and uploads) and each queue join left the page, and when the brush was selected again after a Clear.
CLOCKS_JS = """
window.__lifted = 0; window.__answers = []; window.__sent = []; window.__moves = 0; window.__clearAt = 0; window.__brushAt = 0;
let down = false;
document.addEventListener('pointerdown', (e) => {
  if (!e.isTrusted) return;
  if (e.target.closest && e.target.closest('#clear')) { window.__clearAt = performance.now(); window.__brushAt = 0; }
  down = true; window.__moves = 0; window.__downAt = performance.now();
}, true);
document.addEventListener('pointermove', (e) => { if (down && e.isTrusted) window.__moves += 1; }, true);
document.addEventListener('pointerup', (e) => { if (e.isTrusted) { window.__lifted = performance.now(); down = false; } }, true);
const send = window.fetch.bind(window);
window.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const kind = url.includes('/gradio_api/upload') ? 'upload' : url.includes('/component_server') ? 'blob'
    : url.includes('/queue/join') ? 'join' : null;
  if (kind) window.__sent.push([kind, performance.now()]);
  return send(input, init);
};
document.addEventListener('DOMContentLoaded', () => {
  let last = null;
  new MutationObserver((records) => {
    const img = document.querySelector('#seen img');
    const src = img ? img.getAttribute('src') : null;
    if (src && src !== last) window.__answers.push(performance.now());
    last = src;
    if (window.__clearAt && !window.__brushAt) {  // the brush's class changed since the Clear, and it is selected
      const brush = document.querySelector('#sketchpad .toolbar-wrap .half-container:not(.right) button');
      if (records.some((r) => r.target === brush && r.attributeName === 'class')) window.__toolChanged = window.__clearAt;
      const covered = [...document.querySelectorAll('#sketchpad div')].some((el) => el.children.length === 0
        && /select the draw tool|选择/.test(el.textContent || '') && el.offsetParent !== null);
      if (brush && brush.classList.contains('highlight') && !covered && window.__toolChanged === window.__clearAt) {
        window.__brushAt = performance.now();
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src', 'class']});
});
"""
# Milliseconds from the last lift to the first answer after it; null (keep waiting) until that answer shows.
LATENCY_JS = "() => { const t = window.__answers.find((t) => t > window.__lifted); return t ? t - window.__lifted : null; }"
# The stroke's phases once its answer shows: ms from the lift to the first export request and to the first
# join after it (null where none left), the moves the page received, and the uploads and blob posts it sent.
PHASES_JS = """() => {
  const after = window.__sent.filter(([, t]) => t > window.__lifted);
  const first = (kinds) => { const hit = after.find(([kind]) => kinds.includes(kind)); return hit ? hit[1] - window.__lifted : null; };
  return {export: first(['blob', 'upload']), join: first(['join']), moves: window.__moves, drawn: window.__lifted - window.__downAt,
          uploads: after.filter(([k]) => k === 'upload').length, blobs: after.filter(([k]) => k === 'blob').length};
}"""
# Clear -> the brush selected again with no prompt over the canvas (ms), or null while not yet.
BRUSH_JS = "() => window.__brushAt ? window.__brushAt - window.__clearAt : null"
BRUSH_TIMEOUT_MS = 5_000
# The digit a confident answer names, in each of the page's languages ("It's a 7 (98% sure)", "这是 7（98% 把握）").
READ_DIGIT = {"en": r"It's an? (\d)", "zh-CN": r"这是 (\d)"}


@dataclass
class PageRun:
    """One page's strokes: their pointer-up to answer times, uploads, and the digits read right."""

    name: str
    locale: str = "en-US"  # the browser's language
    density: str = "16"  # "16" points a stroke, or "real": a real pointer's moves (DENSITIES)
    hz: float = 120.0  # moves a second at the real density
    page: object = None
    process: object = None
    seconds: list[float] = field(default_factory=list)
    uploads: list[int] = field(default_factory=list)
    first_uploads: list[int] = field(default_factory=list)  # uploads + blob posts of each first stroke after a Clear
    later_uploads: list[int] = field(default_factory=list)  # the same for every later stroke
    export_ms: list[float] = field(default_factory=list)  # lift -> first export request
    join_ms: list[float] = field(default_factory=list)  # lift -> predict request (join)
    answer_ms: list[float] = field(default_factory=list)  # join -> answer shown
    moves: list[int] = field(default_factory=list)  # moves the page received a stroke
    drawn_ms: list[float] = field(default_factory=list)  # press -> lift as the page saw it (the pen waits for the page)
    brush_ms: list[float] = field(default_factory=list)  # Clear -> brush selected again
    brush_missed: int = 0
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


def to_mouse(digit: PenDigit, density: str = "16", side: float = 1.0) -> list[list[tuple[float, float]]]:
    """The digit's strokes in the drawing area's coordinates (centre 0, side 1), DIGIT_HEIGHT tall: thinned
    to POINTS_PER_STROKE points (density "16"), or every pen point kept and the gaps filled in so that
    consecutive points lie at most REAL_STEP_PX apart on a drawing area `side` CSS px wide ("real")."""
    points = np.concatenate(digit.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = DIGIT_HEIGHT / max(high[1] - low[1], (high[0] - low[0]) / 0.8, 1e-6)
    centre = (low + high) / 2
    strokes = []
    for stroke in digit.strokes:
        if density == "real":
            kept = resample(stroke, REAL_STEP_PX / (scale * side)) if len(stroke) > 1 else np.repeat(stroke, 2, axis=0)
        else:
            step = max(1, len(stroke) // POINTS_PER_STROKE)
            kept = np.concatenate([stroke[::step], stroke[-1:]]) if len(stroke) > 1 else np.repeat(stroke, 2, axis=0)
        strokes.append([tuple(p) for p in ((kept - centre) * scale).tolist()])
    return strokes


def resample(stroke: np.ndarray, step: float) -> np.ndarray:
    """Every point of a polyline, with points added on each segment so none is more than `step` from the next."""
    out = [stroke[:1]]
    for a, b in zip(stroke[:-1], stroke[1:]):
        parts = max(1, math.ceil(float(np.hypot(*(b - a))) / step))
        out.append(a + (b - a) * (np.arange(1, parts + 1)[:, None] / parts))
    return np.concatenate(out)


def paced_stroke(page, centre_x: float, centre_y: float, side: float, stroke, hz: float) -> None:
    """Press, move through every point, one move every 1/hz s (sooner where the page was slow), release."""
    points = [(centre_x + x * side, centre_y + y * side) for x, y in stroke]
    page.mouse.move(*points[0])
    page.mouse.down()
    start = time.perf_counter()
    for number, point in enumerate(points[1:], 1):
        wait = start + number / hz - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        page.mouse.move(*point)
    page.mouse.up()


def scripts_at(commit: str) -> str:
    """launch(js=...) as demo.page.page_js builds it, from the page scripts a commit lists (git show): in its
    demo/page/__init__.py, or before the page had a home of its own, in its demo/ui.py beside them in demo/."""
    import json

    from demo.page import script_strings

    def read(path: str) -> str | None:
        shown = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True, text=True)
        return shown.stdout if shown.returncode == 0 else None

    found = [(folder, re.search(r"PAGE_SCRIPTS = \(([^)]*)\)", read(lister) or ""))
             for folder, lister in (("demo/page", "demo/page/__init__.py"), ("demo", "demo/ui.py"))]
    folder, listed = next(((folder, listed) for folder, listed in found if listed), (None, None))
    if not listed:
        sys.exit(f"commit {commit} lists no PAGE_SCRIPTS: pick a later --before")
    names = re.findall(r'"([\w.]+\.js)"', listed.group(1))
    strings = json.dumps(script_strings(), ensure_ascii=False)
    return "() => {" + f" const strings = {strings};" + "".join(f" ({read(f'{folder}/{name}')})(strings);" for name in names) + " }"


def page_script(name: str, before: str = BEFORE_COMMIT) -> str | None:
    """The file holding launch(js=...) for a page other than "now" (None for "now"); "before" runs commit `before`'s."""
    if name == "now":
        return None
    if name == "before":
        js = scripts_at(before)
    else:
        from demo.page import page_js

        js = page_js(EARLY_SCRIPTS)
    path = Path(tempfile.gettempdir()) / f"stroke-latency-{name}-{os.getpid()}.js"
    path.write_text(js)
    return str(path)


def open_page(browser, run: PageRun, before: str = BEFORE_COMMIT) -> None:
    """Start the page's server, open it in a fresh context and wait for the sketchpad."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"stroke-latency-{run.name.replace('/', '-')}-{port}.log"
    page_name = run.name.split("/")[0]
    script = page_script(page_name, before)
    saved = os.environ.get("STROKE_LATENCY_JS")
    if script:
        os.environ["STROKE_LATENCY_JS"] = script
    try:
        run.process = start_server(port, log, command=PAGES[page_name])
    finally:
        os.environ.pop("STROKE_LATENCY_JS", None)
        if saved is not None:
            os.environ["STROKE_LATENCY_JS"] = saved
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
    try:  # as a person, who waits for the pen to be ready
        run.brush_ms.append(page.wait_for_function(BRUSH_JS, timeout=BRUSH_TIMEOUT_MS, polling="raf").json_value())
    except Exception:  # noqa: BLE001 - counted: the stroke then goes down on an unready pad, as it did before
        run.brush_missed += 1
    area = drawing_area(page)
    for number, stroke in enumerate(to_mouse(digit, run.density, area[2])):
        run.upload_count = 0
        if run.density == "real":
            paced_stroke(page, *area, stroke, run.hz)
        else:
            mouse_stroke(page, *area, stroke, steps=1)
        try:
            latency = page.wait_for_function(LATENCY_JS, timeout=ANSWER_TIMEOUT_MS, polling=50)
            total = latency.json_value()
            run.seconds.append(total / 1000)
            phases = page.evaluate(PHASES_JS)
            run.moves.append(phases["moves"])
            run.drawn_ms.append(phases["drawn"])
            if phases["export"] is not None:
                run.export_ms.append(phases["export"])
            if phases["join"] is not None:
                run.join_ms.append(phases["join"])
                run.answer_ms.append(total - phases["join"])
        except Exception:  # noqa: BLE001 - a stroke with no answer is counted, not fatal
            run.missed += 1
        page.wait_for_timeout(PAUSE_MS)
        sent = page.evaluate(PHASES_JS)
        (run.later_uploads if number else run.first_uploads).append(sent["uploads"] + sent["blobs"])
        run.uploads.append(run.upload_count)
    answer = page.locator("#answer").inner_text().strip()
    read = re.search(READ_DIGIT[language], answer)  # a question is unsure
    run.digits += 1
    if read and int(read.group(1)) == digit.label:
        run.right += 1
    else:
        run.misread.append(f"{digit.label}: {answer.splitlines()[0] if answer else '(no answer)'}")


def pct(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method), nan for none."""
    values = sorted(values)
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def report(runs: list[PageRun]) -> None:
    """One line per page: stroke count, latency percentiles, uploads per stroke, digits read right; then the
    phases (p50/p99 ms), moves a stroke, Clear -> brush and the uploads of the first stroke after a Clear."""
    print(f"\n{'page':20s} {'strokes':>7s} {'p50 ms':>7s} {'p90 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} {'missed':>6s} "
          f"{'uploads/stroke':>14s} {'read right':>12s}")
    for run in runs:
        ms = sorted(s * 1000 for s in run.seconds) or [float("nan")]
        print(f"{run.name:20s} {len(run.seconds):7d} {pct(ms, 50):7.0f} {pct(ms, 90):7.0f} {pct(ms, 99):7.0f} {ms[-1]:7.0f} "
              f"{run.missed:6d} {statistics.mean(run.uploads):14.2f} {run.right:5d}/{run.digits:<5d}")
    print(f"\n{'page':20s} {'moves/stroke':>12s} {'press->up':>11s} {'up->export':>11s} {'up->join':>11s} {'join->answer':>12s} "
          f"{'up->answer':>11s} {'Clear->brush':>13s} {'sent 1st/later':>15s}   (ms p50/p99; sent: uploads+blobs)")
    for run in runs:
        total = [s * 1000 for s in run.seconds]
        cell = lambda v: f"{pct(v, 50):.0f}/{pct(v, 99):.0f}"  # noqa: E731
        sent = (f"{statistics.mean(run.first_uploads):.1f}/{statistics.mean(run.later_uploads):.1f}"
                if run.first_uploads and run.later_uploads else "-")
        brush = cell(run.brush_ms) + (f" ({run.brush_missed} late)" if run.brush_missed else "")
        print(f"{run.name:20s} {statistics.median(run.moves) if run.moves else float('nan'):12.0f} {cell(run.drawn_ms):>11s} "
              f"{cell(run.export_ms):>11s} "
              f"{cell(run.join_ms):>11s} {cell(run.answer_ms):>12s} {cell(total):>11s} {brush:>13s} {sent:>15s}")
    for run in runs:
        if run.misread:
            print(f"{run.name} misread: " + "; ".join(run.misread))
    for a in runs:
        for b in runs:
            if a.name < b.name and a.name.split("/")[1:] == b.name.split("/")[1:] and a.seconds and b.seconds:
                print(f"{a.name} / {b.name}: p50 {statistics.median(a.seconds) / statistics.median(b.seconds):.2f}, "
                      f"p99 {pct(a.seconds, 99) / pct(b.seconds, 99):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=200, help="pendigits .tes digits each page draws")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES), help="which pages to time")
    parser.add_argument("--seed", type=int, default=0, help="which digits, in which order")
    parser.add_argument("--locales", nargs="+", choices=["en-US", "zh-CN"], default=["en-US"],
                        help="the browsers' languages; each page is timed in each")
    parser.add_argument("--densities", nargs="+", choices=DENSITIES, default=list(DENSITIES),
                        help="16 points a stroke, or a real pointer's (<= 4 CSS px apart at --hz); each page draws each")
    parser.add_argument("--hz", type=float, default=120.0, help="moves a second at the real density")
    parser.add_argument("--before", default=BEFORE_COMMIT,
                        help="the commit whose page scripts (its PAGE_SCRIPTS) the \"before\" page runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    digits = pick_digits(args.digits, args.seed)
    strokes = sum(len(d.strokes) for d in digits)
    print(f"{len(digits)} pendigits .tes digits, {strokes} strokes, drawn on each of: {', '.join(args.pages)}")
    runs = [PageRun("/".join([name, density] + ([locale] if len(args.locales) > 1 else [])), locale, density, args.hz)
            for name in args.pages for density in args.densities for locale in args.locales]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in runs:
                open_page(browser, run, args.before)
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
