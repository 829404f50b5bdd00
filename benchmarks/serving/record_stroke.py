"""Record the HTTP requests a real browser makes per sketchpad stroke, on the app and on the bare peer.

Run: python -m benchmarks.serving.record_stroke [--out benchmarks/serving/stroke_requests.json] [--apps app peer]

Starts `python app.py` (and `python -m benchmarks.serving.peer_app`) on free loopback ports, opens each in headless
Chromium (/usr/bin/chromium, as tests/test_e2e_browser.py does), and on its sketchpad draws: a stroke on
the fresh page, a second stroke, Clear, then two strokes after the Clear. Every request the page makes
meanwhile is recorded through Playwright's request events (method, path, content type, body sizes, the
files of each upload with their PNG/WebP bytes) and saved as JSON for `benchmarks.serving.browser_load` to replay.
Prints, per app and phase: the request sequence (in start order, requests that overlap in time marked as
one concurrent wave), the number of uploads and the bytes sent and received.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    APPS,
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

# One stroke per phase, in the drawing area's coordinates (centre 0, edges +-0.5), like the e2e test's 7.
STROKES = {
    "stroke 1 (fresh page)": [(-0.27, -0.33), (0.0, -0.33), (0.27, -0.33), (0.12, 0.0), (-0.04, 0.38)],
    "stroke 2 (same drawing)": [(-0.05, 0.0), (0.25, 0.0)],
    "stroke 3 (after Clear)": [(0.03, -0.37), (0.0, 0.0), (-0.03, 0.37)],
    "stroke 4 (after Clear)": [(-0.2, -0.37), (0.03, -0.37)],
}
EMBED_LIMIT = 256_000  # upload files up to this size are kept, base64, in the JSON (the replay sends them)
# The phases benchmarks.serving.browser_load replays; only their files' bytes are kept, to keep the JSON small.
REPLAYED = ("stroke 1 (fresh page)", "Clear", "stroke 3 (after Clear)")
# Chromium does not hand Playwright the bodies of multipart requests built from blobs, so the page's own
# fetch is wrapped: every FormData it sends is kept (fields as text, files as base64) in window.__forms.
CAPTURE_FORMS_JS = """
(() => {
  window.__forms = [];
  const original = window.fetch;
  const encode = blob => new Promise(done => {
    const reader = new FileReader();
    reader.onload = () => done(reader.result.split(',')[1] || '');
    reader.readAsDataURL(blob);
  });
  window.fetch = function (input, init) {
    const body = init && init.body;
    if (body instanceof FormData) {
      const url = typeof input === 'string' ? input : input.url;
      const parts = [];
      for (const [key, value] of body.entries()) {
        if (value instanceof Blob) {
          parts.push(encode(value).then(b64 => ({field: key, filename: value.name || 'blob',
                                                  content_type: value.type, size: value.size, base64: b64})));
        } else {
          parts.push(Promise.resolve({field: key, value: String(value)}));
        }
      }
      window.__forms.push(Promise.all(parts).then(fields => ({url, fields})));
    }
    return original.apply(this, arguments);
  };
})();
"""


@dataclass
class Recorder:
    """Playwright request events, grouped by the phase that was current when each request started."""

    started: float = field(default_factory=time.perf_counter)
    phase: str | None = None
    pending: list = field(default_factory=list)  # (phase, start s, Request)
    finished: dict = field(default_factory=dict)  # id(Request) -> end s
    last_start: float = 0.0

    def on_request(self, request) -> None:
        """Remember a request that starts during a phase."""
        if self.phase is None:
            return
        now = time.perf_counter() - self.started
        self.pending.append((self.phase, now, request))
        self.last_start = now

    def on_done(self, request) -> None:
        """Remember when a request finished (or failed)."""
        self.finished[id(request)] = time.perf_counter() - self.started


def form_files(fields: list[dict], blobs: dict[str, str]) -> tuple[dict, list[dict]]:
    """A captured FormData split into its text fields and its files (size, sha256); small files' bytes go to `blobs`."""
    text, files = {}, []
    for part in fields:
        if "value" in part:
            text[part["field"]] = part["value"]
            continue
        data = base64.b64decode(part["base64"])
        files.append({
            "field": part["field"], "filename": part["filename"], "content_type": part["content_type"],
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        })
        if len(data) <= EMBED_LIMIT:
            blobs[files[-1]["sha256"]] = part["base64"]
    return text, files


