"""Gallery tab: a batch of MNIST (or of pen digits, or of not-digits) through Dataset + DataLoader + make_grid, as the tutorial does it."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset

from demo.models import DEFAULT_MODEL, cached_for_shipped, load_classifier, model_title, public_message
from demo.pictures import display_scale, grid_picture
from mnist_core.data import tutorial_dataset
from mnist_core.errors import DataUnavailableError, MnistCoreError
from mnist_core.evaluate import to_float
from mnist_core.model import NOT_DIGIT, label_name
from mnist_core.nondigits import NonDigits
from mnist_core.pen import PenDigits
from mnist_core.predict import Classifier
from mnist_core.verdict import answers

SPLITS = ("train", "test")
SOURCES = {
    "mnist": "MNIST",
    "pendigits": "Pen digits (pendigits: 44 writers in Istanbul, drawn as on the sketchpad)",
    "nondigits": "Not digits (pen letters and symbols, other alphabets, doodles: what the network learns to refuse)",
}
ALL_DIGITS = "all"
DIGIT_CHOICES = [ALL_DIGITS, *(str(digit) for digit in range(10))]
MAX_BATCH = 256
MAX_NROW = 32
MAX_PADDING = 10
HOW_TO_PROVIDE = (
    "The gallery needs the four MNIST files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, "
    "`t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`): put them in `data/MNIST/raw/` or in a folder "
    "named by the `MNIST_DATA_DIR` environment variable, then restart the app. Drawing works without them."
)

# (grid picture, labels table HTML, status Markdown, batch number shown)
GalleryResult = tuple[np.ndarray | None, str, str, int]


@lru_cache(maxsize=len(SPLITS) * len(SOURCES))
def dataset(split: str, source: str = "mnist") -> Dataset:
    """A split's Dataset, opened once: the tutorial's MNIST (ToTensor on each image), pendigits or not-digits drawn as strokes."""
    if source == "pendigits":
        return PenDigits(split)
    if source == "nondigits":
        return NonDigits(split)
    return tutorial_dataset(train=split == "train")


@cached_for_shipped
def predicted_test_digits(model_name: str | Classifier, source: str = "mnist") -> torch.Tensor:
    """A model's answer for every test image of a source, in large batches of the whole uint8 tensor."""
    classifier = load_classifier(model_name)
    images = dataset("test", source).data
    return torch.cat([answers(classifier.probabilities(to_float(chunk))) for chunk in images.split(2500)])


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


def labels_table(labels: torch.Tensor, predictions: torch.Tensor, nrow: int) -> str:
    """The batch's labels in grid order, each with the model's answer; mistakes in red."""
    cells = []
    for label, guess in zip(labels.tolist(), predictions.tolist()):
        title = f'title="label {label_name(label)}, model {label_name(guess)}"'
        if label == guess:
            cells.append(f"<td {title}>{short_name(label)}</td>")
        else:
            cells.append(f'<td {title} style="background:#fde2e2;color:#b00020"><b>{short_name(label)}</b>→{short_name(guess)}</td>')
    rows = ["<tr>" + "".join(cells[start : start + nrow]) + "</tr>" for start in range(0, len(cells), nrow)]
    return (
        '<p>Labels in grid order (✗: not a digit); <span style="color:#b00020"><b>label</b>→answer</span> marks a '
        "mistake (framed red in the grid).</p>"
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
    number: int = 0,
) -> GalleryResult:
    """Batch `number` of the chosen images as a make_grid picture, its labels with the model's answers, a status line."""
    batch_size, nrow, padding, seed = within_bounds(batch_size, nrow, padding, seed)
    if split not in SPLITS or digit not in DIGIT_CHOICES or source not in SOURCES:
        return None, "", f"⚠️ Choose a source from {tuple(SOURCES)}, a split from {SPLITS} and a digit from 0–9 or “all”.", 0
    if mistakes_only:
        split = "test"  # mistakes are counted on images the model never trained on
    try:
        pool = candidates(split, digit, mistakes_only, model_name, source)
        if not len(pool):
            return None, "", "No image matches these filters.", 0
        indices, number, count = batch_indices(pool, batch_size, number, seed, shuffle)
        images, labels = load_batch(split, indices, source)
        predictions = answers(load_classifier(model_name).probabilities(images))
    except DataUnavailableError as error:
        how = HOW_TO_PROVIDE if source == "mnist" else "Drawing works without it."
        return None, "", f"⚠️ {how}\n\n({public_message(error)})", 0
    except MnistCoreError as error:
        return None, "", f"⚠️ {public_message(error)}", 0
    mistakes = (predictions != labels).tolist()
    width = min(nrow, len(indices)) * (28 + padding) + padding
    picture = grid_picture(images, nrow, padding, mistakes, display_scale(width))
    chosen = f"{SOURCES[source].split(' (')[0]}, {split} split, " + ("all digits" if digit == ALL_DIGITS else f"digit {digit}")
    if mistakes_only:
        chosen += f", only the mistakes of the {model_title(model_name)}"
    order = f"shuffled with seed {seed}" if shuffle else "in data set order"
    status = (
        f"{chosen}: {len(pool):,} images, {order}. Batch **{number + 1} of {count}**: {len(indices)} images "
        f"through `make_grid(images, nrow={nrow}, padding={padding}, pad_value=0.5)`; "
        f"the model misreads **{sum(mistakes)}** of them."
    )
    return picture, labels_table(labels, predictions, nrow), status, number


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
) -> GalleryResult:
    """The batch after the one shown, with the same settings (wraps around at the end)."""
    settings = (split, batch_size, nrow, padding, seed, shuffle, digit, mistakes_only, source, model_name)
    return gallery_batch(*settings, number=(number or 0) + 1)
