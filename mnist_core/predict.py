"""Classify digit images with a trained checkpoint: the one path shared by the CLI and the app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mnist_core.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
from mnist_core.preprocess import preprocess, read_ink
from mnist_core.segment import segment
from mnist_core.verdict import DIGIT, NOT_A_DIGIT, UNSURE, digit_probabilities, not_digit_probability, verdict_of

UNREAD = "?"  # how a number marks a piece read as unsure or as not a digit ("4?7")


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


@dataclass
class DigitReading:
    """One digit of a number: its box on the image (left, top, right, bottom, in image pixels) and its prediction."""

    box: tuple[int, int, int, int]
    prediction: Prediction

    @property
    def text(self) -> str:
        """The digit as the number writes it, or UNREAD when it is unsure or not a digit."""
        return str(self.prediction.digit) if self.prediction.verdict == DIGIT else UNREAD

    def as_dict(self, k: int = 3) -> dict:
        """Plain values for JSON: the box, the verdict, the most likely digit, the top k digits and "not a digit"."""
        return {
            "box": list(self.box), "verdict": self.prediction.verdict, "digit": self.prediction.digit,
            "top": [[digit, probability] for digit, probability in self.prediction.top(k)],
            "not_digit": self.prediction.not_digit,
        }


@dataclass
class NumberReading:
    """A drawing read as a number: its digits left to right (one for a single digit)."""

    digits: list[DigitReading]

    @property
    def number(self) -> str:
        """The digits read, left to right, as a string ("407"; "4?7" with an unread digit)."""
        return "".join(digit.text for digit in self.digits)

    def as_dict(self) -> dict:
        """Plain values for JSON: "number" and, per digit left to right, "pieces" (DigitReading.as_dict)."""
        return {"number": self.number, "pieces": [digit.as_dict() for digit in self.digits]}


class Classifier:
    """A loaded model with its metadata; classifies images and batches of 1x28x28 tensors."""

    def __init__(self, model: nn.Module, meta: dict):
        self.model = model.eval()
        self.meta = meta

    @classmethod
    def load(cls, path: str | os.PathLike = DEFAULT_CHECKPOINT) -> Classifier:
        """The classifier stored in a checkpoint folder (CheckpointError if it cannot be used)."""
        return cls(*load_checkpoint(Path(path)))

    @torch.inference_mode()
    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (N, 10, or 11 with "not a digit") for [0, 1] images (N, 1, 28, 28)."""
        return self.model(images).softmax(1)

    def confidence(self, images: torch.Tensor) -> torch.Tensor:
        """Each image's top digit probability (N,): how sure the model is that it is that one digit."""
        return digit_probabilities(self.probabilities(images)).amax(-1)

    def predictions(self, images: torch.Tensor) -> list[Prediction]:
        """A Prediction for each of a batch of model inputs (N, 1, 28, 28)."""
        rows = self.probabilities(images)
        return [
            Prediction(verdict_of(row), int(digit_probabilities(row).argmax()),
                       [float(p) for p in digit_probabilities(row)], float(not_digit_probability(row)), image)
            for row, image in zip(rows, images)
        ]

    def classify(self, source) -> Prediction:
        """Preprocess one image (path, bytes, PIL or array) and classify it; raises on no ink or bad input."""
        return self.predictions(preprocess(source).unsqueeze(0))[0]

    def read(self, source) -> NumberReading:
        """Read one image (path, bytes, PIL or array) as a number, its digits cut apart (mnist_core.segment) and
        each classified; raises on no ink or bad input. A single digit is read exactly as classify() reads it."""
        return self.read_ink_map(*read_ink(source))

    def read_ink_map(self, ink: np.ndarray, origin: tuple[int, int] = (0, 0), scale: int = 1) -> NumberReading:
        """Read an ink map (preprocess.located_ink) as a number; boxes on the image it lies at `origin` of, `scale`
        image pixels a side to one of its own."""
        left, top = origin
        pieces = segment(ink, self.confidence)
        predictions = self.predictions(torch.stack([piece.image for piece in pieces]))
        return NumberReading([
            DigitReading((left + x0 * scale, top + y0 * scale, left + x1 * scale, top + y1 * scale), prediction)
            for (x0, y0, x1, y1), prediction in ((piece.box, p) for piece, p in zip(pieces, predictions))
        ])
