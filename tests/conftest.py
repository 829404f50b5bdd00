"""Shared fixtures: where the real data lives, and the shipped classifier."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _required_folder(path: Path, what: str) -> Path:
    """The folder, or a test failure (never a skip) saying what is missing."""
    if not path.is_dir():
        pytest.fail(f"{what} not found at {path}; these tests need the real data (see README).")
    return path


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST files: $MNIST_DATA_DIR, else ../shared/mnist."""
    return _required_folder(Path(os.environ.get("MNIST_DATA_DIR", SHARED / "mnist")), "MNIST")


@pytest.fixture(scope="session")
def drawn_dir() -> Path:
    """Real pen-drawn digits rendered as sketchpad canvases, with labels.csv."""
    return _required_folder(SHARED / "drawn-digits-dev", "The drawn-digits development set")


@pytest.fixture(scope="session")
def classifier():
    """The shipped default classifier (checkpoints/world.pt)."""
    from mnist_core.predict import Classifier

    return Classifier.load()
