"""Cut a drawing of a number into its digits, left to right, each sent through the exact MNIST preprocessing.

How the reader decides there is more than one digit:

1. The ink's blobs (8-connected, on preprocess.ink_cells' grid) are found. Blobs whose columns overlap
   (a 0 in two arcs, an 8 of two loops, a bar across a stem) are one group; a short blob (under MARK of the
   tallest blob's height: a 5's lifted bar, a 1's separate flag, a dot) joins the group nearest it, or is
   dropped as a stray touch when none is within MARK_REACH.
2. A group much wider than a digit (WIDE) may be touching digits: it is cut at its thinnest columns, each
   cut a candidate only.
3. Every way of putting the pieces back together, left to right, is scored by the network: the sum, over
   the digits it makes, of the log of each one's top digit probability ("not a digit" counts against it),
   less a cost for each split: SPLIT_COST for two groups with no gap between them (less as the gap
   widens, none from GAP_SURE of a digit's height), CUT_COST for a cut through ink, which is only tried
   between digits each read at least CUT_SURE surely. The best wins.

So a single digit in several strokes stays one unless reading it as two digits is surer by more than the
split costs; when the whole drawing is one piece, its input is exactly preprocess.to_mnist(ink).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy import ndimage

from mnist_core.errors import EmptyImageError
from mnist_core.preprocess import MIN_INK, blobs_of, box_gap, ink_cells, to_mnist
from mnist_core.verdict import UNSURE_TOP

MARK = 0.4  # a blob under 40% of the tallest blob's height is part of a digit (bar, flag, dot), never one itself
MARK_REACH = 0.5  # ... joining the nearest group within half that height; further away it is a stray touch
OVERLAP = 0.5  # blobs sharing half the narrower one's columns are one digit
WIDE = 0.6  # a group wider than 0.6 of the tallest blob's height may be two touching digits
SLANTS = (0.0, 0.25, -0.25)  # cuts are tried upright and leaning either way, as handwriting leans
CUT_STEP = 0.125  # cuts through it are tried every 1/8 of that height ...
MIN_PART = 0.2  # ... leaving no digit narrower than 20% of it
MAX_DIGIT = 1.3  # no digit is wider than 1.3 times that height, unless it is one group
DIGIT_WIDTH = 0.8  # digits are rarely wider than 0.8 of that height: reading a wider piece as one costs ...
WIDTH_COST = 1.0  # ... this much log-probability per height of width beyond
SPLIT_COST = 1.0  # log-probability a split between groups with no gap must gain ...
GAP_SURE = 0.25  # ... falling to nothing once the gap is a quarter of a digit's height
CUT_COST = 0.7  # log-probability a cut through ink must gain, ...
CUT_SURE = UNSURE_TOP  # ... and each digit beside it must be read as surely as a digit is answered
# A piece that is no digit (a star between digits) scores as if read this surely, however unsure the network is:
# else the whole drawing, no digit either, would be the likelier reading for having one such piece, not several.
LEAST_SURE = 0.05
SURE_WHOLE = 0.9  # a drawing of one group no wider than a digit, read this surely, is one digit: no cuts tried
MAX_ATOMS = 64  # more pieces than this is no number (a scribble, a texture): read as one drawing

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive), in ink-map pixels
Confidence = Callable[[torch.Tensor], torch.Tensor]  # (N, 1, 28, 28) model inputs -> (N,) top digit probability


@dataclass(frozen=True)
class Piece:
    """One digit of a drawing: its box on the ink map and the 1x28x28 model input made of its ink alone."""

    box: Box
    image: torch.Tensor


@dataclass(frozen=True)
class Atom:
    """A part of the drawing a digit is made of: a group's blobs, or only their ink between two slanted cuts."""

    group: int  # which group (a digit's ink, or touching digits') it is of, counted from the left
    labels: tuple[int, ...]  # blob labels on the cell grid
    columns: tuple[int, int]  # the group's cell columns [start, stop), or (a cut) those between the cuts ...
    slant: float = 0.0  # ... along lines leaning this far (columns per row, right going up) ...
    middle: float = 0.0  # ... through this cell row
    cut_before: bool = False  # True when a cut through ink separates it from the atom before it
    cut_after: bool = False
    gap_before: float = 0.0  # the horizontal gap to the group before it, in tallest-blob heights (negative: overlap)
    span: tuple[int, int] = (0, 0)  # the group's cell columns, wherever its cuts lean


def _union(boxes: list[tuple[slice, slice]]) -> tuple[slice, slice]:
    """The smallest box holding all of these boxes."""
    return (
        slice(min(box[0].start for box in boxes), max(box[0].stop for box in boxes)),
        slice(min(box[1].start for box in boxes), max(box[1].stop for box in boxes)),
    )


