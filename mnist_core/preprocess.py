"""Turn any image of a digit into a 1x28x28 tensor the way MNIST was made: white ink on black, 20 px box, centred by mass."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from mnist_core.errors import EmptyImageError, ImageError

WORKING_SIDE = 1024  # larger inputs are box-reduced to about this first: bounded time and memory
MIN_INK = 0.1  # an image whose strongest ink is below 10% holds nothing drawn
BOX = 20  # MNIST fits each digit's longer side into 20 px ...
SIDE = 28  # ... and centres it by mass in a 28 x 28 field


def open_image(source: str | os.PathLike | bytes | Image.Image | np.ndarray) -> Image.Image:
    """A PIL image from a path, bytes, PIL image or array, or an ImageError in one sentence."""
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        if source.dtype.kind == "f":  # floats: [0, 1] or [0, 255]
            source = np.nan_to_num(source, nan=0.0, posinf=0.0, neginf=0.0)
            source = np.clip(source * (255 if source.max(initial=0) <= 1 else 1), 0, 255)
        return Image.fromarray(source.astype(np.uint8))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            image.draft("L", (WORKING_SIDE, WORKING_SIDE))  # JPEG only: decode at a reduced scale
            image.load()
    except FileNotFoundError:
        raise ImageError(f"{source} does not exist.") from None
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000  # PIL refuses twice its warning threshold
        raise ImageError(f"The image is too large to read (over {limit} million pixels).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"The file is not an image that can be read ({type(error).__name__}).") from None
    return image


def _reduce(image: Image.Image) -> Image.Image:
    """Box-reduce an image whose longer side exceeds WORKING_SIDE by an integer factor."""
    factor = -(-max(image.size) // WORKING_SIDE)
    return image.reduce(factor) if factor > 1 else image


def _as_float(image: Image.Image) -> np.ndarray:
    """A single-band image as floats in [0, 1], whatever its bit depth."""
    values = np.asarray(image, dtype=np.float32)
    if image.mode == "F":  # only float pixels can be NaN or infinite
        values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        top = values.max()
        return values / top if top > 0 else values
    return values / 255.0


def ink_map(image: Image.Image) -> np.ndarray:
    """Ink strength in [0, 1] per pixel (possibly cropped to the ink): alpha on a transparent canvas, else contrast."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = _as_float(_reduce(image) if image.mode != "F" else image)
    else:
        if image.mode not in ("RGBA", "LA", "L", "RGB"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image = _reduce(image)
        if "A" in image.getbands():
            alpha = image.getchannel("A")
            # A sketchpad layer: ink lives in the alpha channel, colour under transparent pixels is arbitrary.
            # Cropping to the ink first keeps the float work small.
            if alpha.getextrema()[0] < 250:
                return _as_float(alpha.crop(alpha.getbbox() or (0, 0, 1, 1)))
        grey = _as_float(image.convert("L"))
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    ink = background - grey if background >= 0.5 else grey - background
    return np.clip(ink, 0.0, 1.0)


def _centre_of_mass(ink: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted (row, column) centre of an ink map."""
    total = ink.sum()
    rows, cols = np.indices(ink.shape)
    return float((rows * ink).sum() / total), float((cols * ink).sum() / total)


def to_mnist(ink: np.ndarray) -> torch.Tensor:
    """An ink map of any size as a 1x28x28 float tensor in [0, 1], or EmptyImageError if nothing is drawn."""
    strongest = float(ink.max()) if ink.size else 0.0
    if strongest < MIN_INK:
        raise EmptyImageError("Nothing is drawn: the image has no ink.")
    ink = ink / strongest
    rows = np.flatnonzero(ink.max(1) > MIN_INK)
    cols = np.flatnonzero(ink.max(0) > MIN_INK)
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = ink.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    digit = np.clip(digit, 0.0, 1.0)
    centre_row, centre_col = _centre_of_mass(digit)
    top = int(np.clip(round(SIDE / 2 - centre_row), 0, SIDE - digit.shape[0]))
    left = int(np.clip(round(SIDE / 2 - centre_col), 0, SIDE - digit.shape[1]))
    canvas = np.zeros((SIDE, SIDE), dtype=np.float32)
    canvas[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return torch.from_numpy(canvas).unsqueeze(0)


def preprocess(source: str | os.PathLike | bytes | Image.Image | np.ndarray) -> torch.Tensor:
    """Any digit image (path, bytes, PIL or array) as MNIST's 1x28x28 [0, 1] tensor; raises on no ink or bad input."""
    image = open_image(source)
    ImageOps.exif_transpose(image, in_place=True)  # photos from phones carry their rotation in EXIF
    return to_mnist(ink_map(image))