def describe(recorder: Recorder, phase: str, start: float, request, form: dict | None, blobs: dict[str, str]) -> dict:
    """One recorded request as JSON: when, what, how big; a form's fields and files, a JSON body kept whole."""
    url = urlsplit(request.url)
    body = request.post_data_buffer or b""
    entry = {
        "phase": phase, "start_s": round(start, 4),
        "end_s": round(recorder.finished[id(request)], 4) if id(request) in recorder.finished else None,
        "method": request.method, "path": url.path, "query": url.query, "resource_type": request.resource_type,
        "request_content_type": request.headers.get("content-type", ""), "request_bytes": len(body),
    }
    response = request.response() if id(request) in recorder.finished else None
    if response is not None:
        entry["status"] = response.status
        entry["response_content_type"] = response.headers.get("content-type", "")
        try:
            entry["response_bytes"] = request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - a stream cut off by navigation has no sizes
            entry["response_bytes"] = None
        if "json" in entry["response_content_type"] and (entry["response_bytes"] or 0) < 4096:
            try:
                entry["response_json"] = response.json()
            except Exception:  # noqa: BLE001 - not JSON after all
                pass
        if "event-stream" in entry["response_content_type"]:
            try:
                entry["response_text"] = response.text()[:4000]
            except Exception:  # noqa: BLE001 - Chromium keeps no body for some streams
                entry["response_text"] = None
    if form is not None:
        entry["form_fields"], entry["files"] = form_files(form["fields"], blobs)
        entry["request_bytes"] = sum(f["size"] for f in entry["files"]) + sum(len(v) for v in entry["form_fields"].values())
    elif body and "json" in entry["request_content_type"]:
        entry["request_json"] = json.loads(body)
    return entry


def wait_phase(page, recorder: Recorder, phase_start: int, quiet_s: float, timeout_s: float) -> None:
    """Wait for the phase's first request, then until the page has started none for `quiet_s` and all have ended."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        page.wait_for_timeout(200)
        mine = [request for _, _, request in recorder.pending[phase_start:]]
        if not mine:
            continue
        quiet = time.perf_counter() - recorder.started - recorder.last_start > quiet_s
        streams = ("/heartbeat/",)  # open for the whole visit, never ends
        ended = all(id(r) in recorder.finished or any(s in r.url for s in streams) for r in mine)
        if quiet and ended:
            return
    print(f"  (phase {recorder.phase!r} did not settle within {timeout_s:.0f} s)")


def select_brush(page) -> None:
    """Click the brush, as a person does, when the sketchpad shows "select the draw tool to start" (the peer)."""
    tools = page.locator("#sketchpad .toolbar-wrap .half-container:not(.right) button")
    if tools.count() and not page.locator("#sketchpad .toolbar-wrap button.highlight").count():
        tools.first.click()
        page.wait_for_timeout(300)


def draw(page, stroke: list[tuple[float, float]]) -> None:
    """Select the brush if no tool is; press, move through the stroke's points, release."""
    select_brush(page)
    mouse_stroke(page, *drawing_area(page), stroke)


def clear(page, name: str) -> None:
    """Clear the drawing: the app's Clear button, or (peer) the editor's own clear, the last top-panel button."""
    if name == "app":
        page.get_by_role("button", name="Clear", exact=True).click()
    else:
        page.locator("#sketchpad .top-panel button").last.click()


