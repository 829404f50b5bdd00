"""Where a stroke's server CPU goes: py-spy on the server under browser-shaped load, and the in-process steps timed.

Run: python -m benchmarks.serving.stroke_profile [--visitors 32] [--pace 0] [--duration 40] [--rate 200] [--apps app peer]
     [--repeat 200] [--skip-spy] [--skip-steps]

1. py-spy (pip install py-spy) samples each server (`python app.py`, then the bare peer), pinned to core
   `--server-cpu`, while `benchmarks.serving.browser_load` replays the recorded strokes from `--visitors` visitors
   (harness and py-spy on the other core). Every sample's stack is put in the deepest category it reaches
   (the /upload route, accept_blobs, queue join, the event stream, the file route, Gradio's preprocess
   and postprocess, the app's function split into its parts, the HTTP server and event loop) and each
   category's share is printed, also as ms per stroke (the share times the server CPU per stroke measured
   in the same run).
2. The in-process steps of one stroke, on the recorded PNGs, each repeated `--repeat` times: Gradio's
   Sketchpad preprocess (decoding background, layer and composite), the app's function and its parts
   (sketch_ink, the classifier, the why picture, the side-by-side picture), the output Image's
   postprocess (PNG encode and cache write); and the same for the peer. Prints median ms per step.
Only ratios and shares mean something here: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.serving import browser_load
from harness import APPS, stop_server

# (category, pattern in a frame "function (file:line)"). A sample goes to the deepest frame matching a
# specific category; only when none matches, to the deepest generic one (the server plumbing every request
# passes through). Samples whose leaf is a wait (idle worker threads, the event loop's select) are dropped.
SPECIFIC = [
    ("/upload route (multipart parse, copy to cache)", r"\.upload_file \(gradio/routes\.py"),
    ("/component_server accept_blobs", r"\.component_server \(gradio/routes\.py|accept_blobs"),
    ("/queue/join", r"queue_join"),
    ("/queue/data event stream, heartbeat", r"queue_data|sse_stream|heartbeat"),
    ("/file= route (output picture)", r"<locals>\.file \(gradio/routes\.py|file_fetch"),
    ("Gradio preprocess (decode sketch PNGs)", r"preprocess_data \(gradio/blocks\.py"),
    ("Gradio postprocess (encode output PNG)", r"postprocess_data \(gradio/blocks\.py"),
    ("fn: sketch_ink (layers' alpha)", r"sketch_ink \(demo/draw\.py|_is_blank"),
    ("fn: preprocessing (crop, centre)", r"mnist_core/preprocess\.py"),
    ("fn: model forward", r"torch/nn/modules|mnist_core/model\.py"),
    ("fn: why (gradient x input)", r"mnist_core/attribution\.py"),
    ("fn: pictures (side by side, inline PNG)", r"demo/pictures\.py"),
    ("fn: peer classify", r"classify \(benchmarks/serving/peer_app\.py"),
]
GENERIC = [
    ("plumbing: asyncio event loop", r"asyncio/"),
    ("plumbing: uvicorn + h11 (HTTP parsing, sockets)", r"uvicorn/|h11/"),
    ("plumbing: FastAPI/Starlette routing + middleware (telemetry, CORS, brotli)",
     r"fastapi/|starlette/|brotli_middleware|CustomCORSMiddleware"),
    ("plumbing: Gradio queue (process_events)", r"gradio/queueing\.py"),
]
IDLE = r"Condition\.wait|Event\.wait|Queue\.get|block_thread|\.select \(selectors\.py|sleep|_wait_for_tstate_lock"


def categorise(stack: str) -> str | None:
    """The deepest specific category a collapsed stack (root;...;leaf) reaches, else the deepest generic one; None if idle."""
    frames = stack.split(";")
    if re.search(IDLE, frames[-1]):
        return None
    for table in (SPECIFIC, GENERIC):
        found = None
        for frame in frames:
            for name, pattern in table:
                if re.search(pattern, frame):
                    found = name
        if found:
            return found
    return "other"


def shares(raw: Path) -> Counter:
    """Samples per category from py-spy's raw (collapsed) output."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        category = categorise(stack) if stack and number.isdigit() else None
        if category:
            counts[category] += int(number)
    return counts


def spy(name: str, args: argparse.Namespace, recording: dict) -> None:
    """Run the load on one server with py-spy attached; print each category's share and ms per stroke."""
    process, url = browser_load.start_pinned(name, args.server_cpu, Path(tempfile.gettempdir()))
    try:
        phases = browser_load.phases(recording, name)
        browser_load.warm_up(url, phases, recording)
        raw = Path(tempfile.gettempdir()) / f"stroke-profile-{name}.txt"
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        command = ["taskset", "-c", str(args.harness_cpu), py_spy, "record", "--pid", str(process.pid),
                   "--rate", str(args.rate), "--duration", str(int(args.duration)), "--format", "raw",
                   "--output", str(raw), "--nonblocking"]
        spy_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        result = asyncio.run(browser_load.scenario(name, url, process.pid, phases, recording,
                                                   args.visitors, args.pace, args))
        _, error = spy_process.communicate(timeout=args.duration + 60)
        print(f"\n[{name}] {result.line().strip()}")
        if not raw.exists():
            print(f"  py-spy wrote nothing: {error.decode()[-300:]}")
            return
        counts = shares(raw)
        total = sum(counts.values())
        for category, number in counts.most_common():
            print(f"  {number / total:6.1%}  {number / total * result.cpu_ms():6.1f} ms/stroke  {category}")
        print(f"  ({total} samples; raw stacks in {raw})")
    finally:
        stop_server(process)


