"""Train a fully connected MNIST classifier: one clear loop over shuffled, augmented tensor batches."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mnist_core.augment import AugmentConfig, augment_batch
from mnist_core.checkpoint import load_checkpoint, test_figures
from mnist_core.data import fingerprint
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import evaluate
from mnist_core.model import DIGITS, NOT_DIGIT, TRAINABLE, architecture, build_model
from mnist_core.pixels import to_float
from mnist_core.sources import DATA_SOURCES, has_non_digits, parse_sources


@dataclass(frozen=True)
class Optimizer:
    """One optimiser `train --optimizer` offers: its name for people and how to make it for a model and a config."""

    label: str
    make: Callable[[Iterable[nn.Parameter], TrainConfig], torch.optim.Optimizer]


# fused=True updates all parameters in one kernel: for a small model the per-tensor loop costs more than the maths.
# A new optimiser is one entry here (the page names it by its label until demo/locales has "optimizer.<name>").
OPTIMIZERS: dict[str, Optimizer] = {
    "adam": Optimizer("Adam (the tutorial's)", lambda parameters, config: torch.optim.Adam(parameters, lr=config.lr, fused=True)),
    "adamw": Optimizer("AdamW", lambda parameters, config: torch.optim.AdamW(
        parameters, lr=config.lr, weight_decay=config.weight_decay, fused=True)),
    "sgd": Optimizer("SGD with momentum", lambda parameters, config: torch.optim.SGD(
        parameters, lr=config.lr, momentum=0.9, nesterov=True, fused=True)),
}


def pick_device(name: str) -> str:
    """The device asked for, or a clear error when it is not present."""
    present = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not present.get(name, False):
        raise MnistCoreError(f"Device {name!r} is not available here; use --device cpu.")
    return name


def setting(default: Any, help: str, **flag: Any) -> Any:
    """A TrainConfig field with what its `train` flag needs beside it: `help`, and `choices`, or `parse` (the
    flag's text -> the value, where a typed flag would not do), or `flag=False` for none."""
    return field(default=default, metadata={"help": help, **flag})


@dataclass
class TrainConfig:
    """Everything that decides a training run. Each field is a `train` flag (--batch-size for batch_size), made from
    its default and its metadata by mnist_core.__main__; a new option is one field here."""

    model: str = setting("mlp", "architecture (mnist_core.model.ARCHITECTURES)", choices=TRAINABLE)
    hidden: tuple[int, ...] = setting((1024, 1024), "MLP hidden sizes")
    dropout: float = setting(0.2, "dropout after each hidden layer")
    epochs: int = setting(30, "passes over the training set")
    batch_size: int = setting(256, "images per optimiser step")
    lr: float = setting(2e-3, "peak learning rate (one-cycle)")
    # The tutorial uses Adam; AdamW with one-cycle converges further.
    optimizer: str = setting("adamw", "optimiser", choices=tuple(OPTIMIZERS))
    weight_decay: float = setting(1e-2, "AdamW's weight decay")
    label_smoothing: float = setting(0.05, "cross-entropy label smoothing")
    augment: bool = setting(True, "warp every training image afresh each epoch (mnist_core.augment)")
    seed: int = setting(0, "seed of the weights, the order and the warps")
    device: str = setting("cpu", "cpu, cuda or mps", parse=pick_device)
    data: tuple[str, ...] = setting(("mnist",), f"training sources, comma-separated: {', '.join(DATA_SOURCES)}",
                                    parse=parse_sources)
    pen_copies: int = setting(4, "drawings of each pen digit")
    style_samples: int = setting(400, "samples of each style (and of each kind of doodle)")
    init: str | None = setting(None, "start from this checkpoint's weights (fine-tune)")
    init_member: int | None = setting(None, "with an ensemble --init: which member (from 0)")
    # No flag: how far each warp may go is a design choice (mnist_core.augment); a run scales it with augment_strength.
    augment_config: AugmentConfig = field(default_factory=AugmentConfig, metadata={"flag": False})
    augment_strength: float = setting(1.0, "scale every augmentation range (below 1 for gentle fine-tuning)")

    def model_config(self) -> dict:
        """The arguments of build_model, as stored in the checkpoint: the architecture's name and the options it
        takes, with an 11th output when trained on non-digits."""
        outputs = {"classes": NOT_DIGIT + 1} if has_non_digits(self.data) else {}
        options = {name: plain(getattr(self, name)) for name in architecture(self.model).options}
        return {"name": self.model, **options, **outputs}


def plain(value: Any) -> Any:
    """A config value as JSON holds it: tuples as lists."""
    return list(value) if isinstance(value, tuple) else value


def steps_per_epoch(images: int, batch_size: int) -> int:
    """Optimiser steps in one epoch: the ragged last batch is dropped, but there is always one step."""
    return max(1, images // batch_size)


@dataclass
class EpochReport:
    """What one epoch achieved, handed to the on_epoch callback (to print it, or to plot it)."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    seconds: float


def initial_model(config: TrainConfig) -> nn.Module:
    """Random weights, or those of config.init (its member config.init_member for an ensemble) to fine-tune."""
    if config.init is None:
        return build_model(**config.model_config())
    model, _ = load_checkpoint(config.init)
    if config.init_member is not None:
        members = getattr(model, "members", [])
        if not 0 <= config.init_member < len(members):
            raise MnistCoreError(f"{config.init} has {len(members)} members; --init-member {config.init_member} is not one.")
        model = members[config.init_member]
    start = build_model(**config.model_config())
    try:
        start.load_state_dict(with_new_outputs(model.state_dict(), start.state_dict()))
    except RuntimeError as error:
        raise MnistCoreError(
            f"{config.init} holds a model of another shape than {config.model_config()}: {str(error).splitlines()[1].strip()}"
        ) from None
    return start


def with_new_outputs(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A ten-digit model's weights for a model with the "not a digit" output too: the last layer's new row keeps
    the target's fresh initialisation, every other weight is copied (a model of the same shape: `state` itself)."""
    widened = dict(state)
    for name, value in state.items():
        wanted = target.get(name)
        if wanted is not None and value.shape[0] == DIGITS and wanted.shape[0] == NOT_DIGIT + 1 and value.shape[1:] == wanted.shape[1:]:
            widened[name] = torch.cat([value, wanted[DIGITS:]])
    return widened


def make_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    """The optimiser config.optimizer names (OPTIMIZERS), for the model's parameters."""
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {config.optimizer!r}: choose {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[config.optimizer].make(model.parameters(), config)


def shuffled_batches(
    images: torch.Tensor, labels: torch.Tensor, batch_size: int, generator: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch: (float images in [0, 1], labels) batches in a fresh random order, the ragged last one dropped."""
    order = torch.randperm(len(images), generator=generator)
    # One gather and one conversion per epoch: per-batch indexing would cost more than a small model's step.
    epoch_images, epoch_labels = to_float(images[order]), labels[order]
    for step in range(steps_per_epoch(len(images), batch_size)):
        part = slice(step * batch_size, (step + 1) * batch_size)
        yield epoch_images[part], epoch_labels[part]


def checkpoint_meta(config: TrainConfig, summary: dict, epochs: int, seconds: float, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """What a checkpoint records of its training: test figures, the config, time, and which data."""
    return {
        **test_figures(summary),
        "epochs": epochs,
        "train_config": {
            **{name: plain(value) for name, value in asdict(config).items()}, "augment_config": config.augment_config.as_dict(),
        },
        "training_seconds": round(seconds, 1),
        "train_data_sha256": fingerprint(images, labels),
    }


def train(
    config: TrainConfig,
    train_data: tuple[torch.Tensor, torch.Tensor],
    test_data: tuple[torch.Tensor, torch.Tensor],
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_step: Callable[[nn.Module, int, float], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[nn.Module, dict]:
    """Train on uint8 tensors (images, labels); return the model and the metadata for its checkpoint.

    on_step(model, steps done so far, batch loss) runs after every optimiser step, in train mode;
    on_epoch(report) after every epoch. Callers show progress through them (a tqdm bar, a live plot).
    """
    if config.epochs < 1:
        raise MnistCoreError(f"Train for at least one epoch (not {config.epochs}).")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    device, (images, labels) = torch.device(config.device), train_data
    model = initial_model(config).to(device)
    optimizer = make_optimizer(config, model)
    total_steps = config.epochs * steps_per_epoch(len(images), config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=total_steps)
    augment_config = config.augment_config.scaled(config.augment_strength)
    started, step, summary = time.perf_counter(), 0, None
    for epoch in range(1, config.epochs + 1):
        epoch_started, total_loss, correct, seen = time.perf_counter(), 0.0, 0, 0
        model.train()
        for batch, target in shuffled_batches(images, labels, config.batch_size, generator):
            if config.augment:
                batch = augment_batch(batch, generator, augment_config)
            logits = model(batch.to(device))
            loss = F.cross_entropy(logits, target.to(device), label_smoothing=config.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step, seen, batch_loss = step + 1, seen + len(target), loss.item()
            total_loss += batch_loss * len(target)
            correct += int((logits.argmax(1).cpu() == target).sum())
            if on_step:
                on_step(model, step, batch_loss)
            if should_stop():
                break
        summary = evaluate(model, *test_data)  # the last epoch's is the checkpoint's: measured once
        if on_epoch:
            seconds = time.perf_counter() - epoch_started
            on_epoch(EpochReport(epoch, total_loss / seen, correct / seen, summary["accuracy"], seconds))
        if should_stop():
            break
    model.eval()
    return model.cpu(), checkpoint_meta(config, summary, epoch, time.perf_counter() - started, images, labels)
