"""Train tab: train your own fully connected network with mnist_core's loop, watch it learn, then draw with it.

One run per visitor (their session, and their address across browser tabs), at most MAX_CONCURRENT_RUNS
at once for the whole app; the others wait in a first-come queue and are told how many runs are ahead.
The callback is an async generator, so a visitor waiting or watching holds no server thread; the training
itself runs in its own thread with one torch thread, leaving the other core to drawing and the gallery (see
the CPU-threads notes). The trained model lives in the visitor's session state only, and its checkpoint in a
temporary folder, never the repo.
"""

from __future__ import annotations

import asyncio
import base64
import io
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import gradio as gr
import pandas as pd
import torch
from PIL import Image
from torch import nn

from demo.models import DEFAULT_MODEL, model_names, model_title, public_message
from mnist_core.checkpoint import SUFFIX, save_checkpoint
from mnist_core.data import load_tensors
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import evaluate, to_float
from mnist_core.predict import Classifier
from mnist_core.train import EpochReport, TrainConfig, steps_per_epoch, train

# Bounds that keep one run under about a minute on a 2-vCPU Space; MAX_SECONDS stops a run that is
# slower than expected anyway (the visitor keeps the model trained so far).
MAX_EPOCHS = 10
MAX_WIDTH = 512
MAX_LAYERS = 3
BATCH_SIZES = [32, 64, 128, 256, 512, 1024]
MAX_SECONDS = 60.0
MAX_CONCURRENT_RUNS = 1  # training runs at once, whole app; one core trains, the other serves
MAX_WAITING = 32  # visitors in the training queue (waiting costs no thread); Gradio's own queue holds the rest
UPDATE_SECONDS = 0.5  # how often the page is updated while training
LIVE_TEST_IMAGES = 1000  # test images scored during an epoch, for the live accuracy curve
LOSS_POINTS_PER_EPOCH = 25
LIVE_ACCURACY_PER_EPOCH = 5

YOUR_MODEL = "your-model"  # the model picker's choice that stands for the visitor's own trained model
MODEL_KINDS = [("Single layer 784 → 10 (the tutorial's MnistModel)", "linear"), ("MLP (hidden layers below)", "mlp")]
OPTIMIZERS = [("Adam (the tutorial's)", "adam"), ("AdamW", "adamw"), ("SGD with momentum", "sgd")]
DEFAULTS = dict(model="mlp", hidden="256", optimizer="adamw", lr=0.002, batch_size=256, epochs=3, augment=False, seed=0)
CHECKPOINT_NAME = f"my-mnist-model{SUFFIX}"


# --- per-visitor state ---------------------------------------------------------------------------


class TrainSession:
    """One visitor's training: the run in progress, if any, and the last model they trained (gr.State).

    A plain class, not a dataclass: Gradio would try to serialise a dataclass into the page's config."""

    def __init__(self):
        self.run: Run | None = None
        self.classifier: Classifier | None = None
        self.checkpoint: Path | None = None

    @property
    def busy(self) -> bool:
        return self.run is not None and not self.run.finished.is_set()


def end_session(session: TrainSession | None) -> None:
    """When a visitor's session ends: stop their run and delete their checkpoint's folder."""
    if session is None:
        return
    if session.run is not None:
        session.run.stop = True
    if session.checkpoint is not None:
        shutil.rmtree(session.checkpoint.parent, ignore_errors=True)


def own_model(choice: str, session: TrainSession | None) -> str | Classifier:
    """What a Model-tab choice means for this visitor: a shipped checkpoint's name, or their own classifier."""
    if choice == YOUR_MODEL:
        if session is None or session.classifier is None:
            return DEFAULT_MODEL
        return session.classifier
    return choice


def model_choices(session: TrainSession | None) -> list[tuple[str, str]]:
    """The model picker's choices: the shipped checkpoints, then this visitor's own model if they trained one."""
    choices = [(model_title(name), name) for name in model_names()]
    if session is not None and session.classifier is not None:
        meta = session.classifier.meta
        how = f"fine-tuned on {meta['fine_tuned_on']} of your drawings" if "fine_tuned_on" in meta else "trained here"
        choices.append((f"Yours: {model_title(session.classifier)}, {how} ({meta['test_accuracy']:.1%})", YOUR_MODEL))
    return choices


# --- the global limit ----------------------------------------------------------------------------


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

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return len(self._waiting)


QUEUE = TrainingQueue()


