"""What several benchmarks share: a free loopback port, and `python app.py` started and stopped as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: no benchmark reaches or exposes anything beyond this machine


def free_port() -> int:
    """A TCP port nobody listens on now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, log: Path | None = None, timeout: float = 180.0) -> subprocess.Popen:
    """`python app.py` serving on HOST:port, returned once its page answers; its output goes to `log` (or nowhere)."""
    env = dict(os.environ, GRADIO_SERVER_NAME=HOST, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"python app.py exited with status {process.returncode}; see {log or 'its output'}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2) as response:
                if response.status == 200 and b"<html" in response.read(4096).lower():
                    return process
        except OSError:
            time.sleep(0.05)
    stop_server(process)
    raise TimeoutError(f"python app.py gave no page within {timeout:.0f} s; see {log or 'its output'}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server we started (only that process), politely first."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
