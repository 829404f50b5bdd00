"""Data by name, in two registries.

DATA_SOURCES: what `train --data` trains on: MNIST, pen digits drawn like sketchpad strokes (pendigits),
synthesised styles, and drawings that are not digits (pen letters and symbols, other alphabets, doodles),
labelled NOT_DIGIT. BROWSABLE: the sets the Gallery tab shows, each as a torch Dataset.

A new source is one entry here: the CLI's --data, its help, the Model tab's "Trained on" line (in English until
demo/locales has "data.<name>") and the "not a digit" output all read it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.utils.data import Dataset

from mnist_core.data import load_tensors, tutorial_dataset
from mnist_core.doodles import doodles
from mnist_core.errors import MnistCoreError
from mnist_core.nondigits import NonDigits, load_omniglot, load_pen_letters
from mnist_core.pen import PenDigits, load_pendigits, render_digits
from mnist_core.styles import style_digits

Images = tuple[torch.Tensor, torch.Tensor]  # uint8 images (N, 28, 28) and int64 labels (N,)


@dataclass(frozen=True)
class SourceOptions:
    """What a source's loader may use: the MNIST folder and how many drawings to make of what."""

    data_dir: str | os.PathLike | None = None
    pen_copies: int = 4
    style_samples: int = 400
    seed: int = 0


@dataclass(frozen=True)
class DataSource:
    """One training source: its loader, its name for people, what it holds, and whether it teaches "not a digit"."""

    load: Callable[[SourceOptions], Images]
    title: str
    description: str  # the Model tab's fallback; may name {copies}, {samples} and {kinds}
    not_digits: bool = False  # its labels are NOT_DIGIT: a model trained on it has the 11th output


# Each source renders with its own seed offset, so no two draw with the same sequence of random brushes.
DATA_SOURCES: dict[str, DataSource] = {
    "mnist": DataSource(
        lambda o: load_tensors(True, o.data_dir), "MNIST", "MNIST's 60,000 training digits",
    ),
    "pendigits": DataSource(
        lambda o: render_digits(load_pendigits("train"), o.pen_copies, seed=o.seed), "pen digits",
        "pendigits' 30 training writers, each digit drawn {copies}x with random brushes",
    ),
    "styles": DataSource(
        lambda o: render_digits(style_digits(o.style_samples, seed=o.seed), 1, seed=o.seed + 1), "synthesised styles",
        "{samples} synthesised samples of each style MNIST and pendigits lack (flagged 1, crossed 7, ...)",
    ),
    "letters": DataSource(
        lambda o: render_digits(load_pen_letters("train"), 1, seed=o.seed + 2), "pen letters",
        "as not a digit: pen-written letters and symbols (pen-letters' training writers)", not_digits=True,
    ),
    "omniglot": DataSource(
        lambda o: render_digits(load_omniglot("train"), 2, seed=o.seed + 3), "Omniglot",
        "as not a digit: characters of other alphabets drawn with a mouse (Omniglot's training drawers, twice)",
        not_digits=True,
    ),
    "doodles": DataSource(
        lambda o: render_digits(doodles(o.style_samples, seed=o.seed), 1, seed=o.seed + 4), "doodles",
        "as not a digit: {samples} synthesised doodles of each of {kinds} kinds", not_digits=True,
    ),
}


@dataclass(frozen=True)
class BrowsableSet:
    """A set the Gallery shows: `open(split)` gives a Dataset of (1x28x28 float image, label) with uint8 `data`
    and `targets`, as torchvision's MNIST has."""

    open: Callable[[str], Dataset]
    title: str


BROWSABLE: dict[str, BrowsableSet] = {
    "mnist": BrowsableSet(lambda split: tutorial_dataset(train=split == "train"), "MNIST"),
    "pendigits": BrowsableSet(PenDigits, "Pen digits"),
    "nondigits": BrowsableSet(NonDigits, "Not digits"),  # letters, Omniglot and doodles, drawn once each
}


def parse_sources(text: str) -> tuple[str, ...]:
    """'mnist,pendigits' as ('mnist', 'pendigits'), or an error naming the known sources."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in DATA_SOURCES]
    if unknown or not names:
        raise MnistCoreError(f"unknown data source {', '.join(unknown) or repr(text)}: choose from {', '.join(DATA_SOURCES)}")
    return names


def has_non_digits(sources: tuple[str, ...]) -> bool:
    """True when the sources teach the "not a digit" answer."""
    return any(name in DATA_SOURCES and DATA_SOURCES[name].not_digits for name in sources)


def training_set(
    sources: tuple[str, ...] = ("mnist",),
    data_dir: str | os.PathLike | None = None,
    pen_copies: int = 4,
    style_samples: int = 400,
    seed: int = 0,
) -> Images:
    """uint8 images (N, 28, 28) and labels of the named sources, concatenated in DATA_SOURCES' order.

    Pen digits (pendigits' 30 training writers only) are drawn `pen_copies` times each with random brushes,
    and every style `style_samples` times; letters (pen-letters' training writers) once, Omniglot's training
    drawers twice and every training kind of doodle `style_samples` times. train() warps all of them afresh
    every epoch. The drawings depend on `seed` alone, not on the training seed, so models trained on the same
    sources share their data (and can form an ensemble).
    """
    options = SourceOptions(data_dir, pen_copies, style_samples, seed)
    images, labels = zip(*(source.load(options) for name, source in DATA_SOURCES.items() if name in sources))
    return torch.cat(images), torch.cat(labels)
