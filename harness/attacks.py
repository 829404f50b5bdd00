"""Requests a hostile visitor sends (issue 23's table), each one bounded, for tests/test_hostile.py and
benchmarks.serving.hostile. Every function targets only the loopback URL it is given.

Each takes the app's base URL (ending in "/"); none raises on a refused request: they return what the server
answered (status and text) so the caller can assert it was refused in one sentence. They are sent from
127.0.0.1 unless `send_from` names another loopback address (for the whole process, or for one thread), so
a benchmark can tell the server one attacker from its many visitors, as their addresses would on the internet.
"""

from __future__ import annotations

import io
import re
import secrets
import socket
import threading
import time
from functools import cache
from ipaddress import ip_address
from urllib.parse import urlparse

import httpx
from PIL import Image, ImageDraw

TIMEOUT = httpx.Timeout(60.0)
PNG = "image/png"
VERDICT = re.compile(r"It's an? \*\*(\d)\*\*")
_sender = {"address": None, "client": httpx.Client(timeout=TIMEOUT)}  # the process's; a thread may have its own
_this_thread = threading.local()


def send_from(address: str, this_thread_only: bool = False) -> None:
    """Send every later request from this loopback address (127.0.0.0/8), in the process or in this thread only."""
    transport = httpx.HTTPTransport(local_address=address, limits=httpx.Limits(max_connections=64))
    sender = {"address": address, "client": httpx.Client(timeout=TIMEOUT, transport=transport)}
    if this_thread_only:
        _this_thread.sender = sender
    else:
        _sender.update(sender)


def sender() -> dict:
    """This thread's address and client, else the process's."""
    return getattr(_this_thread, "sender", _sender)


def http() -> httpx.Client:
    """The client requests go out on (see send_from)."""
    return sender()["client"]


def loopback_only(url: str) -> str:
    """The URL as given, or ValueError unless it names a loopback address (127.0.0.0/8)."""
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or (host.replace(".", "").isdigit() and ip_address(host).is_loopback)):
        raise ValueError(f"attacks target loopback only, not {host!r}")
    return url if url.endswith("/") else url + "/"


def token() -> str:
    """A made-up session hash or blob id, as the page makes them."""
    return secrets.token_hex(6)


def png_bytes(image: Image.Image) -> bytes:
    """An image encoded as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def stroke_png(side: int = 512) -> bytes:
    """A sketchpad layer as the page sends it: a transparent canvas with a black '1' drawn in alpha."""
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(side // 2, side // 6), (side // 2, side * 5 // 6)], fill=(0, 0, 0, 255), width=side // 16)
    return png_bytes(image)


@cache
def bomb_png(side: int = 13_000) -> bytes:
    """A 1-bit PNG of side x side white pixels: ~tens of KB on the wire, side² x 4 bytes once decoded to RGBA."""
    return png_bytes(Image.new("1", (side, side), 1))


def config(url: str) -> dict:
    """The page's config: component ids and dependencies."""
    return http().get(f"{loopback_only(url)}config", timeout=TIMEOUT).json()


def sketchpad_id(url: str) -> int:
    """The sketchpad's component id, as the page's accept_blobs posts name it."""
    return next(c["id"] for c in config(url)["components"] if c.get("props", {}).get("elem_id") == "sketchpad")


def gallery_arguments(url: str) -> list:
    """The Gallery API's arguments at their defaults but the largest batch, read from the page's config."""
    page = config(url)
    components = {c["id"]: c for c in page["components"]}
    show = next(d for d in page["dependencies"] if d.get("api_name") == "gallery")
    values = [components[i].get("props", {}).get("value") for i in show["inputs"] if components[i]["type"] != "state"]
    values[1] = 256  # the batch size: each batch costs the server the most it can
    return values


def cut_off_upload(url: str, linger: float) -> None:
    """An upload that says 5 MB, sends 200 KB, waits `linger` seconds and goes."""
    parsed = urlparse(loopback_only(url))
    boundary = "cutoff"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + bytes(200_000)
    source = (sender()["address"], 0) if sender()["address"] else None
    with socket.create_connection((parsed.hostname, parsed.port), timeout=5, source_address=source) as connection:
        connection.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: {parsed.hostname}\r\n"
                            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 5000000\r\n\r\n").encode() + head)
        time.sleep(linger)  # the server writes what came to a temporary file, then the client goes


def accept_blobs(url: str, pad: int, *, session: str, blob: str, kind: str = "layer", index: str = "0",
                 data: bytes | None = None, name: str = "layer_0.png") -> httpx.Response:
    """One accept_blobs post as the page sends it, with any field the caller chooses."""
    fields = {"id": blob, "type": kind, "index": index, "component_id": str(pad), "fn_name": "accept_blobs",
              "session_hash": session}
    files = {"file": (name, data if data is not None else stroke_png(), PNG)}
    return http().post(f"{loopback_only(url)}gradio_api/component_server/", data=fields, files=files, timeout=TIMEOUT)


def upload(url: str, data: bytes, name: str = "layer.png") -> str:
    """Upload one file as the page does; the server path it got."""
    reply = http().post(f"{loopback_only(url)}gradio_api/upload", files={"files": (name, data, PNG)}, timeout=TIMEOUT)
    reply.raise_for_status()
    return reply.json()[0]


def file_data(path: str) -> dict:
    """A FileData payload naming an uploaded file."""
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


def call(url: str, api_name: str, data: list, headers: dict | None = None) -> str:
    """POST /gradio_api/call/<api_name> and read its event stream to the end: the stream's text."""
    url = loopback_only(url)
    started = http().post(f"{url}gradio_api/call/{api_name}", json={"data": data}, headers=headers, timeout=TIMEOUT)
    if started.status_code != 200:
        return f"status {started.status_code}: {started.text}"
    event_id = started.json()["event_id"]
    return http().get(f"{url}gradio_api/call/{api_name}/{event_id}", headers=headers, timeout=TIMEOUT).text


def predict_layers(url: str, paths: list[str]) -> str:
    """The draw event with the given uploaded files as the sketchpad's layers (no background, no composite)."""
    value = {"background": None, "layers": [file_data(path) for path in paths], "composite": None, "id": None}
    return call(url, "predict", [value])


def predict_stroke(url: str) -> str:
    """A normal drawing (a '1' on the page's 512 px canvas) through the draw event: the event stream's text."""
    return predict_layers(url, [upload(url, stroke_png())])


def answered_digit(stream: str) -> str | None:
    """The digit the draw event's verdict names ("It's a **1**"), or None (a message, a question, an error)."""
    found = VERDICT.search(stream)
    return found.group(1) if found else None
