"""The world's digit styles and a phone's finger, written here as strokes by hand: the shipped model reads each.

The strokes are unit-box coordinates (x right, y down, about 1 tall), typed in for this test, not drawn by
mnist_core.styles' generator; each is drawn with a pen-thin, the app's default and a finger-thick brush.
"""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnist_core.pen import Brush, render
from mnist_core.preprocess import preprocess


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = -90, end: float = 270) -> list[tuple[float, float]]:
    """Points around an ellipse, clockwise on screen from `start` degrees (0 = right, 90 = down)."""
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in np.radians(np.linspace(start, end, 40))]


STYLES = {
    "1 with a long flag": (1, [[(0.27, 0.4), (0.62, 0.0), (0.58, 1.0)]]),
    "1 with a flag and a foot": (1, [[(0.15, 0.35), (0.6, 0.0), (0.58, 1.0)], [(0.3, 1.0), (0.85, 1.0)]]),
    "1, a plain stroke": (1, [[(0.5, 0.0), (0.48, 1.0)]]),
    "7 with a crossbar": (7, [[(0.05, 0.05), (0.9, 0.0), (0.45, 1.0)], [(0.42, 0.52), (0.92, 0.5)]]),
    "7, plain": (7, [[(0.05, 0.0), (0.9, 0.0), (0.4, 1.0)]]),
    "0 with a slash": (0, [ellipse(0.5, 0.5, 0.35, 0.5), [(0.15, 0.95), (0.85, 0.05)]]),
    "0 with a slash past the oval": (0, [ellipse(0.5, 0.5, 0.33, 0.5), [(0.08, 1.1), (0.92, -0.1)]]),
    "0 with a dot": (0, [ellipse(0.5, 0.5, 0.33, 0.5), [(0.5, 0.5), (0.52, 0.52)]]),
    "4 in one stroke, open top": (4, [[(0.2, 0.0), (0.08, 0.6), (0.75, 0.6), (0.72, 0.05), (0.7, 1.0)]]),
    "4 in two strokes, open top": (4, [[(0.2, 0.0), (0.08, 0.6), (0.95, 0.6)], [(0.7, 0.1), (0.7, 1.0)]]),
    "2 with a loop": (
        2,
        [[(0.15, 0.25), (0.3, 0.05), (0.6, 0.0), (0.8, 0.15), (0.75, 0.4), (0.22, 0.85), (0.15, 0.97),
          (0.3, 1.0), (0.38, 0.88), (0.28, 0.82), (0.22, 0.95), (0.5, 0.97), (0.9, 0.95)]],
    ),
    "9 with a straight stem": (9, [ellipse(0.45, 0.28, 0.27, 0.28, 0, -360) + [(0.72, 1.0)]]),
}
BRUSHES = {"pen": Brush(width=0.06), "default": Brush(width=0.1), "finger": Brush(width=0.18)}


@pytest.mark.parametrize("brush", BRUSHES, ids=list(BRUSHES))
@pytest.mark.parametrize("style", STYLES, ids=list(STYLES))
def test_shipped_model_reads_the_style(classifier, style, brush):
    digit, strokes = STYLES[style]
    image = render([np.array(stroke, dtype=np.float32) for stroke in strokes], BRUSHES[brush])
    probabilities = classifier.probabilities(image.unsqueeze(0))[0]
    assert int(probabilities.argmax()) == digit, f"{style} ({brush} brush) read as {int(probabilities.argmax())}"


def test_the_flagged_one_that_mnist_alone_reads_as_a_seven():
    """The MNIST-only MLP (still in the picker) reads the flagged 1 as a 7: the gain comes from the pen data."""
    from mnist_core.checkpoint import CHECKPOINT_DIR
    from mnist_core.predict import Classifier

    _, strokes = STYLES["1 with a long flag"]
    image = render([np.array(stroke, dtype=np.float32) for stroke in strokes], BRUSHES["default"])
    assert int(Classifier.load(CHECKPOINT_DIR / "mlp").probabilities(image.unsqueeze(0)).argmax()) == 7


def finger_canvas(strokes: list, speck: tuple[int, int] | None = None, side: int = 512) -> Image.Image:
    """A phone drawing as the sketchpad's layer holds it: a thick, large, off-centre digit, maybe a stray dot."""
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    width = side // 10  # a fingertip on a phone-sized canvas
    for stroke in strokes:
        points = [(300 + 180 * x, 60 + 330 * y) for x, y in stroke]  # right of centre, most of the height
        pen.line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(0, 0, 0, 255))
    if speck:
        x, y = speck
        pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(0, 0, 0, 255))
    return canvas


@pytest.mark.parametrize("speck", [(20, 20), (30, 490), (150, 250)])
def test_a_stray_touch_far_from_the_digit_neither_shrinks_nor_shifts_it(classifier, speck):
    digit, strokes = STYLES["7 with a crossbar"]
    clean = preprocess(finger_canvas(strokes))
    with_speck = preprocess(finger_canvas(strokes, speck))
    assert float((clean - with_speck).abs().max()) == 0.0
    assert int(classifier.probabilities(with_speck.unsqueeze(0)).argmax()) == digit


def test_small_parts_inside_the_digit_are_kept():
    _, strokes = STYLES["0 with a dot"]
    dotted = preprocess(finger_canvas(strokes))
    plain = preprocess(finger_canvas(strokes[:1]))
    assert float(dotted[0, 12:16, 12:16].sum()) > float(plain[0, 12:16, 12:16].sum()) + 1  # the dot is still there
