"""The training queue: at most MAX_CONCURRENT_RUNS runs at once for the whole app, first come, first served.

The Train tab's runs and the Draw tab's fine-tunes (demo/teach.py) both wait here, so neither runs beside
another visitor's. Waiting is async: a visitor in the queue holds no server thread.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import threading
import time
from collections import deque
from collections.abc import AsyncIterator

from demo.i18n import ENGLISH, say

MAX_CONCURRENT_RUNS = 1  # training runs at once, whole app; one core trains, the other serves
MAX_WAITING = 32  # visitors in the training queue (waiting costs no thread, and no place in Gradio's queue)
# Runs one visitor (address) may have waiting or running: a classroom behind one address queues, but one
# script cannot hold every place; each visitor's next run waits behind everyone else's first.
MAX_PER_VISITOR = 4
UPDATE_SECONDS = 0.5  # how often a waiting or watching page is updated
RECENT_RUNS = 8  # the last runs' durations estimate how long a place in the queue waits


class TrainingQueue:
    """At most `limit` runs at once; the others wait in turn, each visitor's k-th run behind everyone's (k-1)-th."""

    def __init__(self, limit: int = MAX_CONCURRENT_RUNS, max_waiting: int = MAX_WAITING, per_visitor: int = MAX_PER_VISITOR):
        self.limit, self.max_waiting, self.per_visitor = limit, max_waiting, per_visitor
        self._lock = threading.Lock()
        self._waiting: list[object] = []  # in turn order
        self._order: dict[object, tuple[int, int]] = {}  # ticket -> (its visitor's tickets before it, arrival)
        self._arrivals = itertools.count()
        self._running: dict[object, float] = {}  # ticket -> when it started
        self._visitors: dict[object, str] = {}  # ticket -> who holds it
        self._durations: deque[float] = deque(maxlen=RECENT_RUNS)

    def _count(self, visitor: str | None) -> int:
        """Tickets this visitor holds, waiting or running (None: unknown, never counted); call under the lock."""
        return 0 if visitor is None else sum(holder == visitor for holder in self._visitors.values())

    def holds(self, visitor: str | None) -> bool:
        """Whether this visitor already waits or trains (None: unknown, never counted)."""
        with self._lock:
            return self._count(visitor) > 0

    def refusal(self, visitor: str | None) -> str:
        """Why join would refuse this visitor now, in one sentence, or ""."""
        with self._lock:
            if len(self._waiting) >= self.max_waiting:
                return "The training queue is full; try again in a minute."
            if visitor is not None and self._count(visitor) >= self.per_visitor:
                return f"{self.per_visitor} runs from your address are already queued or training; try again when one ends."
            return ""

    def join(self, visitor: str | None = None) -> object | None:
        """A ticket in the queue, or None when the queue is full or this visitor holds per_visitor tickets already."""
        with self._lock:
            held = self._count(visitor)
            if len(self._waiting) >= self.max_waiting or (visitor is not None and held >= self.per_visitor):
                return None
            ticket = object()
            self._order[ticket] = (held, next(self._arrivals))
            bisect.insort(self._waiting, ticket, key=self._order.__getitem__)
            if visitor is not None:
                self._visitors[ticket] = visitor
            return ticket

    def try_start(self, ticket: object) -> int:
        """0 if the ticket may run now (it then counts as running), else how many runs must end before it."""
        with self._lock:
            position = self._waiting.index(ticket)
            free = self.limit - len(self._running)
            if position < free:
                self._waiting.remove(ticket)
                self._running[ticket] = time.monotonic()
                return 0
            return position - free + 1

    def leave(self, ticket: object) -> None:
        """The ticket's run ended, or it gave up waiting."""
        with self._lock:
            started = self._running.pop(ticket, None)
            if started is not None:
                self._durations.append(time.monotonic() - started)
            self._visitors.pop(ticket, None)
            self._order.pop(ticket, None)
            if ticket in self._waiting:
                self._waiting.remove(ticket)

    def wait_seconds(self, ahead: int, typical: float) -> float:
        """About how long a ticket `ahead` runs from its turn waits: the recent runs' mean (else `typical`) each."""
        with self._lock:
            mean = sum(self._durations) / len(self._durations) if self._durations else typical
        return ahead * mean / self.limit

    def leave_when(self, ticket: object, finished: threading.Event) -> None:
        """Leave once `finished` is set: a stopped run, or one whose page closed, holds its core until it really ends."""
        if finished.is_set():
            self.leave(ticket)
        else:
            threading.Thread(target=lambda: (finished.wait(), self.leave(ticket)), daemon=True).start()

    @property
    def running(self) -> int:
        """Tickets running now."""
        return len(self._running)

    @property
    def waiting(self) -> int:
        """Tickets waiting for a slot."""
        return len(self._waiting)


QUEUE = TrainingQueue()


def wait_text(seconds: float, language: str = ENGLISH) -> str:
    """About how long a wait is, for the page: 'under a minute', 'about 3 minutes'."""
    minutes = round(seconds / 60)
    return say(language, "wait.under_a_minute") if minutes < 1 else say(language, "wait.minutes", variant=minutes, minutes=minutes)


async def wait_turn(queue: TrainingQueue, ticket: object) -> AsyncIterator[int]:
    """Until the ticket may run: how many runs are ahead of it, every UPDATE_SECONDS (nothing if it may run now)."""
    while ahead := queue.try_start(ticket):
        yield ahead
        await asyncio.sleep(UPDATE_SECONDS)


async def every_update(until: threading.Event) -> AsyncIterator[None]:
    """A tick every UPDATE_SECONDS, until `until` is set: when a watching page is updated."""
    while not until.is_set():
        await asyncio.sleep(UPDATE_SECONDS)
        yield
