"""Pen-trajectory digits: read UNIPEN files (such as pendigits), draw their strokes as a sketchpad would, preprocess.

A drawing in the app is strokes of a round brush on a canvas. Rendering pen data the same way, with the
brush widths, sizes and wobble visitors use, then sending it through the app's own preprocessing, gives
training and test images that look like what the network meets in the browser.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from tqdm import tqdm

from mnist_core.errors import DataUnavailableError, MnistCoreError
from mnist_core.evaluate import to_float
from mnist_core.preprocess import to_mnist

Strokes = list[np.ndarray]  # each stroke (K, 2) float points x, y with y pointing down, as in an image

PENDIGITS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "pendigits"
PENDIGITS_FILES = {"train": "pendigits-orig.tra.gz", "test": "pendigits-orig.tes.gz"}


@dataclass
class PenDigit:
    """One written digit: its strokes, label and writer (writer numbers are per file)."""

    strokes: Strokes
    label: int
    writer: int


@dataclass
class NonDigit(PenDigit):
    """A pen drawing that is not a digit (label NOT_DIGIT), with the character or kind it shows ('A', 'Korean', 'star')."""

    name: str = ""


def _component_range(spec: str) -> list[int]:
    """UNIPEN component indices from a segment's spec: '6', '6-7' or '3,5-6'."""
    indices: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        indices += range(int(first), int(last or first) + 1)
    return indices


def parse_unipen(text: str) -> list[PenDigit]:
    """The labelled digit segments of a UNIPEN text: pen-down components in file order, y flipped to point down."""
    components: list[np.ndarray] = []
    segments: list[dict] = []
    points: list[list[float]] | None = None
    for line in text.splitlines():
        if line[:1] not in (".", ""):
            if points is not None and line.strip():
                points.append([float(value) for value in line.split()[:2]])
            continue
        keyword, _, rest = line.partition(" ")
        fields = rest.split()
        if points is not None and keyword in (".PEN_UP", ".PEN_DOWN", ".SEGMENT", ".DT"):
            components.append(np.array(points, dtype=np.float32).reshape(-1, 2) * [1, -1])
            points = None
        if keyword == ".PEN_DOWN":
            points = []
        elif keyword == ".SEGMENT" and fields and fields[-1].strip('"').isdigit():
            segments.append({"components": _component_range(fields[1]), "label": int(fields[-1].strip('"')), "writer": 0})
        elif keyword == ".COMMENT" and segments and len(fields) >= 2:
            segments[-1]["writer"] = int(fields[1])  # pendigits: ".COMMENT label writer points" after each segment
    if points is not None:
        components.append(np.array(points, dtype=np.float32).reshape(-1, 2) * [1, -1])
    digits = []
    for segment in segments:
        strokes = [components[i].astype(np.float32) for i in segment["components"] if i < len(components)]
        strokes = [stroke for stroke in strokes if len(stroke)]
        if strokes and segment["label"] < 10:
            digits.append(PenDigit(strokes, segment["label"], segment["writer"]))
    return digits


def load_pendigits(split: str = "train", folder: str | os.PathLike | None = None) -> list[PenDigit]:
    """pendigits' .tra (30 writers, split 'train') or .tes (14 other writers, 'test') digits."""
    if split not in PENDIGITS_FILES:
        raise MnistCoreError(f"unknown pendigits split {split!r}: choose 'train' or 'test'")
    folder = Path(folder or os.environ.get("PENDIGITS_DIR") or PENDIGITS_DIR)
    path = folder / PENDIGITS_FILES[split]
    if not path.is_file():
        raise DataUnavailableError(
            f"pendigits is not at {path}; download the original pendigits files (UCI dataset 81) into a folder "
            "and pass it with --pendigits-dir or PENDIGITS_DIR.", reason="data_unavailable", what="pendigits",
        )
    with gzip.open(path, "rt", encoding="latin-1") as file:
        return parse_unipen(file.read())


@dataclass(frozen=True)
class Brush:
    """How one drawing is made: brush width relative to the digit's size, wobble, slant and stretch."""

    width: float = 0.1  # stroke width as a fraction of the digit's longer side (the app's brush: about 0.07-0.2)
    jitter: float = 0.0  # hand or finger wobble, as a fraction of the digit's longer side
    rotation_deg: float = 0.0
    shear: float = 0.0
    aspect: float = 1.0  # width multiplier
    warp: float = 0.0  # smooth bend of the whole digit (another writer's proportions), fraction of its longer side
    spacing: float = 0.0  # the device's sampling: points at least this far apart (fraction of the longer side), 0 = all


def random_brush(rng: np.random.Generator) -> Brush:
    """A brush as visitors draw: thin pen to thick finger (log-uniform width), some wobble, slant and stretch."""
    return Brush(
        width=float(np.exp(rng.uniform(np.log(0.045), np.log(0.22)))),
        jitter=float(rng.uniform(0.0, 0.02)),
        rotation_deg=float(rng.uniform(-12, 12)),
        shear=float(rng.uniform(-0.2, 0.2)),
        aspect=float(np.exp(rng.uniform(-0.2, 0.2))),
        warp=float(rng.uniform(0.0, 0.08)),
        # Half the drawings as a slowly sampling tablet or a mouse on a busy page records them: corners where a
        # curve was (UNIPEN's older tablets do; pendigits' is dense), so corners are no sign of "not a digit".
        spacing=float(np.exp(rng.uniform(np.log(0.03), np.log(0.3)))) if rng.random() < 0.5 else 0.0,
    )


