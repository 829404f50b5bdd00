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
from demo.i18n import ENGLISH, T, say, visitor_language
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


def label_text(label: int, language: str = ENGLISH) -> str:
    """A label as the page names it: '7', or 'not a digit' in the visitor's language."""
    return say(language, "not_a_digit") if label == NOT_DIGIT else label_name(label)


def collection_text(collection: Collection | None, language: str = ENGLISH) -> str:
    """How many drawings of each digit the visitor has labelled."""
    collection = collection or Collection()
    if not len(collection):
        return say(language, "teach.none", most=MAX_DRAWINGS)
    counts = " · ".join(f"{label_text(label, language)}: {count}" for label, count in enumerate(collection.counts()) if count)
    return say(language, "teach.count", count=len(collection), counts=counts)


def labeller(digit: int) -> Callable[..., tuple[Collection | None, str]]:
    """The callback of the "It was a <digit>" (or "not a digit") button: the drawing joins the collection with that label."""

    def add_drawing(
        sketch: dict | None, collection: Collection | None, language: str | None = None, request: gr.Request = None
    ) -> tuple[Collection | None, str]:
        language = visitor_language(language, request)
        collection = collection or Collection()
        ink = sketch_ink(sketch)
        try:
            image = None if ink is None else preprocess(ink)
            collection = collection if image is None else collection.add(image, digit)
        except EmptyImageError:
            image = None
        except MnistCoreError as error:
            warning = say(language, "warning", text=public_message(error, language))
            return collection, f"{collection_text(collection, language)}\n\n{warning}"
        if image is None:
            return collection, f"{collection_text(collection, language)}\n\n{say(language, 'teach.draw_first')}"
        label = say(language, "teach.kept_not_digit") if digit == NOT_DIGIT else say(language, "teach.kept_digit", label=digit)
        return collection, f"{collection_text(collection, language)}\n\n{say(language, 'teach.kept', a_label=label)}"

    add_drawing.__name__ = f"it_was_{label_name(digit).replace(' ', '_')}"
    return add_drawing


def clear_collection(language: str | None = None, request: gr.Request = None) -> tuple[None, str]:
    """Forget this visitor's drawings."""
    return None, collection_text(None, visitor_language(language, request))


def download_collection(collection: Collection | None) -> str | None:
    """The drawings as a safetensors file (images uint8 N x 28 x 28, labels) in a fresh temp folder, or None."""
    if collection is None or not len(collection):
        return None
    folder = fresh_folder("mnist-drawings-")  # the janitor deletes it once Gradio has its copy
    return str(collection.save(folder / COLLECTION_NAME))


def _percent(value: float | None) -> str:
    """A share as a percentage, or a dash when nothing was measured."""
    return "–" if value is None else f"{value:.0%}"


def report_text(report: TeachReport, language: str = ENGLISH) -> str:
    """The before/after figures of a fine-tune, for the page."""
    if report.held_out:
        mine = say(language, "teach.held_out", count=report.held_out, before=_percent(report.drawings_before),
                   after=_percent(report.drawings_after))
    else:
        mine = say(language, "teach.no_held_out")
    return say(language, "teach.report", count=report.trained_on, seconds=report.seconds, mine=mine,
               mnist_before=report.mnist_before, mnist_after=report.mnist_after)


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
    language: str | None = None,
    request: gr.Request = None,
):
    """Fine-tune button: a copy of the visitor's model learns their drawings, waiting its turn; it becomes their model."""
    skip = gr.skip()
    language = visitor_language(language, request)
    collection = collection or Collection()
    if len(collection) < MIN_DRAWINGS:
        yield say(language, "teach.too_few", least=MIN_DRAWINGS, count=len(collection)), skip, skip, skip
        return
    session = session if session is not None else TrainSession()
    ticket = None if session.busy else QUEUE.join(visitor_address(request))
    if ticket is None:
        yield say(language, "teach.busy"), skip, skip, skip
        return
    idle = threading.Event()  # set while no fine-tune of this call runs
    idle.set()
    try:
        async for ahead in wait_turn(QUEUE, ticket):
            wait = wait_text(QUEUE.wait_seconds(ahead, MAX_SECONDS), language)
            yield say(language, "teach.waiting", ahead=ahead, wait=wait), skip, skip, skip
        yield say(language, "teach.running", seconds=f"{TEACH_SECONDS:.0f}"), skip, skip, skip
        base = load_classifier(current_model)
        idle.clear()
        tuned, report = await asyncio.shield(asyncio.to_thread(_teach_in_thread, base.model, collection, idle))
    except MnistCoreError as error:
        yield say(language, "warning", text=public_message(error, language)), skip, skip, skip
        return
    finally:
        # A closed page cancels this generator, not the thread: the slot frees when the fine-tune really ends.
        QUEUE.leave_when(ticket, idle)
    meta = {
        **base.meta, "test_accuracy": report.mnist_after, "fine_tuned_on": report.trained_on,
        "fine_tuned_from": base.meta.get("path", ""),
    }
    session.classifier = Classifier(tuned, meta)
    choices = model_choices(session, language)
    yield report_text(report, language), session, gr.Radio(choices=choices, value=YOUR_MODEL), session.classifier


def teach_panel(
    sketchpad: gr.Sketchpad, session: gr.State, model_name: gr.State, choice: gr.Radio, language: gr.State
) -> tuple[gr.State, gr.Markdown]:
    """"It was a …" digit buttons, the visitor's collection and the fine-tune button, under the answer.

    Returns the collection's state and the Markdown that counts it (the language switch rewrites it)."""
    collection = gr.State(None)  # a Collection once they label one; None, not an object, so nothing lands in the page config
    with gr.Column(elem_id="it-was", variant="panel"):
        gr.Markdown(T("teach.it_was"))
        with gr.Row(equal_height=True):
            buttons = [
                gr.Button(T("not_a_digit") if label == NOT_DIGIT else label_name(label), size="sm", min_width=32,
                          elem_classes="it-was-digit" + (" it-was-other" if label == NOT_DIGIT else ""))
                for label in range(NOT_DIGIT + 1)
            ]
        counts = gr.Markdown(T("teach.none", most=MAX_DRAWINGS), elem_id="my-drawings")
    with gr.Accordion(T("teach.accordion"), open=False, elem_id="teach"):
        with gr.Row():
            fine_tune = gr.Button(T("teach.fine_tune"), variant="primary", elem_id="fine-tune")
            download = gr.DownloadButton(T("teach.download"))
            forget = gr.Button(T("teach.forget"))
        result = gr.Markdown(T("teach.about", seconds=f"{TEACH_SECONDS:.0f}"))
    for digit, button in enumerate(buttons):
        button.click(labeller(digit), [sketchpad, collection, language], [collection, counts], api_visibility="private",
                     show_progress="hidden", concurrency_limit=None)
    forget.click(clear_collection, language, [collection, counts], api_visibility="private", concurrency_limit=None)
    download.click(download_collection, collection, download, api_visibility="private")
    fine_tune.click(
        teach_handwriting, [collection, session, model_name, language], [result, session, choice, model_name],
        api_visibility="private", concurrency_limit=None, concurrency_id="teach",
    )
    return collection, counts
