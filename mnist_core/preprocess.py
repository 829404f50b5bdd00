"""Turn any image of a digit into a 1x28x28 tensor the way MNIST was made: white ink on black, 20 px box, centred by mass."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from mnist_core.errors import EmptyImageError, ImageError
from mnist_core.model import IMAGE_SIDE

WORKING_SIDE = 1024  # larger inputs are box-reduced to about this first: bounded time and memory
MIN_INK = 0.1  # an image whose strongest ink is below 10% holds nothing drawn
BOX = 20  # MNIST fits each digit's longer side into 20 px and centres it by mass in a 28 x 28 field
SPECK_MASS = 0.12  # a blob with under 12% of the ink (a fingertip tap beside a short 1 or 7 holds ~6-10%) ...
SPECK_GAP = 0.1  # ... further than 10% of the digit's size from it is a stray touch, not part of the digit
SPECK_GRID = 160  # blobs are found on a grid of about this many cells a side: fast on any canvas
# Bytes of pixels decoded at most (after a JPEG's reduced-scale draft, which any phone photo gets): a 64-megapixel
# grey or 16-megapixel colour PNG passes, a 13000 x 13000 one (decoded whole before anything can reduce it) does not.
DECODE_BUDGET = 64 * 2**20
# Strong ink (at least half the strongest) must cover this share of the image at least: one stray pixel on a
# canvas is nothing drawn (the thinnest real drawings cover ~1.7% of their canvas, MNIST's digits 2.4%) ...
MIN_INK_SHARE = 0.0005
# ... and at most this share: more is noise or a texture, not one digit on a background (MNIST's boldest 33%).
MAX_INK_SHARE = 0.45
# Strong ink over more than this share of the whole image and of its edges is noise: a digit leaves its edges bare.
NOISE_SHARE = 0.15


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
            if decoded_bytes(image) > DECODE_BUDGET:  # from the header: nothing is decoded yet
                raise ImageError(
                    f"The image is too large to read: at most {DECODE_BUDGET // 2**20} million grey or "
                    f"{DECODE_BUDGET // 2**22} million colour pixels.",
                    reason="image_too_large", megapixels=DECODE_BUDGET // 2**20,
                )
            image.load()
    except FileNotFoundError:
        raise ImageError(f"{source} does not exist.", reason="image_missing") from None
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000  # PIL refuses twice its warning threshold
        raise ImageError(f"The image is too large to read (over {limit} million pixels).", reason="image_too_large",
                         megapixels=limit) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"The file is not an image that can be read ({type(error).__name__}).",
                         reason="not_an_image") from None
    return image


def decoded_bytes(image: Image.Image) -> int:
    """Bytes PIL will hold once an opened (not yet loaded) image is decoded: 1 a pixel for 1-bit, grey and palette
    images, 2 for 16-bit grey, 4 for the rest."""
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return image.size[0] * image.size[1] * per_pixel


def _reduction(image: Image.Image) -> int:
    """The integer factor that brings an image's longer side to WORKING_SIDE or less (1: left as it is)."""
    return -(-max(image.size) // WORKING_SIDE)


def _reduce(image: Image.Image) -> Image.Image:
    """Box-reduce an image whose longer side exceeds WORKING_SIDE by an integer factor."""
    factor = _reduction(image)
    return image.reduce(factor) if factor > 1 else image


def _as_float(image: Image.Image) -> np.ndarray:
    """A single-band image as floats in [0, 1], whatever its bit depth."""
    values = np.asarray(image, dtype=np.float32)
    if image.mode == "F":  # only float pixels can be NaN or infinite
        values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    if image.mode.startswith("I;16") or (image.mode == "I" and values.max(initial=0) <= 65535):
        return values / 65535.0  # full scale, not the brightest pixel: ink at 3/65535 is as faint as it looks
    if image.mode in ("I", "F"):
        top = values.max(initial=0)
        return values / top if top > 1 else values  # floats in [0, 1] as they are, other ranges scaled to it
    return values / 255.0


def located_ink(image: Image.Image) -> tuple[np.ndarray, tuple[int, int], int]:
    """Ink strength in [0, 1] per pixel (possibly cropped to the ink): alpha on a transparent canvas, else contrast;
    with where its top-left pixel lies on the image (x, y) and how many image pixels a side one of its pixels
    spans (the box reduction's factor), for drawing a box found on it on the image."""
    factor = _reduction(image) if image.mode != "F" else 1  # float images are never reduced
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = _as_float(_reduce(image) if image.mode != "F" else image)
    else:
        image = _reduce(image)  # before any conversion: a mode change copies every pixel
        if image.mode not in ("RGBA", "LA", "L", "RGB"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        if "A" in image.getbands():
            alpha = image.getchannel("A")
            # A sketchpad layer: ink lives in the alpha channel, colour under transparent pixels is arbitrary.
            # Cropping to the ink first keeps the float work small.
            if alpha.getextrema()[0] < 250:
                check_ink_share(alpha.histogram(), alpha.size[0] * alpha.size[1])
                box = alpha.getbbox() or (0, 0, 1, 1)
                return _as_float(alpha.crop(box)), (box[0] * factor, box[1] * factor), factor
        grey = _as_float(image.convert("L"))
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    ink = np.clip(background - grey if background >= 0.5 else grey - background, 0.0, 1.0)
    check_ink_share(np.histogram(ink, bins=256, range=(0.0, 1.0))[0], ink.size)
    check_background(ink)
    return ink, (0, 0), factor


def check_background(ink: np.ndarray) -> None:
    """EmptyImageError when strong ink lies all over the image, its edges included: noise, not a digit on a background."""
    strong = 0.5 * float(ink.max(initial=0))
    edge = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    if strong > 0 and (edge >= strong).mean() > NOISE_SHARE and (ink >= strong).mean() > NOISE_SHARE:
        raise EmptyImageError("Nothing is drawn: the image holds noise or a texture, not a digit on a background.")


def check_ink_share(histogram: list[int] | np.ndarray, area: int) -> None:
    """EmptyImageError unless strong ink covers between MIN_INK_SHARE and MAX_INK_SHARE of the image.

    `histogram`: pixel counts of 256 ink levels, faintest first. Below the range lies a stray pixel or a
    speck of dust; above it, noise, faint or not, whose brightest grains would be scaled up to a digit.
    """
    levels = np.flatnonzero(np.asarray(histogram))
    strongest = int(levels[-1]) if levels.size else 0
    if strongest < MIN_INK * 255:
        return  # to_mnist says "no ink"
    strong = int(np.asarray(histogram)[(strongest + 1) // 2 :].sum())
    if strong < MIN_INK_SHARE * area:
        raise EmptyImageError("Nothing is drawn: the image holds only a speck of ink.")
    if strong > MAX_INK_SHARE * area:
        raise EmptyImageError("Nothing is drawn: the image holds noise or a texture, not a digit on a background.")


def _centre_of_mass(ink: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted (row, column) centre of an ink map."""
    total = ink.sum()
    rows, cols = np.indices(ink.shape)
    return float((rows * ink).sum() / total), float((cols * ink).sum() / total)


def box_gap(box: tuple[slice, slice], rows: tuple[int, int], cols: tuple[int, int]) -> int:
    """How many cells separate a blob's box from the rectangle rows x cols (0 when they touch or overlap)."""
    return max(rows[0] - box[0].stop, box[0].start - rows[1], cols[0] - box[1].stop, box[1].start - cols[1], 0)


def ink_cells(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """The ink map box-reduced to about SPECK_GRID cells a side, and how many pixels a side one cell spans."""
    factor = max(1, -(-max(ink.shape) // SPECK_GRID))
    cells = np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").reduce(factor)) if factor > 1 else ink
    return cells, factor


def blobs_of(cells: np.ndarray, factor: int) -> tuple[np.ndarray, int]:
    """The ink's blobs on its cells (ink_cells), 8-connected: a label per cell (0 for none) and how many there are."""
    return ndimage.label(cells > MIN_INK / factor**2, structure=np.ones((3, 3)))


def without_specks(ink: np.ndarray) -> np.ndarray:
    """The ink map cropped to the digit, leaving out small blobs far from it: a finger's stray touch would
    otherwise shrink the digit and pull it off centre."""
    cells, factor = ink_cells(ink)
    blobs, count = blobs_of(cells, factor)
    if count < 2:
        return ink
    mass = np.asarray(ndimage.sum_labels(cells, blobs, index=np.arange(1, count + 1)))
    boxes = ndimage.find_objects(blobs)
    digit = [box for box, weight in zip(boxes, mass) if weight >= SPECK_MASS * mass.sum()]
    rows = (min(box[0].start for box in digit), max(box[0].stop for box in digit))
    cols = (min(box[1].start for box in digit), max(box[1].stop for box in digit))
    allowed = SPECK_GAP * max(rows[1] - rows[0], cols[1] - cols[0])
    kept = [box for box in boxes if box_gap(box, rows, cols) <= allowed]
    top, bottom = min(box[0].start for box in kept) * factor, max(box[0].stop for box in kept) * factor
    left, right = min(box[1].start for box in kept) * factor, max(box[1].stop for box in kept) * factor
    return ink[top:bottom, left:right]


def to_mnist(ink: np.ndarray) -> torch.Tensor:
    """An ink map of any size as a 1x28x28 float tensor in [0, 1], or EmptyImageError if nothing is drawn."""
    strongest = float(ink.max()) if ink.size else 0.0
    if strongest < MIN_INK:
        raise EmptyImageError("Nothing is drawn: the image has no ink.")
    ink = without_specks(ink / strongest)
    rows = np.flatnonzero(ink.max(1) > MIN_INK)
    cols = np.flatnonzero(ink.max(0) > MIN_INK)
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = ink.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    digit = np.clip(digit, 0.0, 1.0)
    centre_row, centre_col = _centre_of_mass(digit)
    top = int(np.clip(round(IMAGE_SIDE / 2 - centre_row), 0, IMAGE_SIDE - digit.shape[0]))
    left = int(np.clip(round(IMAGE_SIDE / 2 - centre_col), 0, IMAGE_SIDE - digit.shape[1]))
    canvas = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
    canvas[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return torch.from_numpy(canvas).unsqueeze(0)


def read_ink(source: str | os.PathLike | bytes | Image.Image | np.ndarray) -> tuple[np.ndarray, tuple[int, int], int]:
    """Any image's ink map, upright, and where it lies on the image (located_ink); raises on bad input."""
    image = open_image(source)
    ImageOps.exif_transpose(image, in_place=True)  # photos from phones carry their rotation in EXIF
    return located_ink(image)


def preprocess(source: str | os.PathLike | bytes | Image.Image | np.ndarray) -> torch.Tensor:
    """Any digit image (path, bytes, PIL or array) as MNIST's 1x28x28 [0, 1] tensor; raises on no ink or bad input."""
    return to_mnist(read_ink(source)[0])
