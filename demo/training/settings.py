"""The Train tab's settings: SETTINGS names them in order with their defaults; their bounds; make_config.

Everything that lists the settings (the tab's inputs, the tests, benchmarks/predict_during_training.py)
derives from SETTINGS, by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mnist_core.model import ARCHITECTURES, TRAINABLE
from mnist_core.train import TrainConfig

SETTINGS: dict[str, Any] = dict(
    model="mlp", hidden="256", optimizer="adamw", lr=0.002, batch_size=256, epochs=3, augment=False, seed=0,
)

# Bounds that keep one run under about a minute on a 2-vCPU Space (run.MAX_SECONDS stops a slower one).
MAX_EPOCHS = 10
MAX_WIDTH = 512
MAX_LAYERS = 3
BATCH_SIZES = [32, 64, 128, 256, 512, 1024]
# (label, name) of every model kind `train` makes, from the core's registry.
MODEL_KINDS = [(ARCHITECTURES[name].title, name) for name in TRAINABLE]
OPTIMIZERS = [("Adam (the tutorial's)", "adam"), ("AdamW", "adamw"), ("SGD with momentum", "sgd")]


def parse_hidden(text: str) -> tuple[int, ...]:
    """'512, 256' -> (512, 256); ValueError with a sentence for the visitor if out of bounds."""
    parts = [part for part in str(text).replace(";", ",").replace("→", ",").replace(" ", ",").split(",") if part]
    try:
        sizes = tuple(int(part) for part in parts)
    except ValueError:
        raise ValueError(f"Hidden sizes must be whole numbers separated by commas, like 512, 256 (not {str(text)[:40]!r}).") from None
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= size <= MAX_WIDTH for size in sizes):
        raise ValueError(f"Choose 1 to {MAX_LAYERS} hidden layers of 1 to {MAX_WIDTH} units each, like 256 or 512, 256.")
    return sizes


def number(value: Any, what: str) -> float:
    """A setting's value as a finite number, or ValueError with a sentence naming it (NaN, Infinity, text)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"The {what} must be a number.") from None
    if not math.isfinite(result):
        raise ValueError(f"The {what} must be a finite number.")
    return result


def whole(value: Any, what: str) -> int:
    """A setting's value as a whole number, or ValueError with a sentence naming it."""
    result = number(value, what)
    if result != int(result):
        raise ValueError(f"The {what} must be a whole number.")
    return int(result)


def check_bounds(settings: Mapping[str, Any]) -> None:
    """ValueError with a sentence for the visitor if a setting other than the hidden sizes is out of bounds."""
    if settings["model"] not in [value for _, value in MODEL_KINDS]:
        raise ValueError("Choose the single-layer model or an MLP.")
    if settings["optimizer"] not in [value for _, value in OPTIMIZERS]:
        raise ValueError("Choose Adam, AdamW or SGD.")
    if not 1e-5 <= number(settings["lr"], "learning rate") <= 1.0:
        raise ValueError("Choose a learning rate between 0.00001 and 1.")
    if whole(settings["batch_size"], "batch size") not in BATCH_SIZES:
        raise ValueError(f"Choose a batch size from {BATCH_SIZES}.")
    if not 1 <= whole(settings["epochs"], "number of epochs") <= MAX_EPOCHS:
        raise ValueError(f"Choose 1 to {MAX_EPOCHS} epochs.")
    whole(settings["seed"] or 0, "seed")


def make_config(settings: Mapping[str, Any]) -> TrainConfig:
    """The TrainConfig for the tab's settings (named as in SETTINGS); ValueError with a sentence if out of bounds."""
    check_bounds(settings)
    model = settings["model"]
    return TrainConfig(
        model=model,
        hidden=parse_hidden(settings["hidden"]) if model == "mlp" else (),
        dropout=0.0 if model == "linear" else 0.1,
        epochs=whole(settings["epochs"], "number of epochs"),
        batch_size=whole(settings["batch_size"], "batch size"),
        lr=number(settings["lr"], "learning rate"),
        optimizer=settings["optimizer"],
        augment=settings["augment"] is True,
        seed=whole(settings["seed"] or 0, "seed") % 2**31,
    )
