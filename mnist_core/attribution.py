"""Why this answer: how much each pixel pushed the network towards its answer rather than the runner-up."""

from __future__ import annotations

import torch
from torch import nn


def evidence(model: nn.Module, image: torch.Tensor, toward: int, against: int) -> torch.Tensor:
    """Gradient x input of logit[toward] - logit[against] for one 1x28x28 image in [0, 1]: (28, 28), > 0 for `toward`.

    The model is used as it is (a loaded Classifier's is in eval mode, dropout off); it is never switched,
    because the app's threads share it.

    For the tutorial's single nn.Linear this is exact: each pixel's weight difference times its ink, the
    pixel's share of the score difference beyond what a blank canvas scores. For an MLP it is the standard
    first-order estimate of the same thing ("gradient x input", Shrikumar et al. 2016).
    """
    pixels = image.detach().unsqueeze(0).clone().requires_grad_(True)
    with torch.enable_grad():
        logits = model(pixels)[0]
        (gradient,) = torch.autograd.grad(logits[toward] - logits[against], pixels)
    return (gradient * pixels.detach())[0, 0]


def method(model: nn.Module) -> str:
    """What evidence() computes for this model, in words for the page."""
    linear_layers = sum(isinstance(module, nn.Linear) for module in model.modules())
    return "its weights × your ink (exact for one layer)" if linear_layers == 1 else "gradient × input"
