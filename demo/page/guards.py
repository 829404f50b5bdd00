"""Refusals before Gradio keeps or decodes anything a visitor sends to the sketchpad (issue 23, rows 1 and 2),
and each kind's and each address's share of Gradio's queue (row 4).

Gradio 6.31's sketchpad trusts its client: accept_blobs grows a list to whatever layer `index` it is sent and
keeps every blob it gets; the draw event decodes each named layer to RGBA, however large and however many,
before the app's callback runs. The page only ever sends one canvas-sized layer, a background and a
composite, so anything else is refused here in one sentence, and the blob store is bounded in bytes as
well as in sets. Gradio's queue has one size for every kind of event, so one kind (a flood of Gallery
batches) could fill it and lock drawings out: guard_queue keeps half of it for drawings (row 4). And it takes
each kind's events first come, first served, so one address sending many at once (a script) put every other
visitor's event behind all of its own: guard_queue makes addresses take turns instead. An address that asks for
costly events (Gallery batches) faster than a person does waits for its turn (far beyond, it is told "too
fast"); every refusal comes after a pause, which slows a script down at no cost to the server. Gradio keeps
each session's message queue in a cache of 2,000 evicted in the order sessions first joined, whatever they are
waiting for: 2,000 API calls under new sessions (row 8) pushed out a drawing visitor's queue mid-answer, and the
answer's stream broke. OpenSessions evicts sessions with nothing pending first.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

import gradio as gr
import PIL.Image
from fastapi import HTTPException
from gradio import route_utils
from gradio.utils import LRUCache

from demo.i18n import best_language, say
from demo.training.session import visitor_address

BLOB_KINDS = ("background", "layer", "composite")
MAX_LAYERS = 1  # the page's sketchpad has layers=False: it sends layer 0 only
MAX_SIDE = 800  # the page's canvas is 512 px; API callers may send up to this (the drawn-digit sets are 800 px)
MAX_BLOB_BYTES = 2 * 2**20  # a 512 px RGBA canvas is 1 MiB raw; its PNG is smaller unless it is noise
BLOB_SETS_KEPT = 256  # sketchpad blob sets in memory at once (see RecentBlobs), ~25 KB each from the page
BLOB_BYTES_KEPT = 32 * 2**20  # ... and at most this many bytes of them, whatever each set holds
OTHERS_WAITING = 128  # events other than drawings waiting in Gradio's queue at once (of QUEUE_SIZE, 256) ...
OTHERS_WAITING_PER_ADDRESS = 16  # ... and of those, from one address (a classroom shares one)
GALLERY = "gallery"  # the concurrency id of the Gallery's events
COSTLY = (GALLERY,)  # concurrency ids of the events that cost the server most (a batch of up to 256 images) ...
COSTLY_BURST, COSTLY_PER_SECOND = 8, 1.0  # ... of which one address may have 8 at once, then one a second; more wait
COSTLY_MOST_WAIT = 10.0  # ... up to this many seconds for their turn, and beyond it are refused
REFUSAL_DELAY = 1.0  # seconds before a refusal is answered (drawings are never refused)
DRAWINGS = "predict"  # the concurrency id of the draw and upload events, which keep the rest of the queue
MAX_ID_LENGTH = 64  # the page makes up ids of about a dozen characters
TOO_LARGE = f"The drawing is too large: the sketchpad takes images of up to {MAX_SIDE}×{MAX_SIDE} pixels."
TOO_MANY_LAYERS = f"The drawing has too many layers: the sketchpad takes {MAX_LAYERS}."
NOT_AN_IMAGE = "The drawing is not an image that can be read."
# The sentences above answer posts only a script makes (the page's sketchpad never sends them), in English
# as the API's; the queue's refusals below can reach a visitor's page, so they are in the locales.
BUSY, TOO_FAST = "refusal.busy", "refusal.too_fast"  # demo/locales keys


def blob_bytes(blobs: Any) -> int:
    """Bytes held by one set of sketchpad blobs (background, layers, composite)."""
    parts = [blobs.background, blobs.composite, *blobs.layers]
    return sum(len(part) for part in parts if part is not None)


class RecentBlobs(dict):
    """The sketchpad's store of uploaded canvas blobs: the latest BLOB_SETS_KEPT sets, BLOB_BYTES_KEPT bytes at most.

    Gradio 6.31 keeps each stroke's blobs until a drawing event names them, and from a page's second stroke
    on no event does (it sends the uploaded files instead): unbounded, that store grows with every stroke.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        # The oldest go first: a first stroke's event names its blobs within a second.
        while len(self) > BLOB_SETS_KEPT or (len(self) > 1 and self.held_bytes() > BLOB_BYTES_KEPT):
            del self[next(iter(self))]

    def held_bytes(self) -> int:
        """Bytes held by every set in the store."""
        return sum(blob_bytes(blobs) for blobs in self.values())


