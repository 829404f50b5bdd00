"""Measure a model on labelled images: accuracy, per-class accuracy, confusion matrix and the rate of each verdict."""

from __future__ import annotations

import torch
from torch import nn

from mnist_core.model import DIGITS
from mnist_core.verdict import DIGIT, NOT_A_DIGIT, UNSURE, answers, digit_probabilities, verdict_codes, verdict_rates


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) images as the float (N, 1, 28, 28) batch in [0, 1] that ToTensor would give."""
    return images.unsqueeze(1).float().div_(255)


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 5000) -> torch.Tensor:
    """Logits (N, 10 or 11) for uint8 images (N, 28, 28), in batches, in eval mode."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits = torch.cat([model(to_float(chunk).to(device)).cpu() for chunk in images.split(batch_size)])
    model.train(was_training)
    return logits


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
    """(10, 10) counts: row = true digit, column = predicted digit."""
    return torch.bincount(labels * 10 + predictions, minlength=100).reshape(10, 10)


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
    return summarize(labels, predict_logits(model, images).softmax(1))


def checkpoint_metrics(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """The test-set figures a checkpoint records: accuracy, per-class accuracy and confusion matrix."""
    return as_checkpoint_metrics(evaluate(model, images, labels))


def as_checkpoint_metrics(summary: dict) -> dict:
    """An evaluate() summary under the names a checkpoint's metadata uses."""
    return {
        "test_accuracy": summary["accuracy"],
        "per_class_accuracy": summary["per_class"],
        "confusion": summary["confusion"],
    }
