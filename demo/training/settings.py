"""The Train tab's settings: TrainConfig (mnist_core.train) with the tab's own defaults and bounds; make_config.

DEFAULTS is TrainConfig with OVERRIDES (a run here must end in about a minute); SETTINGS names the fields a
visitor sets, in the tab's order, with their starting values as the inputs hold them; every other field keeps
DEFAULTS' value. The choices come from the core's registries (architectures, optimisers). Everything that lists
the settings (the tab's inputs, the tests, benchmarks/predict_during_training.py) derives from SETTINGS, by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from demo.i18n import ENGLISH, say
from mnist_core.model import ARCHITECTURES, TRAINABLE
from mnist_core.train import OPTIMIZERS, TrainConfig

# Bounds that keep one run under about a minute on a 2-vCPU Space (run.MAX_SECONDS stops a slower one).
MAX_EPOCHS = 10
MAX_WIDTH = 512
MAX_LAYERS = 3
BATCH_SIZES = [32, 64, 128, 256, 512, 1024]
LR_RANGE = (1e-5, 1.0)
SEEDS = 2**31  # a seed the page sends is taken modulo this: torch takes any, the page's number field may hold more

# Where the tab starts from other than TrainConfig's defaults, so that a run ends within a minute: a small MLP
# with lighter dropout, a few epochs, no augmentation (warping every batch costs time).
OVERRIDES = dict(hidden=(256,), dropout=0.1, epochs=3, augment=False)
DEFAULTS = replace(TrainConfig(), **OVERRIDES)
# The fields a visitor sets, in the tab's order, as their inputs hold them (the hidden sizes as text).
SETTINGS: dict[str, Any] = {
    name: ", ".join(map(str, getattr(DEFAULTS, name))) if name == "hidden" else getattr(DEFAULTS, name)
    for name in ("model", "hidden", "optimizer", "lr", "batch_size", "epochs", "augment", "seed")
}
# The architecture options (hidden, dropout) each architecture may take; one it does not take is recorded empty.
ARCHITECTURE_OPTIONS = tuple(dict.fromkeys(option for kind in ARCHITECTURES.values() for option in kind.options))


def takes(model: str, option: str) -> bool:
    """Whether the architecture `model` (a name the page sent) is built from the setting `option`, e.g. "hidden"."""
    return model in ARCHITECTURES and option in ARCHITECTURES[model].options


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
    if settings["model"] not in TRAINABLE:
        raise SettingError("settings.model")
    if settings["optimizer"] not in OPTIMIZERS:
        raise SettingError("settings.optimizer")
    if not LR_RANGE[0] <= number(settings["lr"], "lr") <= LR_RANGE[1]:
        raise SettingError("settings.lr")
    if whole(settings["batch_size"], "batch_size") not in BATCH_SIZES:
        raise SettingError("settings.batch_size", sizes=BATCH_SIZES)
    if not 1 <= whole(settings["epochs"], "epochs") <= MAX_EPOCHS:
        raise SettingError("settings.epochs", most=MAX_EPOCHS)
    whole(settings["seed"] or 0, "seed")


def make_config(settings: Mapping[str, Any]) -> TrainConfig:
    """DEFAULTS with the tab's settings (named as in SETTINGS); ValueError with a sentence if one is out of bounds.

    An architecture option the chosen model does not take is recorded empty (no hidden sizes, no dropout), and
    its input is not read: the single layer trains whatever the hidden sizes box holds."""
    check_bounds(settings)
    model = settings["model"]
    unused = {name: type(getattr(DEFAULTS, name))() for name in ARCHITECTURE_OPTIONS if not takes(model, name)}
    return replace(
        DEFAULTS,
        model=model,
        **({"hidden": parse_hidden(settings["hidden"])} if takes(model, "hidden") else {}),
        epochs=whole(settings["epochs"], "epochs"),
        batch_size=whole(settings["batch_size"], "batch_size"),
        lr=number(settings["lr"], "lr"),
        optimizer=settings["optimizer"],
        augment=settings["augment"] is True,
        seed=whole(settings["seed"] or 0, "seed") % SEEDS,
        **unused,
    )