def _groups(boxes: list[tuple[slice, slice]], height: int) -> list[list[int]]:
    """Blob indices grouped into digits' ink: column-overlapping blobs together, short blobs with their nearest
    group (or dropped when none is near), groups in left-to-right order."""
    tall = [i for i, box in enumerate(boxes) if box[0].stop - box[0].start >= MARK * height]
    groups: list[list[int]] = []
    for index in sorted(tall, key=lambda i: boxes[i][1].start):
        cols = boxes[index][1]
        for group in groups:
            span = _union([boxes[i] for i in group])[1]
            shared = min(cols.stop, span.stop) - max(cols.start, span.start)
            narrower = min(cols.stop - cols.start, max(boxes[i][1].stop - boxes[i][1].start for i in group))
            if shared >= OVERLAP * narrower:
                group.append(index)
                break
        else:
            groups.append([index])
    spans = [_union([boxes[i] for i in group]) for group in groups]
    for index in (i for i in range(len(boxes)) if i not in tall):
        gaps = [box_gap(boxes[index], (s[0].start, s[0].stop), (s[1].start, s[1].stop)) for s in spans]
        nearest = int(np.argmin(gaps))
        if gaps[nearest] <= MARK_REACH * height:
            groups[nearest].append(index)
    return sorted(groups, key=lambda group: _union([boxes[i] for i in group])[1].start)


def _leaning(rows: np.ndarray, columns: np.ndarray, slant: float, middle: float) -> np.ndarray:
    """Where points lie across lines leaning `slant` columns per row up through row `middle`: a slanted column."""
    return columns + slant * (rows - middle)