def visitor_address(request: gr.Request | None) -> str | None:
    """Who asks, as far as the server can tell: the first forwarded address (behind Spaces' proxy), else the peer's."""
    if request is None:
        return None
    forwarded = (request.headers.get("x-forwarded-for") or "").split(",")[0].strip()
    return forwarded or (request.client.host if request.client else None)


# --- data ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def training_data() -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """MNIST's train and test splits as whole uint8 tensors, loaded once (tests replace this with a subset)."""
    return load_tensors(train=True), load_tensors(train=False)


def sample_indices(labels: torch.Tensor) -> list[int]:
    """The first test image of each digit 0-9: the ten whose predictions the page shows while training."""
    return [int((labels == digit).nonzero()[0]) for digit in range(10) if (labels == digit).any()]


# --- settings ------------------------------------------------------------------------------------


def parse_hidden(text: str) -> tuple[int, ...]:
    """'512, 256' -> (512, 256); ValueError with a sentence for the visitor if out of bounds."""
    parts = [part for part in str(text).replace(";", ",").replace("→", ",").replace(" ", ",").split(",") if part]
    try:
        sizes = tuple(int(part) for part in parts)
    except ValueError:
        raise ValueError(f"Hidden sizes must be whole numbers separated by commas, like 512, 256 (not {text!r}).") from None
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= size <= MAX_WIDTH for size in sizes):
        raise ValueError(f"Choose 1 to {MAX_LAYERS} hidden layers of 1 to {MAX_WIDTH} units each, like 256 or 512, 256.")
    return sizes


def make_config(model: str, hidden: str, optimizer: str, lr: float, batch_size: int, epochs: int, augment: bool, seed: int) -> TrainConfig:
    """The TrainConfig for the tab's settings, checked against the bounds (ValueError with a sentence if not)."""
    if model not in dict((value, label) for label, value in MODEL_KINDS):
        raise ValueError("Choose the single-layer model or an MLP.")
    if optimizer not in dict((value, label) for label, value in OPTIMIZERS):
        raise ValueError("Choose Adam, AdamW or SGD.")
    if lr is None or not 1e-5 <= float(lr) <= 1.0:
        raise ValueError("Choose a learning rate between 0.00001 and 1.")
    if int(batch_size) not in BATCH_SIZES:
        raise ValueError(f"Choose a batch size from {BATCH_SIZES}.")
    if epochs is None or not 1 <= int(epochs) <= MAX_EPOCHS:
        raise ValueError(f"Choose 1 to {MAX_EPOCHS} epochs.")
    return TrainConfig(
        model=model,
        hidden=parse_hidden(hidden) if model == "mlp" else (),
        dropout=0.0 if model == "linear" else 0.1,
        epochs=int(epochs),
        batch_size=int(batch_size),
        lr=float(lr),
        optimizer=optimizer,
        augment=bool(augment),
        seed=int(seed or 0) % 2**31,
    )


# --- one run -------------------------------------------------------------------------------------


