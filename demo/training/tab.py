"""The Train tab's layout and its callbacks: Start streams a run's progress, Stop stops it, then draw with the model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, fields
from typing import Any

import gradio as gr

from demo.i18n import T, say, visitor_language
from demo.models import registry_label
from demo.training.queue import QUEUE, TrainingQueue, every_update, wait_text, wait_turn
from demo.training.render import accuracy_frame, digits_html, loss_frame, progress_text, summary
from demo.training.run import MAX_SECONDS, Data, Run, Split, training_data
from demo.training.session import YOUR_MODEL, TrainSession, model_choices, visitor_address
from demo.training.settings import (
    BATCH_SIZES,
    LR_RANGE,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_WIDTH,
    SETTINGS,
    SettingError,
    make_config,
    takes,
)
from mnist_core.checkpoint import ARCHIVE_SUFFIX
from mnist_core.model import ARCHITECTURES, TRAINABLE
from mnist_core.predict import Classifier
from mnist_core.train import OPTIMIZERS

Update = dict[gr.components.Component, Any]  # components left out stay as they are



@dataclass(eq=False)
class TrainTab:
    """The components the Start button updates; its callback streams dicts keyed by them."""

    status: gr.Markdown
    losses: gr.LinePlot
    accuracies: gr.LinePlot
    digits: gr.HTML
    download: gr.DownloadButton
    draw: gr.Button
    session: gr.State
    choice: gr.Radio
    model: gr.State  # what the visitor draws with: a shipped model's name, or their own Classifier
    language: gr.State  # the visitor's choice of language (an input, never updated here)

    @property
    def outputs(self) -> list[gr.components.Component]:
        """Every component the Start button may update."""
        return [getattr(self, each.name) for each in fields(self) if each.name != "language"]

    async def start_training(
        self, session: TrainSession | None, current_model: str | Classifier, request: gr.Request = None,
        language: str | None = None, *, queue: TrainingQueue | None = None, data: Data | None = None, **settings: Any,
    ) -> AsyncIterator[Update]:
        """Start button: wait for a free slot, train in a thread, stream progress; the model joins this session at the end.

        Gradio hands the request in where it is annotated and the inputs (session, model, language) around it."""
        queue = queue or QUEUE
        session = session if session is not None else TrainSession()
        visitor = visitor_address(request)
        language = visitor_language(language, request)
        try:
            config = make_config(settings)
        except SettingError as error:
            yield {self.status: say(language, "warning", text=error.text(language))}
            return
        if refusal := refusal_for(session, queue, visitor, language):
            yield {self.status: refusal}
            return
        ticket = queue.join(visitor)
        if ticket is None:
            yield {self.status: say(language, "warning", text=queue_refusal(queue, visitor, language) or say(language, "train.queue_full"))}
            return
        session.run = Run(config, language)
        # aclosing: a closed page frees the slot now, not when the inner generator is collected.
        async with aclosing(self._take_turn(session, ticket, queue, current_model, data)) as updates:
            async for update in updates:
                # None stands for "as it was": no curve point yet, or no model switch for the picker.
                yield {component: value for component, value in update.items() if value is not None}

    async def _take_turn(
        self, session: TrainSession, ticket: object, queue: TrainingQueue, current_model: str | Classifier, data: Data | None,
    ) -> AsyncIterator[Update]:
        """Wait for the slot, train while showing progress, free the slot, then show the result (None: unchanged)."""
        run, test = session.run, None
        try:
            async for ahead in wait_turn(queue, ticket):
                if run.stop.is_set():
                    yield {self.status: say(run.language, "train.stopped_before")}
                    return
                wait = wait_text(queue.wait_seconds(ahead, MAX_SECONDS), run.language)
                yield {self.status: say(run.language, "train.waiting", ahead=ahead, wait=wait, seconds=f"{MAX_SECONDS:.0f}")}
            test = data[1] if data else (await asyncio.to_thread(training_data))[1]
            yield self._starting(session, test)
            run.start(data)
            async for _ in every_update(run.finished):
                yield self._progress(run, test)
            await asyncio.to_thread(run.thread.join)
        except BaseException:
            # The page closed (cancelled, or closed at a yield): nobody takes this run's model, so it and its
            # files go once the thread ends, instead of staying in a session that may never end.
            run.discard_when_finished()
            raise
        finally:
            run.end()  # a closed page (cancelled generator) stops its run too
            queue.leave_when(ticket, run.finished)
        yield self._result(session, current_model, test)

    def _starting(self, session: TrainSession, test: Split) -> Update:
        """The run has its slot: a previous run's curves, download and draw button go."""
        cleared = gr.LinePlot(value=None)  # None alone would mean "unchanged"
        return {
            self.status: say(session.run.language, "train.starting"), self.losses: cleared, self.accuracies: cleared,
            self.digits: digits_html(test, [], session.run.language),
            self.download: gr.DownloadButton(visible=False), self.draw: gr.Button(visible=False), self.session: session,
        }

    def _progress(self, run: Run, test: Split) -> Update:
        """While training: the progress line, the curves so far and the sample digits' current answers."""
        with run.lock:
            predictions = list(run.sample_predictions)
        return {
            self.status: progress_text(run), self.losses: loss_frame(run), self.accuracies: accuracy_frame(run),
            self.digits: digits_html(test, predictions, run.language),
        }

    def _result(self, session: TrainSession, current_model: str | Classifier, test: Split) -> Update:
        """The end: the model joins the session and the picker, or the page says why there is none."""
        run = session.run
        if run.classifier is None:
            why = run.error or say(run.language, "train.no_model")
            return {self.status: say(run.language, "train.failed", why=why), self.session: session}
        session.adopt(run)
        return {
            self.status: summary(run), self.losses: loss_frame(run), self.accuracies: accuracy_frame(run),
            self.digits: digits_html(test, run.sample_predictions, run.language),
            self.download: gr.DownloadButton(value=str(run.download), visible=True), self.draw: gr.Button(visible=True),
            self.session: session, self.choice: gr.Radio(choices=model_choices(session, run.language)),
            # Drawing with their previous own model? Then they now draw with the new one.
            self.model: session.classifier if isinstance(current_model, Classifier) else None,
        }


