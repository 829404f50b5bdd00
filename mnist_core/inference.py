"""Run a model over many uint8 images at once: batched, in eval mode, without gradients."""

from __future__ import annotations

import torch
from torch import nn

from mnist_core.pixels import to_float

BATCH = 5000  # images per forward pass: few passes, a bounded peak of memory (5000 x 784 floats is 16 MB)


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = BATCH) -> torch.Tensor:
    """Logits (N, 10 or 11) for uint8 images (N, 28, 28), in batches, in eval mode (the model's mode restored)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits = torch.cat([model(to_float(chunk).to(device)).cpu() for chunk in images.split(batch_size)])
    model.train(was_training)
    return logits


def predict_probabilities(model: nn.Module, images: torch.Tensor, batch_size: int = BATCH) -> torch.Tensor:
    """Softmax probabilities (N, 10 or 11) for uint8 images (N, 28, 28)."""
    return predict_logits(model, images, batch_size).softmax(1)
