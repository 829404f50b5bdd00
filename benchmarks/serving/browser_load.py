"""Browser-shaped load: many visitors replaying, stroke by stroke, the exact requests Chromium makes on the sketchpad.

Run: python -m benchmarks.serving.browser_load [--scenarios 8:1.5 32:1.5 64:0] [--duration 60] [--apps app peer]
     [--recording benchmarks/serving/stroke_requests.json] [--clear-every 2] [--server-cpu 0] [--harness-cpu 1]
     [--attacker 1,2,4,6,8] [--nginx 1 2]

`benchmarks.serving.record_stroke` recorded what the page sends per stroke (the sketchpad's accept_blobs posts, its
PNG uploads, the queue join, the event stream, the output picture's fetch, and the uploads after the
answer). This replays that sequence, wave by wave as the browser overlapped it, with httpx from N simulated
visitors at once: each opens the page's heartbeat stream, draws its first stroke as on a fresh page, the
next ones as the recording's later strokes, and every `--clear-every` strokes clears (the Clear's join).
A SCENARIO is VISITORS:PACE: PACE is the mean pause in seconds between a visitor's answer and its next
stroke (random exponential; 0 = back to back). `python app.py` and the bare peer (`benchmarks.serving.peer_app`)
run side by side, both pinned to core `--server-cpu` with taskset, this harness to `--harness-cpu`; the
scenarios alternate app, peer, app, peer... in one run, so their ratio is measured under the same
conditions. With --attacker, one hostile visitor replays those rows of issue 23's table (benchmarks.serving.hostile)
one after another, over and over, for the whole of every scenario. With --nginx N..., N app processes behind
nginx (deploy.serve: `make serve N=...`, each process pinned to a core of its own) are measured too, side by
side with the others (`--apps` with no name measures only those); their CPU is that of every app process and
nginx together. Prints per scenario and server: strokes answered, errors, p50 / p99 stroke-to-answer (first
request of the stroke to the output fetched, or to the join's answer where there is no picture), strokes
per second, server CPU per stroke (utime + stime from /proc, children included), server RSS before and
after, this harness's own CPU; then app/peer ratios. Timings are never asserted: absolute figures depend
on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from harness import APPS, HOST, ROOT, cpu_seconds, free_port, rss_mib, start_server, stop_server

RECORDING = ROOT / "benchmarks" / "serving" / "stroke_requests.json"
FIRST_STROKE, LATER_STROKE, CLEAR = "stroke 1 (fresh page)", "stroke 3 (after Clear)", "Clear"
SKIPPED = ("/static/", "/assets/", "/heartbeat/")  # fonts and scripts come from the browser's cache; heartbeat is per visit
NGINX_PREFIX = "nginx×"  # servers named nginx×N: N app processes behind nginx (--nginx)
CAPACITY_P99_MS = 300.0  # the answer time a stroke may take at the 99th percentile for a load to count as served


# ---------------------------------------------------------------- the server: start pinned, CPU and memory


def start_pinned(name: str, core: int, log_dir: Path):
    """Start the app or the peer under `taskset -c core` on a free loopback port; (process, url)."""
    port = free_port()
    command = ["taskset", "-c", str(core), *APPS[name]]
    process = start_server(port, log_dir / f"browser-load-{name}-{port}.log", command=command)
    return process, f"http://{HOST}:{port}"


@dataclass
class Server:
    """A server under load: its URL, the processes whose CPU and memory count, and how to stop it."""

    url: str
    pids: list[int]
    stop: Callable[[], None]
    recorded_as: str = "app"  # which server's recording its visitors replay


def start_server_named(name: str, core: int, log_dir: Path) -> Server:
    """'app' or 'peer' pinned to `core`, or 'nginx×N': N app processes behind nginx (deploy.serve)."""
    if name in APPS:
        process, url = start_pinned(name, core, log_dir)
        return Server(url, [process.pid], lambda: stop_server(process), name)
    from deploy import serve

    processes = int(name.removeprefix(NGINX_PREFIX))
    deployment = serve.start(processes, free_port(), run_dir=log_dir / f"browser-load-{name}",
                             app_ports=[free_port() for _ in range(processes)])
    return Server(deployment.url, [*deployment.app_pids, deployment.nginx_pid], lambda: serve.stop(deployment))


# ---------------------------------------------------------------- the recording: phases as waves of requests


def load_recording(path: Path) -> dict:
    """The recording written by benchmarks.serving.record_stroke, upload bytes decoded."""
    recording = json.loads(path.read_text())
    recording["blobs"] = {sha: base64.b64decode(data) for sha, data in recording["blobs"].items()}
    return recording


def kind(entry: dict) -> str | None:
    """What a recorded request is for the replay: blobs, upload, join, stream, file; None to skip."""
    path = entry["path"]
    if any(part in path for part in SKIPPED) or entry["method"] not in ("GET", "POST"):
        return None
    for suffix, name in (("/component_server/", "blobs"), ("/component_server", "blobs"), ("/upload", "upload"),
                         ("/queue/join", "join"), ("/queue/data", "stream")):
        if path.endswith(suffix):
            return name
    return "file" if "/file=" in path else None


def waves(entries: list[dict]) -> list[list[dict]]:
    """The phase's replayable requests in start order, overlapping ones (as the browser sent them) in one wave."""
    groups: list[list[dict]] = []
    open_until = -1.0
    for entry in sorted(entries, key=lambda e: e["start_s"]):
        if kind(entry) is None:
            continue
        end = entry["end_s"] if entry["end_s"] is not None else float("inf")
        if groups and entry["start_s"] < open_until and kind(entry) == kind(groups[-1][0]):
            groups[-1].append(entry)
            open_until = max(open_until, end)
        else:
            groups.append([entry])
            open_until = end
    return groups