def image_size(data: bytes) -> tuple[int, int] | None:
    """An encoded image's width and height from its header, without decoding its pixels; None if unreadable."""
    try:
        with PIL.Image.open(io.BytesIO(data)) as image:
            return image.size
    except (PIL.Image.UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def blob_refusal(data: dict, files: list) -> str:
    """Why an accept_blobs post is not one the page would send, or ""."""
    kind, blob_id = data.get("type"), data.get("id")
    index = "null" if data.get("index") in (None, "") else str(data.get("index"))  # the form sends text, callers ints
    if kind not in BLOB_KINDS or not isinstance(blob_id, str) or not 0 < len(blob_id) <= MAX_ID_LENGTH:
        return "The sketchpad takes a background, a layer or a composite, under an id of up to 64 characters."
    if kind == "layer" and index not in {str(number) for number in range(MAX_LAYERS)}:
        return TOO_MANY_LAYERS
    if kind != "layer" and index != "null":
        return "Only layers are numbered."
    if len(files) != 1 or len(files[0][1]) > MAX_BLOB_BYTES:
        return f"Send one image of at most {MAX_BLOB_BYTES // 2**20} MB per post."
    size = image_size(files[0][1])
    if size is None:
        return NOT_AN_IMAGE
    if max(size) > MAX_SIDE:
        return TOO_LARGE
    return ""


def guard_accept_blobs(accept: Callable) -> Callable:
    """accept_blobs that refuses, with 400 and one sentence, any post the page would not send, before Gradio keeps it."""

    @wraps(accept)
    def guarded(data):
        refusal = blob_refusal(data.data, data.files)
        if refusal:
            raise HTTPException(status_code=400, detail=refusal)
        return accept(data)

    guarded._is_server_fn = True  # what Gradio's component_server route checks before calling it
    return guarded


def encoded_size(file: Any) -> tuple[int, int] | None:
    """The pixel size a sketchpad file or blob declares, read lazily from its header; None if unreadable."""
    if file is None:
        return None
    if isinstance(file, (bytes, bytearray, memoryview)):
        return image_size(bytes(file))
    try:
        with PIL.Image.open(file.path) as image:
            return image.size
    except (PIL.Image.UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def guard_decoding(convert: Callable) -> Callable:
    """The sketchpad's convert_and_format_image, refusing an image over MAX_SIDE before its pixels are decoded."""

    @wraps(convert)
    def guarded(file, *args, **kwargs):
        if file is not None:
            size = encoded_size(file)
            if size is None:
                raise gr.Error(NOT_AN_IMAGE, print_exception=False)
            if max(size) > MAX_SIDE:
                raise gr.Error(TOO_LARGE, print_exception=False)
        return convert(file, *args, **kwargs)

    return guarded


def guard_layer_count(preprocess: Callable) -> Callable:
    """The sketchpad's preprocess, refusing a value that names more than MAX_LAYERS layers before any is decoded."""

    @wraps(preprocess)
    def guarded(payload):
        if payload is not None and len(payload.layers or []) > MAX_LAYERS:
            raise gr.Error(TOO_MANY_LAYERS, print_exception=False)
        return preprocess(payload)

    return guarded


def guard_sketchpad(pad: gr.Sketchpad) -> gr.Sketchpad:
    """The sketchpad with its blob store bounded and every input checked before Gradio keeps or decodes it."""
    pad.blob_storage = RecentBlobs()
    pad.accept_blobs = guard_accept_blobs(pad.accept_blobs)
    pad.convert_and_format_image = guard_decoding(pad.convert_and_format_image)
    pad.preprocess = guard_layer_count(pad.preprocess)
    return pad


def queue_refusal(waiting: list, fn: Any, request: Any) -> str | None:
    """Why an event may not join the queue (BUSY, a locales key), or None: drawings always may; others within their share."""
    if fn.concurrency_id == DRAWINGS:
        return None
    others = [event for event in waiting if event.concurrency_id != DRAWINGS]
    address = visitor_address(request)
    mine = sum(1 for event in others if visitor_address(event.request) == address)
    return BUSY if len(others) >= OTHERS_WAITING or mine >= OTHERS_WAITING_PER_ADDRESS else None


class Allowance:
    """When each address's next event may go: `burst` at once, then `per_second` (a token bucket that may owe)."""

    KEPT = 4096  # addresses remembered; past that, those back at a full allowance are forgotten

    def __init__(self, burst: float, per_second: float, most_wait: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.per_second, self.most_wait, self.clock = burst, per_second, most_wait, clock
        self.left: dict[str | None, tuple[float, float]] = {}  # address -> (allowance left, when counted)

    def now_left(self, address: str | None) -> float:
        """The address's allowance at this moment (below zero while its waiting events owe it)."""
        left, counted = self.left.get(address, (self.burst, self.clock()))
        return min(self.burst, left + (self.clock() - counted) * self.per_second)

    def wait(self, address: str | None) -> float | None:
        """Seconds the address's next event waits for its turn, now reserved; None (nothing reserved) past most_wait."""
        left = self.now_left(address)
        seconds = max(0.0, (1 - left) / self.per_second)
        if seconds > self.most_wait:
            return None
        self.left[address] = (left - 1, self.clock())
        if len(self.left) > self.KEPT:
            self.left = {key: value for key, value in self.left.items() if self.now_left(key) < self.burst}
        return seconds


def take_turns(events: list) -> list:
    """Waiting events in the order addresses take turns: everyone's first, then everyone's second, ...; else as they came."""
    counted: Counter = Counter()
    turns = []
    for arrival, event in enumerate(events):
        address = visitor_address(event.request)
        counted[address] += 1
        turns.append((counted[address], arrival))
    return [events[arrival] for _, arrival in sorted(turns)]


class OpenSessions(LRUCache):
    """Gradio's per-session message queues, kept while their session waits for an answer: when full, the session
    used least recently with no event pending goes first; a session's queue counts as used whenever it is read."""

    def __init__(self, kept: LRUCache, pending: dict):
        super().__init__(kept.max_size)
        self.pending = pending  # Gradio's session -> ids of its events not yet answered
        self.update(kept)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self and len(self) >= self.max_size:
            idle = next((session for session in self if not self.pending.get(session)), None)
            del self[idle if idle is not None else next(iter(self))]
        super().__setitem__(key, value)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The session's queue (now the most recently used), or default."""
        return self[key] if key in self else default


def guard_queue(page: gr.Blocks) -> gr.Blocks:
    """The page's queue (after page.queue()): an event beyond its kind's share refused before Gradio queues it,
    and each kind's waiting events served with addresses taking turns."""
    queue, allowance = page._queue, Allowance(COSTLY_BURST, COSTLY_PER_SECOND, COSTLY_MOST_WAIT)
    queue.pending_messages_per_session = OpenSessions(queue.pending_messages_per_session, queue.pending_event_ids_session)
    push = queue.push

    @wraps(push)
    async def guarded(body, request, username):
        if body.fn_index is None:
            return await push(body, request, username)
        waiting = [event for line in list(queue.event_queue_per_concurrency_id.values()) for event in line.queue]
        fn = route_utils.get_fn(page, None, body)
        refusal = queue_refusal(waiting, fn, request)
        turn = 0.0 if refusal or fn.concurrency_id not in COSTLY else allowance.wait(visitor_address(request))
        if refusal or turn is None:
            await asyncio.sleep(REFUSAL_DELAY)  # a script that asks again at once waits, at no cost to the server
            # Gradio answers 503 with this sentence, which its page shows as it is: in the browser's language
            return False, say(best_language(request.headers.get("accept-language")), refusal or TOO_FAST), "queue_full"
        await asyncio.sleep(turn)  # at a person's pace, however fast they come
        answer = await push(body, request, username)
        queue.pending_messages_per_session.get(body.session_hash)  # a session that just joined is in use
        line = queue.event_queue_per_concurrency_id.get(fn.concurrency_id)
        if line is not None and len(line.queue) > 1:
            line.queue[:] = take_turns(line.queue)  # no await in between: Gradio's loop sees the list whole
        return answer

    queue.push = guarded
    return page
