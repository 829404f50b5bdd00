"""Load test: many visitors at once on `python app.py`, drawing (/predict) while others browse the gallery.

Run: python -m benchmarks.load [--clients 32 64] [--requests 10] [--gallery-clients 2] [--deadline 300]

Starts `python app.py` as a subprocess on a free loopback port (127.0.0.1 only), opens one gradio_client
Client per simulated visitor, then for each client count: every client sends `--requests` real drawings
(800x800 RGBA canvases from the drawn-digits set) to /predict one after another, all clients at once,
while `--gallery-clients` more clients keep asking /gallery for batches. Prints per phase: requests,
errors (with the first few messages), p50 / p99 latency and requests per second. Everything is bounded:
each request by --timeout, each phase by --deadline; the server is stopped at the end whatever happens.

The clients run in this process, on the same machine as the server, so their CPU time (uploading,
SSE parsing) is counted against the server's: the figures are a lower bound on what the server does alone.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks._common import HOST, ROOT, cpu_seconds, free_port, start_server, stop_server
from mnist_core.drawn import load_drawn_set

DRAWN_DIR = ROOT.parent / "shared" / "drawn-digits-dev"


def drawings(folder: Path, count: int) -> list[Path]:
    """The first `count` drawn digits (800x800 RGBA PNGs)."""
    return load_drawn_set(folder, limit=count).files


@dataclass
class Tally:
    """Latencies and errors of one kind of request, filled from many threads."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, error: BaseException | None) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            if error is None:
                self.seconds.append(elapsed)
            else:
                self.errors.append(f"{type(error).__name__}: {str(error)[:160]}")

    def line(self, name: str, wall: float) -> str:
        done = len(self.seconds)
        if done:
            p50, p99 = np.percentile(np.asarray(self.seconds), [50, 99])
            times = f"p50 {p50 * 1000:7.0f} ms  p99 {p99 * 1000:7.0f} ms  max {max(self.seconds) * 1000:7.0f} ms"
        else:
            times = "no request answered"
        return f"{name:<22} {done + len(self.errors):5d} requests  {len(self.errors):3d} errors  {times}  {done / wall:6.1f} req/s"


def call(client, tally: Tally, timeout: float, *args, api_name: str) -> None:
    """One request, timed; any exception or a timeout counts as an error."""
    started = time.perf_counter()
    try:
        job = client.submit(*args, api_name=api_name)
        result = job.result(timeout=timeout)
        if api_name == "/predict" and not (isinstance(result, (list, tuple)) and "28" in str(result[1])):
            raise RuntimeError(f"unexpected answer {str(result)[:120]}")
    except BaseException as error:  # noqa: BLE001 - every failure is a counted error, never a crash
        tally.add(started, error)
    else:
        tally.add(started, None)


def phase(url: str, clients: int, requests: int, gallery_clients: int, files: list[Path], args) -> None:
    """All clients draw at once while gallery clients browse; print the figures."""
    from gradio_client import Client, handle_file

    connect = ThreadPoolExecutor(max_workers=16)
    pool = list(connect.map(lambda _: Client(url, verbose=False, download_files=False), range(clients + gallery_clients)))
    connect.shutdown()
    drawers, browsers = pool[:clients], pool[clients:]
    # Warm up: the first gallery call loads torchvision and MNIST, the first drawing the model.
    pool[0].predict({"background": None, "layers": [], "composite": handle_file(str(files[0]))}, api_name="/predict")
    pool[0].predict(api_name="/gallery")
    cpu_before = cpu_seconds(args.pid) if args.pid else 0.0
    predict, gallery = Tally(), Tally()
    stop = threading.Event()
    deadline = time.perf_counter() + args.deadline

    def draw(index: int) -> None:
        client = drawers[index]
        for number in range(requests):
            if time.perf_counter() > deadline:
                predict.add(time.perf_counter(), TimeoutError("phase deadline passed before this request"))
                continue
            path = files[(index * requests + number) % len(files)]
            value = {"background": None, "layers": [], "composite": handle_file(str(path))}
            call(client, predict, args.timeout, value, api_name="/predict")

    def browse(index: int) -> None:
        client, seed = browsers[index], 0
        while not stop.is_set() and time.perf_counter() < deadline:
            seed += 1
            settings = ("train", 64, 8, 2, seed, True, "all", False)
            call(client, gallery, args.timeout, *settings, api_name="/gallery")

    started = time.perf_counter()
    threads = [threading.Thread(target=browse, args=(i,), daemon=True) for i in range(gallery_clients)]
    threads += [threading.Thread(target=draw, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads[gallery_clients:]:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + args.timeout)
    wall = time.perf_counter() - started
    stop.set()
    for thread in threads[:gallery_clients]:
        thread.join(timeout=args.timeout)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{clients} drawing clients x {requests} requests + {gallery_clients} gallery clients, "
          f"{wall:.1f} s, load average {load}")
    cpu = (cpu_seconds(args.pid) if args.pid else 0.0) - cpu_before
    if args.pid:
        answered = len(predict.seconds) + len(gallery.seconds)
        print(f"server CPU {cpu:.1f} s over {wall:.1f} s wall ({cpu / max(answered, 1) * 1000:.0f} ms per answered request)")
    print(predict.line("/predict", wall))
    print(gallery.line("/gallery (alongside)", wall))
    for message in sorted(set(predict.errors + gallery.errors))[:5]:
        print("   error:", message)
    for client in pool:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[32, 64], help="drawing clients per phase")
    parser.add_argument("--requests", type=int, default=10, help="drawings each client sends (default 10)")
    parser.add_argument("--gallery-clients", type=int, default=2, help="clients browsing the gallery meanwhile")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before one request counts as failed")
    parser.add_argument("--deadline", type=float, default=240.0, help="seconds a phase may take at most")
    parser.add_argument("--drawn-dir", type=Path, default=DRAWN_DIR, help="drawn-digit folder (labels.csv, rgba/)")
    parser.add_argument("--url", help="an app already running on 127.0.0.1 (else python app.py is started)")
    args = parser.parse_args()
    if args.url and not args.url.startswith((f"http://{HOST}:", "http://localhost:")):
        parser.error("only loopback URLs (http://127.0.0.1:PORT/) are allowed")
    files = drawings(args.drawn_dir, 200)
    print(f"{os.cpu_count()} CPUs; {len(files)} drawings; load average before: "
          + ", ".join(f"{value:.1f}" for value in os.getloadavg()))
    process, args.pid = None, None
    try:
        if args.url:
            url = args.url
        else:
            port = free_port()
            log = Path(tempfile.gettempdir()) / f"mnist-load-app-{port}.log"
            started = time.perf_counter()
            process = start_server(port, log)
            url, args.pid = f"http://{HOST}:{port}/", process.pid
            print(f"python app.py serving at {url} after {time.perf_counter() - started:.1f} s (log {log})")
        for clients in args.clients:
            phase(url, clients, args.requests, args.gallery_clients, files, args)
    finally:
        if process is not None:
            stop_server(process)


if __name__ == "__main__":
    main()
