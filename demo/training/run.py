"""One training run in its own thread: the data it trains on, the time limit, and what it records for the page."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from demo.i18n import ENGLISH, say
from demo.janitor import fresh_folder
from demo.models import public_message
from mnist_core.checkpoint import save_checkpoint, zip_checkpoint
from mnist_core.data import load_tensors
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import evaluate
from mnist_core.inference import predict_probabilities
from mnist_core.predict import Classifier
from mnist_core.train import EpochReport, TrainConfig, steps_per_epoch, train

Split = tuple[torch.Tensor, torch.Tensor]  # uint8 images (N, 28, 28) and their labels
Data = tuple[Split, Split]  # train, test

MAX_SECONDS = 60.0  # stops a run slower than expected anyway (the visitor keeps the model trained so far)
LIVE_TEST_IMAGES = 1000  # test images scored during an epoch, for the live accuracy curve
LOSS_POINTS_PER_EPOCH = 25
LIVE_ACCURACY_PER_EPOCH = 5
CHECKPOINT_NAME = "my-mnist-model"  # the folder, and its .zip the visitor downloads


@lru_cache(maxsize=1)
def training_data() -> Data:
    """MNIST's train and test splits as whole uint8 tensors, loaded once (tests replace this with a subset)."""
    return load_tensors(train=True), load_tensors(train=False)


def sample_indices(labels: torch.Tensor) -> list[int]:
    """The first test image of each digit 0-9: the ten whose predictions the page shows while training."""
    return [int((labels == digit).nonzero()[0]) for digit in range(10) if (labels == digit).any()]


@dataclass
class Run:
    """One training run in its own thread; the page reads its progress under `lock`."""

    config: TrainConfig
    language: str = ENGLISH  # the visitor's, for what the run writes (who stopped it, the curves' names)
    stop: threading.Event = field(default_factory=threading.Event)  # the Stop button, session end, time limit
    stopped_by: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    started: float = 0.0
    step: int = 0
    epoch_steps: int = 1
    total_steps: int = 1
    losses: list[tuple[float, float]] = field(default_factory=list)  # (epoch, mean loss over the last steps)
    accuracies: list[tuple[float, float, str]] = field(default_factory=list)  # (epoch, accuracy, which test images)
    sample_predictions: list[tuple[int, float]] = field(default_factory=list)  # (digit, probability) per sample
    classifier: Classifier | None = None
    checkpoint: Path | None = None  # the model's checkpoint folder
    download: Path | None = None  # the same folder as one .zip beside it
    error: str = ""
    torch_threads: int = 0  # what the training thread ran with

    def request_stop(self, by: str = "") -> None:
        """Stop after the current step; `by`, if given, is who asked, named in the summary."""
        if by:
            self.stopped_by = by
        self.stop.set()

    def should_stop(self) -> bool:
        """mnist_core.train's should_stop: asked to, or past MAX_SECONDS."""
        if not self.stop.is_set() and time.perf_counter() - self.started > MAX_SECONDS:
            self.request_stop(say(self.language, "train.stopped_by_limit", seconds=f"{MAX_SECONDS:.0f}"))
        return self.stop.is_set()

    def end(self) -> None:
        """Stop it for good (its page went, or it never got a slot); a run whose thread never started is finished."""
        self.request_stop()
        if self.thread is None:
            self.finished.set()

    def discard_when_finished(self) -> None:
        """Nobody will take this run's model (its page closed): once its thread ends, free the model and its files."""
        self.end()
        threading.Thread(target=self._discard, name="mnist-train-discard", daemon=True).start()

    def _discard(self) -> None:
        """Wait for the run to end, then drop its classifier and delete the app's folder holding its checkpoint."""
        self.finished.wait()
        with self.lock:
            checkpoint, self.classifier, self.checkpoint = self.checkpoint, None, None
        if checkpoint is not None:
            shutil.rmtree(checkpoint.parent, ignore_errors=True)

    def start(self, data: Data | None = None) -> threading.Thread:
        """Train in a new thread, on `data` or else all of MNIST."""
        self.thread = threading.Thread(target=self.work, args=(data,), name="mnist-train", daemon=True)
        self.thread.start()
        return self.thread

    def work(self, data: Data | None = None) -> None:
        """Train through mnist_core.train.train, then save the checkpoint to a temp folder and load it back."""
        try:
            # One torch thread, as app.py serves: more only fight the web server for the two cores.
            # (Set here too: OpenMP's thread count is per thread, and a new thread may not inherit it.)
            torch.set_num_threads(1)
            self.torch_threads = torch.get_num_threads()
            self.started = time.perf_counter()
            train_split, test = data or training_data()
            self.epoch_steps = steps_per_epoch(len(train_split[0]), self.config.batch_size)
            self.total_steps = self.config.epochs * self.epoch_steps
            recorder = Recorder(self, test)
            model, meta = train(
                self.config, train_split, test, on_epoch=recorder.on_epoch, on_step=recorder.on_step,
                should_stop=self.should_stop,
            )
            self._keep(model, meta)
        except (MnistCoreError, OSError, RuntimeError, ValueError) as error:
            self.error = public_message(error, self.language)
        finally:
            self.finished.set()

    def _keep(self, model: nn.Module, meta: dict) -> None:
        """Save the checkpoint in a fresh folder of the app's (never the repo), zipped for the download, and load it
        back as the run's classifier."""
        meta["stopped_by"] = self.stopped_by or None
        folder = fresh_folder("mnist-train-")  # the janitor deletes it once Gradio has its copy for the download
        path = save_checkpoint(folder / CHECKPOINT_NAME, model, self.config.model_config(), meta)
        download = zip_checkpoint(path)
        classifier = Classifier.load(path)  # exactly what the visitor downloads
        with self.lock:
            self.classifier, self.checkpoint, self.download = classifier, path, download