def _atoms(boxes: list[tuple[slice, slice]], blobs: np.ndarray, height: int, slant: float) -> list[Atom]:
    """The drawing's atoms, left to right: one per group, or a wide group's slices between cuts leaning `slant`."""
    atoms: list[Atom] = []
    previous_stop = None
    for number, group in enumerate(_groups(boxes, height)):
        labels = tuple(i + 1 for i in group)
        span = _union([boxes[i] for i in group])
        gap = 0.0 if previous_stop is None else (span[1].start - previous_stop) / height
        previous_stop = span[1].stop
        whole = Atom(number, labels, (span[1].start, span[1].stop), gap_before=gap, span=(span[1].start, span[1].stop))
        if span[1].stop - span[1].start <= WIDE * height:
            atoms.append(whole)
            continue
        # Maybe touching digits: a cut to try every CUT_STEP, across the group's ink along the slant.
        rows, columns = np.nonzero(np.isin(blobs[span], labels))
        middle = span[0].start + (span[0].stop - span[0].start) / 2
        across = _leaning(rows + span[0].start, columns + span[1].start, slant, middle)
        first, last = int(np.floor(across.min())), int(np.ceil(across.max())) + 1
        step = max(1, round(CUT_STEP * height))
        edges = [*range(first, last - step // 2, step), last]
        for index, (start, stop) in enumerate(zip(edges, edges[1:])):
            atoms.append(replace(whole, columns=(start, stop), slant=slant, middle=middle, cut_before=index > 0,
                                 cut_after=index < len(edges) - 2, gap_before=gap if index == 0 else 0.0))
    return atoms


def _split_cost(atom: Atom) -> float:
    """What a split just before this atom costs, in log-probability: a cut, or a gap narrower than GAP_SURE."""
    if atom.cut_before:
        return CUT_COST
    return SPLIT_COST * max(0.0, 1.0 - atom.gap_before / GAP_SURE)


def _width_cost(piece: Piece, height: float) -> float:
    """What reading a piece as one digit costs for its width, in log-probability: nothing up to DIGIT_WIDTH of
    the tallest blob's height, more the wider it is (the network reads two squeezed digits as one all too surely)."""
    return WIDTH_COST * max(0.0, (piece.box[2] - piece.box[0]) / height - DIGIT_WIDTH)


def _run_ink(ink: np.ndarray, pixel_blobs: np.ndarray, run: list[Atom], factor: int) -> tuple[np.ndarray, Box] | None:
    """The ink of some atoms alone, cropped to it, and its box on the ink map; None when they hold no ink."""
    first = min(atom.span[0] for atom in run) * factor
    last = min(ink.shape[1], max(atom.span[1] for atom in run) * factor)  # the last cell may reach past the ink
    keep = np.zeros((ink.shape[0], last - first), dtype=bool)
    for atom in run:
        start, stop = atom.span[0] * factor, min(ink.shape[1], atom.span[1] * factor)
        mine = np.isin(pixel_blobs[:, start:stop], atom.labels)
        if atom.cut_before or atom.cut_after:
            rows, columns = np.indices(mine.shape)
            across = _leaning(rows / factor, (columns + start) / factor, atom.slant, atom.middle)
            mine &= (across >= atom.columns[0]) & (across < atom.columns[1])
        keep[:, start - first : stop - first] |= mine
    part = np.where(keep, ink[:, first:last], 0.0)
    rows, cols = np.flatnonzero(part.max(1) > MIN_INK), np.flatnonzero(part.max(0) > MIN_INK)
    if not rows.size:
        return None
    box = (first + int(cols[0]), int(rows[0]), first + int(cols[-1]) + 1, int(rows[-1]) + 1)
    return part[box[1] : box[3], box[0] - first : box[2] - first], box


def _candidate_runs(atoms: list[Atom], height: int) -> list[tuple[int, int]]:
    """The runs [start, stop) of atoms that could be one digit: whole groups (one of any width), or parts of groups
    of a digit's width; and the whole drawing."""
    runs = []
    for start in range(len(atoms)):
        for stop in range(start + 1, len(atoms) + 1):
            width = atoms[stop - 1].columns[1] - atoms[start].columns[0]
            whole_groups = not atoms[start].cut_before and not atoms[stop - 1].cut_after
            one_group = whole_groups and atoms[start].group == atoms[stop - 1].group
            if one_group or (start, stop) == (0, len(atoms)) or MIN_PART * height <= width <= MAX_DIGIT * height:
                runs.append((start, stop))
    return runs


def _whole(ink: np.ndarray) -> Piece:
    """The whole drawing as one digit: exactly the input preprocess.to_mnist makes of it."""
    rows, cols = np.flatnonzero(ink.max(1) > MIN_INK), np.flatnonzero(ink.max(0) > MIN_INK)
    return Piece((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1), to_mnist(ink))


def _best_split(costs: list[float], scores: dict[tuple[int, int], float]) -> tuple[float, list[tuple[int, int]]]:
    """The runs [start, stop) of atoms, left to right, with the highest total score less split costs, and that total
    (-inf when no runs cover the atoms)."""
    best = [0.0] + [-np.inf] * len(costs)
    back = [0] * (len(costs) + 1)
    for (start, stop), score in sorted(scores.items(), key=lambda item: item[0][1]):
        total = best[start] + score - (costs[start] if start else 0.0)
        if total > best[stop]:
            best[stop], back[stop] = total, start
    runs, stop = [], len(costs)
    while stop and best[-1] > -np.inf:
        runs.append((back[stop], stop))
        stop = back[stop]
    return best[-1], runs[::-1]


def _reading(
    ink: np.ndarray, blobs: np.ndarray, factor: int, atoms: list[Atom], height: int, confidence: Confidence
) -> tuple[float, list[Piece]]:
    """The best way to read these atoms as digits, with its score: every candidate digit scored by the network."""
    pixel_blobs = blobs.repeat(factor, 0).repeat(factor, 1)[: ink.shape[0], : ink.shape[1]]
    candidates = {}
    for run in _candidate_runs(atoms, height):
        if run == (0, len(atoms)):
            candidates[run] = _whole(ink)  # the whole drawing is read exactly as preprocess reads it
        elif (found := _run_ink(ink, pixel_blobs, atoms[slice(*run)], factor)) is not None:
            candidates[run] = Piece(found[1], to_mnist(found[0]))
    surest = confidence(torch.stack([piece.image for piece in candidates.values()])).tolist()
    scores = {
        run: np.log(max(sure, LEAST_SURE)) - _width_cost(piece, height * factor)
        for (run, piece), sure in zip(candidates.items(), surest)
        # A cut is kept only between digits the network is sure of: a ring or a scribble cut apart is no number.
        if sure >= CUT_SURE or not (atoms[run[0]].cut_before or atoms[run[1] - 1].cut_after)
    }
    total, runs = _best_split([_split_cost(atom) for atom in atoms], scores)
    return total, [candidates[run] for run in runs]


def _one_sure_digit(ink: np.ndarray, atoms: list[Atom], height: float, confidence: Confidence) -> bool:
    """True for a drawing of one group no wider than a digit that the network reads as a digit SURE_WHOLE surely."""
    if any(atom.group for atom in atoms):
        return False
    whole = _whole(ink)
    return whole.box[2] - whole.box[0] <= DIGIT_WIDTH * height and float(confidence(whole.image[None])[0]) >= SURE_WHOLE


def segment(ink: np.ndarray, confidence: Confidence) -> list[Piece]:
    """An ink map's digits, left to right (EmptyImageError if nothing is drawn); `confidence` scores candidate
    digits, the model's top digit probability for each of a batch of model inputs."""
    strongest = float(ink.max()) if ink.size else 0.0
    if strongest < MIN_INK:
        raise EmptyImageError("Nothing is drawn: the image has no ink.")
    ink = ink / strongest
    cells, factor = ink_cells(ink)
    blobs, _ = blobs_of(cells, factor)
    boxes = ndimage.find_objects(blobs)
    height = max(box[0].stop - box[0].start for box in boxes)
    if _one_sure_digit(ink, _atoms(boxes, blobs, height, 0.0), height * factor, confidence):
        return [_whole(ink)]  # no cuts to try: most single digits are answered as fast as before
    best: tuple[float, list[Piece]] = (-np.inf, [])
    for slant in SLANTS:
        atoms = _atoms(boxes, blobs, height, slant)
        if len(atoms) < 2 or len(atoms) > MAX_ATOMS:
            return [_whole(ink)]
        best = max(best, _reading(ink, blobs, factor, atoms, height, confidence), key=lambda found: found[0])
        if not any(atom.cut_before for atom in atoms):
            break  # nothing is cut: the slant changes nothing
    return best[1] or [_whole(ink)]
