"""How fast the app answers: p50/p99 of the predict path, and the time from `python app.py` to its first page.

Run: python -m benchmarks.predict_latency [--count 300] [--starts 3]. Prints its figures; asserts nothing.

1. The predict path as the issue defines it: decode one 800x800 sketchpad PNG, preprocess, forward
   (through the app's own callback, so the top 3 and the enlarged 28x28 are made too).
2. The same for a value shaped as the browser sends it on the app's canvas: three PNGs (theme
   background, strokes layer, composite) decoded, then the callback.
3. The predict path again without the "why" picture's backward pass (demo.draw.evidence swapped for
   zeros), alternated with the real one twice, so its cost is measured side by side.
4. Time from starting `python app.py` to the first page served, on a free local port.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import demo.draw
from demo.draw import classify_sketch
from demo.models import DEFAULT_MODEL, load_classifier
from demo.ui import CANVAS
from harness import free_port, start_server, stop_server
from mnist_core.data import DRAWN_DEV
from mnist_core.drawn import load_drawn_set


def png_bytes(image: Image.Image) -> bytes:
    """An image encoded as PNG, as the browser uploads it."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    """PNG bytes to the RGBA image Gradio hands the callback (type="pil", image_mode="RGBA"), decoded as it does."""
    return Image.open(io.BytesIO(data)).convert("RGBA")


def drawn_canvases(folder: Path, count: int) -> list[bytes]:
    """The first `count` drawn digits (800x800 RGBA) as PNG bytes."""
    return [png_bytes(Image.open(path).convert("RGBA")) for path in load_drawn_set(folder, limit=count).files]


def browser_payload(canvas_png: bytes) -> tuple[bytes, bytes, bytes]:
    """(background, layer, composite) PNGs as the browser sends them for this drawing on the app's canvas."""
    strokes = Image.open(io.BytesIO(canvas_png)).convert("RGBA").resize((CANVAS, CANVAS), Image.Resampling.LANCZOS)
    background = Image.new("RGBA", strokes.size, "white")
    return png_bytes(background), png_bytes(strokes), png_bytes(Image.alpha_composite(background, strokes))


def percentiles(seconds: list[float]) -> str:
    """p50 and p99 of a list of durations, in milliseconds."""
    p50, p99 = np.percentile(np.asarray(seconds) * 1000, [50, 99])
    return f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"


def time_calls(values: list, call) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of `call(value)` for each value, after three warm-up calls."""
    for value in values[:3]:
        call(value)
    wall, cpu = [], []
    for value in values:
        started, started_cpu = time.perf_counter(), time.thread_time()
        call(value)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    return wall, cpu


def report(name: str, timings: tuple[list[float], list[float]]) -> None:
    """Print one line: wall-clock percentiles, then CPU-time percentiles (what a quiet machine would show)."""
    wall, cpu = timings
    print(f"{name:<42} wall {percentiles(wall)}   cpu {percentiles(cpu)}   n={len(wall)}")


def canvas_path(data: bytes, model: str) -> None:
    """Issue's predict path: decode an 800x800 PNG, then the app's callback (preprocess, forward, outputs)."""
    classify_sketch({"background": None, "layers": [], "composite": decode(data)}, model)


def browser_path(payload: tuple[bytes, bytes, bytes], model: str) -> None:
    """Decode the browser's three PNGs, then the app's callback."""
    background, layer, composite = (decode(data) for data in payload)
    classify_sketch({"background": background, "layers": [layer], "composite": composite}, model)


def without_why(model, image, toward, against) -> torch.Tensor:
    """Stands in for demo.draw.evidence: no backward pass, an empty "why" picture."""
    return torch.zeros(28, 28)


def why_cost(canvases: list[bytes], model: str) -> None:
    """The canvas path with and without the "why" picture's backward pass, alternated twice."""
    real = demo.draw.evidence
    for _ in range(2):
        report("predict path, with why (as served)", time_calls(canvases, lambda c: canvas_path(c, model)))
        demo.draw.evidence = without_why
        try:
            report("predict path, without why", time_calls(canvases, lambda c: canvas_path(c, model)))
        finally:
            demo.draw.evidence = real


def seconds_to_first_page() -> float:
    """Start `python app.py` on a free port and return the seconds until GET / answers with the page."""
    started = time.perf_counter()
    process = start_server(free_port(), timeout=120.0)
    seconds = time.perf_counter() - started
    stop_server(process)
    return seconds


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="drawings to time (default 300)")
    parser.add_argument("--starts", type=int, default=3, help="times to start app.py (default 3; 0 skips)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="checkpoint name in checkpoints/ (default %(default)s)")
    parser.add_argument("--drawn-dir", type=Path, default=DRAWN_DEV, help="drawn-digit folder (labels.csv, rgba/)")
    args = parser.parse_args()

    torch.set_num_threads(1)  # as app.py serves
    load_classifier(args.model)
    canvases = drawn_canvases(args.drawn_dir, args.count)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"model {args.model}, {len(canvases)} drawings, torch threads {torch.get_num_threads()}, "
          f"{os.cpu_count()} CPUs, load average {load}")
    report("predict path, 800x800 PNG canvas", time_calls(canvases, lambda c: canvas_path(c, args.model)))
    payloads = [browser_payload(canvas) for canvas in canvases]
    report(f"browser value, {CANVAS}x{CANVAS} canvas, 3 PNGs", time_calls(payloads, lambda p: browser_path(p, args.model)))
    why_cost(canvases, args.model)
    if args.starts:
        starts = [seconds_to_first_page() for _ in range(args.starts)]
        print(
            f"{'python app.py to first page':<42} "
            + ", ".join(f"{seconds:.1f} s" for seconds in starts)
            + f"   (median {np.median(starts):.1f} s)"
        )


if __name__ == "__main__":
    main()
