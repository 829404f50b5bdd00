"""Numbers of 2, 3 and 4 digits, each made of one writer's own development digits side by side, read as the app
reads a drawing (Classifier.read: mnist_core.segment, then the model on each digit), for every model in one run.

Run: python -m benchmarks.numbers [--checkpoints runs/a ...] [--count 200] [--seed 0] [--drawn DIR].
Without --checkpoints it measures the shipped models. Two sources, never trained on: pendigits' 14 .tes writers
(pen strokes, placed with gaps from wide to touching, a slant and baseline jitter, drawn with a round brush)
and drawn-digits-dev (one writer's sketchpad drawings, scaled to one height and pasted side by side). Prints,
per model, source and length: the share of numbers read exactly ("?" for an unsure digit counts as wrong),
digit accuracy (1 - edit distance / length), the share read with the wrong count of digits and the share
with a "?"; then the single-digit sets beside: accuracy read whole (before) and read through the segmenter
(after: one piece, the right digit), the share a single digit was split, and how long one drawn digit takes
read whole and as a number. Asserts nothing.
"""

from __future__ import annotations

from mnist_core.threads import set_thread_policy

set_thread_policy()  # as the CLI does, before torch is imported

import argparse  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from mnist_core.checkpoint import shipped_checkpoints  # noqa: E402
from mnist_core.data import DRAWN_DEV  # noqa: E402
from mnist_core.drawn import load_drawn_set  # noqa: E402
from mnist_core.pen import Brush, PenDigit, draw_strokes, load_pendigits  # noqa: E402
from mnist_core.predict import Classifier, NumberReading  # noqa: E402
from mnist_core.preprocess import to_mnist  # noqa: E402
from mnist_core.verdict import answers  # noqa: E402

LENGTHS = (2, 3, 4)
TOUCHING = 0.25  # the share of neighbours placed touching or overlapping a little; the rest with a natural gap
WIDE_GAP = (0.08, 0.6)  # a natural gap, in digit heights
TOUCH_GAP = (-0.06, 0.04)
JITTER = 0.08  # baseline and size jitter, in digit heights
SLANT = 0.15  # the whole number leans by up to this shear
DIGIT_PX = 140  # a digit's height on the canvas, about what a 512 px sketchpad holds in a row of four
DRAWN_HEIGHT = 160  # drawn-digits-dev digits are scaled to about this height before pasting
TIMED = 300  # single drawn digits timed read whole and as a number


def gap(rng: np.random.Generator) -> float:
    """The space before the next digit, in digit heights: usually a natural gap, sometimes touching."""
    return float(rng.uniform(*(TOUCH_GAP if rng.random() < TOUCHING else WIDE_GAP)))


def pen_number(digits: list[PenDigit], rng: np.random.Generator) -> np.ndarray:
    """An ink map of one writer's pen digits side by side, the whole number slanted, drawn with one round brush."""
    strokes, cursor = [], 0.0
    for index, digit in enumerate(digits):
        points = np.concatenate(digit.strokes)
        low, high = points.min(0), points.max(0)
        size = (1 + rng.uniform(-JITTER, JITTER)) / max(float(high[1] - low[1]), 1e-3)
        cursor += gap(rng) if index else 0.0
        shift = np.array([cursor, rng.uniform(-JITTER, JITTER)], dtype=np.float32)
        strokes += [(stroke - low) * size + shift for stroke in digit.strokes]
        cursor += float(high[0] - low[0]) * size
    shear = rng.uniform(-SLANT, SLANT)
    strokes = [stroke + np.stack([-shear * stroke[:, 1], np.zeros(len(stroke))], 1).astype(np.float32) for stroke in strokes]
    every = np.concatenate(strokes)
    extent = float(max(np.ptp(every[:, 0]), np.ptp(every[:, 1])))
    brush = Brush(width=float(np.exp(rng.uniform(np.log(0.06), np.log(0.2)))) / extent)  # pen-thin to finger-thick
    return draw_strokes(strokes, brush, rng, size_px=round(DIGIT_PX * extent))


