"""Does drawing stay responsive while someone trains? Predict p50/p99 alone, then during a default Train-tab run.

Run: python -m benchmarks.predict_during_training [--count 300] [--repeat 2]. Prints its figures; asserts nothing.

The training is the Train tab's own callback (demo.train_tab.start_training) with its default settings on the
full MNIST, consumed as the page would (an update every UPDATE_SECONDS); meanwhile another thread calls the
app's predict callback (demo.draw.classify_sketch) on decoded 800x800 drawn canvases back to back, as the
Draw tab's event workers do. Also prints the default run's wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time

import torch
from PIL import Image

from benchmarks.predict_latency import DRAWN_DIR, decode, drawn_canvases, percentiles
from demo.draw import classify_sketch
from demo.models import DEFAULT_MODEL, load_classifier
from demo.train_tab import DEFAULTS, TrainingQueue, TrainSession, start_training, training_data


def predict_loop(values: list[Image.Image], stop: threading.Event, seconds: list[float]) -> None:
    """Classify canvases round and round until told to stop, recording each call's wall time."""
    torch.set_num_threads(1)  # as app.py serves
    index = 0
    while not stop.is_set():
        value = {"background": None, "layers": [], "composite": values[index % len(values)]}
        started = time.perf_counter()
        classify_sketch(value, DEFAULT_MODEL)
        seconds.append(time.perf_counter() - started)
        index += 1


async def default_run() -> tuple[float, str]:
    """One Train-tab run with the default settings; its wall time and final status line."""
    settings = [DEFAULTS[key] for key in ("model", "hidden", "optimizer", "lr", "batch_size", "epochs", "augment", "seed")]
    started, last = time.perf_counter(), None
    async for update in start_training(*settings, TrainSession(), DEFAULT_MODEL, queue=TrainingQueue()):
        last = update
    return time.perf_counter() - started, str(last[0]).splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="drawings to cycle through (default 300)")
    parser.add_argument("--repeat", type=int, default=2, help="training runs to time (default 2)")
    args = parser.parse_args()

    torch.set_num_threads(1)
    load_classifier(DEFAULT_MODEL)
    training_data()  # loaded once, as the app does on the first run
    values = [decode(data) for data in drawn_canvases(DRAWN_DIR, args.count)]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; default settings {DEFAULTS}")

    seconds, status = asyncio.run(default_run())
    print(f"default run alone: {seconds:.1f} s wall; {status}")

    quiet: list[float] = []
    stop = threading.Event()
    worker = threading.Thread(target=predict_loop, args=(values, stop, quiet))
    worker.start()
    time.sleep(10)
    stop.set()
    worker.join()
    print(f"{'predict alone (10 s)':<34} wall {percentiles(quiet)}   n={len(quiet)}")

    for number in range(args.repeat):
        busy: list[float] = []
        stop = threading.Event()
        worker = threading.Thread(target=predict_loop, args=(values, stop, busy))
        worker.start()
        seconds, status = asyncio.run(default_run())
        stop.set()
        worker.join()
        print(f"{'predict during training run ' + str(number + 1):<34} wall {percentiles(busy)}   n={len(busy)}")
        print(f"  default run: {seconds:.1f} s wall; {status}")


if __name__ == "__main__":
    main()