class Recorder:
    """mnist_core.train's on_step and on_epoch for a run: its loss curve, accuracy curves and sample answers."""

    def __init__(self, run: Run, test: Split):
        self.run, self.test = run, test
        self.live = test[0][:LIVE_TEST_IMAGES], test[1][:LIVE_TEST_IMAGES]
        self.samples = test[0][sample_indices(test[1])]
        self.loss_every = max(1, run.epoch_steps // LOSS_POINTS_PER_EPOCH)
        self.accuracy_every = max(1, run.epoch_steps // LIVE_ACCURACY_PER_EPOCH)
        self.recent: list[float] = []  # losses since the last point
        self.live_name = say(run.language, "train.live_series", count=len(self.live[1]))
        self.all_name = say(run.language, "train.all_series", count=len(test[1]))

    def on_step(self, model: nn.Module, step: int, loss: float) -> None:
        """After each step: a loss point every loss_every steps, live scores every accuracy_every (and the first)."""
        point = self._loss_point(step, loss)
        scored, predictions = self._scores(model, step) if step % self.accuracy_every == 0 or step == 1 else ([], [])
        with self.run.lock:
            self.run.step = step
            if point:
                self.run.losses.append(point)
            if scored:
                self.run.accuracies.extend(scored)
                self.run.sample_predictions = predictions

    def on_epoch(self, report: EpochReport) -> None:
        """After each epoch: its accuracy on all the test images."""
        with self.run.lock:
            epoch = self.run.step / self.run.epoch_steps
            self.run.accuracies.append((epoch, report.test_accuracy, self.all_name))

    def _loss_point(self, step: int, loss: float) -> tuple[float, float] | None:
        """(epoch, mean loss since the last point) every loss_every steps, else None."""
        self.recent.append(loss)
        if step % self.loss_every:
            return None
        point = (step / self.run.epoch_steps, sum(self.recent) / len(self.recent))
        self.recent.clear()
        return point

    def _scores(self, model: nn.Module, step: int) -> tuple[list[tuple[float, float, str]], list[tuple[int, float]]]:
        """Accuracy points to plot now, and the sample digits' (answer, probability)."""
        epoch = step / self.run.epoch_steps
        scored = [(epoch, evaluate(model, *self.live)["accuracy"], self.live_name)]
        if step == 1:
            # The plot takes its colour series from its first data: both series start here.
            scored.append((epoch, evaluate(model, *self.test)["accuracy"], self.all_name))
        best = predict_probabilities(model, self.samples).max(1)
        return scored, list(zip(best.indices.tolist(), best.values.tolist()))