def record(browser, url: str, name: str, quiet_s: float, blobs: dict[str, str]) -> list[dict]:
    """Open the page, then record each phase (strokes, Clear) until the page goes quiet."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.add_init_script(CAPTURE_FORMS_JS)
    recorder = Recorder()
    page.on("request", recorder.on_request)
    page.on("requestfinished", recorder.on_done)
    page.on("requestfailed", recorder.on_done)
    forms: list[dict] = []
    recorder.phase = "page load"
    page.goto(url)
    page.wait_for_selector("#sketchpad canvas")
    wait_phase(page, recorder, 0, quiet_s, 120)
    for phase, stroke in STROKES.items():
        actions = [("Clear", lambda: clear(page, name))] if phase.startswith("stroke 3") else []
        actions.append((phase, lambda stroke=stroke: draw(page, stroke)))
        for label, action in actions:
            recorder.phase, first = label, len(recorder.pending)
            action()
            wait_phase(page, recorder, first, quiet_s, 120)
            forms += page.evaluate("Promise.all(window.__forms.splice(0))")
            page.screenshot(path=str(Path(tempfile.gettempdir()) / f"record-{name}-{label.split(' (')[0].replace(' ', '-')}.png"))
    recorder.phase = None
    page.wait_for_timeout(500)
    entries = []
    for phase, start, request in recorder.pending:
        if phase == "page load":  # not replayed: what, how big
            entry = describe(recorder, phase, start, request, None, blobs)
            entries.append({k: v for k, v in entry.items() if k not in ("response_json", "response_text", "request_json")})
            continue
        form = None
        if request.method == "POST" and "multipart/form-data" in request.headers.get("content-type", ""):
            match = next((f for f in forms if urlsplit(f["url"]).path == urlsplit(request.url).path), None)
            if match is not None:
                forms.remove(match)
                form = match
        entries.append(describe(recorder, phase, start, request, form, blobs))
    context.close()
    return entries


def summary(name: str, entries: list[dict]) -> None:
    """Print each phase's request sequence, its uploads and its bytes."""
    for phase in dict.fromkeys(entry["phase"] for entry in entries):
        rows = [entry for entry in entries if entry["phase"] == phase]
        uploads = [row for row in rows if row["path"].endswith("/upload")]
        files = [f for row in uploads for f in row.get("files", [])]
        sent = sum(row["request_bytes"] for row in rows)
        received = sum(row.get("response_bytes") or 0 for row in rows)
        print(f"\n[{name}] {phase}: {len(rows)} requests, {len(uploads)} uploads ({len(files)} files, "
              f"{sum(f['size'] for f in files) / 1024:.1f} KiB), {sent / 1024:.1f} KiB sent, {received / 1024:.1f} KiB received")
        if phase == "page load":
            continue
        for number, row in enumerate(sorted(rows, key=lambda row: row["start_s"]), 1):
            what = ", ".join(f"{f['filename']} {f['content_type']} {f['size']} B" for f in row.get("files", []))
            path = re.sub(r"file=.*", "file=<output>", row["path"])
            print(f"  {number:2d} {row['start_s']:8.3f}-{(row['end_s'] or 0):8.3f}s {row['method']:4s} {path}"
                  f"{'?' + row['query'][:40] if row['query'] else ''}  {row.get('status', '-')} "
                  f"{row['request_bytes']} B -> {row.get('response_bytes')} B {what}")


def dump(recording: dict) -> str:
    """The recording as JSON with one request, or one file's bytes, per line: small, and diffs stay readable."""
    def compact(value) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    apps = ",\n".join(f" {compact(name)}: [\n  " + ",\n  ".join(compact(e) for e in entries) + "\n ]"
                      for name, entries in recording["apps"].items())
    blobs = ",\n  ".join(f"{compact(sha)}: {compact(data)}" for sha, data in recording["blobs"].items())
    return (f'{{"chromium_args": {compact(recording["chromium_args"])},\n"apps": {{\n{apps}\n}},\n'
            f'"blobs": {{\n  {blobs}\n}}}}\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "serving" / "stroke_requests.json", help="recording to write")
    parser.add_argument("--apps", nargs="+", choices=list(APPS), default=list(APPS), help="which servers to record")
    parser.add_argument("--quiet", type=float, default=2.5, help="seconds without a new request that end a phase")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    recording = {"chromium_args": CHROMIUM_ARGS, "apps": {}, "blobs": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in args.apps:
                port = free_port()
                log = Path(tempfile.gettempdir()) / f"record-stroke-{name}-{port}.log"
                process = start_server(port, log, command=APPS[name])
                try:
                    entries = record(browser, f"http://{HOST}:{port}/", name, args.quiet, recording["blobs"])
                finally:
                    stop_server(process)
                recording["apps"][name] = entries
                summary(name, entries)
        finally:
            browser.close()
    replayed = {f["sha256"] for entries in recording["apps"].values() for entry in entries
                if entry["phase"] in REPLAYED for f in entry.get("files", [])}
    recording["blobs"] = {sha: data for sha, data in recording["blobs"].items() if sha in replayed}
    args.out.write_text(dump(recording))
    print(f"\nwrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
