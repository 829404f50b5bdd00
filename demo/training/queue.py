"""The training queue: at most MAX_CONCURRENT_RUNS runs at once for the whole app, first come, first served.

The Train tab's runs and the Draw tab's fine-tunes (demo/teach.py) both wait here, so neither runs beside
another visitor's. Waiting is async: a visitor in the queue holds no server thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

MAX_CONCURRENT_RUNS = 1  # training runs at once, whole app; one core trains, the other serves
MAX_WAITING = 32  # visitors in the training queue (waiting costs no thread); Gradio's own queue holds the rest
UPDATE_SECONDS = 0.5  # how often a waiting or watching page is updated


class TrainingQueue:
    """First come, first served: at most `limit` runs at once, one ticket per visitor; the others wait their turn."""

    def __init__(self, limit: int = MAX_CONCURRENT_RUNS, max_waiting: int = MAX_WAITING):
        self.limit, self.max_waiting = limit, max_waiting
        self._lock = threading.Lock()
        self._waiting: list[object] = []
        self._running: set[object] = set()
        self._visitors: dict[object, str] = {}  # ticket -> who holds it

    def _held(self, visitor: str | None) -> bool:
        """Whether this visitor already waits or trains (None: unknown, never counted); call under the lock."""
        return visitor is not None and visitor in self._visitors.values()

    def holds(self, visitor: str | None) -> bool:
        """Whether this visitor already waits or trains (None: unknown, never counted)."""
        with self._lock:
            return self._held(visitor)

    def join(self, visitor: str | None = None) -> object | None:
        """A ticket in the queue, or None when the queue is full or this visitor already holds one."""
        with self._lock:
            if len(self._waiting) >= self.max_waiting or self._held(visitor):
                return None
            ticket = object()
            self._waiting.append(ticket)
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
                self._running.add(ticket)
                return 0
            return position - free + 1

    def leave(self, ticket: object) -> None:
        """The ticket's run ended, or it gave up waiting."""
        with self._lock:
            self._running.discard(ticket)
            self._visitors.pop(ticket, None)
            if ticket in self._waiting:
                self._waiting.remove(ticket)

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