def drawn_number(files: list[Path], rng: np.random.Generator) -> Image.Image:
    """A sketchpad layer (ink in alpha) of one writer's drawn digits scaled to one height and pasted side by side."""
    crops = []
    for file in files:
        alpha = Image.open(file).convert("RGBA").getchannel("A")
        alpha = alpha.crop(alpha.getbbox())
        height = round(DRAWN_HEIGHT * (1 + rng.uniform(-JITTER, JITTER)))
        crops.append(alpha.resize((max(1, round(alpha.width * height / alpha.height)), height), Image.Resampling.LANCZOS))
    margin = DRAWN_HEIGHT // 4
    canvas = Image.new("L", (sum(crop.width for crop in crops) + DRAWN_HEIGHT * len(crops) + 2 * margin, 2 * DRAWN_HEIGHT))
    cursor = margin
    for index, crop in enumerate(crops):
        cursor += round(gap(rng) * DRAWN_HEIGHT) if index else 0
        top = margin + round(rng.uniform(-JITTER, JITTER) * DRAWN_HEIGHT) + DRAWN_HEIGHT // 4
        canvas.paste(Image.fromarray(np.maximum(np.asarray(canvas.crop((cursor, top, cursor + crop.width, top + crop.height))),
                                                np.asarray(crop))), (cursor, top))
        cursor += crop.width
    return Image.merge("LA", (Image.new("L", canvas.size), canvas))


