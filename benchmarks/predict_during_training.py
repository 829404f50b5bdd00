"""Does drawing stay responsive while someone trains? Predict p50/p99 alone, then during a default Train-tab run.

Run: python -m benchmarks.predict_during_training [--count 300] [--repeat 2]. Prints its figures; asserts nothing.

The training is the Train tab's own callback (TrainTab.start_training, demo/training/tab.py, taken from the built
page) with its default settings (SETTINGS) on the full MNIST, consumed as the page would (an update every
UPDATE_SECONDS); meanwhile another thread calls the app's predict callback (demo.draw.classify_sketch) on decoded
800x800 drawn canvases back to back, as the Draw tab's event workers do. Also prints the default run's wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time

import torch
from PIL import Image

from benchmarks.predict_latency import decode, drawn_canvases, percentiles
from demo.draw import classify_sketch
from demo.models import DEFAULT_MODEL, load_classifier
from demo.training.queue import TrainingQueue
from demo.training.run import training_data
from demo.training.session import TrainSession
from demo.training.settings import SETTINGS
from demo.training.tab import TrainTab, train_tab_of
from demo.ui import build_demo
from mnist_core.data import DRAWN_DEV


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


async def default_run(tab: TrainTab) -> tuple[float, str]:
    """One Train-tab run with the default settings; its wall time and final status line."""
    started, last = time.perf_counter(), None
    async for update in tab.start_training(TrainSession(), DEFAULT_MODEL, queue=TrainingQueue(), **SETTINGS):
        last = update
    return time.perf_counter() - started, str(last[tab.status]).splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="drawings to cycle through (default 300)")
    parser.add_argument("--repeat", type=int, default=2, help="training runs to time (default 2)")
    args = parser.parse_args()

    torch.set_num_threads(1)
    load_classifier(DEFAULT_MODEL)
    training_data()  # loaded once, as the app does on the first run
    tab = train_tab_of(build_demo())
    values = [decode(data) for data in drawn_canvases(DRAWN_DEV, args.count)]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; default settings {SETTINGS}")

    seconds, status = asyncio.run(default_run(tab))
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
        seconds, status = asyncio.run(default_run(tab))
        stop.set()
        worker.join()
        print(f"{'predict during training run ' + str(number + 1):<34} wall {percentiles(busy)}   n={len(busy)}")
        print(f"  default run: {seconds:.1f} s wall; {status}")


if __name__ == "__main__":
    main()
