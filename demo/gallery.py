"""Gallery tab: a batch of MNIST (or of pen digits, or of not-digits) through Dataset + DataLoader + make_grid, as the tutorial does it."""

from __future__ import annotations

from functools import lru_cache

import gradio as gr
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset

from demo.i18n import ENGLISH, say, visitor_language
from demo.models import (
    DEFAULT_MODEL,
    cached_for_shipped,
    load_classifier,
    model_title,
    public_message,
    registry_label,
    registry_text,
)
from demo.pictures import display_scale, grid_picture
from mnist_core.errors import DataUnavailableError, MnistCoreError
from mnist_core.inference import predict_probabilities
from mnist_core.model import NOT_DIGIT, label_name
from mnist_core.predict import Classifier
from mnist_core.sources import BROWSABLE
from mnist_core.verdict import answers

SPLITS = ("train", "test")
SETS = tuple(BROWSABLE)  # what the gallery shows (mnist_core.sources.BROWSABLE), named "source" on the page and API
ALL_DIGITS = "all"
DIGIT_CHOICES = [ALL_DIGITS, *(str(digit) for digit in range(10))]
MAX_BATCH = 256
MAX_NROW = 32
MAX_PADDING = 10
HOW_TO_PROVIDE = say(ENGLISH, "gallery.how_to_provide")  # where the gallery's MNIST files go (in English)

# (grid picture, labels table HTML, status Markdown, batch number shown)
GalleryResult = tuple[np.ndarray | None, str, str, int]


def source_choices() -> list[tuple]:
    """The page's choice of set: (its label in every language, its name)."""
    return [(registry_label("source", name, browsable.title), name) for name, browsable in BROWSABLE.items()]


@lru_cache(maxsize=len(SPLITS) * len(SETS))
def dataset(split: str, source: str = "mnist") -> Dataset:
    """A split's Dataset, opened once: the tutorial's MNIST (ToTensor on each image), pendigits or not-digits drawn as strokes."""
    return BROWSABLE[source].open(split)


PREDICT_BATCH = 2500  # test images per forward pass when a model's mistakes are counted (10,000 in four passes)


@cached_for_shipped
def predicted_test_digits(model_name: str | Classifier, source: str = "mnist") -> torch.Tensor:
    """A model's answer for every test image of a source, in large batches of the whole uint8 tensor."""
    classifier = load_classifier(model_name)
    return answers(predict_probabilities(classifier.model, dataset("test", source).data, PREDICT_BATCH))


def candidates(split: str, digit: str, mistakes_only: bool, model_name: str, source: str = "mnist") -> torch.Tensor:
    """Indices of the split's images that pass the digit filter (and are misread by the model, if asked)."""
    labels = dataset(split, source).targets
    keep = torch.ones(len(labels), dtype=torch.bool)
    if digit != ALL_DIGITS:
        keep &= labels == int(digit)
    if mistakes_only:
        keep &= predicted_test_digits(model_name, source) != labels
    return keep.nonzero().flatten()


