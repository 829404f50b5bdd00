"""Doodles visitors draw to test a digit reader (smileys, stars, hearts, spirals, scribbles), synthesised as pen strokes.

No data set here holds them, so each kind is a few shapes in a unit box (x right, y down) whose sizes,
proportions and control points are drawn at random per sample; they are then drawn like any pen digit
(mnist_core.pen), labelled NOT_DIGIT. A plain circle is left out: it is a 0; so are rings inside rings and a
crossed ring, which a thick brush or a slash makes a zero too. The kinds in DEV_KINDS are
never trained on, so the benchmark measures doodles of a kind the network never saw.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mnist_core.model import NOT_DIGIT
from mnist_core.pen import NonDigit, Strokes
from mnist_core.styles import arc, polyline, rounded

Rng = np.random.Generator


def _jitter(rng: Rng, spread: float) -> Callable[[float, float], np.ndarray]:
    """A function moving a control point (x, y) by about `spread` at random."""
    return lambda x, y: np.array([x, y], dtype=np.float32) + rng.normal(0, spread, 2).astype(np.float32)


def _ring(rng: Rng, centre=(0.5, 0.5), radius=(0.45, 0.45)) -> np.ndarray:
    """A closed hand-drawn oval, starting anywhere and overlapping its start a little."""
    start = rng.uniform(0, 360)
    return arc(np.array(centre), radius, start, start + rng.uniform(355, 390))


def _polygon(rng: Rng, sides: int, spin: float | None = None, radius: float = 0.45) -> np.ndarray:
    """A regular polygon with wobbling corners, closed, in one stroke."""
    spin = rng.uniform(0, 2 * np.pi) if spin is None else spin
    p = _jitter(rng, 0.03)
    angles = spin + np.arange(sides + 1) * 2 * np.pi / sides
    return polyline(*[p(0.5 + radius * np.cos(a), 0.5 + radius * np.sin(a)) for a in angles])


def smiley(rng: Rng) -> Strokes:
    """A face: a ring, two eyes (dots or short strokes) and a smile (or frown)."""
    p = _jitter(rng, 0.02)
    eye_y, eye_dx = rng.uniform(0.3, 0.42), rng.uniform(0.12, 0.2)
    eye_size = rng.uniform(0.0, 0.06)
    eyes = [polyline(p(0.5 + side * eye_dx, eye_y), p(0.5 + side * eye_dx, eye_y + eye_size + 0.005)) for side in (-1, 1)]
    width, mouth_y = rng.uniform(0.15, 0.28), rng.uniform(0.6, 0.7)
    frown = rng.random() < 0.15
    mouth = arc(p(0.5, mouth_y - (-0.12 if frown else 0.12)), (width, 0.12), 200 if frown else 20, 340 if frown else 160)
    strokes = [_ring(rng), *eyes, mouth]
    if rng.random() < 0.3:  # a nose
        strokes.append(polyline(p(0.5, 0.45), p(0.48, 0.55)))
    return strokes


def star(rng: Rng) -> Strokes:
    """A five-pointed star in one stroke (a pentagram) or as an outline of ten corners."""
    spin = -np.pi / 2 + rng.normal(0, 0.15)
    p = _jitter(rng, 0.03)
    if rng.random() < 0.5:
        angles = spin + np.arange(6) * 4 * np.pi / 5
        return [polyline(*[p(0.5 + 0.48 * np.cos(a), 0.5 + 0.48 * np.sin(a)) for a in angles])]
    inner = rng.uniform(0.18, 0.28)
    angles = spin + np.arange(11) * np.pi / 5
    radii = [0.48 if i % 2 == 0 else inner for i in range(11)]
    return [polyline(*[p(0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for a, r in zip(angles, radii)])]


def heart(rng: Rng) -> Strokes:
    """A heart: two lobes meeting at a point, in one or two strokes."""
    p = _jitter(rng, 0.02)
    t = np.linspace(0, 2 * np.pi, 80)
    x, y = 16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    points = np.stack([x, y], 1) / 34 + p(0.5, 0.45)
    points[:, 0] = 0.5 + (points[:, 0] - 0.5) * rng.uniform(0.8, 1.2)
    return [points.astype(np.float32)] if rng.random() < 0.6 else [points[:41].astype(np.float32), points[40:].astype(np.float32)]


def square(rng: Rng) -> Strokes:
    """A square or rectangle with sharp corners, tilted a little."""
    p = _jitter(rng, 0.025)
    w, h = rng.uniform(0.5, 1.0), rng.uniform(0.5, 1.0)
    return [polyline(p(0, 0), p(w, 0), p(w, h), p(0, h), p(0, 0.02))]


def triangle(rng: Rng) -> Strokes:
    """A triangle, any way up."""
    return [_polygon(rng, 3)]


def hexagon(rng: Rng) -> Strokes:
    """A pentagon or hexagon."""
    return [_polygon(rng, int(rng.choice([5, 6])))]


def plus(rng: Rng) -> Strokes:
    """A plus sign, its arms about equal."""
    p = _jitter(rng, 0.03)
    return [polyline(p(0.5, 0.0), p(0.5, 1.0)), polyline(p(0.0, 0.5), p(1.0, 0.5))]


def cross(rng: Rng) -> Strokes:
    """An x: two diagonals crossing near the middle."""
    p = _jitter(rng, 0.04)
    return [polyline(p(0, 0), p(1, 1)), polyline(p(1, 0), p(0, 1))]


def asterisk(rng: Rng) -> Strokes:
    """Three or four strokes crossing at one point."""
    count, spin = int(rng.choice([3, 4])), rng.uniform(0, np.pi)
    p = _jitter(rng, 0.03)
    return [polyline(p(0.5 - 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)), p(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)))
            for a in spin + np.arange(count) * np.pi / count]


def arrow(rng: Rng) -> Strokes:
    """An arrow with a two-sided head, pointing any way."""
    p = _jitter(rng, 0.02)
    head = rng.uniform(0.2, 0.35)
    shape = [polyline(p(0.0, 0.5), p(1.0, 0.5)), polyline(p(1 - head, 0.5 - head), p(1.0, 0.5), p(1 - head, 0.5 + head))]
    angle = rng.uniform(0, 2 * np.pi)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    return [((stroke - 0.5) @ turn.T + 0.5).astype(np.float32) for stroke in shape]


def zigzag(rng: Rng) -> Strokes:
    """A zigzag of four to seven sharp turns, lying or standing."""
    turns = int(rng.integers(4, 8))
    p = _jitter(rng, 0.02)
    points = [p(i / turns, 0.2 if i % 2 else 0.8) for i in range(turns + 1)]
    stroke = polyline(*points)
    return [stroke[:, ::-1].copy() if rng.random() < 0.3 else stroke]


def wave(rng: Rng) -> Strokes:
    """A wavy line of two to four waves."""
    waves, height = rng.uniform(2, 4), rng.uniform(0.1, 0.25)
    x = np.linspace(0, 1, 80)
    return [np.stack([x, 0.5 + height * np.sin(x * waves * 2 * np.pi + rng.uniform(0, 6))], 1).astype(np.float32)]


def spiral(rng: Rng) -> Strokes:
    """A spiral of two to four turns, from the centre out or from outside in."""
    turns = rng.uniform(2, 4)
    t = np.linspace(0, turns * 2 * np.pi, int(turns * 40))
    radius = 0.05 + 0.45 * t / t[-1]
    direction = rng.choice([-1, 1])
    points = np.stack([0.5 + radius * np.cos(direction * t), 0.5 + radius * np.sin(direction * t)], 1)
    return [(points if rng.random() < 0.5 else points[::-1]).astype(np.float32)]


def scribble(rng: Rng) -> Strokes:
    """A random scribble: a smooth random walk of many turns."""
    steps = int(rng.integers(8, 20))
    points = np.cumsum(rng.normal(0, 1, (steps, 2)), 0)
    points = (points - points.min(0)) / max(float(np.ptp(points, 0).max()), 1e-3)
    return [rounded(points.astype(np.float32), passes=3)]


def marks(rng: Rng) -> Strokes:
    """Three to seven unrelated short marks and dots scattered over the box."""
    strokes = []
    for _ in range(int(rng.integers(3, 8))):
        start = rng.uniform(0, 1, 2)
        end = start + rng.normal(0, 0.15, 2) * (rng.random() < 0.7)
        strokes.append(polyline(start.astype(np.float32), end.astype(np.float32)))
    return strokes


def hash_sign(rng: Rng) -> Strokes:
    """A grid: two or three lines each way (#, tic-tac-toe)."""
    p = _jitter(rng, 0.03)
    lines = int(rng.choice([2, 3]))
    spots = np.linspace(0.2, 0.8, lines)
    return [polyline(p(s, 0), p(s, 1)) for s in spots] + [polyline(p(0, s), p(1, s)) for s in spots]


# Never trained on: measured as doodles of kinds the network has not seen.
def cloud(rng: Rng) -> Strokes:
    """A cloud: a bumpy closed outline of five to eight arcs."""
    bumps = int(rng.integers(5, 9))
    angles = np.linspace(0, 2 * np.pi, bumps + 1)
    points = []
    for a, b in zip(angles, angles[1:]):
        mid = (a + b) / 2
        centre = np.array([0.5 + 0.38 * np.cos(mid), 0.5 + 0.25 * np.sin(mid)])
        points.append(arc(centre, (0.14, 0.12), np.degrees(mid) - 90, np.degrees(mid) + 90))
    return [np.concatenate(points)]


def house(rng: Rng) -> Strokes:
    """A house: a square with a roof, sometimes a door."""
    p = _jitter(rng, 0.02)
    strokes = [polyline(p(0.1, 0.45), p(0.1, 1.0), p(0.9, 1.0), p(0.9, 0.45), p(0.1, 0.45)), polyline(p(0.05, 0.48), p(0.5, 0.0), p(0.95, 0.48))]
    if rng.random() < 0.6:
        strokes.append(polyline(p(0.42, 1.0), p(0.42, 0.7), p(0.58, 0.7), p(0.58, 1.0)))
    return strokes


def sun(rng: Rng) -> Strokes:
    """A sun: a small ring with six to twelve rays."""
    rays = int(rng.integers(6, 13))
    strokes = [_ring(rng, radius=(0.22, 0.22))]
    for a in np.arange(rays) * 2 * np.pi / rays + rng.uniform(0, 1):
        strokes.append(polyline(np.array([0.5 + 0.3 * np.cos(a), 0.5 + 0.3 * np.sin(a)], dtype=np.float32),
                                np.array([0.5 + 0.48 * np.cos(a), 0.5 + 0.48 * np.sin(a)], dtype=np.float32)))
    return strokes


def fish(rng: Rng) -> Strokes:
    """A fish: a lens-shaped body and a triangular tail, an eye."""
    p = _jitter(rng, 0.02)
    body = np.concatenate([arc(p(0.45, 0.9), (0.42, 0.4), 230, 310), arc(p(0.45, 0.1), (0.42, 0.4), 50, 130)])
    tail = polyline(p(0.75, 0.5), p(1.0, 0.3), p(1.0, 0.7), p(0.75, 0.5))
    return [body, tail, polyline(p(0.25, 0.45), p(0.26, 0.46))]


KINDS: dict[str, Callable[[Rng], Strokes]] = {
    function.__name__: function
    for function in (smiley, star, heart, square, triangle, hexagon, plus, cross, asterisk, arrow, zigzag, wave,
                     spiral, scribble, marks, hash_sign, cloud, house, sun, fish)
}
DEV_KINDS = ("cloud", "house", "sun", "fish")
TRAIN_KINDS = tuple(name for name in KINDS if name not in DEV_KINDS)


def doodles(per_kind: int, split: str = "train", seed: int = 0) -> list[NonDigit]:
    """per_kind random samples of every kind of the split (train: TRAIN_KINDS, dev: DEV_KINDS), labelled NOT_DIGIT."""
    rng = np.random.default_rng(seed)
    kinds = TRAIN_KINDS if split == "train" else DEV_KINDS
    return [NonDigit(KINDS[name](rng), NOT_DIGIT, -1, name) for name in kinds for _ in range(per_kind)]
