"""Pictures for the page: upscaled 28x28 inputs, make_grid batches with mistakes framed, the confusion matrix, weights."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw
from torchvision.utils import make_grid

MISTAKE_RGB = (230, 40, 40)
TILE = 28


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """A [0, 1] image tensor (C, H, W) as a uint8 array (H, W) or (H, W, 3) for display."""
    array = (image.clamp(0, 1) * 255).round().to(torch.uint8)
    return array[0].numpy() if array.shape[0] == 1 else array.permute(1, 2, 0).numpy()


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Enlarge an image by an integer factor with nearest-neighbour, so every pixel stays a crisp square."""
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def display_scale(width: int, target: int = 960) -> int:
    """The integer factor that brings an image about `target` pixels wide, between 2 and 10."""
    return int(np.clip(round(target / width), 2, 10))


def grid_picture(
    images: torch.Tensor, nrow: int, padding: int, mistakes: list[bool], scale: int
) -> np.ndarray:
    """A batch (N, 1, 28, 28) laid out by make_grid as in the tutorial, upscaled, each mistake framed in red."""
    grid = make_grid(images, nrow=nrow, padding=padding, pad_value=0.5)
    picture = Image.fromarray(upscale(to_uint8(grid), scale))
    draw = ImageDraw.Draw(picture)
    step = TILE + padding
    for index in (i for i, wrong in enumerate(mistakes) if wrong):
        # make_grid puts tile i at row i // nrow, column i % nrow, each after `padding` pixels.
        left = (index % nrow * step + padding) * scale
        top = (index // nrow * step + padding) * scale
        draw.rectangle(
            (left, top, left + TILE * scale - 1, top + TILE * scale - 1), outline=MISTAKE_RGB, width=max(2, scale)
        )
    return np.asarray(picture)


def weights_picture(weights: torch.Tensor, nrow: int) -> np.ndarray:
    """First-layer weights (units, 1, 28, 28) through make_grid: red positive, blue negative, white zero."""
    # Each unit is scaled by its own largest weight, so faint units stay readable.
    scaled = weights / weights.flatten(1).abs().amax(1).clamp_min(1e-12).view(-1, 1, 1, 1)
    positive, negative = scaled.clamp(min=0), (-scaled).clamp(min=0)
    rgb = torch.cat([1 - negative, 1 - positive - negative, 1 - positive], dim=1).clamp(0, 1)
    grid = make_grid(rgb, nrow=nrow, padding=2, pad_value=0.35)
    return upscale(to_uint8(grid), display_scale(grid.shape[-1], target=720))


def confusion_picture(confusion: list[list[int]], cell: int = 44) -> np.ndarray:
    """The 10x10 confusion matrix as a heat map with counts: rows true digit, columns predicted."""
    counts = np.asarray(confusion, dtype=np.float64)
    row_share = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    margin = cell
    size = margin + 10 * cell + 1
    picture = Image.new("RGB", (size, size + cell // 2), "white")
    draw = ImageDraw.Draw(picture)
    for digit in range(10):
        centre = margin + digit * cell + cell // 2
        draw.text((centre, margin // 2), str(digit), fill="black", anchor="mm")
        draw.text((margin // 2, centre), str(digit), fill="black", anchor="mm")
    for true in range(10):
        for guess in range(10):
            share = row_share[true, guess]
            # Correct answers shade green, confusions red; the darker, the larger the share of that row.
            shade = (1 - share) if true == guess else (1 - min(1.0, share * 8))
            colour = (int(255 * shade), 255, int(255 * shade)) if true == guess else (255, int(255 * shade), int(255 * shade))
            box = (margin + guess * cell, margin + true * cell, margin + (guess + 1) * cell, margin + (true + 1) * cell)
            draw.rectangle(box, fill=colour, outline=(200, 200, 200))
            if counts[true, guess]:
                draw.text((box[0] + cell // 2, box[1] + cell // 2), str(int(counts[true, guess])), fill="black", anchor="mm")
    draw.text((size // 2, size + cell // 4 - 2), "predicted digit →   (rows: true digit)", fill="black", anchor="mm")
    return np.asarray(picture)