def batch_indices(
    pool: torch.Tensor, batch_size: int, number: int, seed: int, shuffle: bool
) -> tuple[torch.Tensor, int, int]:
    """The indices of batch `number` (wrapping around), that number and the count of batches."""
    if shuffle:
        pool = pool[torch.randperm(len(pool), generator=torch.Generator().manual_seed(seed))]
    count = -(-len(pool) // batch_size)
    number %= count
    return pool[number * batch_size : (number + 1) * batch_size], number, count


def load_batch(split: str, indices: torch.Tensor, source: str = "mnist") -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 1, 28, 28) and labels of the chosen indices, through a DataLoader as in the tutorial."""
    loader = DataLoader(Subset(dataset(split, source), indices.tolist()), batch_size=len(indices))
    return next(iter(loader))


def short_name(label: int) -> str:
    """A label in one table cell: the digit, or ✗ for "not a digit"."""
    return "✗" if label == NOT_DIGIT else str(label)


def labels_table(labels: torch.Tensor, predictions: torch.Tensor, nrow: int, language: str = ENGLISH) -> str:
    """The batch's labels in grid order, each with the model's answer; mistakes in red."""
    cells = []
    name = {NOT_DIGIT: say(language, "not_a_digit")}
    for label, guess in zip(labels.tolist(), predictions.tolist()):
        cell_title = say(language, "gallery.cell_title", label=name.get(label, label_name(label)),
                         answer=name.get(guess, label_name(guess)))
        title = f'title="{cell_title}"'
        if label == guess:
            cells.append(f"<td {title}>{short_name(label)}</td>")
        else:
            cells.append(f'<td {title} style="background:#fde2e2;color:#b00020"><b>{short_name(label)}</b>→{short_name(guess)}</td>')
    rows = ["<tr>" + "".join(cells[start : start + nrow]) + "</tr>" for start in range(0, len(cells), nrow)]
    return (
        f"<p>{say(language, 'gallery.legend')}</p>"
        '<table style="font-family:monospace;text-align:center;border-collapse:collapse">'
        + "".join(rows)
        + "</table>"
    )


def within_bounds(batch_size: float, nrow: float, padding: float, seed: float) -> tuple[int, int, int, int]:
    """The grid settings as whole numbers within their bounds (NaN and infinity included)."""
    # An API caller may send NaN or infinity, which Gradio's range checks let through: make them finite first.
    batch_size, nrow, padding, seed = (v if isinstance(v, int) else np.nan_to_num(float(v)) for v in (batch_size, nrow, padding, seed))
    return (
        int(np.clip(batch_size, 1, MAX_BATCH)), int(np.clip(nrow, 1, MAX_NROW)), int(np.clip(padding, 0, MAX_PADDING)),
        int(seed) % 2**63,
    )


def gallery_batch(
    split: str = "train",
    batch_size: int = 64,
    nrow: int = 8,
    padding: int = 2,
    seed: int = 0,
    shuffle: bool = True,
    digit: str = ALL_DIGITS,
    mistakes_only: bool = False,
    source: str = "mnist",
    model_name: str = DEFAULT_MODEL,
    language: str | None = None,
    number: int = 0,
    request: gr.Request = None,
) -> GalleryResult:
    """Batch `number` of the chosen images as a make_grid picture, its labels with the model's answers, a status line."""
    language = visitor_language(language, request)
    batch_size, nrow, padding, seed = within_bounds(batch_size, nrow, padding, seed)
    if split not in SPLITS or digit not in DIGIT_CHOICES or source not in SETS:
        return None, "", say(language, "gallery.bad_choice", sources=SETS, splits=SPLITS), 0
    if mistakes_only:
        split = "test"  # mistakes are counted on images the model never trained on
    try:
        pool = candidates(split, digit, mistakes_only, model_name, source)
        if not len(pool):
            return None, "", say(language, "gallery.none_match"), 0
        indices, number, count = batch_indices(pool, batch_size, number, seed, shuffle)
        images, labels = load_batch(split, indices, source)
        predictions = answers(load_classifier(model_name).probabilities(images))
    except DataUnavailableError as error:
        # MNIST missing: where its files go; another set missing (pendigits, ...): drawing works without it.
        how = say(language, "gallery.how_to_provide" if error.reason == "mnist_unavailable" else "gallery.works_without")
        return None, "", say(language, "gallery.unavailable", how=how, detail=public_message(error, language)), 0
    except MnistCoreError as error:
        return None, "", say(language, "warning", text=public_message(error, language)), 0
    mistakes = (predictions != labels).tolist()
    width = min(nrow, len(indices)) * (28 + padding) + padding
    picture = grid_picture(images, nrow, padding, mistakes, display_scale(width))
    digits = say(language, "gallery.all") if digit == ALL_DIGITS else say(language, "gallery.one_digit", digit=digit)
    chosen = say(language, "gallery.chosen", source=registry_text(language, "source_short", source, BROWSABLE[source].title),
                 split=say(language, f"split.{split}"), digits=digits)
    if mistakes_only:
        chosen += say(language, "gallery.only_mistakes", model=model_title(model_name, language))
    order = say(language, "gallery.shuffled", seed=seed) if shuffle else say(language, "gallery.in_order")
    status = say(language, "gallery.status", chosen=chosen, pool=len(pool), order=order, number=number + 1, count=count,
                 size=len(indices), nrow=nrow, padding=padding, wrong=sum(mistakes))
    return picture, labels_table(labels, predictions, nrow, language), status, number


def next_batch(
    split: str,
    batch_size: int,
    nrow: int,
    padding: int,
    seed: int,
    shuffle: bool,
    digit: str,
    mistakes_only: bool,
    source: str,
    model_name: str,
    number: int | None,
    language: str | None = None,
    request: gr.Request = None,
) -> GalleryResult:
    """The batch after the one shown, with the same settings (wraps around at the end)."""
    settings = (split, batch_size, nrow, padding, seed, shuffle, digit, mistakes_only, source, model_name, language)
    return gallery_batch(*settings, number=(number or 0) + 1, request=request)