def refusal_for(session: TrainSession, queue: TrainingQueue, visitor: str | None, language: str = "en") -> str:
    """Why this visitor may not start a run now, or "": one run at a time per session, a few per address."""
    if session.busy:
        return say(language, "train.already")
    # Several sessions behind one address (tabs, or a classroom) queue, each behind everyone else's first run.
    refusal = queue_refusal(queue, visitor, language)
    return say(language, "warning", text=refusal) if refusal else ""


def queue_refusal(queue: TrainingQueue, visitor: str | None, language: str) -> str:
    """Why the training queue would refuse this visitor now, in their language, or ""."""
    if not queue.refusal(visitor):
        return ""
    if queue.waiting >= queue.max_waiting:
        return say(language, "train.queue_full")
    return say(language, "train.per_visitor", count=queue.per_visitor)


def stop_training(session: TrainSession | None, language: str | None = None, request: gr.Request = None) -> str:
    """Stop button: ask this visitor's run to stop after the current step (its model so far is kept)."""
    language = visitor_language(language, request)
    if session is None or not session.busy:
        return say(language, "train.nothing")
    session.run.request_stop(say(language, "train.stopped_by_you"))
    return say(language, "train.stopping")


def draw_with_own_model() -> tuple:
    """'Draw with your model': choose it in the model picker (which re-reads the drawing) and open the Draw tab."""
    return gr.Radio(value=YOUR_MODEL), gr.Tabs(selected="draw")


# --- layout --------------------------------------------------------------------------------------


def settings_inputs() -> dict[str, gr.components.Component]:
    """One input per setting, keyed and filled in as in SETTINGS; the choices from the core's registries."""
    kinds = [(registry_label("arch", name, ARCHITECTURES[name].title), name) for name in TRAINABLE]
    optimizers = [(registry_label("optimizer", name, optimizer.label), name) for name, optimizer in OPTIMIZERS.items()]
    return dict(
        model=gr.Radio(kinds, value=SETTINGS["model"], label=T("train.model")),
        hidden=gr.Textbox(
            SETTINGS["hidden"], label=T("train.hidden"), info=T("train.hidden_info", layers=MAX_LAYERS, width=MAX_WIDTH),
        ),
        optimizer=gr.Dropdown(optimizers, value=SETTINGS["optimizer"], label=T("train.optimizer")),
        lr=gr.Number(SETTINGS["lr"], label=T("train.lr"), minimum=LR_RANGE[0], maximum=LR_RANGE[1], step=0.0005),
        batch_size=gr.Dropdown(BATCH_SIZES, value=SETTINGS["batch_size"], label=T("train.batch_size")),
        epochs=gr.Slider(1, MAX_EPOCHS, value=SETTINGS["epochs"], step=1, label=T("train.epochs")),
        augment=gr.Checkbox(SETTINGS["augment"], label=T("train.augment")),
        seed=gr.Number(SETTINGS["seed"], label=T("train.seed"), precision=0, minimum=0),
    )


