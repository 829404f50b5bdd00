"""Teach it your handwriting: say what you drew, keep your drawings in this tab, fine-tune a copy of the model on them.

The drawings live in the visitor's session only (a gr.State), never on the server's disk; a download
writes them to a temporary file the visitor takes away. Fine-tuning waits its turn in the Train tab's
queue (demo/training/queue.py), so it never runs beside another visitor's training.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import gradio as gr
import torch

from demo.draw import sketch_ink
from demo.janitor import fresh_folder
from demo.models import load_classifier, public_message
from demo.training.queue import QUEUE, wait_text, wait_turn
from demo.training.run import MAX_SECONDS, training_data
from demo.training.session import YOUR_MODEL, TrainSession, model_choices, visitor_address
from mnist_core.errors import EmptyImageError, MnistCoreError
from mnist_core.finetune import MAX_DRAWINGS, Collection, TeachReport, teach
from mnist_core.model import NOT_DIGIT, label_name
from mnist_core.predict import Classifier
from mnist_core.preprocess import preprocess

MIN_DRAWINGS = 5
TEACH_SECONDS = 8.0  # the fine-tune's own budget; measuring before and after adds about a second
COLLECTION_NAME = "my-drawings.safetensors"


def collection_text(collection: Collection | None) -> str:
    """How many drawings of each digit the visitor has labelled."""
    collection = collection or Collection()
    if not len(collection):
        return f"**Your drawings: none yet.** Draw a digit, then press the digit it was (up to {MAX_DRAWINGS})."
    counts = " · ".join(f"{label_name(label)}: {count}" for label, count in enumerate(collection.counts()) if count)
    return f"**Your drawings: {len(collection)}** ({counts})"


def labeller(digit: int) -> Callable[[dict | None, Collection | None], tuple[Collection | None, str]]:
    """The callback of the "It was a <digit>" (or "not a digit") button: the drawing joins the collection with that label."""

    def add_drawing(sketch: dict | None, collection: Collection | None) -> tuple[Collection | None, str]:
        collection = collection or Collection()
        ink = sketch_ink(sketch)
        try:
            image = None if ink is None else preprocess(ink)
            collection = collection if image is None else collection.add(image, digit)
        except EmptyImageError:
            image = None
        except MnistCoreError as error:
            return collection, f"{collection_text(collection)}\n\n⚠️ {public_message(error)}"
        if image is None:
            return collection, f"{collection_text(collection)}\n\n⚠️ Draw a digit first, then say which it was."
        return collection, f"{collection_text(collection)}\n\n✅ Kept as {'' if digit == NOT_DIGIT else 'a '}**{label_name(digit)}**."

    add_drawing.__name__ = f"it_was_{label_name(digit).replace(' ', '_')}"
    return add_drawing


def clear_collection() -> tuple[None, str]:
    """Forget this visitor's drawings."""
    return None, collection_text(None)


def download_collection(collection: Collection | None) -> str | None:
    """The drawings as a safetensors file (images uint8 N x 28 x 28, labels) in a fresh temp folder, or None."""
    if collection is None or not len(collection):
        return None
    folder = fresh_folder("mnist-drawings-")  # the janitor deletes it once Gradio has its copy
    return str(collection.save(folder / COLLECTION_NAME))


def _percent(value: float | None) -> str:
    """A share as a percentage, or a dash when nothing was measured."""
    return "–" if value is None else f"{value:.0%}"


def report_text(report: TeachReport) -> str:
    """The before/after figures of a fine-tune, for the page."""
    if report.held_out:
        mine = (
            f"| your {report.held_out} held-out drawings (not trained on) | {_percent(report.drawings_before)} | "
            f"**{_percent(report.drawings_after)}** |"
        )
    else:
        mine = "| your held-out drawings | – | – (label 5 of a digit to hold one out) |"
    return (
        f"✅ **Fine-tuned on {report.trained_on} of your drawings in {report.seconds:.1f} s.** It is now your model "
        f"in the picker; draw again to try it.\n\n| read right | before | after |\n| --- | --- | --- |\n{mine}\n"
        f"| MNIST test (10,000) | {report.mnist_before:.2%} | **{report.mnist_after:.2%}** |"
    )


