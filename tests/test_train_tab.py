"""Train tab: a short run through the tab's own callback learns; sessions stay apart; Stop stops; limits hold.

Runs train small MLPs on a 6,000-image subset of the real MNIST, so each takes about a second.
"""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

import pytest
import torch

from demo.models import DEFAULT_MODEL, load_classifier
from demo.training import queue as training_queue
from demo.training import run as training_run
from demo.training.queue import TrainingQueue
from demo.training.render import accuracy_frame, loss_frame
from demo.training.session import YOUR_MODEL, TrainSession, model_choices, own_model
from demo.training.settings import MAX_EPOCHS, SETTINGS, parse_hidden
from demo.training.tab import TrainTab, stop_training, train_tab_of
from demo.ui import build_demo, use_model
from mnist_core.predict import Classifier

ROOT = Path(__file__).resolve().parent.parent
FAST = {**SETTINGS, "hidden": "64", "lr": 0.003, "batch_size": 128, "epochs": 2}


@pytest.fixture(scope="module")
def data(mnist_dir):
    """6,000 training and 2,000 test images of the real MNIST."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_DATA_DIR", str(mnist_dir))
        from mnist_core.data import load_tensors

        train, test = load_tensors(train=True), load_tensors(train=False)
    return (train[0][:6000], train[1][:6000]), (test[0][:2000], test[1][:2000])


@pytest.fixture(scope="module")
def tab() -> TrainTab:
    """The Train tab of the real page: its Start callback and the components its updates are keyed by."""
    return train_tab_of(build_demo())


@pytest.fixture(autouse=True)
def quick_updates(monkeypatch):
    monkeypatch.setattr(training_queue, "UPDATE_SECONDS", 0.05)


def start(tab: TrainTab, session: TrainSession, data, queue: TrainingQueue | None = None, current=DEFAULT_MODEL,
          request=None, **changes):
    """The Start button's callback with FAST's settings and these changes (a fresh queue unless given)."""
    return tab.start_training(session, current, request, queue=queue or TrainingQueue(), data=data, **{**FAST, **changes})


def row(tab: TrainTab, update: dict) -> list:
    """An update as the list of the Start button's outputs, None for those it leaves as they are."""
    return [update.get(component) for component in tab.outputs]


async def collect(generator) -> list[dict]:
    return [update async for update in generator]


def run_to_end(tab: TrainTab, session: TrainSession, data, queue: TrainingQueue | None = None, current=DEFAULT_MODEL,
               **changes) -> list[dict]:
    """Every update the Start button's callback streams, until it ends."""
    return asyncio.run(collect(start(tab, session, data, queue, current, **changes)))


def test_short_run_trains_a_model_that_beats_chance_and_joins_the_session(tab, data, tmp_path):
    session = TrainSession()
    updates = run_to_end(tab, session, data)
    status, losses, accuracies, digits, download, draw, state, choice, _ = row(tab, updates[-1])
    assert session.classifier is not None and state is session
    assert session.classifier.meta["test_accuracy"] > 0.5  # chance is 0.1
    assert "Done" in status and len(losses) >= 5 and len(accuracies) >= 3
    assert digits.count("<img") == 10
    # Streamed while training: progress text with a bar, and the curves growing.
    assert any("<progress" in str(update[tab.status]) for update in updates)
    # The checkpoint folder is outside the repo and downloadable as one zip, which unzips to the same model.
    path = session.checkpoint
    assert path.is_dir() and ROOT not in path.parents and load_classifier(session.classifier).meta["path"] == str(path)
    archive = Path(download.value["path"])
    assert archive.is_file() and download.value["orig_name"] == f"{path.name}.zip"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path)
    unzipped = Classifier.load(tmp_path / path.name)
    images = data[1][0][:50].float().div(255).unsqueeze(1)
    assert torch.equal(unzipped.probabilities(images), session.classifier.probabilities(images))
    # Selectable in the Model tab, and used for drawing once chosen there.
    assert (YOUR_MODEL in [value for _, value in choice.choices])
    model, facts, *_ = use_model(YOUR_MODEL, session)
    assert model is session.classifier and "trained in the Train tab" in facts
    digit = session.classifier.probabilities(data[1][0][:200].float().div(255).unsqueeze(1)).argmax(1)
    assert (digit == data[1][1][:200]).float().mean() > 0.5
    assert session.run.torch_threads == 1