def phases(recording: dict, name: str) -> dict[str, list[list[dict]]]:
    """The first stroke, a later stroke and the Clear of one server's recording, each as waves."""
    entries = recording["apps"][name]
    return {phase: waves([e for e in entries if e["phase"] == phase]) for phase in (FIRST_STROKE, LATER_STROKE, CLEAR)}


def sequence(waves_: list[list[dict]]) -> str:
    """A phase's waves as one line: 3 blobs -> 3 upload -> join -> stream -> file -> 6 upload."""
    return " -> ".join(f"{len(w)} {kind(w[0])}" if len(w) > 1 else kind(w[0]) for w in waves_)


# ---------------------------------------------------------------- one visitor


def visitor_address(number: int) -> str:
    """The loopback address visitor `number` sends from: 127.0.1.1, 127.0.1.2, ... (up to 65,000 visitors)."""
    return f"127.0.{1 + number // 254}.{1 + number % 254}"


def token(length: int = 11) -> str:
    """A random id like the page's session hashes and blob ids."""
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))


def swap(value, mapping: dict[str, str]):
    """`value` (JSON) with every string that contains a recorded path or id rewritten to this visitor's."""
    if isinstance(value, dict):
        return {key: swap(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [swap(item, mapping) for item in value]
    if isinstance(value, str):
        for old, new in mapping.items():
            if old in value:
                value = value.replace(old, new)
    return value


@dataclass
class Tally:
    """One scenario's results for one server."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    clears: int = 0

    def error(self, message: str) -> None:
        """Count one failed stroke."""
        self.errors.append(message[:200])


class StrokeError(Exception):
    """A request of a stroke failed: status, or the event's answer said so."""


@dataclass
class Visitor:
    """One browser tab: a session hash, its heartbeat stream, and the paths its uploads got."""

    client: httpx.AsyncClient
    url: str
    recording: dict
    tally: Tally
    session: str = field(default_factory=token)
    mapping: dict[str, str] = field(default_factory=dict)

    async def heartbeat(self, stop: asyncio.Event) -> None:
        """Hold the page's heartbeat stream open until the visit ends, as an open tab does."""
        try:
            async with self.client.stream("GET", f"{self.url}/gradio_api/heartbeat/{self.session}", timeout=None) as reply:
                async for _ in reply.aiter_bytes():
                    if stop.is_set():
                        break
        except (httpx.HTTPError, asyncio.CancelledError):
            pass

    async def post_form(self, entry: dict) -> None:
        """Replay a multipart post (accept_blobs or upload) with the recorded files and this visitor's fields."""
        fields = swap(entry.get("form_fields", {}), self.mapping)
        files = [(f["field"], (f["filename"], self.recording["blobs"][f["sha256"]], f["content_type"] or "image/png"))
                 for f in entry.get("files", [])]
        query = f"?{entry['query']}" if entry["query"] else ""
        reply = await self.client.post(f"{self.url}{entry['path']}{query}", data=fields, files=files)
        self.tally.requests += 1
        if reply.status_code >= 400:
            raise StrokeError(f"{entry['path']} -> {reply.status_code} {reply.text[:100]}")
        if kind(entry) == "upload":
            for old, new in zip(entry.get("response_json") or [], reply.json()):
                self.mapping[old] = new

    async def join(self, entry: dict) -> str:
        """Join the queue with the recorded payload, paths and ids rewritten; the event id."""
        body = swap(entry["request_json"], self.mapping)
        body["session_hash"] = self.session
        reply = await self.client.post(f"{self.url}{entry['path']}", json=body)
        self.tally.requests += 1
        if reply.status_code >= 400:
            raise StrokeError(f"join -> {reply.status_code} {reply.text[:100]}")
        return reply.json()["event_id"]

    async def stream(self, event_id: str) -> list[str]:
        """Read the session's event stream until the event completes; the URLs of the files in its output."""
        url = f"{self.url}/gradio_api/queue/data?session_hash={self.session}"
        async with self.client.stream("GET", url) as reply:
            self.tally.requests += 1
            if reply.status_code >= 400:
                raise StrokeError(f"queue/data -> {reply.status_code}")
            async for line in reply.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed" and message.get("event_id") == event_id:
                    if not message.get("success"):
                        raise StrokeError(f"event failed: {str(message.get('output'))[:120]}")
                    return re.findall(r'"url":\s*"([^"]+/file=[^"]+)"', json.dumps(message["output"]))
        raise StrokeError("event stream closed before the event completed")

    async def fetch(self, urls: list[str]) -> None:
        """Fetch the output pictures, as the page's <img> does."""
        for url in urls:
            reply = await self.client.get(url)
            self.tally.requests += 1
            if reply.status_code >= 400:
                raise StrokeError(f"file -> {reply.status_code}")

    async def phase(self, waves_: list[list[dict]]) -> float:
        """Replay one phase wave by wave; seconds from its first request to its answer (picture fetched)."""
        started = time.perf_counter()
        answered = None
        for entry in (e for wave in waves_ for e in wave):
            fields = entry.get("form_fields", {})
            if "id" in fields:  # the blob id the page made up for this stroke: a fresh one per replayed stroke
                self.mapping[fields["id"]] = token()
            for recorded in (fields.get("session_hash"), (entry.get("request_json") or {}).get("session_hash")):
                if recorded:
                    self.mapping[recorded] = self.session
        event_id = None
        for wave in waves_:
            what = kind(wave[0])
            if what in ("blobs", "upload"):
                await asyncio.gather(*(self.post_form(entry) for entry in wave))
            elif what == "join":
                event_id = await self.join(wave[0])
            elif what == "stream" and event_id is not None:
                urls = await self.stream(event_id)
                await self.fetch(urls)  # the recording's file wave is this fetch
                answered = time.perf_counter() - started
        return answered if answered is not None else time.perf_counter() - started

    async def visit(self, phases_: dict, pace: float, clear_every: int, deadline: float) -> None:
        """Draw strokes until the deadline: the first as on a fresh page, the rest as later ones, clearing now and then."""
        stop = asyncio.Event()
        beat = asyncio.create_task(self.heartbeat(stop))
        strokes = 0
        try:
            await asyncio.sleep(random.uniform(0, pace or 0.05))  # visitors do not all start in the same instant
            while time.perf_counter() < deadline:
                try:
                    if clear_every and strokes and strokes % clear_every == 0:
                        await self.phase(phases_[CLEAR])
                        self.tally.clears += 1
                    latency = await self.phase(phases_[FIRST_STROKE if strokes == 0 else LATER_STROKE])
                    self.tally.latencies.append(latency)
                except (StrokeError, httpx.HTTPError, KeyError, ValueError) as error:
                    self.tally.error(f"{type(error).__name__}: {error}")
                strokes += 1
                if pace:
                    await asyncio.sleep(random.expovariate(1 / pace))
        finally:
            stop.set()
            beat.cancel()


# ---------------------------------------------------------------- the attacker


class Attacker:
    """A hostile visitor in its own process (`benchmarks.serving.hostile --url`), on the harness's core, for `seconds`."""

    def __init__(self, url: str, rows: str, seconds: float, core: int):
        self.command = ["taskset", "-c", str(core), sys.executable, "-m", "benchmarks.serving.hostile", "--url", url,
                        "--rows", rows, "--seconds", f"{seconds:.0f}"]
        self.report = ""

    def __enter__(self) -> Attacker:
        self._process = subprocess.Popen(self.command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def __exit__(self, *_) -> None:
        try:
            self.report = self._process.communicate(timeout=30)[0].strip()
        except subprocess.TimeoutExpired:  # a row still running past the scenario's end (row 8 takes a minute)
            self._process.kill()
            self.report = (self._process.communicate()[0].strip() + "\nstopped mid-row at the scenario's end").strip()

    def line(self) -> str:
        return "  attacker: " + (self.report.splitlines()[-1] if self.report else "no report")


# ---------------------------------------------------------------- a scenario and the report


@dataclass
class Result:
    """What one scenario on one server measured."""

    name: str
    tally: Tally
    wall: float
    cpu: float
    harness_cpu: float
    rss_before: float
    rss_after: float

    def strokes(self) -> int:
        return len(self.tally.latencies)

    def cpu_ms(self) -> float:
        """Server CPU per answered stroke, ms (Clears and errors included in the CPU)."""
        return self.cpu / max(self.strokes(), 1) * 1000

    def percentiles(self) -> tuple[float, float]:
        """p50 and p99 stroke-to-answer, ms (nan when nothing was answered)."""
        if not self.tally.latencies:
            return float("nan"), float("nan")
        p50, p99 = np.percentile(np.asarray(self.tally.latencies), [50, 99])
        return p50 * 1000, p99 * 1000

    def line(self) -> str:
        p50, p99 = self.percentiles()
        return (f"  {self.name:<5} {self.strokes():6d} strokes {len(self.tally.errors):4d} errors  "
                f"p50 {p50:7.0f} ms  p99 {p99:7.0f} ms  {self.strokes() / self.wall:6.1f} strokes/s  "
                f"server CPU {self.cpu_ms():6.1f} ms/stroke ({self.cpu / self.wall:4.0%} of its core)  "
                f"RSS {self.rss_before:5.0f} -> {self.rss_after:5.0f} MiB  harness CPU {self.harness_cpu / self.wall:4.0%}")


async def scenario(name: str, url: str, pids: list[int], phases_: dict, recording: dict, visitors: int, pace: float,
                   args: argparse.Namespace) -> Result:
    """N visitors on one server for --duration seconds; the figures."""
    tally = Tally()
    # One small connection pool per visitor, as each browser tab has its own: one shared pool of hundreds
    # of connections makes httpcore scan them all per request, and the harness, not the server, the limit.
    # Each from its own loopback address, as visitors come from their own on the internet (the attacker
    # from benchmarks.serving.hostile's), so per-address limits treat them as the server would.
    # An idle connection is dropped after 4 s, before uvicorn's 5 s keep-alive closes it: httpx's own 5 s
    # raced the server's (a request sent on a connection as it closed: a ReadError, about one stroke in 5,000),
    # where a browser resends a request that failed on a reused connection.
    limits = httpx.Limits(max_connections=24, max_keepalive_connections=24, keepalive_expiry=4.0)
    clients = [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=visitor_address(number), limits=limits),
                                 timeout=httpx.Timeout(args.timeout)) for number in range(visitors)]
    try:
        rss_before, cpu_before, own_before = total(rss_mib, pids), total(cpu_seconds, pids), time.process_time()
        started = time.perf_counter()
        deadline = started + args.duration
        crowd = [Visitor(client, url, recording, tally) for client in clients]
        attacker = Attacker(url + "/", args.attacker, args.duration, args.harness_cpu) if args.attacker else nullcontext()
        with attacker:
            await asyncio.wait_for(
                asyncio.gather(*(v.visit(phases_, pace, args.clear_every, deadline) for v in crowd)),
                timeout=args.duration + args.timeout + 30)
        if args.attacker:
            print(attacker.line())
        wall = time.perf_counter() - started
        cpu, own = total(cpu_seconds, pids) - cpu_before, time.process_time() - own_before
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    await asyncio.sleep(1.0)  # let the server close the streams before the memory is read
    return Result(name, tally, wall, cpu, own, rss_before, total(rss_mib, pids))


def total(measure: Callable[[int], float], pids: list[int]) -> float:
    """A per-process figure (CPU seconds, MiB) summed over a server's processes."""
    return sum(measure(pid) for pid in pids)


def warm_up(url: str, phases_: dict, recording: dict) -> None:
    """One visitor, three strokes and a Clear: model loaded, first-request costs paid before measuring."""
    async def run() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            visitor = Visitor(client, url, recording, Tally())
            for phase in (FIRST_STROKE, LATER_STROKE, CLEAR, LATER_STROKE):
                await visitor.phase(phases_[phase])
    asyncio.run(run())


def load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the load itself, shared with benchmarks.serving.stroke_profile."""
    parser.add_argument("--recording", type=Path, default=RECORDING, help="benchmarks.serving.record_stroke's JSON")
    parser.add_argument("--clear-every", type=int, default=2, help="strokes per drawing before a Clear (0: never)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before one request fails")
    parser.add_argument("--server-cpu", type=int, default=0, help="core the servers are pinned to")
    parser.add_argument("--harness-cpu", type=int, default=1, help="core this harness (and py-spy) is pinned to")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["8:1.5", "32:1.5", "64:0"], help="VISITORS:PACE ...")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds each scenario runs on each server")
    parser.add_argument("--apps", nargs="*", choices=list(APPS), default=list(APPS), help="servers to measure")
    load_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="random seed for paces and ids")
    parser.add_argument("--attacker", default="", help="issue 23's rows a hostile visitor replays meanwhile, e.g. 1,2,4,6,8")
    parser.add_argument("--nginx", nargs="*", type=int, default=[], help="also N app processes behind nginx, for each N given")
    args = parser.parse_args()
    random.seed(args.seed)
    os.sched_setaffinity(0, {args.harness_cpu})
    recording = load_recording(args.recording)
    servers: dict[str, Server] = {}
    best: dict[str, list[Result]] = {}
    try:
        for name in [*args.apps, *(f"{NGINX_PREFIX}{count}" for count in args.nginx)]:
            servers[name] = server = start_server_named(name, args.server_cpu, Path(tempfile.gettempdir()))
            print(f"{name} at {server.url}, pids {', '.join(map(str, server.pids))}"
                  + (f", on core {args.server_cpu}" if name in APPS else ""))
            for phase, waves_ in phases(recording, server.recorded_as).items():
                print(f"  {phase:<24} {sequence(waves_)}")
            warm_up(server.url, phases(recording, server.recorded_as), recording)
        print(f"harness on core {args.harness_cpu}; {args.duration:.0f} s per scenario and server; "
              f"a Clear every {args.clear_every} strokes; load average "
              + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
        for spec in args.scenarios:
            visitors, pace = int(spec.split(":")[0]), float(spec.split(":")[1])
            print(f"\n{visitors} visitors, " + (f"a stroke every ~{pace:g} s after each answer" if pace else "back to back"))
            results = {}
            for name, server in servers.items():
                phases_ = phases(recording, server.recorded_as)
                results[name] = asyncio.run(scenario(name, server.url, server.pids, phases_, recording, visitors, pace, args))
                best.setdefault(name, []).append(results[name])
                print(results[name].line(), flush=True)
                for message in sorted(set(results[name].tally.errors))[:3]:
                    print("     error:", message)
            if {"app", "peer"} <= results.keys():
                app, peer = results["app"], results["peer"]
                print(f"  app/peer: CPU per stroke x{app.cpu_ms() / max(peer.cpu_ms(), 1e-9):.1f}, "
                      f"p50 x{app.percentiles()[0] / peer.percentiles()[0]:.1f}, p99 x{app.percentiles()[1] / peer.percentiles()[1]:.1f}, "
                      f"strokes/s x{app.strokes() / app.wall / max(peer.strokes() / peer.wall, 1e-9):.2f}")
        if args.nginx:
            print(capacity_report(best))
    finally:
        for server in servers.values():
            server.stop()


def capacity_report(results: dict[str, list[Result]], p99_ms: float = CAPACITY_P99_MS) -> str:
    """Per server, the most strokes per second any scenario got with p99 <= p99_ms and no error, and their ratio."""
    lines = [f"\nmost strokes/s with p99 <= {p99_ms:.0f} ms and 0 errors:"]
    capacity = {}
    for name, runs in results.items():
        fit = [run for run in runs if run.percentiles()[1] <= p99_ms and not run.tally.errors]
        capacity[name] = max((run.strokes() / run.wall for run in fit), default=0.0)
        lines.append(f"  {name:<8} {capacity[name]:6.1f} strokes/s" + ("" if fit else "  (no scenario within it)"))
    one = capacity.get(f"{NGINX_PREFIX}1")
    for name, value in capacity.items():
        if name.startswith(NGINX_PREFIX) and one and name != f"{NGINX_PREFIX}1":
            lines.append(f"  {name} / {NGINX_PREFIX}1: x{value / one:.2f}")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
