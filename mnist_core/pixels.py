"""Pixels between their two forms: uint8 images (N, 28, 28) as data sets store them, float [0, 1] as models read them."""

from __future__ import annotations

import torch


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) images as the float (N, 1, 28, 28) batch in [0, 1] that ToTensor would give."""
    return images.unsqueeze(1).float().div_(255)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Float images in [0, 1] (any shape) as uint8 0-255, rounded to the nearest level, values outside clipped."""
    return images.clamp(0, 1).mul(255).round().to(torch.uint8)
