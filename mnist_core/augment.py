"""Training-time augmentation on whole batches: each image gets its own random warp and stroke width."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AugmentConfig:
    """How far augmentation may move a digit; the defaults cover how people draw on a canvas."""

    rotation_deg: float = 15.0
    shear: float = 0.25
    scale: tuple[float, float] = (0.8, 1.15)
    aspect: float = 0.2  # up to ±20% wider or taller
    translate_px: float = 2.5
    elastic_px: float = 1.5  # peak displacement of the smooth random field
    thickness: float = 0.7  # up to 70% of a 3x3 dilation (thicker) or erosion (thinner)

    def scaled(self, strength: float) -> AugmentConfig:
        """Every range multiplied by strength: 0 leaves digits as they are, 1 is this config."""
        low, high = self.scale
        return AugmentConfig(
            self.rotation_deg * strength, self.shear * strength, (1 - (1 - low) * strength, 1 + (high - 1) * strength),
            self.aspect * strength, self.translate_px * strength, self.elastic_px * strength, self.thickness * strength,
        )

    def as_dict(self) -> dict:
        """Plain-Python values, for a checkpoint's metadata."""
        return {key: (list(value) if isinstance(value, tuple) else float(value)) for key, value in vars(self).items()}


def _uniform(n: int, low: float, high: float, generator: torch.Generator) -> torch.Tensor:
    """n uniform samples in [low, high)."""
    return low + (high - low) * torch.rand(n, generator=generator)


def _affine_matrices(n: int, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """(n, 2, 3) random rotation·shear·scale matrices with a translation, in affine_grid's [-1, 1] units."""
    angle = _uniform(n, -1, 1, generator) * math.radians(config.rotation_deg)
    shear = _uniform(n, -config.shear, config.shear, generator)
    scale = _uniform(n, *config.scale, generator)
    aspect = 1 + _uniform(n, -config.aspect, config.aspect, generator)
    cos, sin = torch.cos(angle), torch.sin(angle)
    rotation = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)
    shearing = torch.eye(2).repeat(n, 1, 1)
    shearing[:, 0, 1] = shear
    # affine_grid maps output to input coordinates, so dividing by the scale enlarges the digit.
    scaling = torch.diag_embed(torch.stack([1 / (scale * aspect), aspect / scale], 1))
    linear = rotation @ shearing @ scaling
    shift = _uniform(2 * n, -1, 1, generator).reshape(n, 2, 1) * config.translate_px * 2 / 28
    return torch.cat([linear, shift], 2)


def _elastic_field(n: int, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """(n, 28, 28, 2) smooth random displacements (Simard et al. 2003), in affine_grid's units."""
    # Random offsets on a coarse 4x4 lattice, smoothly interpolated: the same smooth field a Gaussian-blurred
    # noise image gives, at a fraction of the cost.
    coarse = (torch.rand(n, 2, 4, 4, generator=generator) * 2 - 1) * config.elastic_px * 2 / 28
    field = F.interpolate(coarse, size=(28, 28), mode="bicubic", align_corners=True)
    return field.permute(0, 2, 3, 1)


def _vary_thickness(images: torch.Tensor, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """Thicken or thin each digit's strokes by a random fraction of a 3x3 dilation or erosion."""
    n = images.shape[0]
    amount = _uniform(n, -config.thickness, config.thickness, generator).view(n, 1, 1, 1)
    dilated = F.max_pool2d(images, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-images, 3, stride=1, padding=1)
    target = torch.where(amount > 0, dilated, eroded)
    return images + amount.abs() * (target - images)


def augment_batch(
    images: torch.Tensor, generator: torch.Generator, config: AugmentConfig = AugmentConfig()
) -> torch.Tensor:
    """Randomly warp a batch (N, 1, 28, 28) of [0, 1] digits, each image with its own parameters."""
    # torchvision's RandomAffine/ElasticTransform draw one set of parameters per call, i.e. per batch;
    # building the sampling grids ourselves gives every image its own in one grid_sample.
    n = images.shape[0]
    images = _vary_thickness(images, config, generator)
    grid = F.affine_grid(_affine_matrices(n, config, generator), list(images.shape), align_corners=False)
    grid = grid + _elastic_field(n, config, generator)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
