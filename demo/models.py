"""The shipped checkpoints a visitor can choose from, loaded once, and messages safe to show to visitors."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

from mnist_core.checkpoint import CHECKPOINT_DIR, DEFAULT_CHECKPOINT, SUFFIX
from mnist_core.errors import CheckpointError, MnistCoreError
from mnist_core.model import describe
from mnist_core.predict import Classifier
from mnist_core.sources import has_non_digits

DEFAULT_MODEL = DEFAULT_CHECKPOINT.stem
ROOT = CHECKPOINT_DIR.parent
# Any absolute POSIX or Windows path inside a message: visitors see only its last part.
ABSOLUTE_PATH = re.compile(r"(?:(?<![\w.~])/|\b[A-Za-z]:\\)(?:[^\s/\\]+[/\\])+([^\s/\\]+)")


def model_names() -> list[str]:
    """The checkpoints shipped in checkpoints/, default first (names without .safetensors)."""
    others = sorted(path.stem for path in CHECKPOINT_DIR.glob(f"*{SUFFIX}") if path.stem != DEFAULT_MODEL)
    return [DEFAULT_MODEL, *others]


def checkpoint_path(name: str) -> Path:
    """The file of the shipped checkpoint called `name`."""
    return CHECKPOINT_DIR / f"{name}{SUFFIX}"


def cached_for_shipped(function: Callable) -> Callable:
    """`function(model, ...)` computed once per shipped model name (and arguments); for a visitor's own
    model, held in their session as a Classifier, computed each time and never kept."""
    cached = cache(function)

    @wraps(function)
    def call(model: str | Classifier, *args, **kwargs):
        return function(model, *args, **kwargs) if isinstance(model, Classifier) else cached(model, *args, **kwargs)

    call.cache_clear = cached.cache_clear
    return call


@cached_for_shipped
def load_classifier(name: str | Classifier) -> Classifier:
    """The classifier of a shipped checkpoint, loaded once per process; a visitor's own (trained in the Train
    tab, held in their session state) is passed in place of a name and used as it is."""
    if isinstance(name, Classifier):
        return name
    if name not in model_names():
        # The name comes from the page: it never becomes a path unless it is one of ours.
        raise CheckpointError(f"There is no checkpoint called {name!r}; choose one of {', '.join(model_names())}.")
    return Classifier.load(checkpoint_path(name))


def training_config(meta: dict) -> dict:
    """How a checkpoint was trained (an ensemble: its first member), or {} where that was not recorded."""
    return meta.get("train_config") or (meta.get("members") or [{}])[0].get("train_config") or {}


def model_title(name: str | Classifier) -> str:
    """A short human name for a checkpoint, e.g. 'MLP 784 → 512 → 256 → 10 · MNIST only'."""
    try:
        meta = load_classifier(name).meta
    except MnistCoreError:
        return f"{name} (cannot be loaded)"
    sources = training_config(meta).get("data", ["mnist"])
    data = "MNIST only" if list(sources) == ["mnist"] else "MNIST + pen digits" + (" + not-digits" if has_non_digits(sources) else "")
    return f"{describe(meta['config'])} · {data}"


def public_message(error: Exception) -> str:
    """An error's one-sentence message without the server's folders (repo and temp paths shortened)."""
    message = str(error).replace(str(ROOT) + "/", "").replace(tempfile.gettempdir() + "/", "")
    return ABSOLUTE_PATH.sub(r"\1", message)
