"""Digit styles that MNIST and pendigits hardly hold, synthesised as pen strokes: flagged and footed ones,
crossed sevens, slashed and dotted zeros, open, curved and one-stroke fours, looped twos, straight-stemmed nines.

Each style is a few control points in a unit box (x right, y down, the digit about 1 tall); every sample
moves them at random, so no two are alike, and is then drawn like any pen digit (mnist_core.pen).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mnist_core.pen import PenDigit, Strokes

Jitter = Callable[[float, float], np.ndarray]  # a control point, moved at random


def polyline(*points: np.ndarray, step: float = 0.02) -> np.ndarray:
    """Points every `step` along the straight segments through `points`, as a pen samples a stroke."""
    out = [points[0]]
    for start, end in zip(points, points[1:]):
        count = max(1, int(np.linalg.norm(end - start) / step))
        out += [start + (end - start) * t for t in np.linspace(0, 1, count + 1)[1:]]
    return np.array(out, dtype=np.float32)


def arc(centre: np.ndarray, radius: tuple[float, float], start_deg: float, end_deg: float) -> np.ndarray:
    """Points along an ellipse arc from start_deg to end_deg (0° = right, 90° = down: image coordinates)."""
    angles = np.radians(np.linspace(start_deg, end_deg, max(8, int(abs(end_deg - start_deg) / 6))))
    return (centre + np.stack([np.cos(angles) * radius[0], np.sin(angles) * radius[1]], 1)).astype(np.float32)


def rounded(stroke: np.ndarray, passes: int = 3) -> np.ndarray:
    """The stroke with its corners cut round (Chaikin's corner cutting), its ends kept: a hand's curves."""
    for _ in range(passes):
        cut = np.repeat(stroke[:-1], 2, axis=0) * 0.75 + np.repeat(stroke[1:], 2, axis=0) * 0.25
        cut[1::2] = stroke[:-1] * 0.25 + stroke[1:] * 0.75
        stroke = np.concatenate([stroke[:1], cut, stroke[-1:]])
    return stroke.astype(np.float32)


def _styles(p: Jitter, rng: np.random.Generator) -> dict[str, Strokes]:
    """One random sample of every style (the jitter `p` moves each control point)."""
    # A 1's flag: short and steep (US) to long and nearly level (Germany, Japan); its stem upright or leaning;
    # its foot short or wide, reaching one way only or both.
    flag, flag_angle = rng.uniform(0.2, 0.55), np.radians(rng.uniform(20, 60))
    top1, bottom1 = p(0.6, 0.0), p(0.6 - rng.uniform(0.0, 0.25), 1.0)
    flag_start = p(0.6 - flag * np.cos(flag_angle), flag * np.sin(flag_angle))
    foot_left, foot_right = rng.uniform(0.0, 0.45), rng.uniform(0.1, 0.45)
    seven_bar_y = rng.uniform(0.45, 0.6)
    seven_top_left, seven_top_right, seven_bottom = p(0.05, 0.02), p(0.85, 0.0), p(0.4, 1.0)
    # The crossbar is centred where the stem passes its height.
    t = (seven_bar_y - seven_top_right[1]) / (seven_bottom[1] - seven_top_right[1])
    seven_mid_x = seven_top_right[0] + t * (seven_bottom[0] - seven_top_right[0])
    zero = arc(p(0.5, 0.5), (rng.uniform(0.3, 0.42), 0.5), -100, 265)
    four_bar_y = rng.uniform(0.5, 0.65)
    four_right = p(0.72, four_bar_y)
    slash_overshoot = rng.uniform(0.0, 0.25)  # how far a zero's slash runs past the oval (up to a quarter: held-out writers do)
    nine_radius = rng.uniform(0.22, 0.3)
    nine_centre = p(0.45, nine_radius)
    return {
        "1 flag": [polyline(flag_start, top1, bottom1)],
        "1 flag and foot": [
            polyline(flag_start, top1, bottom1),
            polyline(p(bottom1[0] - foot_left, 1.0), p(bottom1[0] + foot_right, 1.0)),
        ],
        "7 crossed": [
            polyline(seven_top_left, seven_top_right, seven_bottom),
            polyline(p(seven_mid_x - 0.25, seven_bar_y), p(seven_mid_x + 0.25, seven_bar_y)),
        ],
        "7 hooked and crossed": [
            polyline(p(0.05, 0.15), seven_top_left, seven_top_right, seven_bottom),
            polyline(p(seven_mid_x - 0.2, seven_bar_y), p(seven_mid_x + 0.2, seven_bar_y)),
        ],
        "0 slashed": [zero, polyline(p(0.2 - slash_overshoot, 0.95 + slash_overshoot), p(0.85 + slash_overshoot, 0.05 - slash_overshoot))],
        "0 dotted": [zero, polyline(p(0.5, 0.5), p(0.52, 0.51))],
        "4 open, one stroke": [polyline(p(0.15, 0.0), p(0.05, four_bar_y), four_right, p(0.72, 0.02), p(0.7, 1.0))],
        "4 open, two strokes": [
            polyline(p(0.15, 0.0), p(0.05, four_bar_y), p(0.95, four_bar_y)),
            polyline(p(0.68, 0.05), p(0.68, 1.0)),
        ],
        "4 curved, one stroke": [rounded(np.array([p(0.4, 0.0), p(0.05, four_bar_y), p(0.75, four_bar_y), p(0.7, 1.0)]))],
        "4 closed, one stroke": [polyline(p(0.65, 0.0), p(0.0, four_bar_y), p(0.95, four_bar_y), p(0.7, four_bar_y), p(0.65, 0.0), p(0.68, 1.0))],
        "2 looped": [
            np.concatenate([
                arc(p(0.5, 0.28), (0.35, 0.28), 200, 370),
                polyline(p(0.8, 0.4), p(0.15, 0.88)),
                arc(p(0.28, 0.82), (0.13, 0.12), 200, 420)[1:],
                polyline(p(0.3, 0.95), p(0.95, 0.95)),
            ])
        ],
        "9 straight stem": [np.concatenate([arc(nine_centre, (0.27, nine_radius), 0, -360), polyline(nine_centre + [0.27, 0], p(0.7, 1.0))])],
        "9 stroke down": [arc(nine_centre, (0.27, nine_radius), -10, -360), polyline(nine_centre + [0.27, -0.05], p(0.72, 1.0))],
    }


def style_labels() -> dict[str, int]:
    """Every style's name and the digit it writes."""
    return {name: int(name[0]) for name in _styles(lambda x, y: np.array([x, y]), np.random.default_rng(0))}


def style_strokes(name: str, rng: np.random.Generator, spread: float = 0.04) -> Strokes:
    """One random sample of a style: each control point moved by about `spread` of the digit's height."""
    def jitter(x: float, y: float) -> np.ndarray:
        return np.array([x, y], dtype=np.float32) + rng.normal(0, spread, 2).astype(np.float32)

    return _styles(jitter, rng)[name]


def style_digits(per_style: int, seed: int = 0) -> list[PenDigit]:
    """per_style random samples of every style, as pen digits (writer -1: synthesised)."""
    rng = np.random.default_rng(seed)
    return [
        PenDigit(style_strokes(name, rng), label, -1)
        for name, label in style_labels().items()
        for _ in range(per_style)
    ]
