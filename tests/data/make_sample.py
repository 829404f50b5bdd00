"""Cut the committed test sample (tests/data/) out of the full data sets beside the repository.

Run from anywhere:  python tests/data/make_sample.py [--shared ../shared]

It rewrites tests/data/drawn-digits/, pendigits/, pen-letters/ and omniglot-strokes/ by fixed rules (no randomness), so the
same sources always give the same files; tests/data/README.md says what the rules pick and why.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared"

DRAWN_PER_DIGIT = 20  # as many drawings as the old test's every-10th sample of the 2,000
RGB_COUNT = 3  # tests also upload the first three drawings as black-on-white pictures
PEN_SEGMENTS = {"pendigits-orig.tra.gz": 300, "pendigits-orig.tes.gz": 500}  # enough for every writer of each file
LETTERS_EVERY = 40  # every 40th line of each pen-letters file: about 1,300 characters by most writers
OMNIGLOT_CHARACTERS = 3  # the first 3 characters of each alphabet in each zip, all 20 drawers


def fresh_folder(path: Path) -> Path:
    """An empty folder at `path`, whatever was there before."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def sample_drawn(source: Path, target: Path) -> None:
    """The first DRAWN_PER_DIGIT drawings of each digit in labels.csv order, their csv lines copied as they are."""
    header, *rows = (source / "labels.csv").read_text().splitlines(keepends=True)
    seen: Counter[str] = Counter()
    kept = []
    for row in rows:
        label = row.split(",")[1]  # file,label,provider,writer: no field holds a comma
        seen[label] += 1
        if seen[label] <= DRAWN_PER_DIGIT:
            kept.append(row)
    (fresh_folder(target) / "labels.csv").write_text(header + "".join(kept))
    names = [row.split(",")[0] for row in kept]
    for variant, chosen in (("rgba", names), ("rgb", names[:RGB_COUNT])):
        fresh_folder(target / variant)
        for name in chosen:
            shutil.copyfile(source / variant / name, target / variant / name)
    writers = {row.rstrip("\n").split(",")[3] for row in kept}
    print(f"{target}: {len(kept)} drawings ({DRAWN_PER_DIGIT} per digit) by {len(writers)} writers, {RGB_COUNT} also in rgb/")


def unipen_excerpt(text: str, segments: int) -> str:
    """The text up to its (segments+1)-th .SEGMENT line: header, then the first `segments` digits verbatim.

    pendigits numbers pen-down components from 0 through the whole file, so a prefix keeps every
    .SEGMENT's component range and every .COMMENT's writer valid without rewriting a line.
    """
    lines = text.splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if line.startswith(".SEGMENT")]
    return "".join(lines[: starts[segments]])


def sample_pendigits(source: Path, target: Path) -> None:
    """The first digits of each pendigits file, gzipped with no time or name in the header (the same bytes on every run)."""
    fresh_folder(target)
    for name, segments in PEN_SEGMENTS.items():
        with gzip.open(source / name, "rt", encoding="latin-1") as file:
            excerpt = unipen_excerpt(file.read(), segments)
        (target / name).write_bytes(gzip.compress(excerpt.encode("latin-1"), mtime=0))
        writers = {line.split()[2] for line in excerpt.splitlines() if line.startswith(".COMMENT")}
        print(f"{target / name}: the first {segments} digits, {len(writers)} writers")


def sample_pen_letters(source: Path, target: Path) -> None:
    """Every LETTERS_EVERY-th line of each pen-letters file, unchanged, gzipped with no time or name in the header."""
    fresh_folder(target)
    for path in sorted(source.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as file:
            lines = file.readlines()[::LETTERS_EVERY]
        (target / path.name).write_bytes(gzip.compress("".join(lines).encode("utf-8"), mtime=0))
        print(f"{target / path.name}: {len(lines)} characters")


def sample_omniglot(source: Path, target: Path) -> None:
    """The drawings of the first OMNIGLOT_CHARACTERS characters of every alphabet, each zip's entries copied unchanged."""
    fresh_folder(target)
    for path in sorted(source.glob("*.zip")):
        with zipfile.ZipFile(path) as original, zipfile.ZipFile(target / path.name, "w", zipfile.ZIP_DEFLATED) as excerpt:
            chosen = [
                info for info in original.infolist()
                if info.filename.endswith(".txt") and int(info.filename.split("/")[2][-2:]) <= OMNIGLOT_CHARACTERS
            ]
            for info in chosen:
                excerpt.writestr(info, original.read(info))
        print(f"{target / path.name}: {len(chosen)} drawings")


def main() -> None:
    """Rewrite every sample from the shared folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding drawn-digits-dev/, pendigits/, pen-letters/, omniglot-strokes/")
    args = parser.parse_args()
    sample_drawn(args.shared / "drawn-digits-dev", HERE / "drawn-digits")
    sample_pendigits(args.shared / "pendigits", HERE / "pendigits")
    sample_pen_letters(args.shared / "pen-letters", HERE / "pen-letters")
    sample_omniglot(args.shared / "omniglot-strokes", HERE / "omniglot-strokes")


if __name__ == "__main__":
    main()