def test_the_single_layer_model_trains_too(tab, data):
    session = TrainSession()
    run_to_end(tab, session, data, model="linear", hidden="", optimizer="adam", lr=0.01, batch_size=256, epochs=1)
    assert session.classifier.meta["config"] == {"name": "linear"}
    assert session.classifier.meta["test_accuracy"] > 0.5


def test_one_visitors_model_never_reaches_another(tab, data):
    mine, theirs = TrainSession(), TrainSession()
    run_to_end(tab, mine, data)
    assert theirs.classifier is None and theirs.run is None
    assert YOUR_MODEL not in [value for _, value in model_choices(theirs)]
    assert own_model(YOUR_MODEL, theirs) == DEFAULT_MODEL  # a forged choice falls back to the shipped model
    assert own_model(YOUR_MODEL, mine) is mine.classifier
    assert use_model(YOUR_MODEL, theirs)[0] == DEFAULT_MODEL


def test_retraining_replaces_the_visitors_model_and_its_file(tab, data):
    session = TrainSession()
    run_to_end(tab, session, data)
    first, first_path = session.classifier, session.checkpoint
    updates = run_to_end(tab, session, data, current=first, seed=1)
    assert session.classifier is not first and not first_path.exists()
    assert updates[-1][tab.model] is session.classifier  # they were drawing with their old model: now the new one


def test_stop_ends_the_run_and_keeps_the_model_so_far(tab, data):
    session = TrainSession()

    async def scenario():
        updates = []
        async for update in start(tab, session, data, epochs=10):
            updates.append(update)
            if "<progress" in str(update[tab.status]) and session.busy:
                assert "Stopping" in stop_training(session)
        return updates

    updates = asyncio.run(scenario())
    assert "Stopped by you" in updates[-1][tab.status]
    assert session.classifier.meta["epochs"] < 10
    assert stop_training(session) == "Nothing is training."


def test_time_limit_stops_a_long_run(tab, data, monkeypatch):
    monkeypatch.setattr(training_run, "MAX_SECONDS", 0.3)
    session = TrainSession()
    updates = run_to_end(tab, session, data, epochs=10)
    assert "limit" in updates[-1][tab.status] and session.classifier.meta["epochs"] < 10


def test_one_run_at_a_time_per_visitor(tab, data):
    session = TrainSession()

    async def scenario():
        first = start(tab, session, data, epochs=10)
        await first.__anext__()
        second = await collect(start(tab, session, data))
        stop_training(session)
        rest = await collect(first)
        return second, rest

    second, rest = asyncio.run(scenario())
    assert len(second) == 1 and "already have a training run" in second[0][tab.status]
    assert "Stopped by you" in rest[-1][tab.status]


def test_global_limit_queues_the_next_visitor_and_says_how_many_are_ahead(tab, data):
    queue = TrainingQueue(limit=1)
    first, second = TrainSession(), TrainSession()
    seen_running = []

    async def scenario():
        running = asyncio.create_task(collect(start(tab, first, data, queue, epochs=10)))
        while not (first.run and first.run.step):
            await asyncio.sleep(0.01)
        waiting = []
        async for update in start(tab, second, data, queue):
            waiting.append(update[tab.status])
            seen_running.append(queue.running)
            if len(waiting) == 3:
                stop_training(first)  # the first visitor stops: the second starts
        return await running, waiting

    first_updates, waiting = asyncio.run(scenario())
    assert "Training queue: 1 ahead" in waiting[0]
    assert max(seen_running) <= 1
    assert second.classifier is not None and "Done" in waiting[-1]
    assert queue.running == 0 and queue.waiting == 0


def test_sessions_behind_one_address_queue_instead_of_being_refused(tab, data):
    """Two tabs (or a classroom) behind one address are two sessions: the second waits its turn, told how long."""
    from types import SimpleNamespace

    queue = TrainingQueue(limit=1)
    browser_tab = lambda: SimpleNamespace(headers={"x-forwarded-for": "203.0.113.7, 10.0.0.1"}, client=SimpleNamespace(host="10.0.0.1"))  # noqa: E731
    first, second = TrainSession(), TrainSession()

    async def scenario():
        running = start(tab, first, data, queue, request=browser_tab(), epochs=10)
        await running.__anext__()
        waiting = start(tab, second, data, queue, request=browser_tab())
        queued = (await waiting.__anext__())[tab.status]
        await waiting.aclose()
        stop_training(first)
        await collect(running)
        return queued

    queued = asyncio.run(scenario())
    assert "Training queue: 1 ahead" in queued and "minute" in queued
    assert queue.running == 0 and queue.waiting == 0 and not queue.holds("10.0.0.1")


