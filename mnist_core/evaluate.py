"""Measure a model on labelled images: accuracy, per-class accuracy, confusion matrix and the rate of each verdict."""

from __future__ import annotations

import torch
from torch import nn

from mnist_core.inference import predict_probabilities
from mnist_core.model import DIGITS
from mnist_core.pixels import to_float as to_float  # noqa: F401 - still imported from here by mnist_core/pen.py
from mnist_core.verdict import DIGIT, NOT_A_DIGIT, UNSURE, answers, digit_probabilities, verdict_codes, verdict_rates


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
    """(10, 10) counts: row = true digit, column = predicted digit."""
    return torch.bincount(labels * DIGITS + predictions, minlength=DIGITS * DIGITS).reshape(DIGITS, DIGITS)


def summarize(labels: torch.Tensor, probabilities: torch.Tensor) -> dict:
    """Accuracy (0..1), per-class accuracy, confusion matrix and each verdict's rate as plain Python values.

    A digit answered "not a digit" counts as wrong; the confusion matrix is of the most likely digit.
    """
    predictions = digit_probabilities(probabilities).argmax(1)
    codes = verdict_codes(probabilities)
    right = labels == answers(probabilities)
    per_class = torch.zeros(DIGITS).index_add_(0, labels, right.float()) / torch.bincount(labels, minlength=DIGITS).clamp_min(1)
    rates = verdict_rates(codes)
    return {
        "accuracy": float(right.float().mean()),
        "per_class": [round(float(value), 6) for value in per_class],
        "confusion": confusion_matrix(labels, predictions).tolist(),
        "unsure_rate": rates[UNSURE],
        "not_digit_rate": rates[NOT_A_DIGIT],
        "digit_rate": rates[DIGIT],
    }


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """Summary of the model's predictions on uint8 images against their labels."""
    return summarize(labels, predict_probabilities(model, images))
