"""What the tests and several benchmarks both drive: a free loopback port, the app and its bare peer started
and stopped as a user runs them, headless Chromium's settings, a mouse stroke, a server's CPU and memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: no benchmark reaches or exposes anything beyond this machine
# The app, and a bare Gradio sketchpad to compare it with (benchmarks/serving/peer_app.py), as commands.
APPS = {"app": [sys.executable, "app.py"], "peer": [sys.executable, "-m", "benchmarks.serving.peer_app"]}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    port: int, log: Path | None = None, timeout: float = 180.0, command: list[str] | None = None
) -> subprocess.Popen:
    """`python app.py` (or `command`) serving on HOST:port, returned once its page answers; output to `log` (or nowhere)."""
    env = dict(os.environ, GRADIO_SERVER_NAME=HOST, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the server writes to it until stopped
    command = command or [sys.executable, "app.py"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} exited with status {process.returncode}; see {log or 'its output'}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2) as response:
                if response.status == 200 and b"<html" in response.read(4096).lower():
                    return process
        except OSError:
            time.sleep(0.05)
    stop_server(process)
    raise TimeoutError(f"{' '.join(command)} gave no page within {timeout:.0f} s; see {log or 'its output'}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server we started (only that process), politely first."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def mouse_stroke(
    page, centre_x: float, centre_y: float, side: float, stroke: list[tuple[float, float]], steps: int = 4
) -> None:
    """Draw one stroke with a Playwright page's mouse: points in [0, 1] of a square of `side` px around the centre."""
    points = [(centre_x + x * side, centre_y + y * side) for x, y in stroke]
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=steps)  # intermediate moves, as a hand makes
    page.mouse.up()


def proc_children(pid: int) -> list[int]:
    """Every live descendant of `pid` (from /proc/<pid>/task/*/children)."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            queue += kids
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid`, its reaped children (cutime, cstime) and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for number, one in enumerate([pid, *proc_children(pid)]):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if number == 0 else 0)
    return total / tick


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its live descendants, MiB."""
    total = 0
    for one in [pid, *proc_children(pid)]:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{one}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
    return total / 1024


def drawing_area(page, pad: str = "#sketchpad") -> tuple[float, float, float]:
    """Centre (x, y) and side, in page pixels, of the sketchpad's drawing area.

    The editor shows a canvas_size image, scaled by its zoom, centred in its pixi canvas; both the canvas
    size (from the app's config) and the zoom (the editor's own readout) are read from the page.
    """
    box = page.locator(f"{pad} .pixi-target canvas").bounding_box()
    if not box:
        raise RuntimeError(f"the canvas of {pad} is not visible")
    elem_id = pad.lstrip("#")
    canvas_size = page.evaluate(
        """id => { const c = (window.gradio_config || {}).components || [];
                   const s = c.find(x => x.props && x.props.elem_id === id);
                   return s ? s.props.canvas_size : null; }""", elem_id)
    zoom_text = page.locator(f"{pad} .zoom-number").first.inner_text() if page.locator(
        f"{pad} .zoom-number").count() else ""
    zoom = re.search(r"(\d+(?:\.\d+)?)\s*%", zoom_text)
    if canvas_size and zoom:
        side = min(canvas_size) * float(zoom.group(1)) / 100
    else:
        side = 0.8 * min(box["width"], box["height"])
    side = min(side, box["width"], box["height"])
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, side
