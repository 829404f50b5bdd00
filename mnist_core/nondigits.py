"""Drawings that are not digits, as pen strokes: letters and symbols (pen-letters), other alphabets (Omniglot).

A digit reader with ten outputs must call every drawing some digit. Training an 11th output, "not a digit"
(mnist_core.model.NOT_DIGIT), on letters, symbols, other alphabets and doodles (mnist_core.doodles) teaches
it to say so. Characters that people routinely write exactly like a digit (O → 0, l → 1, Z → 2, S → 5, …)
are left out: calling them "not a digit" would teach the network to refuse real digits.

Each set is split by whole writers, so what it is measured on was written by people it never saw:
`split="train"` and `split="dev"` never share a writer (or an Omniglot drawer, or alphabet).
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mnist_core.doodles import doodles
from mnist_core.errors import DataUnavailableError, MnistCoreError
from mnist_core.model import NOT_DIGIT
from mnist_core.pen import DrawnStrokes, NonDigit

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
PEN_LETTERS_DIR = SHARED / "pen-letters"
PEN_LETTERS_FILES = ("letters-upper.jsonl.gz", "letters-lower.jsonl.gz", "symbols.jsonl.gz")
OMNIGLOT_DIR = SHARED / "omniglot-strokes"
OMNIGLOT_FILES = ("strokes_background_small1.zip", "strokes_background_small2.zip")
SPLITS = ("train", "dev")

# Written like a digit often enough that "not a digit" would be wrong (pen-letters' README lists them):
# round letters (0), single strokes, dots and bars (1), Z (2), S (5), G b (6), B & (8), g q (9), T t J j (7 or 1).
DIGIT_LIKE = set("OoDQ0" "IlijJ|/\\()[]!,'`.-_" "Zz" "Ss" "Gb" "B&}" "gq" "Tt" "?")
# Omniglot's characters (by alphabet and number) that are drawn like a digit: Latin (a-z as character01-26)
# b d g i j l o q s t z, Greek ζ θ ι ο σ φ (θ and φ are slashed zeros), Korean ㅡ ㅣ ㄱ ㄹ ㅇ, katakana ク ノ フ ワ ヲ
# (checked by eye on a sheet of them). Early Aramaic is left out whole: most of its 22 letters are drawn like
# a 0, 4, 6, 7 or 9, or a zero crossed or slashed.
OMNIGLOT_LEFT_OUT = {"Early_Aramaic"}
OMNIGLOT_DIGIT_LIKE = {
    "Latin": {2, 4, 7, 9, 10, 12, 15, 17, 19, 20, 26},
    "Greek": {6, 8, 9, 15, 18, 21},
    "Korean": {19, 21, 22, 27, 33},
    "Japanese_(katakana)": {8, 24, 27, 43, 46},
}
DEV_WRITER_EVERY = 5  # one pen-letters writer in five is held out for measuring
OMNIGLOT_DEV_DRAWERS = range(16, 21)  # drawers 16-20 of every character are held out ...
OMNIGLOT_DEV_ALPHABET = "Tagalog"  # ... and one whole alphabet


def _check_split(split: str) -> None:
    """An error naming the splits, for any other."""
    if split not in SPLITS:
        raise MnistCoreError(f"unknown split {split!r}: choose {' or '.join(SPLITS)}")


def _folder(argument: str | os.PathLike | None, variable: str, default: Path, files: tuple[str, ...], what: str) -> Path:
    """The data folder (argument, else $variable, else ../shared/...), or one sentence saying what is missing."""
    folder = Path(argument or os.environ.get(variable) or default)
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise DataUnavailableError(f"{what} is not in {folder} ({', '.join(missing)} missing); put the files there or set {variable}.",
                                   reason="data_unavailable", what=what)
    return folder


def is_dev_writer(writer: str) -> bool:
    """True for the writers held out for measuring: a fixed fifth of them, chosen by a hash of the writer id."""
    return zlib.crc32(writer.encode()) % DEV_WRITER_EVERY == 0


def load_pen_letters(split: str = "train", folder: str | os.PathLike | None = None) -> list[NonDigit]:
    """pen-letters' letters and symbols (digit-like ones left out) of the split's writers, labelled NOT_DIGIT.

    Each drawing's writer is its index in the split's sorted list of writers; its `name` is its character.
    """
    _check_split(split)
    folder = _folder(folder, "PEN_LETTERS_DIR", PEN_LETTERS_DIR, PEN_LETTERS_FILES, "pen-letters")
    drawings = []
    for name in PEN_LETTERS_FILES:
        with gzip.open(folder / name, "rt", encoding="utf-8") as file:
            for line in file:
                record = json.loads(line)
                if record["label"] in DIGIT_LIKE or is_dev_writer(record["writer"]) != (split == "dev"):
                    continue
                strokes = [np.asarray(stroke, dtype=np.float32).reshape(-1, 2) for stroke in record["strokes"] if stroke]
                drawings.append((record["label"], record["writer"], strokes))
    writers = {writer: index for index, writer in enumerate(sorted({writer for _, writer, _ in drawings}))}
    return [NonDigit(strokes, NOT_DIGIT, writers[writer], character) for character, writer, strokes in drawings]


def _omniglot_strokes(text: str) -> list[np.ndarray]:
    """The strokes of one Omniglot file (x, y, t lines, BREAK after each stroke), y flipped to point down."""
    strokes, points = [], []
    for line in text.split():
        if line == "START":
            continue
        if line == "BREAK":
            if points:
                strokes.append(np.array(points, dtype=np.float32))
            points = []
            continue
        x, y, _ = line.split(",")
        points.append([float(x), -float(y)])
    return strokes


def _omniglot_dev(alphabet: str, drawer: int) -> bool:
    """True for the drawings held out: every drawing of the held-out alphabet, and the last five drawers of the rest."""
    return alphabet == OMNIGLOT_DEV_ALPHABET or drawer in OMNIGLOT_DEV_DRAWERS


def load_omniglot(split: str = "train", folder: str | os.PathLike | None = None) -> list[NonDigit]:
    """Omniglot's mouse-drawn characters (the digit-like ones and Early Aramaic left out), labelled NOT_DIGIT."""
    _check_split(split)
    folder = _folder(folder, "OMNIGLOT_DIR", OMNIGLOT_DIR, OMNIGLOT_FILES, "Omniglot's strokes")
    drawings, seen = [], set()
    for name in OMNIGLOT_FILES:
        with zipfile.ZipFile(folder / name) as archive:
            for path in sorted(archive.namelist()):
                if not path.endswith(".txt"):
                    continue
                _, alphabet, character, file = path.split("/")
                drawer = int(file[:-4].split("_")[1])
                number = int(character[-2:])
                key = (alphabet, number, drawer)  # Greek and Latin are in both files: read them once
                digit_like = alphabet in OMNIGLOT_LEFT_OUT or number in OMNIGLOT_DIGIT_LIKE.get(alphabet, ())
                if key in seen or digit_like or _omniglot_dev(alphabet, drawer) != (split == "dev"):
                    continue
                seen.add(key)
                strokes = _omniglot_strokes(archive.read(path).decode())
                if strokes:
                    latin = chr(ord("a") + number - 1) if alphabet == "Latin" else ""
                    drawings.append(NonDigit(strokes, NOT_DIGIT, drawer, latin or alphabet))
    return drawings


GALLERY_SIZE = 2000  # drawings a NonDigits set shows: enough to browse, drawn in a few seconds


class NonDigits(DrawnStrokes):
    """Not-digits as a DrawnStrokes Dataset (`targets` all NOT_DIGIT), with what each shows in `names`. "train"
    holds the training writers' letters, Omniglot's training drawers and the training kinds of doodle, "test"
    the held-out ones; `size` drawings evenly spread over them."""

    def __init__(self, split: str = "test", size: int = GALLERY_SIZE):
        part = "train" if split == "train" else "dev"
        drawings = load_pen_letters(part) + load_omniglot(part) + doodles(100, part, seed=1)
        chosen = [drawings[int(index)] for index in np.linspace(0, len(drawings) - 1, min(size, len(drawings)))]
        super().__init__(chosen)
        self.names = [drawing.name for drawing in chosen]
