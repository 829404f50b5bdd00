"""Classify digit images with a trained checkpoint: the one path shared by the CLI and the app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from mnist_core.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
from mnist_core.evaluate import unsure_mask
from mnist_core.preprocess import preprocess


@dataclass
class Prediction:
    """A classified image: the digit, all ten probabilities and the 1x28x28 input the model saw."""

    digit: int
    probabilities: list[float]
    image: torch.Tensor

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        """The k most likely (digit, probability) pairs, best first."""
        ranked = sorted(range(10), key=lambda digit: -self.probabilities[digit])
        return [(digit, self.probabilities[digit]) for digit in ranked[:k]]

    @property
    def unsure(self) -> bool:
        """True when the model should not assert one digit (see unsure_mask)."""
        return bool(unsure_mask(torch.tensor(self.probabilities)))


class Classifier:
    """A loaded model with its metadata; classifies images and batches of 1x28x28 tensors."""

    def __init__(self, model: nn.Module, meta: dict):
        self.model = model.eval()
        self.meta = meta

    @classmethod
    def load(cls, path: str | os.PathLike = DEFAULT_CHECKPOINT) -> Classifier:
        """The classifier stored in a checkpoint (CheckpointError if it cannot be used)."""
        return cls(*load_checkpoint(Path(path)))

    @torch.inference_mode()
    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (N, 10) for [0, 1] images (N, 1, 28, 28)."""
        return self.model(images).softmax(1)

    def classify(self, source) -> Prediction:
        """Preprocess one image (path, bytes, PIL or array) and classify it; raises on no ink or bad input."""
        image = preprocess(source)
        probabilities = self.probabilities(image.unsqueeze(0))[0]
        return Prediction(int(probabilities.argmax()), [float(p) for p in probabilities], image)
