"""Pictures for the page: upscaled 28x28 inputs, make_grid batches with mistakes framed, the confusion matrix, weights."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from mnist_core import pixels
from mnist_core.model import DIGITS, IMAGE_SIDE

MISTAKE_RGB = (230, 40, 40)
TILE = IMAGE_SIDE  # one image in a make_grid picture
GRID_GREY = 0.5  # make_grid's padding between digits: mid-grey, apart from both the black ground and white ink
WEIGHTS_GREY = 0.35  # between weight pictures, whose zero is white: a darker grey
BACKDROP = 0.3  # how bright the drawing shows under the evidence: faint, so the red and blue read first
DISPLAY_WIDTH = 960  # about how wide a grid is shown, in pixels: the width of the page's column
MIN_SCALE, MAX_SCALE = 2, 10  # whole-pixel enlargement: at least doubled, never so large a small batch fills the screen
# The confusion matrix: each cell CELL pixels a side, digits along both axes in a larger font than the counts.
CELL = 46
COUNT_FONT, DIGIT_FONT = 14, 18
MARGIN = 8  # white beyond the last row and column
CONFUSION_GAIN = 20  # a confusion's share of its row, times this, is its red on a square-root scale: 5% is full red


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """A [0, 1] image tensor (C, H, W) as a uint8 array (H, W) or (H, W, 3) for display."""
    array = pixels.to_uint8(image)
    return array[0].numpy() if array.shape[0] == 1 else array.permute(1, 2, 0).numpy()


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Enlarge an image by an integer factor with nearest-neighbour, so every pixel stays a crisp square."""
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def evidence_picture(image: torch.Tensor, evidence: torch.Tensor) -> np.ndarray:
    """The 28x28 input faintly in grey, with each pixel's evidence over it: red for the answer, blue against."""
    strength = evidence / evidence.abs().max().clamp_min(1e-12)
    ink = BACKDROP * image[0]
    rgb = torch.stack([ink + strength.clamp(min=0), ink, ink + (-strength).clamp(min=0)])
    return to_uint8(rgb)


def side_by_side(*pictures: np.ndarray, gap: int = 1) -> np.ndarray:
    """RGB pictures of one height in a row, `gap` grey pixels apart."""
    rgb = [np.repeat(picture[..., None], 3, axis=2) if picture.ndim == 2 else picture for picture in pictures]
    spacer = np.full((rgb[0].shape[0], gap, 3), 128, dtype=np.uint8)
    row = [rgb[0]]
    for picture in rgb[1:]:
        row += [spacer, picture]
    return np.concatenate(row, axis=1)


def inline_png(picture: np.ndarray) -> str:
    """A small picture as a data: URI, so the page shows it without fetching a file."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def display_scale(width: int, target: int = DISPLAY_WIDTH) -> int:
    """The integer factor that brings an image about `target` pixels wide, between MIN_SCALE and MAX_SCALE."""
    return int(np.clip(round(target / width), MIN_SCALE, MAX_SCALE))


def grid_picture(
    images: torch.Tensor, nrow: int, padding: int, mistakes: list[bool], scale: int
) -> np.ndarray:
    """A batch (N, 1, 28, 28) laid out by make_grid as in the tutorial, upscaled, each mistake framed in red."""
    from torchvision.utils import make_grid  # here, not at the top: it takes seconds to import, drawing never needs it

    grid = make_grid(images, nrow=nrow, padding=padding, pad_value=GRID_GREY)
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
    from torchvision.utils import make_grid  # here, not at the top: it takes seconds to import, drawing never needs it

    # Each unit is scaled by its own largest weight, so faint units stay readable.
    scaled = weights / weights.flatten(1).abs().amax(1).clamp_min(1e-12).view(-1, 1, 1, 1)
    positive, negative = scaled.clamp(min=0), (-scaled).clamp(min=0)
    rgb = torch.cat([1 - negative, 1 - positive - negative, 1 - positive], dim=1).clamp(0, 1)
    grid = make_grid(rgb, nrow=nrow, padding=2, pad_value=WEIGHTS_GREY)
    return upscale(to_uint8(grid), display_scale(grid.shape[-1]))


def confusion_picture(confusion: list[list[int]], cell: int = CELL) -> np.ndarray:
    """The 10x10 confusion matrix as a heat map with counts: rows the true digit, columns the prediction."""
    counts = np.asarray(confusion, dtype=np.float64)
    row_share = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    small, large = ImageFont.load_default(size=COUNT_FONT), ImageFont.load_default(size=DIGIT_FONT)
    left, top = 2 * cell, 2 * cell  # room for the digits along each axis
    picture = Image.new("RGB", (left + DIGITS * cell + MARGIN, top + DIGITS * cell + MARGIN), "white")
    draw = ImageDraw.Draw(picture)
    # No words in the picture: the image's label says which axis is which, in the visitor's language.
    for digit in range(DIGITS):
        centre = digit * cell + cell // 2
        draw.text((left + centre, top - cell // 2), str(digit), fill="black", anchor="mm", font=large)
        draw.text((left - cell // 2, top + centre), str(digit), fill="black", anchor="mm", font=large)
    for true in range(DIGITS):
        for guess in range(DIGITS):
            share = row_share[true, guess]
            # Right answers shade green, confusions red; the stronger, the larger their share of the row
            # (confusions on a square-root scale, or a 1% confusion would be invisible beside 99%).
            fade = int(255 * (1 - share)) if true == guess else int(255 * (1 - min(1.0, (CONFUSION_GAIN * share) ** 0.5)))
            colour = (fade, 255, fade) if true == guess else (255, fade, fade)
            box = (left + guess * cell, top + true * cell, left + (guess + 1) * cell, top + (true + 1) * cell)
            draw.rectangle(box, fill=colour, outline=(200, 200, 200))
            if counts[true, guess]:
                centre = (box[0] + cell // 2, box[1] + cell // 2)
                draw.text(centre, str(int(counts[true, guess])), fill="black", anchor="mm", font=small)
    return np.asarray(picture)