def _teach_in_thread(
    model: torch.nn.Module, collection: Collection, idle: threading.Event
) -> tuple[torch.nn.Module, TeachReport]:
    """Fine-tune on one torch thread, as the app serves (OpenMP's thread count is per thread); then set `idle`."""
    try:
        torch.set_num_threads(1)
        train, test = training_data()
        return teach(model, collection, train, test, seconds=TEACH_SECONDS)
    finally:
        idle.set()


async def teach_handwriting(
    collection: Collection | None,
    session: TrainSession | None,
    current_model: str | Classifier,
    request: gr.Request = None,
):
    """Fine-tune button: a copy of the visitor's model learns their drawings, waiting its turn; it becomes their model."""
    skip = gr.skip()
    collection = collection or Collection()
    if len(collection) < MIN_DRAWINGS:
        yield f"⚠️ Label at least {MIN_DRAWINGS} drawings first (you have {len(collection)}).", skip, skip, skip
        return
    session = session if session is not None else TrainSession()
    ticket = None if session.busy else QUEUE.join(visitor_address(request))
    if ticket is None:
        yield "⚠️ A training run of yours is going, or the queue is full; try again when it ends.", skip, skip, skip
        return
    idle = threading.Event()  # set while no fine-tune of this call runs
    idle.set()
    try:
        async for ahead in wait_turn(QUEUE, ticket):
            wait = wait_text(QUEUE.wait_seconds(ahead, MAX_SECONDS))
            yield f"⏳ **Training queue: {ahead} ahead of you** ({wait}).", skip, skip, skip
        yield f"Fine-tuning on your drawings (about {TEACH_SECONDS:.0f} s)…", skip, skip, skip
        base = load_classifier(current_model)
        idle.clear()
        tuned, report = await asyncio.shield(asyncio.to_thread(_teach_in_thread, base.model, collection, idle))
    except MnistCoreError as error:
        yield f"⚠️ {public_message(error)}", skip, skip, skip
        return
    finally:
        # A closed page cancels this generator, not the thread: the slot frees when the fine-tune really ends.
        QUEUE.leave_when(ticket, idle)
    meta = {
        **base.meta, "test_accuracy": report.mnist_after, "fine_tuned_on": report.trained_on,
        "fine_tuned_from": base.meta.get("path", ""),
    }
    session.classifier = Classifier(tuned, meta)
    yield report_text(report), session, gr.Radio(choices=model_choices(session), value=YOUR_MODEL), session.classifier


def teach_panel(sketchpad: gr.Sketchpad, session: gr.State, model_name: gr.State, choice: gr.Radio) -> None:
    """"It was a …" digit buttons, the visitor's collection and the fine-tune button, under the answer."""
    collection = gr.State(None)  # a Collection once they label one; None, not an object, so nothing lands in the page config
    with gr.Column(elem_id="it-was", variant="panel"):
        gr.Markdown("**It was a …** (tell it what you drew; your drawings stay in this browser tab)")
        with gr.Row(equal_height=True):
            buttons = [
                gr.Button(label_name(label), size="sm", min_width=32, elem_classes="it-was-digit" + (" it-was-other" if label == NOT_DIGIT else ""))
                for label in range(NOT_DIGIT + 1)
            ]
        counts = gr.Markdown(collection_text(None), elem_id="my-drawings")
    with gr.Accordion("Teach it your handwriting", open=False, elem_id="teach"):
        with gr.Row():
            fine_tune = gr.Button("Fine-tune on my drawings", variant="primary", elem_id="fine-tune")
            download = gr.DownloadButton("Download my drawings")
            forget = gr.Button("Clear my drawings")
        result = gr.Markdown(
            f"A copy of the model you draw with learns your labelled drawings (every 5th of each digit held out to "
            f"measure it), with MNIST replayed so it does not forget it: about {TEACH_SECONDS:.0f} s on the server's CPU."
        )
    for digit, button in enumerate(buttons):
        button.click(labeller(digit), [sketchpad, collection], [collection, counts], api_visibility="private",
                     show_progress="hidden", concurrency_limit=None)
    forget.click(clear_collection, None, [collection, counts], api_visibility="private", concurrency_limit=None)
    download.click(download_collection, collection, download, api_visibility="private")
    fine_tune.click(
        teach_handwriting, [collection, session, model_name], [result, session, choice, model_name],
        api_visibility="private", concurrency_limit=None, concurrency_id="teach",
    )
