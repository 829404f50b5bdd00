"""Classify digit images with a trained checkpoint: the one path shared by the CLI and the app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from mnist_core.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
from mnist_core.preprocess import preprocess
from mnist_core.verdict import NOT_A_DIGIT, UNSURE, digit_probabilities, not_digit_probability, verdict_of


@dataclass
class Prediction:
    """A classified image: its verdict, the most likely digit, the ten digit probabilities, the "not a digit"
    probability (0 for a model without that output) and the 1x28x28 input the model saw."""

    verdict: str  # one of mnist_core.verdict.VERDICTS, never "empty" (no ink raises before the model runs)
    digit: int
    probabilities: list[float]
    not_digit: float
    image: torch.Tensor

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        """The k most likely (digit, probability) pairs, best first."""
        ranked = sorted(range(10), key=lambda digit: -self.probabilities[digit])
        return [(digit, self.probabilities[digit]) for digit in ranked[:k]]

    @property
    def unsure(self) -> bool:
        """True when the model should not assert one digit."""
        return self.verdict == UNSURE

    @property
    def is_digit(self) -> bool:
        """False when the drawing is answered "not a digit"."""
        return self.verdict != NOT_A_DIGIT


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
        """Softmax probabilities (N, 10, or 11 with "not a digit") for [0, 1] images (N, 1, 28, 28)."""
        return self.model(images).softmax(1)

    def classify(self, source) -> Prediction:
        """Preprocess one image (path, bytes, PIL or array) and classify it; raises on no ink or bad input."""
        image = preprocess(source)
        probabilities = self.probabilities(image.unsqueeze(0))[0]
        digits = digit_probabilities(probabilities)
        return Prediction(
            verdict_of(probabilities), int(digits.argmax()), [float(p) for p in digits],
            float(not_digit_probability(probabilities)), image,
        )
