"""Measure a model on labelled images: accuracy, per-class accuracy, confusion matrix and the confidence rule."""

from __future__ import annotations

import torch
from torch import nn

# Below this top probability, or with the runner-up this close, the answer is called unsure.
UNSURE_TOP = 0.6
UNSURE_MARGIN = 0.25


def unsure_mask(probabilities: torch.Tensor) -> torch.Tensor:
    """True where the model should not assert one digit: a weak winner or a close runner-up."""
    first, second = probabilities.topk(2, dim=-1).values.unbind(-1)
    return (first < UNSURE_TOP) | (first - second < UNSURE_MARGIN)


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) images as the float (N, 1, 28, 28) batch in [0, 1] that ToTensor would give."""
    return images.unsqueeze(1).float().div_(255)


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 5000) -> torch.Tensor:
    """Logits (N, 10) for uint8 images (N, 28, 28), in batches, in eval mode."""
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
    """Accuracy (0..1), per-class accuracy, confusion matrix and unsure rate as plain Python values."""
    predictions = probabilities.argmax(1)
    confusion = confusion_matrix(labels, predictions)
    per_class = confusion.diag().float() / confusion.sum(1).clamp_min(1).float()
    return {
        "accuracy": float((labels == predictions).float().mean()),
        "per_class": [round(float(value), 6) for value in per_class],
        "confusion": confusion.tolist(),
        "unsure_rate": float(unsure_mask(probabilities).float().mean()),
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
