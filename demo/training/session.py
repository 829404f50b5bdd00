"""One visitor's training state (a gr.State): their run, their own model, and what the model picker offers them."""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path

import gradio as gr

from demo.i18n import ENGLISH, say
from demo.models import DEFAULT_MODEL, model_names, model_title
from demo.training.run import Run
from mnist_core.predict import Classifier

YOUR_MODEL = "your-model"  # the model picker's choice that stands for the visitor's own trained model


class TrainSession:
    """One visitor's training: the run in progress, if any, and the last model they trained (gr.State).

    A plain class, not a dataclass: Gradio would try to serialise a dataclass into the page's config."""

    def __init__(self):
        self.run: Run | None = None
        self.classifier: Classifier | None = None
        self.checkpoint: Path | None = None

    @property
    def holds_work(self) -> bool:
        """Whether there is anything of theirs to keep: a run or a trained model (demo.janitor asks)."""
        return self.run is not None or self.classifier is not None

    @property
    def busy(self) -> bool:
        """Whether their run is still going."""
        return self.run is not None and not self.run.finished.is_set()

    def adopt(self, run: Run) -> None:
        """The finished run's model becomes theirs; the app's folder holding the previous run's checkpoint goes."""
        if self.checkpoint is not None and self.checkpoint != run.checkpoint:
            shutil.rmtree(self.checkpoint.parent, ignore_errors=True)
        self.classifier, self.checkpoint = run.classifier, run.checkpoint


def end_session(session: TrainSession | None) -> None:
    """When a visitor's session ends: stop their run and delete the app's folder holding their checkpoint."""
    if session is None:
        return
    if session.run is not None:
        session.run.request_stop()
    if session.checkpoint is not None:
        shutil.rmtree(session.checkpoint.parent, ignore_errors=True)


def own_model(choice: str, session: TrainSession | None) -> str | Classifier:
    """What a Model-tab choice means for this visitor: a shipped checkpoint's name, or their own classifier."""
    if choice == YOUR_MODEL:
        if session is None or session.classifier is None:
            return DEFAULT_MODEL
        return session.classifier
    return choice


def model_choices(session: TrainSession | None, language: str = ENGLISH) -> list[tuple[str, str]]:
    """The model picker's choices: the shipped checkpoints, then this visitor's own model if they trained one."""
    choices = [(model_title(name, language), name) for name in model_names()]
    if session is not None and session.classifier is not None:
        meta = session.classifier.meta
        how = (
            say(language, "model.fine_tuned_on", count=meta["fine_tuned_on"]) if "fine_tuned_on" in meta
            else say(language, "model.trained_here")
        )
        title = say(language, "model.yours", title=model_title(session.classifier, language), how=how,
                    accuracy=meta["test_accuracy"])
        choices.append((title, YOUR_MODEL))
    return choices


def trusted_proxies() -> int:
    """How many proxies in front of the app append to X-Forwarded-For (MNIST_TRUSTED_PROXIES, default 1: Spaces')."""
    try:
        return max(0, int(os.environ.get("MNIST_TRUSTED_PROXIES", "1")))
    except ValueError:
        return 1


def visitor_address(request: gr.Request | None) -> str | None:
    """Who asks, as far as the server can tell: the address the nearest trusted proxy saw, else the peer's.

    The client writes the start of X-Forwarded-For itself; each proxy in front appends the address it was
    reached from. So the entry MNIST_TRUSTED_PROXIES from the end is the visitor as our own proxy saw them,
    and the header is read at all only when the peer is a proxy on a private or loopback address.
    """
    if request is None:
        return None
    peer = request.client.host if request.client else None
    hops = trusted_proxies()
    entries = [entry.strip() for entry in (request.headers.get("x-forwarded-for") or "").split(",") if entry.strip()]
    if hops and entries and _is_private(peer):
        return entries[-min(hops, len(entries))]
    return peer


def _is_private(address: str | None) -> bool:
    """Whether an address is loopback or private (a proxy in front of the app), not the open internet."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return parsed.is_private or parsed.is_loopback
