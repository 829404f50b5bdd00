"""Issue 23's hostile requests against `python app.py` on loopback, with the server's memory, disk and a normal
drawing's answer time after each: `python -m benchmarks.serving.hostile [--rows 1,2,...]`.

With --url it replays the rows over and over against a server already running, for --seconds, and prints how
many rounds of each it sent (benchmarks.serving.browser_load --attacker runs it beside its visitors). Prints one line per row: what was sent, the seconds it took and the server CPU it cost, the server's RSS
before / peak / after (MiB), files left in the temp folder, the answer times of a normal visitor drawing a '1'
every 0.5 s during the row, and of one drawing right after. --server-cpu pins the server to one core, as
benchmarks.serving.browser_load does. Bounded: each row sends at most a few hundred
requests and stops after its own time limit. tests/test_hostile.py asserts the same rows' budgets, faster.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from harness import APPS, HOST, attacks, cpu_seconds, free_port, rss_mib, start_server, stop_server

ATTACKER, VISITOR = "127.0.0.66", "127.0.0.1"  # loopback addresses: the server tells them apart as it would two IPs


class Drawer:
    """A normal visitor drawing a '1' every `pause` seconds while in a with-block: its answer times and misreads."""

    def __init__(self, url: str, pause: float = 0.5):
        self.url, self.pause, self.seconds, self.wrong, self._stop = url, pause, [], 0, threading.Event()

    def __enter__(self) -> Drawer:
        self._thread = threading.Thread(target=self._draw, daemon=True)
        self._thread.start()
        return self

    def _draw(self) -> None:
        attacks.send_from(VISITOR, this_thread_only=True)
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                digit = attacks.answered_digit(attacks.predict_stroke(self.url))
            except httpx.HTTPError:
                digit = None
            self.seconds.append(time.perf_counter() - started)
            self.wrong += digit != "1"
            self._stop.wait(self.pause)

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        """p50 and slowest answer, and how many were not read as the '1' drawn."""
        if not self.seconds:
            return "no drawing finished"
        ordered = sorted(self.seconds)
        return (f"{len(ordered)} drawings during: p50 {ordered[len(ordered) // 2]:.2f} s, slowest {ordered[-1]:.2f} s,"
                f" {self.wrong} not read as 1")


class Peak:
    """The highest RSS of a process, sampled every 50 ms while in a with-block."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> Peak:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib(self.pid))
            time.sleep(0.05)

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def temp_entries() -> int:
    """Entries in the system temp folder (files and folders the server may leave)."""
    return sum(1 for _ in Path(tempfile.gettempdir()).iterdir())


def row_1(url: str) -> str:
    """accept_blobs with a huge layer index, then wrong types and oversized blobs."""
    pad = attacks.sketchpad_id(url)
    replies = [attacks.accept_blobs(url, pad, session=attacks.token(), blob=attacks.token(), index="50000000") for _ in range(3)]
    return f"index=50,000,000 x3: statuses {[r.status_code for r in replies]}"


def row_2(url: str) -> str:
    """A 13000 x 13000 1-bit PNG as the sketchpad's layer, 4 at once; then one upload named as 1000 layers."""
    path = attacks.upload(url, attacks.bomb_png())
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: attacks.predict_layers(url, [path]), range(4)))
    many = attacks.predict_layers(url, [attacks.upload(url, attacks.stroke_png())] * 1000)
    refused = sum("event: error" in answer for answer in answers)
    return f"13000² layer x4 at once: {refused}/4 refused; 1000 layers: {'refused' if 'event: error' in many else 'read'}"


def row_4(url: str) -> str:
    """300 Gallery batches of 256 images joined at once, and a drawing while they wait."""
    arguments = attacks.gallery_arguments(url)
    with ThreadPoolExecutor(32) as pool:
        joins = list(pool.map(lambda _: attacks.http().post(f"{url}gradio_api/call/gallery", json={"data": arguments}, timeout=60),
                              range(300)))
        started = time.perf_counter()
        digit = attacks.answered_digit(attacks.predict_stroke(url))
        during = time.perf_counter() - started
    statuses = Counter(reply.status_code for reply in joins)
    return f"300 Gallery joins: {dict(statuses)}; a drawing meanwhile: {digit} in {during:.2f} s"


