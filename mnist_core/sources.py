"""Training data by name: MNIST, pen digits drawn like sketchpad strokes (pendigits), synthesised styles, and
drawings that are not digits (pen letters and symbols, other alphabets, doodles), labelled NOT_DIGIT."""

from __future__ import annotations

import os

import torch

from mnist_core.data import load_tensors
from mnist_core.doodles import doodles
from mnist_core.errors import MnistCoreError
from mnist_core.nondigits import load_omniglot, load_pen_letters
from mnist_core.pen import load_pendigits, render_digits
from mnist_core.styles import style_digits

SOURCES = ("mnist", "pendigits", "styles", "letters", "omniglot", "doodles")
NON_DIGIT_SOURCES = ("letters", "omniglot", "doodles")  # a model trained on any of these has the "not a digit" output


def parse_sources(text: str) -> tuple[str, ...]:
    """'mnist,pendigits' as ('mnist', 'pendigits'), or an error naming the known sources."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in SOURCES]
    if unknown or not names:
        raise MnistCoreError(f"unknown data source {', '.join(unknown) or repr(text)}: choose from {', '.join(SOURCES)}")
    return names


def has_non_digits(sources: tuple[str, ...]) -> bool:
    """True when the sources teach the "not a digit" answer."""
    return any(name in NON_DIGIT_SOURCES for name in sources)


def training_set(
    sources: tuple[str, ...] = ("mnist",),
    data_dir: str | os.PathLike | None = None,
    pen_copies: int = 4,
    style_samples: int = 400,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (N, 28, 28) and labels of the named sources, concatenated.

    Pen digits (pendigits' 30 training writers only) are drawn `pen_copies` times each with random brushes,
    and every style `style_samples` times; letters (pen-letters' training writers) once, Omniglot's training
    drawers twice and every training kind of doodle `style_samples` times. train() warps all of them afresh
    every epoch. The drawings depend on `seed` alone, not on the training seed, so models trained on the same
    sources share their data (and can form an ensemble).
    """
    parts = []
    if "mnist" in sources:
        parts.append(load_tensors(True, data_dir))
    if "pendigits" in sources:
        parts.append(render_digits(load_pendigits("train"), pen_copies, seed=seed))
    if "styles" in sources:
        parts.append(render_digits(style_digits(style_samples, seed=seed), 1, seed=seed + 1))
    if "letters" in sources:
        parts.append(render_digits(load_pen_letters("train"), 1, seed=seed + 2))
    if "omniglot" in sources:
        parts.append(render_digits(load_omniglot("train"), 2, seed=seed + 3))
    if "doodles" in sources:
        parts.append(render_digits(doodles(style_samples, seed=seed), 1, seed=seed + 4))
    images, labels = zip(*parts)
    return torch.cat(images), torch.cat(labels)
