"""Measure a classifier on a labelled folder of drawn digits, with the app's exact preprocessing."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import summarize
from mnist_core.predict import Classifier
from mnist_core.preprocess import preprocess


@dataclass
class DrawnSet:
    """A labelled folder: image paths and their digits."""

    files: list[Path]
    labels: torch.Tensor


def load_drawn_set(folder: str | os.PathLike, variant: str = "rgba", limit: int | None = None) -> DrawnSet:
    """Read labels.csv (file,label,...) of a folder whose images lie in `variant`/ (or beside the csv)."""
    folder = Path(folder)
    table = folder / "labels.csv"
    if not table.is_file():
        raise MnistCoreError(f"{table} not found: a drawn-digit folder needs a labels.csv with file,label columns.")
    images = folder / variant if (folder / variant).is_dir() else folder
    with open(table, newline="") as file:
        rows = list(csv.DictReader(file))[:limit]
    return DrawnSet([images / row["file"] for row in rows], torch.tensor([int(row["label"]) for row in rows]))


def preprocess_all(files: list[Path]) -> torch.Tensor:
    """The model inputs (N, 1, 28, 28) of the files, preprocessed one by one as the app does."""
    return torch.stack([preprocess(path) for path in files])


def top_confusions(confusion: list[list[int]], k: int = 5) -> list[tuple[int, int, int]]:
    """The k most frequent (true, predicted, count) mistakes."""
    pairs = [(true, guess, confusion[true][guess]) for true in range(10) for guess in range(10) if true != guess]
    return sorted((pair for pair in pairs if pair[2]), key=lambda pair: -pair[2])[:k]


def mistakes_sheet(inputs: torch.Tensor, wrong: torch.Tensor, path: str | os.PathLike, nrow: int = 20) -> Path:
    """Save the model inputs of the misread digits as one contact sheet through make_grid."""
    from torchvision.utils import make_grid, save_image  # as in data.py: only where it is used, it is slow to import

    misread = inputs[wrong] if bool(wrong.any()) else torch.zeros(1, 1, 28, 28)  # a blank tile: no mistakes
    grid = make_grid(misread, nrow=nrow, padding=2, pad_value=0.5)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(grid, path)
    return path


def evaluate_drawn(classifier: Classifier, drawn: DrawnSet) -> dict:
    """Accuracy, per-digit accuracy, confusions and unsure rate of a classifier on a drawn set."""
    inputs = preprocess_all(drawn.files)
    probabilities = classifier.probabilities(inputs)
    summary = summarize(drawn.labels, probabilities)
    return {
        **summary,
        "count": len(drawn.files),
        "top_confusions": top_confusions(summary["confusion"]),
        "wrong": probabilities.argmax(1) != drawn.labels,
        "inputs": inputs,
    }