def row_8(url: str) -> str:
    """2,000 calls, each under a session of its own; a trivial call's time before and after."""
    def trivial() -> float:
        started = time.perf_counter()
        attacks.call(url, "predict", [None])
        return time.perf_counter() - started

    before = min(trivial() for _ in range(5))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: attacks.call(url, "predict", [None]), range(2000)))
    return f"2,000 sessions: a trivial call {before * 1000:.0f} -> {min(trivial() for _ in range(5)) * 1000:.0f} ms"


def row_6(url: str) -> str:
    """20 uploads cut off mid-body: the client says 5 MB, sends 200 KB and goes."""
    for _ in range(20):
        attacks.cut_off_upload(url, linger=0.05)
    return "20 uploads cut off at 200 KB of 5 MB"


ROWS: dict[str, Callable[[str], str]] = {"1": row_1, "2": row_2, "4": row_4, "6": row_6, "8": row_8}


def measure(url: str, pid: int, row: str) -> None:
    """Run one row, printing RSS before/peak/after, server CPU, temp entries added, drawings during it and after.

    Before row 4, one visitor's Gallery batch: what any first batch loads once (the set, the model's answers on
    it) is then counted apart from what the attack adds."""
    if row == "4":
        warm = rss_mib(pid)
        attacks.call(url, "gallery", attacks.gallery_arguments(url))
        print(f"a visitor's first Gallery batch: RSS {warm:.0f} -> {rss_mib(pid):.0f} MiB", flush=True)
    before, entries, cpu = rss_mib(pid), temp_entries(), cpu_seconds(pid)
    started = time.perf_counter()
    with Peak(pid) as peak, Drawer(url) as drawer:
        what = ROWS[row](url)
    spent, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    time.sleep(1.0)
    drawn = time.perf_counter()
    digit = attacks.answered_digit(attacks.predict_stroke(url))
    drawing = time.perf_counter() - drawn
    print(
        f"row {row}: {what} | {spent:.1f} s, server CPU {cpu:.1f} s | RSS {before:.0f} -> peak {peak.peak:.0f} ->"
        f" after {rss_mib(pid):.0f} MiB | temp entries +{temp_entries() - entries} | {drawer.summary()}"
        f" | a drawing after: {digit} in {drawing:.2f} s",
        flush=True,
    )


def attack_for(url: str, rows: list[str], seconds: float) -> None:
    """Replay the rows in turn against a running server until `seconds` have passed; print how many of each."""
    rounds, failed, deadline = Counter(), Counter(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        for row in rows:
            try:
                ROWS[row](url)
                rounds[row] += 1
            except (httpx.HTTPError, OSError) as error:  # the attack could not be sent: say so, go on
                failed[f"{row} {type(error).__name__}"] += 1
            if time.monotonic() >= deadline:
                break
    done = ", ".join(f"row {row} x{count}" for row, count in sorted(rounds.items()))
    print(f"{done or 'no row finished'} in {seconds:.0f} s; could not send: {dict(failed) or 'none'}", flush=True)


def main() -> None:
    """Start the app on a free loopback port, replay the chosen rows, stop it (or, with --url, attack that one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows of issue 23's table")
    parser.add_argument("--url", help="attack this running server (loopback) instead, over and over ...")
    parser.add_argument("--seconds", type=float, default=60.0, help="... for this long (benchmarks.serving.browser_load --attacker)")
    parser.add_argument("--server-cpu", type=int, help="pin the server to this core (taskset); default: any")
    args = parser.parse_args()
    attacks.send_from(ATTACKER)
    if args.url:
        attack_for(attacks.loopback_only(args.url), args.rows.split(","), args.seconds)
        return
    port = free_port()
    pinned = ["taskset", "-c", str(args.server_cpu)] if args.server_cpu is not None else []
    server = start_server(port, command=[*pinned, *APPS["app"]])
    try:
        for row in args.rows.split(","):
            measure(f"http://{HOST}:{port}/", server.pid, row.strip())
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
