"""The shipped checkpoints a visitor can choose from, loaded once, and messages safe to show to visitors."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

from gradio.i18n import I18nData

from demo.i18n import ENGLISH, LANGUAGES, TABLES, T, page_text, say
from mnist_core.card import training_config
from mnist_core.checkpoint import CHECKPOINT_DIR, DEFAULT_CHECKPOINT, shipped_checkpoints
from mnist_core.errors import CheckpointError, MnistCoreError
from mnist_core.model import ARCHITECTURES, Architecture, layer_sizes
from mnist_core.predict import Classifier
from mnist_core.sources import has_non_digits

DEFAULT_MODEL = DEFAULT_CHECKPOINT.name
ROOT = CHECKPOINT_DIR.parent
# Any absolute POSIX or Windows path inside a message: visitors see only its last part.
ABSOLUTE_PATH = re.compile(r"(?:(?<![\w.~])/|\b[A-Za-z]:\\)(?:[^\s/\\]+[/\\])+([^\s/\\]+)")


def model_names() -> list[str]:
    """The checkpoints shipped in checkpoints/, default first (their folders' names)."""
    others = [path.name for path in shipped_checkpoints(CHECKPOINT_DIR) if path.name != DEFAULT_MODEL]
    return [DEFAULT_MODEL, *others]


def checkpoint_path(name: str) -> Path:
    """The folder of the shipped checkpoint called `name`."""
    return CHECKPOINT_DIR / name


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
        raise CheckpointError(f"There is no checkpoint called {name!r}; choose one of {', '.join(model_names())}.",
                              reason="no_such_model", name=str(name)[:40], choices=", ".join(model_names()))
    return Classifier.load(checkpoint_path(name))


def registry_text(language: str, kind: str, name: str, english: str, /, **values: object) -> str:
    """A registry entry's words in a language: demo/locales' "<kind>.<name>" where the tables have it, else the
    English the core's registry gives (a new architecture, optimiser or data source is named before it is
    translated)."""
    key = f"{kind}.{name}"
    return say(language, key, **values) if key in TABLES[ENGLISH] else english.format(**values)


def registry_label(kind: str, name: str, english: str) -> I18nData:
    """registry_text as static text for a component (a choice's label), in every language."""
    key = f"{kind}.{name}"
    return T(key) if key in TABLES[ENGLISH] else page_text(key, {language: english for language in LANGUAGES})


def architecture_of(config: dict) -> Architecture | None:
    """The registered architecture a config names, or None for a name the registry does not know."""
    return ARCHITECTURES.get(config.get("name"))


def describe(config: dict, language: str = ENGLISH) -> str:
    """A model config in a few words, e.g. 'MLP 784 → 1024 → 1024 → 10'."""
    name, kind = config.get("name"), architecture_of(config)
    title = registry_text(language, "arch", name, kind.title) if kind else str(name)
    return f"{title} {layer_sizes(config)}"


def describe_layers(config: dict, language: str = ENGLISH) -> str:
    """How a config's layers work, in one phrase ('' for a name the registry does not know)."""
    kind = architecture_of(config)
    return registry_text(language, "layers", config["name"], kind.layers, **{"dropout": 0, **config}) if kind else ""


def model_title(name: str | Classifier, language: str = ENGLISH) -> str:
    """A short human name for a checkpoint, e.g. 'MLP 784 → 512 → 256 → 10 · MNIST only'."""
    try:
        meta = load_classifier(name).meta
    except MnistCoreError:
        return say(language, "model.unloadable", name=name)
    sources = training_config(meta).get("data", ["mnist"])
    data = "model.mnist_only" if list(sources) == ["mnist"] else "model.pen_not_digits" if has_non_digits(sources) else "model.pen"
    return say(language, "model.title", description=describe(meta["config"], language), data=say(language, data))


def public_message(error: Exception, language: str = ENGLISH) -> str:
    """An error's one sentence for the visitor, in their language.

    A core error that names its reason has a sentence of its own in every language ("error.<reason>"); any
    other gets its kind's sentence around its message, the server's folders taken out of it."""
    reason = getattr(error, "reason", "")
    if reason and f"error.{reason}" in TABLES[ENGLISH]:
        return say(language, f"error.{reason}", **error.values)
    message = str(error).replace(str(ROOT) + "/", "").replace(tempfile.gettempdir() + "/", "")
    detail = ABSOLUTE_PATH.sub(r"\1", message)
    kind = next((cls.__name__ for cls in type(error).__mro__ if cls.__name__ in ERROR_KINDS), "MnistCoreError")
    return say(language, f"error.{kind}", detail=detail)


# The kinds of error with a sentence of their own in every language ("error.<kind>"), most specific first.
ERROR_KINDS = ("ImageError", "CheckpointError", "DataUnavailableError", "MnistCoreError", "ValueError")