def test_one_address_holds_at_most_a_few_places():
    queue = TrainingQueue(limit=1, max_waiting=32, per_visitor=4)
    tickets = [queue.join("192.0.2.9") for _ in range(6)]
    assert sum(ticket is not None for ticket in tickets) == 4 and "4 runs from your address" in queue.refusal("192.0.2.9")
    assert queue.join("198.51.100.2") is not None


def test_training_queue_order_and_capacity():
    queue = TrainingQueue(limit=2, max_waiting=3)
    a, b, c, d = (queue.join() for _ in range(4))
    assert d is None  # full
    assert queue.holds(None) is False  # an unknown address is never counted
    assert queue.try_start(c) == 3 - 2  # two free slots, but a and b come first
    assert queue.try_start(a) == 0 and queue.try_start(b) == 0
    assert queue.try_start(c) == 1 and queue.running == 2
    queue.leave(a)
    assert queue.try_start(c) == 0 and queue.running == 2 and queue.waiting == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(hidden="4096"), "units each"),
        (dict(hidden="64, 64, 64, 64"), "hidden layers"),
        (dict(hidden="a lot"), "whole numbers"),
        (dict(epochs=MAX_EPOCHS + 1), "epochs"),
        (dict(batch_size=7), "batch size"),
        (dict(lr=5.0), "learning rate"),
        (dict(optimizer="lbfgs"), "Adam"),
    ],
)
def test_settings_out_of_bounds_are_refused_before_training(tab, changes, message):
    session = TrainSession()
    updates = run_to_end(tab, session, data=None, **changes)
    assert len(updates) == 1 and message in updates[0][tab.status] and session.run is None


def test_the_curves_are_never_sent_empty_and_are_numeric():
    """A plot first given an empty frame keeps categorical axes and no colour series for good (Gradio 6.31)."""
    import gradio as gr

    assert loss_frame(None) is None and accuracy_frame(None) is None
    run = training_run.Run(config=None)
    run.losses, run.accuracies = [(0.04, 2.1), (0.08, 1.7)], [(0.04, 0.61, "live"), (1.0, 0.93, "all")]
    for frame in (loss_frame(run), accuracy_frame(run)):
        datatypes = gr.LinePlot(x="epoch", y=frame.columns[1]).postprocess(frame).datatypes
        assert datatypes["epoch"] == datatypes[frame.columns[1]] == "quantitative", datatypes


def test_hidden_sizes_parse():
    assert parse_hidden("512, 256") == (512, 256)
    assert parse_hidden("784 → 128 → 10".replace("784 → ", "").replace(" → 10", "")) == (128,)


def test_the_tab_is_wired_with_a_shared_concurrency_group():
    demo = build_demo()
    start = next(fn for fn in demo.fns.values() if fn.name == "start_training")
    stop = next(fn for fn in demo.fns.values() if fn.name == "stop_training")
    # Waits are bounded by the training queue itself, holding no place in Gradio's queue.
    assert start.concurrency_id == "train" and start.concurrency_limit is None
    assert stop.concurrency_limit is None and stop.concurrency_id != "train"
    assert list(start.input_keyword_names) == list(SETTINGS)  # every setting reaches the callback, by its name


def test_the_tab_is_train_config_with_overrides_and_bounds():
    from dataclasses import replace

    from demo.training.settings import DEFAULTS, OVERRIDES, make_config
    from mnist_core.train import TrainConfig

    assert DEFAULTS == replace(TrainConfig(), **OVERRIDES) and make_config(SETTINGS) == DEFAULTS
    # The single layer takes neither hidden sizes nor dropout: recorded empty, the box's text never read.
    single = make_config({**SETTINGS, "model": "linear", "hidden": "not read"})
    assert (single.hidden, single.dropout) == ((), 0.0) and single.model_config() == {"name": "linear"}