def median_ms(step, repeat: int) -> float:
    """Median wall milliseconds of `step()` over `repeat` runs (after one warm-up)."""
    step()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def recorded_pngs(recording: dict, name: str, folder: Path) -> dict[str, Path]:
    """The later stroke's background, layer and composite as the page uploaded them, written to `folder`
    (a file the page did not upload again, being unchanged, as the first stroke uploaded it)."""
    paths = {}
    for entry in recording["apps"][name]:  # in the order recorded: the later stroke's files replace the first's
        if entry["phase"] in (browser_load.FIRST_STROKE, browser_load.LATER_STROKE) and entry["path"].endswith("/upload"):
            for file in entry.get("files", []):
                path = folder / f"{name}-{file['filename']}"
                path.write_bytes(recording["blobs"][file["sha256"]])
                paths[file["filename"]] = path
    return paths


def editor_payload(pngs: dict[str, Path]):
    """The Sketchpad's payload after the page's uploads: background, one layer, composite."""
    from gradio.components.image_editor import EditorData
    from gradio.data_classes import FileData

    return EditorData(
        background=FileData(path=str(pngs["background.png"]), orig_name="background.png"),
        layers=[FileData(path=str(pngs["layer_0.png"]), orig_name="layer_0.png")],
        composite=FileData(path=str(pngs["composite.png"]), orig_name="composite.png"))


def app_steps(pngs: dict[str, Path]) -> dict:
    """The app's steps of one stroke as callables, from the Sketchpad's preprocess to the output's postprocess."""
    import gradio as gr

    from demo import draw
    from demo.models import DEFAULT_MODEL, load_classifier
    from demo.ui import build_demo
    from mnist_core.attribution import evidence

    demo = build_demo()
    pad = next(b for b in demo.blocks.values() if isinstance(b, gr.Sketchpad))
    seen = next(b for b in demo.blocks.values() if isinstance(b, gr.HTML) and "network sees" in str(b.label))
    payload = editor_payload(pngs)
    sketch = pad.preprocess(payload)
    classifier = load_classifier(DEFAULT_MODEL)
    ink = draw.sketch_ink(sketch)
    prediction = classifier.classify(ink)
    (first, _), (second, _) = prediction.top(2)
    why = evidence(classifier.model, prediction.image, first, second)

    shown = draw.seen_html(prediction, why)
    return {
        "Gradio Sketchpad preprocess (3 PNG decodes, type=pil)": lambda: pad.preprocess(payload),
        "fn classify_sketch, whole": lambda: draw.classify_sketch(sketch, DEFAULT_MODEL),
        "  sketch_ink (blank check, layers' alpha)": lambda: draw.sketch_ink(sketch),
        "  classifier.classify (preprocess + forward)": lambda: classifier.classify(ink),
        "  evidence (gradient x input)": lambda: evidence(classifier.model, prediction.image, first, second),
        "  pictures (side by side, 57x28 inline PNG)": lambda: draw.seen_html(prediction, why),
        "Gradio HTML postprocess (the inline picture)": lambda: seen.postprocess(shown),
    }


def peer_steps(pngs: dict[str, Path]) -> dict:
    """The peer's steps of one stroke as callables."""
    import gradio as gr

    from benchmarks.serving.peer_app import build_peer, classify

    pad = next(b for b in build_peer().blocks.values() if isinstance(b, gr.Sketchpad))
    payload = editor_payload(pngs)
    sketch = pad.preprocess(payload)
    return {
        "Gradio Sketchpad preprocess (3 PNG decodes, type=numpy)": lambda: pad.preprocess(payload),
        "fn classify (resize to 28x28, linear)": lambda: classify(sketch),
    }


def steps(args: argparse.Namespace, recording: dict) -> None:
    """Time the in-process steps of one stroke on the recorded PNGs, app and peer."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    torch.set_num_threads(1)
    folder = Path(tempfile.mkdtemp(prefix="stroke-profile-"))
    for name, make in (("app", app_steps), ("peer", peer_steps)):
        if name not in args.apps:
            continue
        timed = make(recorded_pngs(recording, name, folder))
        print(f"\n[{name}] in-process steps of one stroke (median of {args.repeat}):")
        for label, step in timed.items():
            print(f"  {median_ms(step, args.repeat):7.2f} ms  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=32, help="simulated visitors during the py-spy run")
    parser.add_argument("--pace", type=float, default=0.0, help="mean pause between strokes (0: back to back)")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of load (and of sampling) per server")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--apps", nargs="+", choices=list(APPS), default=list(APPS))
    browser_load.load_arguments(parser)
    parser.add_argument("--repeat", type=int, default=200, help="runs of each in-process step")
    parser.add_argument("--skip-spy", action="store_true", help="only time the in-process steps")
    parser.add_argument("--skip-steps", action="store_true", help="only run py-spy under load")
    args = parser.parse_args()
    recording = browser_load.load_recording(args.recording)
    if not args.skip_spy:
        os.sched_setaffinity(0, {args.harness_cpu})
        for name in args.apps:
            spy(name, args, recording)
    if not args.skip_steps:
        os.sched_setaffinity(0, {args.server_cpu})
        steps(args, recording)


if __name__ == "__main__":
    main()