@dataclass
class Run:
    """One training run in its own thread; the page reads its progress under `lock`."""

    config: TrainConfig
    stop: bool = False  # set by the Stop button, the session's end or the time limit
    stopped_by: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    started: float = 0.0
    step: int = 0
    epoch_steps: int = 1
    total_steps: int = 1
    losses: list[tuple[float, float]] = field(default_factory=list)  # (epoch, mean loss over the last steps)
    accuracies: list[tuple[float, float, str]] = field(default_factory=list)  # (epoch, accuracy, which test images)
    sample_predictions: list[tuple[int, float]] = field(default_factory=list)  # (digit, probability) per sample
    classifier: Classifier | None = None
    checkpoint: Path | None = None
    error: str = ""
    torch_threads: int = 0  # what the training thread ran with

    def should_stop(self) -> bool:
        if not self.stop and time.perf_counter() - self.started > MAX_SECONDS:
            self.stop, self.stopped_by = True, f"the {MAX_SECONDS:.0f} s limit"
        return self.stop

    def start(self, data=None) -> threading.Thread:
        thread = threading.Thread(target=self.work, args=(data,), name="mnist-train", daemon=True)
        thread.start()
        return thread

    def work(self, data=None) -> None:
        """Train through mnist_core.train.train, then save the checkpoint to a temp folder and load it back."""
        try:
            # One torch thread, as app.py serves: more only fight the web server for the two cores.
            # (Set here too: OpenMP's thread count is per thread, and a new thread may not inherit it.)
            torch.set_num_threads(1)
            self.torch_threads = torch.get_num_threads()
            self.started = time.perf_counter()
            (images, labels), test = data or training_data()
            per_epoch = self.epoch_steps = steps_per_epoch(len(images), self.config.batch_size)
            self.total_steps = self.config.epochs * per_epoch
            live = to_float(test[0][:LIVE_TEST_IMAGES]), test[1][:LIVE_TEST_IMAGES]
            samples = sample_indices(test[1])
            sample_images = to_float(test[0][samples])
            loss_every = max(1, per_epoch // LOSS_POINTS_PER_EPOCH)
            accuracy_every = max(1, per_epoch // LIVE_ACCURACY_PER_EPOCH)
            recent: list[float] = []
            all_test = f"all {len(test[1]):,} test images"

            def on_step(model: nn.Module, step: int, loss: float) -> None:
                recent.append(loss)
                point = None
                if step % loss_every == 0:
                    point = (step / per_epoch, sum(recent) / len(recent))
                    recent.clear()
                scored = []
                if step % accuracy_every == 0 or step == 1:
                    model.eval()
                    with torch.no_grad():
                        accuracy = float((model(live[0]).argmax(1) == live[1]).float().mean())
                        probabilities = model(sample_images).softmax(1)
                    model.train()
                    best = probabilities.max(1)
                    predictions = list(zip(best.indices.tolist(), best.values.tolist()))
                    scored.append((step / per_epoch, accuracy, f"{len(live[1]):,} test images, live"))
                if step == 1:
                    # The plot takes its colour series from its first data: both series start here.
                    scored.append((step / per_epoch, evaluate(model, *test)["accuracy"], all_test))
                with self.lock:
                    self.step = step
                    if point:
                        self.losses.append(point)
                    if scored:
                        self.accuracies.extend(scored)
                        self.sample_predictions = predictions

            def on_epoch(report: EpochReport) -> None:
                with self.lock:
                    epoch = self.step / per_epoch
                    self.accuracies.append((epoch, report.test_accuracy, all_test))

            model, meta = train(
                self.config, (images, labels), test, on_epoch=on_epoch, on_step=on_step, should_stop=self.should_stop,
            )
            meta["stopped_by"] = self.stopped_by or None
            folder = Path(tempfile.mkdtemp(prefix="mnist-train-"))
            path = save_checkpoint(folder / CHECKPOINT_NAME, model, self.config.model_config(), meta)
            classifier = Classifier.load(path)  # exactly what the visitor downloads
            with self.lock:
                self.classifier, self.checkpoint = classifier, path
        except (MnistCoreError, OSError, RuntimeError, ValueError) as error:
            self.error = public_message(error)
        finally:
            self.finished.set()


# --- what the page shows -------------------------------------------------------------------------


# No rows gives None, not an empty frame: a plot first given an empty frame keeps its axes and legend from
# it (object columns read as categories, no colour series) once the numbers arrive.
def loss_frame(run: Run | None) -> pd.DataFrame | None:
    rows = list(run.losses) if run else []
    return pd.DataFrame(rows, columns=["epoch", "loss"]) if rows else None


def accuracy_frame(run: Run | None) -> pd.DataFrame | None:
    rows = list(run.accuracies) if run else []
    return pd.DataFrame(rows, columns=["epoch", "accuracy", "measured on"]) if rows else None


def _png_data_url(image: torch.Tensor) -> str:
    buffer = io.BytesIO()
    Image.fromarray(image.numpy()).resize((56, 56), Image.Resampling.NEAREST).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def digits_html(test: tuple[torch.Tensor, torch.Tensor] | None, predictions: list[tuple[int, float]]) -> str:
    """The ten sample test digits, each with the model's current answer (green right, red wrong)."""
    if test is None:
        return ""
    indices = sample_indices(test[1])
    cells = []
    for number, index in enumerate(indices):
        label = int(test[1][index])
        if number < len(predictions):
            digit, probability = predictions[number]
            colour = "#15803d" if digit == label else "#dc2626"
            answer = f'<b style="color:{colour}">{digit}</b> <small>{probability:.0%}</small>'
        else:
            answer = "<small>…</small>"
        cells.append(
            f'<div style="text-align:center;margin:2px"><img src="{_png_data_url(test[0][index])}" '
            f'alt="test digit {label}" width="56" height="56" style="image-rendering:pixelated;display:block"/>{answer}</div>'
        )
    return '<div style="display:flex;flex-wrap:wrap;gap:4px">' + "".join(cells) + "</div>"


def progress_text(run: Run) -> str:
    with run.lock:
        step, total, per_epoch = run.step, run.total_steps, run.epoch_steps
        last = run.accuracies[-1][1] if run.accuracies else None
    elapsed = time.perf_counter() - run.started if run.started else 0.0
    epoch = min(run.config.epochs, step // per_epoch + 1)
    bar = f'<progress value="{step}" max="{total}" style="width:100%"></progress>'
    accuracy = f" · test accuracy {last:.1%}" if last is not None else ""
    return f"**Training:** epoch {epoch}/{run.config.epochs} · step {step:,}/{total:,} ({step / total:.0%}) · {elapsed:.1f} s{accuracy}\n\n{bar}"


def summary(run: Run) -> str:
    meta = run.classifier.meta
    how = f"stopped by {run.stopped_by}" if run.stopped_by else "done"
    return (
        f"### ✅ {how.capitalize()}: {meta['test_accuracy']:.2%} on the 10,000 MNIST test images\n"
        f"{model_title(run.classifier)}, {meta['epochs']} epoch(s) in {meta['training_seconds']:.1f} s. "
        "Your model is now in the model list at the top of the page (for this browser tab only): press **Draw with your model** "
        "to try it, or download its checkpoint (load it with `mnist_core.predict.Classifier.load`)."
    )


# Outputs, in order: status, loss plot, accuracy plot, digits, download, draw button, session,
# the model picker, the visitor's model (model_name state).
def _update(status, losses=None, accuracies=None, digits=None, download=None, draw=None, session=None, choice=None, model=None):
    skip = gr.skip()
    return tuple(skip if value is None else value for value in (status, losses, accuracies, digits, download, draw, session, choice, model))


async def start_training(
    model: str,
    hidden: str,
    optimizer: str,
    lr: float,
    batch_size: int,
    epochs: int,
    augment: bool,
    seed: int,
    session: TrainSession | None,
    current_model: str | Classifier,
    request: gr.Request = None,
    queue: TrainingQueue | None = None,
    data=None,
):
    """Start button: wait for a free slot, train in a thread, stream progress; the model joins this session at the end."""
    queue = queue or QUEUE
    session = session if session is not None else TrainSession()
    try:
        config = make_config(model, hidden, optimizer, lr, batch_size, epochs, augment, seed)
    except ValueError as error:
        yield _update(f"⚠️ {error}")
        return
    if session.busy:
        yield _update("⚠️ You already have a training run going: one run at a time per visitor. Stop it first.")
        return
    # Sessions are per browser tab: the address keeps one visitor with many tabs to one run too.
    visitor = visitor_address(request)
    if queue.holds(visitor):
        yield _update("⚠️ A training run from your address is already going (another tab?): one run at a time per visitor.")
        return
    run = Run(config)
    session.run = run
    ticket = queue.join(visitor)
    if ticket is None:
        run.finished.set()
        yield _update("⚠️ The training queue is full; try again in a minute.")
        return
    thread = None
    try:
        while ahead := queue.try_start(ticket):
            if run.stop:
                yield _update("Stopped before it started.")
                return
            yield _update(f"⏳ **Training queue: {ahead} ahead of you.** Your run starts when a slot frees (≤ {MAX_SECONDS:.0f} s per run).")
            await asyncio.sleep(UPDATE_SECONDS)
        test = data[1] if data else (await asyncio.to_thread(training_data))[1]
        cleared = gr.LinePlot(value=None)  # a previous run's curves go (None alone would mean "unchanged")
        yield _update("Starting…", cleared, cleared, digits_html(test, []),
                      gr.DownloadButton(visible=False), gr.Button(visible=False), session)
        thread = run.start(data)
        while not run.finished.is_set():
            await asyncio.sleep(UPDATE_SECONDS)
            with run.lock:
                predictions = list(run.sample_predictions)
            yield _update(progress_text(run), loss_frame(run), accuracy_frame(run), digits_html(test, predictions))
        await asyncio.to_thread(thread.join)
    finally:
        run.stop = True  # a closed page (cancelled generator) stops its run too
        if thread is None:
            run.finished.set()
        if run.finished.is_set():
            queue.leave(ticket)
        else:  # the slot frees when the thread has really stopped (after its current step)
            threading.Thread(target=lambda: (run.finished.wait(), queue.leave(ticket)), daemon=True).start()
    if run.classifier is None:
        yield _update(f"⚠️ Training failed: {run.error or 'no model came out'}", session=session)
        return
    if session.checkpoint is not None and session.checkpoint != run.checkpoint:
        shutil.rmtree(session.checkpoint.parent, ignore_errors=True)  # the previous run's file
    session.classifier, session.checkpoint = run.classifier, run.checkpoint
    choice = gr.Radio(choices=model_choices(session))
    # Drawing with their previous own model? Then they now draw with the new one.
    model_now = session.classifier if isinstance(current_model, Classifier) else None
    yield _update(
        summary(run), loss_frame(run), accuracy_frame(run), digits_html(test, run.sample_predictions),
        gr.DownloadButton(value=str(run.checkpoint), visible=True), gr.Button(visible=True), session, choice, model_now,
    )


def stop_training(session: TrainSession | None) -> str:
    """Stop button: ask this visitor's run to stop after the current step (its model so far is kept)."""
    if session is None or not session.busy:
        return "Nothing is training."
    session.run.stop, session.run.stopped_by = True, "you (Stop)"
    return "⏹️ Stopping after this step…"


def draw_with_own_model() -> tuple:
    """'Draw with your model': choose it in the model picker (which re-reads the drawing) and open the Draw tab."""
    return gr.Radio(value=YOUR_MODEL), gr.Tabs(selected="draw")


# --- layout --------------------------------------------------------------------------------------


def train_tab(model_name: gr.State, session: gr.State, choice: gr.Radio, tabs: gr.Tabs) -> None:
    """Settings and Start/Stop on the left; progress, live curves and sample digits on the right."""
    with gr.Tab("Train", id="train"):
        gr.Markdown(
            "Train your own fully connected network on MNIST's 60,000 training digits, here on the server's CPU, "
            "with the same loop as the shipped models. Watch the loss fall and the test accuracy rise, then draw "
            f"with it. Runs are capped at {MAX_EPOCHS} epochs and {MAX_SECONDS:.0f} s; one runs at a time."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=260):
                kind = gr.Radio(MODEL_KINDS, value=DEFAULTS["model"], label="Model")
                hidden = gr.Textbox(
                    DEFAULTS["hidden"], label="MLP hidden layer sizes",
                    info=f"e.g. 256 or 512, 256 (up to {MAX_LAYERS} layers of up to {MAX_WIDTH} units)",
                )
                optimizer = gr.Dropdown(OPTIMIZERS, value=DEFAULTS["optimizer"], label="Optimiser")
                lr = gr.Number(DEFAULTS["lr"], label="Learning rate (peak of a one-cycle schedule)", minimum=1e-5, maximum=1.0, step=0.0005)
                batch_size = gr.Dropdown(BATCH_SIZES, value=DEFAULTS["batch_size"], label="Batch size")
                epochs = gr.Slider(1, MAX_EPOCHS, value=DEFAULTS["epochs"], step=1, label="Epochs")
                augment = gr.Checkbox(DEFAULTS["augment"], label="Augment (random shifts, rotations, scaling; slower)")
                seed = gr.Number(DEFAULTS["seed"], label="Seed", precision=0, minimum=0)
                with gr.Row():
                    start = gr.Button("Start training", variant="primary")
                    stop = gr.Button("Stop", variant="stop")
            with gr.Column(scale=2):
                status = gr.Markdown("Choose the settings and press **Start training**.", elem_id="train-status")
                with gr.Row():
                    loss_plot = gr.LinePlot(x="epoch", y="loss", title="Training loss", x_title="epoch", height=260)
                    accuracy_plot = gr.LinePlot(
                        x="epoch", y="accuracy", color="measured on", title="Test accuracy", x_title="epoch", height=260,
                    )
                digits = gr.HTML(label="Ten test digits and the model's current answer")
                with gr.Row():
                    download = gr.DownloadButton(f"Download your checkpoint ({SUFFIX})", visible=False)
                    draw = gr.Button("✏️ Draw with your model", visible=False, variant="primary")
    kind.change(lambda value: gr.Textbox(interactive=value == "mlp"), kind, hidden, queue=False, api_visibility="private")
    start.click(
        start_training,
        [kind, hidden, optimizer, lr, batch_size, epochs, augment, seed, session, model_name],
        [status, loss_plot, accuracy_plot, digits, download, draw, session, choice, model_name],
        api_visibility="private",
        concurrency_limit=MAX_WAITING,  # waiting and watching are async: no thread is held
        concurrency_id="train",
        show_progress="minimal",
        show_progress_on=[status],
    )
    stop.click(stop_training, session, status, concurrency_limit=None, concurrency_id="train_stop",
               show_progress="hidden", api_visibility="private")
    draw.click(draw_with_own_model, None, [choice, tabs], api_visibility="private")