def pen_numbers(count: int, length: int, rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    """`count` numbers of `length` digits, each from one pendigits .tes writer's own digits."""
    by_writer = defaultdict(list)
    for digit in load_pendigits("test"):
        by_writer[digit.writer].append(digit)
    writers = sorted(by_writer)
    numbers = []
    for _ in range(count):
        mine = by_writer[writers[rng.integers(len(writers))]]
        digits = [mine[i] for i in rng.choice(len(mine), size=length, replace=False)]
        numbers.append((pen_number(digits, rng), "".join(str(digit.label) for digit in digits)))
    return numbers


def drawn_numbers(folder: Path, count: int, length: int, rng: np.random.Generator) -> list[tuple[Image.Image, str]]:
    """`count` numbers of `length` digits, each from one drawn-digits-dev writer's own drawings."""
    import csv

    with open(folder / "labels.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    by_writer = defaultdict(list)
    for row in rows:
        by_writer[row["writer"]].append((folder / "rgba" / row["file"], row["label"]))
    writers = sorted(writer for writer, mine in by_writer.items() if len(mine) >= length)
    numbers = []
    for _ in range(count):
        mine = by_writer[writers[rng.integers(len(writers))]]
        chosen = [mine[i] for i in rng.choice(len(mine), size=length, replace=False)]
        numbers.append((drawn_number([file for file, _ in chosen], rng), "".join(label for _, label in chosen)))
    return numbers


def edit_distance(read: str, truth: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions that make `read` into `truth`."""
    previous = list(range(len(truth) + 1))
    for i, mine in enumerate(read, 1):
        current = [i]
        for j, theirs in enumerate(truth, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (mine != theirs)))
        previous = current
    return previous[-1]


def number_row(model: str, source: str, length: int, readings: list[NumberReading], truths: list[str]) -> str:
    """One Markdown row: exact-match, digit accuracy, wrong count and "?" shares of numbers of one length."""
    exact = np.mean([reading.number == truth for reading, truth in zip(readings, truths)])
    digits = np.mean([max(0.0, 1 - edit_distance(r.number, truth) / len(truth)) for r, truth in zip(readings, truths)])
    wrong_count = np.mean([len(reading.digits) != len(truth) for reading, truth in zip(readings, truths)])
    unread = np.mean(["?" in reading.number for reading in readings])
    return f"| {model} | {source} | {length} | {len(truths)} | **{exact:.1%}** | {digits:.1%} | {wrong_count:.1%} | {unread:.1%} |"


def single_row(model: str, source: str, before: torch.Tensor, after: list[NumberReading], labels: torch.Tensor) -> str:
    """One Markdown row: a single-digit set read whole (before) and through the segmenter (after), and its split share."""
    right_before = float((answers(before) == labels).float().mean())
    right_after = np.mean([
        len(reading.digits) == 1 and reading.digits[0].prediction.is_digit and reading.digits[0].prediction.digit == label
        for reading, label in zip(after, labels.tolist())
    ])
    split = np.mean([len(reading.digits) != 1 for reading in after])
    return f"| {model} | {source} ({len(labels)}) | {right_before:.2%} | **{right_after:.2%}** | {split:.2%} |"


def answer_times(classifier: Classifier, files: list[Path]) -> tuple[float, float]:
    """Median milliseconds to answer one drawing read whole (classify) and as a number (read), timed in turns."""
    whole, number = [], []
    for file in files:
        for times, answer in ((whole, classifier.classify), (number, classifier.read)):
            started = time.perf_counter()
            answer(file)
            times.append(1000 * (time.perf_counter() - started))
    return float(np.median(whole)), float(np.median(number))


def main() -> None:
    """Compose the numbers once, then print both tables for every checkpoint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", nargs="+", type=Path, default=shipped_checkpoints())
    parser.add_argument("--count", type=int, default=200, help="numbers of each length from each source")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drawn", type=Path, default=DRAWN_DEV, help="a labelled drawn-digit folder")
    parser.add_argument("--no-singles", action="store_true", help="skip the single-digit sets")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app serves

    rng = np.random.default_rng(args.seed)
    sources = {
        "pendigits .tes": {length: pen_numbers(args.count, length, rng) for length in LENGTHS},
        "drawn-digits-dev": {length: drawn_numbers(args.drawn, args.count, length, rng) for length in LENGTHS},
    }
    pen_singles = [] if args.no_singles else load_pendigits("test")
    pen_inks = [draw_strokes(digit.strokes, Brush()) for digit in pen_singles]  # as benchmarks.drawn draws them
    drawn = load_drawn_set(args.drawn, limit=0 if args.no_singles else None)
    number_rows, single_rows, times = [], [], []
    for path in args.checkpoints:
        classifier = Classifier.load(path)
        for source, by_length in sources.items():
            for length, numbers in by_length.items():
                read = [classifier.read_ink_map(drawing) if isinstance(drawing, np.ndarray) else classifier.read(drawing)
                        for drawing, _ in numbers]
                number_rows.append(number_row(path.stem, source, length, read, [truth for _, truth in numbers]))
                print(number_rows[-1], flush=True)
        if pen_inks:
            before = classifier.probabilities(torch.stack([to_mnist(ink) for ink in pen_inks]))
            after = [classifier.read_ink_map(ink) for ink in pen_inks]
            single_rows.append(single_row(path.stem, "pendigits .tes", before, after, torch.tensor([d.label for d in pen_singles])))
        if drawn.files:
            before = classifier.probabilities(torch.stack([classifier.classify(file).image for file in drawn.files]))
            single_rows.append(single_row(path.stem, "drawn-digits-dev", before, [classifier.read(f) for f in drawn.files], drawn.labels))
            whole, number = answer_times(classifier, drawn.files[:TIMED])
            times.append(f"{path.stem}: one drawn digit answered in {whole:.2f} ms read whole, {number:.2f} ms read as a "
                         f"number (median of {min(TIMED, len(drawn.files))}, in turns; ratio {number / whole:.2f})")
    print("\n| model | source | digits | numbers | read exactly | digit accuracy | wrong count | with ? |")
    print("| --- " * 8 + "|")
    print("\n".join(number_rows))
    if single_rows:
        print("\n| model | single-digit set | read whole (before) | read as a number (after) | split |")
        print("| --- " * 5 + "|")
        print("\n".join(single_rows))
        print("\n" + "\n".join(times))


if __name__ == "__main__":
    main()
