"""Nothing outlives its visitor (issue 23, rows 3, 6, 7 and 8): the app's own files, partial uploads and idle sessions.

The app writes checkpoints and drawings downloads only under APP_FILES (fresh_folder); Gradio copies what a
visitor downloads into its own cache as the event returns, so after FILE_AGE_SECONDS the app's copy has
served its purpose and is deleted. Gradio 6.31 leaves an upload cut off mid-body in its upload folder for good,
and keeps every session (each API call opens one) until its capacity evicts the least recently used, whatever
it holds, without calling the states' delete_callback: one janitor thread sweeps all three every
SWEEP_SECONDS; a session holding no work of its visitor's ends sooner, and is the first to go at capacity.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from itertools import islice
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

APP_FILES = Path(tempfile.gettempdir()) / "mnist-demo"  # every file the app itself writes, one folder each
FILE_AGE_SECONDS = 600  # the app's files are deleted this long after they were written
PARTIAL_UPLOAD_SECONDS = 600  # an upload still unfinished after this long was cut off (10 MB at 17 KB/s)
SESSION_CAPACITY = 500  # sessions kept at once: Gradio's cost 140-170 KB each (docs/results.md, "Hostile visitors")
SESSION_IDLE_SECONDS = 1800  # a session holding its visitor's work ends this long after its last event ...
BARE_SESSION_IDLE_SECONDS = 300  # ... any other sooner (every API call opens one); delete_callbacks run either way
SWEEP_SECONDS = 30.0

_pages: weakref.WeakSet[gr.Blocks] = weakref.WeakSet()
_started = threading.Lock()
_thread: threading.Thread | None = None


def fresh_folder(prefix: str) -> Path:
    """A new, empty folder under APP_FILES for one checkpoint or download."""
    APP_FILES.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=APP_FILES))


def _older_than(path: Path, seconds: float, now: float) -> bool:
    """Whether a file or folder was last changed more than `seconds` ago (False if it is gone)."""
    try:
        return now - path.lstat().st_mtime > seconds
    except FileNotFoundError:
        return False


def sweep_app_files(age: float = FILE_AGE_SECONDS, now: float | None = None) -> int:
    """Delete the app's folders older than `age`; how many went."""
    now = time.time() if now is None else now
    gone = 0
    for entry in APP_FILES.iterdir() if APP_FILES.is_dir() else []:
        if _older_than(entry, age, now):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            gone += 1
    return gone


def sweep_partial_uploads(age: float = PARTIAL_UPLOAD_SECONDS, now: float | None = None) -> int:
    """Delete uploads Gradio began but never finished (its tmp* files at the top of its upload folder); how many."""
    # A finished upload is moved into a folder named by its hash; only a cut-off one stays here as tmp*.
    now = time.time() if now is None else now
    gone = 0
    for entry in Path(get_upload_folder()).glob("tmp*"):
        if entry.is_file() and not entry.is_symlink() and _older_than(entry, age, now):
            entry.unlink(missing_ok=True)
            gone += 1
    return gone


def holds_work(session) -> bool:
    """Whether a Gradio SessionState holds something of its visitor's own: a run, a trained model, labelled drawings."""
    return any(_is_work(value) for value in session.state_data.values())


def _is_work(value) -> bool:
    """A state value worth keeping: not a plain choice (a model's name, a language, the batch shown)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return False
    return bool(getattr(value, "holds_work", True))  # a TrainSession says; anything else (a collection) is work


def close_session(holder, session_id: str) -> None:
    """End one session: every state's delete_callback (a run stops, its files go), then the session itself."""
    holder.delete_state(session_id)
    with holder.lock:
        holder.session_data.pop(session_id, None)
        holder.time_last_used.pop(session_id, None)


def expire_sessions(page: gr.Blocks, idle: float = SESSION_IDLE_SECONDS, bare_idle: float = BARE_SESSION_IDLE_SECONDS,
                    now: float | None = None) -> int:
    """End the page's sessions with no event for `idle` seconds (`bare_idle` for those holding no work); how many."""
    holder = getattr(page, "state_holder", None)  # there once the page is served
    if holder is None:
        return 0
    evict_bare_first(holder)
    now = time.time() if now is None else now
    stale = []
    for session_id, used in list(holder.time_last_used.items()):
        session = holder.session_data.get(session_id)
        if session is not None and now - used.timestamp() > (idle if holds_work(session) else bare_idle):
            stale.append(session_id)
    for session_id in stale:
        close_session(holder, session_id)
    return len(stale)


def evict_bare_first(holder) -> None:
    """Past its capacity, have Gradio's StateHolder end the oldest sessions holding no work first, and end them
    properly (Gradio 6.31 drops the least recently used, whatever it holds, without its delete_callbacks)."""
    if getattr(holder, "evicts_bare_first", False):
        return
    update = holder.update

    def update_evicting_bare_first(session_id: str) -> None:
        with holder.lock:
            over = len(holder.session_data) - holder.capacity
            others = [] if over <= 0 else (sid for sid in holder.session_data if sid != session_id)
            victims = list(islice((sid for sid in others if not holds_work(holder.session_data[sid])), max(0, over)))
            if len(victims) < over:  # every other session holds work: the least recently used of them go
                victims += [sid for sid in holder.session_data if sid != session_id and sid not in victims][:over - len(victims)]
        for victim in victims:
            close_session(holder, victim)
        update(session_id)  # now within capacity: Gradio evicts nothing itself

    holder.update, holder.evicts_bare_first = update_evicting_bare_first, True


def sweep_once() -> None:
    """One round: the app's old files, cut-off uploads, and every served page's idle sessions."""
    sweep_app_files()
    sweep_partial_uploads()
    for page in list(_pages):
        expire_sessions(page)


def _work() -> None:
    """The janitor thread: a sweep every SWEEP_SECONDS, for the life of the process."""
    while True:
        time.sleep(SWEEP_SECONDS)
        try:
            sweep_once()
        except OSError:
            pass  # a file that went meanwhile, or an unreadable folder: the next round tries again


def look_after(page: gr.Blocks) -> gr.Blocks:
    """Sweep this page's sessions (and the app's files) from now on; one thread for the whole process."""
    global _thread
    _pages.add(page)
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_work, name="mnist-janitor", daemon=True)
            _thread.start()
    return page