SIZE_PX = 96  # the digit's longer side on the working canvas: to_mnist shrinks it to 20 px anyway


def _wobble(stroke: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """The stroke with smooth random wobble (a random walk, smoothed), as a hand or finger adds."""
    if amount <= 0 or len(stroke) < 3:
        return stroke
    noise = rng.normal(0, amount, size=stroke.shape).cumsum(0)
    noise -= np.linspace(noise[0], noise[-1], len(noise))  # keep the ends where the writer put them
    kernel = np.ones(3) / 3
    smooth = np.stack([np.convolve(noise[:, i], kernel, mode="same") for i in range(2)], 1)
    return stroke + smooth.astype(np.float32) / np.sqrt(len(stroke))


def _sparse(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """The stroke's points at least `spacing` apart (its ends kept), as a slower device would have sampled it."""
    if spacing <= 0 or len(stroke) < 3:
        return stroke
    kept = [0]
    for index in range(1, len(stroke) - 1):
        if np.linalg.norm(stroke[index] - stroke[kept[-1]]) >= spacing:
            kept.append(index)
    return stroke[kept + [len(stroke) - 1]]


def _bend(points: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Points in the unit box moved by one smooth random field: loops grow or shrink, flags lengthen, stems lean."""
    if amount <= 0:
        return points
    moved = points.copy()
    for axis in range(2):
        # Two random plane waves of about one cycle across the digit per axis: smooth at the scale of a stroke.
        for _ in range(2):
            direction = rng.normal(size=2)
            frequency = direction / np.linalg.norm(direction) * rng.uniform(0.5, 1.2) * 2 * np.pi
            moved[:, axis] += amount / np.sqrt(2) * np.sin(points @ frequency + rng.uniform(0, 2 * np.pi))
    return moved.astype(np.float32)


def draw_strokes(
    strokes: Strokes, brush: Brush = Brush(), rng: np.random.Generator | None = None, size_px: int = SIZE_PX
) -> np.ndarray:
    """Ink in [0, 1] of the strokes drawn with a round brush (2x supersampled), size_px on its longer side plus margins."""
    rng = rng or np.random.default_rng(0)
    points = np.concatenate(strokes)
    angle = np.radians(brush.rotation_deg)
    linear = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[brush.aspect, brush.shear], [0, 1]]
    )
    low, high = points.min(0), points.max(0)
    extent = max(float(high[1] - low[1]), float(high[0] - low[0]), 1e-3)  # the longer side, as to_mnist scales
    scale = 2 * size_px  # supersampled twice
    width_px = max(1.0, brush.width * scale)
    bent = _bend((points - low) / extent, brush.warp, rng)
    ends = np.cumsum([len(stroke) for stroke in strokes])[:-1]
    placed = []
    for stroke in np.split(bent, ends):  # one field for the whole digit, so its strokes still meet
        stroke = _wobble(_sparse(stroke, brush.spacing), brush.jitter, rng)
        placed.append((stroke @ linear.T.astype(np.float32)) * scale)
    every = np.concatenate(placed)
    offset = width_px - every.min(0)
    size = np.ceil(every.max(0) + offset + width_px).astype(int)
    canvas = Image.new("L", (int(size[0]), int(size[1])))
    pen = ImageDraw.Draw(canvas)
    radius = width_px / 2
    for stroke in placed:
        xy = [tuple(point) for point in (stroke + offset).tolist()]
        if len(xy) > 1:
            pen.line(xy, fill=255, width=max(1, round(width_px)), joint="curve")
        for x, y in (xy[0], xy[-1]) if len(xy) > 1 else xy:  # round caps (and a dot for a tap)
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    canvas = canvas.reduce(2)
    return np.asarray(canvas, dtype=np.float32) / 255.0


def render(strokes: Strokes, brush: Brush = Brush(), rng: np.random.Generator | None = None) -> torch.Tensor:
    """The 1x28x28 input the app would make of these strokes drawn with this brush."""
    return to_mnist(draw_strokes(strokes, brush, rng))


def render_digits(digits: list[PenDigit], copies: int = 1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (N * copies, 28, 28) and labels of pen digits, each drawn `copies` times with random brushes.

    copies=0 draws each once with the plain Brush(): a fixed rendering, for measuring.
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for digit in tqdm(digits * max(copies, 1), desc="drawing pen strokes", disable=len(digits) * copies < 5000):
        brush = random_brush(rng) if copies else Brush()
        images.append(render(digit.strokes, brush, rng))
        labels.append(digit.label)
    stacked = torch.cat(images).mul_(255).round_().to(torch.uint8)
    return stacked, torch.tensor(labels, dtype=torch.int64)


class DrawnStrokes(torch.utils.data.Dataset):
    """Pen drawings as a torch Dataset, like torchvision's MNIST: uint8 `data` and `targets`; items are
    (1x28x28 float tensor in [0, 1], label), each drawing drawn once with the plain brush."""

    def __init__(self, drawings: list[PenDigit]):
        self.data, self.targets = render_digits(drawings, copies=0)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return to_float(self.data[index : index + 1])[0], int(self.targets[index])


class PenDigits(DrawnStrokes):
    """pendigits' digits as a DrawnStrokes Dataset, with each digit's writer in `writers`."""

    def __init__(self, split: str = "test", folder: str | os.PathLike | None = None):
        digits = load_pendigits(split, folder)
        super().__init__(digits)
        self.writers = torch.tensor([digit.writer for digit in digits])
