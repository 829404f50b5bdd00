"""The Train tab's settings: SETTINGS names them in order with their defaults; their bounds; make_config.

Everything that lists the settings (the tab's inputs, the tests, benchmarks/predict_during_training.py)
derives from SETTINGS, by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from demo.i18n import ENGLISH, say
from mnist_core.model import TRAINABLE
from mnist_core.train import TrainConfig

SETTINGS: dict[str, Any] = dict(
    model="mlp", hidden="256", optimizer="adamw", lr=0.002, batch_size=256, epochs=3, augment=False, seed=0,
)

# Bounds that keep one run under about a minute on a 2-vCPU Space (run.MAX_SECONDS stops a slower one).
MAX_EPOCHS = 10
MAX_WIDTH = 512
MAX_LAYERS = 3
BATCH_SIZES = [32, 64, 128, 256, 512, 1024]
# (label key, name) of every model kind `train` makes, from the core's registry, and of each optimiser.
MODEL_KINDS = [(f"arch.{name}", name) for name in TRAINABLE]
OPTIMIZERS = [("optimizer.adam", "adam"), ("optimizer.adamw", "adamw"), ("optimizer.sgd", "sgd")]


class SettingError(ValueError):
    """A setting the tab refuses: its sentence's key in demo/locales and the values it names (str: English)."""

    def __init__(self, key: str, **values: Any):
        self.key, self.values = key, values
        super().__init__(self.text(ENGLISH))

    def text(self, language: str) -> str:
        """The sentence in a language; a setting it names ("what") named in that language too."""
        values = {**self.values}
        if "what" in values:
            values["what"] = say(language, f"what.{values['what']}")
        return say(language, self.key, **values)


def parse_hidden(text: str) -> tuple[int, ...]:
    """'512, 256' -> (512, 256); ValueError with a sentence for the visitor if out of bounds."""
    parts = [part for part in str(text).replace(";", ",").replace("→", ",").replace(" ", ",").split(",") if part]
    try:
        sizes = tuple(int(part) for part in parts)
    except ValueError:
        raise SettingError("settings.hidden_numbers", text=repr(str(text)[:40])) from None
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= size <= MAX_WIDTH for size in sizes):
        raise SettingError("settings.hidden_bounds", layers=MAX_LAYERS, width=MAX_WIDTH)
    return sizes


def number(value: Any, what: str) -> float:
    """A setting's value as a finite number, or ValueError with a sentence naming it (NaN, Infinity, text)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise SettingError("settings.number", what=what) from None
    if not math.isfinite(result):
        raise SettingError("settings.finite", what=what)
    return result


def whole(value: Any, what: str) -> int:
    """A setting's value as a whole number, or ValueError with a sentence naming it."""
    result = number(value, what)
    if result != int(result):
        raise SettingError("settings.whole", what=what)
    return int(result)


def check_bounds(settings: Mapping[str, Any]) -> None:
    """ValueError with a sentence for the visitor if a setting other than the hidden sizes is out of bounds."""
    if settings["model"] not in [value for _, value in MODEL_KINDS]:
        raise SettingError("settings.model")
    if settings["optimizer"] not in [value for _, value in OPTIMIZERS]:
        raise SettingError("settings.optimizer")
    if not 1e-5 <= number(settings["lr"], "lr") <= 1.0:
        raise SettingError("settings.lr")
    if whole(settings["batch_size"], "batch_size") not in BATCH_SIZES:
        raise SettingError("settings.batch_size", sizes=BATCH_SIZES)
    if not 1 <= whole(settings["epochs"], "epochs") <= MAX_EPOCHS:
        raise SettingError("settings.epochs", most=MAX_EPOCHS)
    whole(settings["seed"] or 0, "seed")


def make_config(settings: Mapping[str, Any]) -> TrainConfig:
    """The TrainConfig for the tab's settings (named as in SETTINGS); ValueError with a sentence if out of bounds."""
    check_bounds(settings)
    model = settings["model"]
    return TrainConfig(
        model=model,
        hidden=parse_hidden(settings["hidden"]) if model == "mlp" else (),
        dropout=0.0 if model == "linear" else 0.1,
        epochs=whole(settings["epochs"], "epochs"),
        batch_size=whole(settings["batch_size"], "batch_size"),
        lr=number(settings["lr"], "lr"),
        optimizer=settings["optimizer"],
        augment=settings["augment"] is True,
        seed=whole(settings["seed"] or 0, "seed") % 2**31,
    )