def progress_panel(session: gr.State, choice: gr.Radio, model: gr.State, language: gr.State) -> TrainTab:
    """The status line, the live curves and sample digits, then the download and draw buttons."""
    status = gr.Markdown(T("train.ready"), elem_id="train-status")
    with gr.Row():
        losses = gr.LinePlot(x="epoch", y="loss", title=T("train.loss_title"), x_title=T("train.epoch_axis"), height=260)
        accuracies = gr.LinePlot(x="epoch", y="accuracy", color="measured on", title=T("train.accuracy_title"),
                                 x_title=T("train.epoch_axis"), height=260)
    digits = gr.HTML(label=T("train.digits"))
    with gr.Row():
        download = gr.DownloadButton(T("train.download", suffix=ARCHIVE_SUFFIX), visible=False)
        draw = gr.Button(T("train.draw"), visible=False, variant="primary")
    return TrainTab(status, losses, accuracies, digits, download, draw, session, choice, model, language)


def train_tab(
    model: gr.State, session: gr.State, choice: gr.Radio, tabs: gr.Tabs, language: gr.State, switch: gr.Radio,
) -> TrainTab:
    """Settings and Start/Stop on the left; progress, live curves and sample digits on the right."""
    with gr.Tab(T("tab.train"), id="train"):
        gr.Markdown(T("train.intro", epochs=MAX_EPOCHS, seconds=f"{MAX_SECONDS:.0f}"))
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=260):
                settings = settings_inputs()
                with gr.Row():
                    start = gr.Button(T("train.start"), variant="primary")
                    stop = gr.Button(T("train.stop"), variant="stop")
            with gr.Column(scale=2):
                tab = progress_panel(session, choice, model, language)
    settings["model"].change(lambda value: gr.Textbox(interactive=takes(value, "hidden")), settings["model"], settings["hidden"],
                             queue=False, api_visibility="private")
    start.click(
        tab.start_training, [session, model, language], tab.outputs, inputs_kwargs=settings, api_visibility="private",
        # The values as sent: make_config reads each setting itself, so NaN, Infinity or "abc" in a number field
        # gets one sentence instead of Gradio's bare "Error" from its own conversion.
        preprocess=False,
        # Waiting and watching are async and the training queue bounds them itself: a wait holds no thread and
        # no place in Gradio's queue, which drawings share.
        concurrency_limit=None,
        concurrency_id="train", show_progress="minimal", show_progress_on=[tab.status],
    )
    stop.click(stop_training, [session, language], tab.status, concurrency_limit=None, concurrency_id="train_stop",
               show_progress="hidden", api_visibility="private")
    tab.draw.click(draw_with_own_model, None, [choice, tabs], api_visibility="private")
    switch.change(training_in_language, [session, switch], tab.status, api_visibility="private", show_progress="hidden",
                  concurrency_limit=None, concurrency_id="train_language")  # reads and sets a string: never waits
    return tab


def training_in_language(session: TrainSession | None, language: str) -> str:
    """The language switch: a run goes on writing in the new language; a finished run's summary is written again."""
    run = session.run if session is not None else None
    if run is None:
        return gr.skip()
    run.language = language  # the next progress line, waiting line or summary is in it
    if run.finished.is_set() and run.classifier is not None:
        return summary(run)
    return gr.skip()  # running or waiting: its next update (within a second or two) comes in the new language


def train_tab_of(page: gr.Blocks) -> TrainTab:
    """The Train tab of a built page, for tests and benchmarks that drive its Start callback as the page does."""
    return next(fn.fn.__self__ for fn in page.fns.values() if fn.name == "start_training")
