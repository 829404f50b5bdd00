"""Train a fully connected MNIST classifier: one clear loop over shuffled, augmented tensor batches."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from mnist_core.augment import AugmentConfig, augment_batch
from mnist_core.checkpoint import load_checkpoint
from mnist_core.data import fingerprint
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import as_checkpoint_metrics, evaluate, to_float
from mnist_core.model import DIGITS, NOT_DIGIT, build_model
from mnist_core.sources import has_non_digits


@dataclass
class TrainConfig:
    """Everything that decides a training run; the CLI's flags map one to one onto these fields."""

    model: str = "mlp"
    hidden: tuple[int, ...] = (1024, 1024)
    dropout: float = 0.2
    epochs: int = 30
    batch_size: int = 256
    lr: float = 2e-3
    optimizer: str = "adamw"  # the tutorial uses Adam; AdamW with one-cycle converges further
    weight_decay: float = 1e-2
    label_smoothing: float = 0.05
    augment: bool = True
    seed: int = 0
    device: str = "cpu"
    data: tuple[str, ...] = ("mnist",)  # see mnist_core.sources
    pen_copies: int = 4  # each pendigits training digit drawn this many times
    style_samples: int = 400  # samples of each synthesised style
    init: str | None = None  # a checkpoint to start from (fine-tuning) instead of random weights
    init_member: int | None = None  # which member, when init is an ensemble
    augment_config: AugmentConfig = field(default_factory=AugmentConfig)
    augment_strength: float = 1.0  # scales every augmentation range; below 1 for gentle fine-tuning

    def model_config(self) -> dict:
        """The arguments of build_model, as stored in the checkpoint (with an 11th output when trained on non-digits)."""
        outputs = {"classes": NOT_DIGIT + 1} if has_non_digits(self.data) else {}
        if self.model == "linear":
            return {"name": "linear", **outputs}
        return {"name": self.model, "hidden": list(self.hidden), "dropout": self.dropout, **outputs}


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
    """Adam (the tutorial's), AdamW or SGD with momentum."""
    # fused=True updates all parameters in one kernel: for a small model the per-tensor loop costs more than the maths.
    if config.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=config.lr, fused=True)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9, nesterov=True, fused=True)
    raise ValueError(f"unknown optimizer {config.optimizer!r}: choose adam, adamw or sgd")


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
        **as_checkpoint_metrics(summary),
        "epochs": epochs,
        "train_config": {
            **asdict(config), "hidden": list(config.hidden), "data": list(config.data),
            "augment_config": config.augment_config.as_dict(),
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
