"""Teach a model one person's handwriting: their labelled drawings, fine-tuned on with MNIST replayed beside them.

A visitor's drawings are few (tens), so training on them alone would make the network forget everything
else; every batch therefore mixes them with MNIST digits ("replay"). A fifth of the drawings are held out
to measure what the fine-tune did to drawings it never saw.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from mnist_core.augment import augment_batch
from mnist_core.checkpoint import write_safetensors
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import evaluate
from mnist_core.model import IMAGE_SIDE, NOT_DIGIT
from mnist_core.pixels import to_float, to_uint8

MAX_DRAWINGS = 500  # a collection's size limit: far more than a visitor draws, small enough to hold in a session
HOLD_OUT_EVERY = 5  # every 5th drawing of each digit is kept back for measuring
# One fine-tune (what it does to held-out drawings and to MNIST: `python -m benchmarks.teach`, docs/results.md,
# "Teaching it your handwriting"):
STEPS = 150  # AdamW steps: enough to learn a few tens of drawings, ...
SECONDS = 8.0  # ... or this long, whichever ends first: a visitor waits for it
LR = 2e-4  # a tenth of training's peak rate: it adjusts the model, it does not retrain it
MINE_PER_BATCH = 32  # the visitor's drawings in each batch (sampled with replacement, each warped afresh) ...
REPLAY_PER_BATCH = 96  # ... beside three times as many MNIST digits, so it does not forget MNIST
LABEL_SMOOTHING = 0.05  # as in training (TrainConfig)


@dataclass(frozen=True)
class Collection:
    """A visitor's labelled drawings: uint8 images (N, 28, 28) as the network sees them, and labels (N,): 0-9 or NOT_DIGIT."""

    images: torch.Tensor = torch.zeros(0, IMAGE_SIDE, IMAGE_SIDE, dtype=torch.uint8)
    labels: torch.Tensor = torch.zeros(0, dtype=torch.int64)

    def __len__(self) -> int:
        return len(self.labels)

    def add(self, image: torch.Tensor, label: int) -> Collection:
        """A new collection with one more drawing (a 1x28x28 model input in [0, 1]) labelled `label` (a digit or NOT_DIGIT)."""
        if not 0 <= label <= NOT_DIGIT:
            raise MnistCoreError(f"label {label} is neither a digit 0-9 nor {NOT_DIGIT} (not a digit)", reason="bad_label")
        if len(self) >= MAX_DRAWINGS:
            raise MnistCoreError(f"the collection is full ({MAX_DRAWINGS} drawings); download it and clear it to go on",
                                 reason="collection_full", most=MAX_DRAWINGS)
        pixels = to_uint8(image.detach().reshape(1, IMAGE_SIDE, IMAGE_SIDE))
        return Collection(torch.cat([self.images, pixels]), torch.cat([self.labels, torch.tensor([label])]))

    def counts(self) -> list[int]:
        """How many drawings of each digit 0-9, then of "not a digit"."""
        return torch.bincount(self.labels, minlength=NOT_DIGIT + 1).tolist()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the collection atomically as a safetensors file of two tensors, `images` and `labels`."""
        return write_safetensors(path, {"images": self.images.contiguous(), "labels": self.labels.contiguous()})

    @classmethod
    def load(cls, path: str | os.PathLike) -> Collection:
        """Read a collection written by save(), or explain in one sentence why it is not one."""
        try:
            tensors = load_file(str(path))
        except (SafetensorError, OSError, ValueError) as error:
            raise MnistCoreError(f"{path} is not a drawing collection ({type(error).__name__}).") from None
        images, labels = tensors.get("images"), tensors.get("labels")
        if (
            images is None or labels is None or images.dtype != torch.uint8 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE)
            or len(images) != len(labels) or len(labels) > MAX_DRAWINGS or not bool(((labels >= 0) & (labels <= NOT_DIGIT)).all())
        ):
            raise MnistCoreError(f"{path} is not a drawing collection: it needs uint8 images (N, 28, 28) and labels 0-{NOT_DIGIT}.")
        return cls(images, labels.to(torch.int64))


def held_out(labels: torch.Tensor) -> torch.Tensor:
    """A mask of the drawings kept back for measuring: the 5th, 10th, ... of each digit (none of a digit drawn once)."""
    mask = torch.zeros(len(labels), dtype=torch.bool)
    for digit in labels.unique():
        positions = (labels == digit).nonzero().flatten()
        mask[positions[HOLD_OUT_EVERY - 1 :: HOLD_OUT_EVERY]] = True
    return mask


def finetune(
    model: nn.Module,
    drawings: tuple[torch.Tensor, torch.Tensor],
    replay: tuple[torch.Tensor, torch.Tensor],
    steps: int = STEPS,
    seconds: float = SECONDS,
    lr: float = LR,
    seed: int = 0,
) -> nn.Module:
    """A fine-tuned copy of `model`: `steps` AdamW steps (or `seconds`), each on MINE_PER_BATCH drawings and
    REPLAY_PER_BATCH MNIST digits, warped."""
    images, labels = drawings
    if len(labels) == 0:
        raise MnistCoreError("there are no drawings to learn from: draw a digit and say which it was", reason="no_drawings")
    outputs = [module for module in model.modules() if isinstance(module, nn.Linear)][-1].out_features
    if int(labels.max()) >= outputs:
        raise MnistCoreError("this model has no \"not a digit\" answer to learn; choose the default model to teach it that",
                             reason="no_not_digit_output")
    generator = torch.Generator().manual_seed(seed)
    tuned = copy.deepcopy(model).train()
    optimizer = torch.optim.AdamW(tuned.parameters(), lr=lr, weight_decay=0.0)  # no decay: a few steps, nothing to regularise
    replay_images, replay_labels = replay
    started = time.perf_counter()
    for _ in range(steps):
        mine = torch.randint(len(labels), (MINE_PER_BATCH,), generator=generator)
        theirs = torch.randint(len(replay_labels), (REPLAY_PER_BATCH,), generator=generator)
        batch = augment_batch(to_float(torch.cat([images[mine], replay_images[theirs]])), generator)
        target = torch.cat([labels[mine], replay_labels[theirs]])
        loss = F.cross_entropy(tuned(batch), target, label_smoothing=LABEL_SMOOTHING)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if time.perf_counter() - started > seconds:
            break
    return tuned.eval()


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float | None:
    """The share of uint8 images read right, or None for no images."""
    if len(labels) == 0:
        return None
    return evaluate(model, images, labels)["accuracy"]


@dataclass(frozen=True)
class TeachReport:
    """What a fine-tune did: accuracy before and after on the held-out drawings and on MNIST test."""

    trained_on: int
    held_out: int
    drawings_before: float | None  # None when no drawing was held out (too few of each digit)
    drawings_after: float | None
    mnist_before: float
    mnist_after: float
    seconds: float


def teach(
    model: nn.Module,
    collection: Collection,
    replay: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    seconds: float = SECONDS,
) -> tuple[nn.Module, TeachReport]:
    """Fine-tune a copy of `model` on the collection less its held-out drawings; measure both models on those and on `test`."""
    started = time.perf_counter()
    kept_back = held_out(collection.labels)
    mine = collection.images[~kept_back], collection.labels[~kept_back]
    unseen = collection.images[kept_back], collection.labels[kept_back]
    tuned = finetune(model, mine, replay, seconds=seconds)
    report = TeachReport(
        trained_on=len(mine[1]),
        held_out=len(unseen[1]),
        drawings_before=accuracy(model, *unseen),
        drawings_after=accuracy(tuned, *unseen),
        mnist_before=accuracy(model, *test),
        mnist_after=accuracy(tuned, *test),
        seconds=time.perf_counter() - started,
    )
    return tuned, report
