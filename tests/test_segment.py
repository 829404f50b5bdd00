"""Numbers written here as strokes, side by side on a sketchpad layer, read digit by digit (mnist_core.segment).

Each digit's strokes are unit-box coordinates (x right, y down, 1 tall), typed in for this test; a number is
its digits placed left to right with the gaps given, drawn with the app's round brush as the browser's
sketchpad layer holds it (ink in alpha). Nothing here is drawn from a development set.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnist_core.__main__ import main
from mnist_core.preprocess import preprocess

DIGITS = {
    "0": [[(0.3 + 0.3 * np.sin(a), 0.5 - 0.5 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 40)]],
    "1": [[(0.08, 0.0), (0.05, 1.0)]],
    "1 with a flag": [[(0.0, 0.35), (0.32, 0.0), (0.3, 1.0)]],
    "2": [[(0.05, 0.25), (0.2, 0.03), (0.42, 0.0), (0.6, 0.18), (0.52, 0.45), (0.0, 1.0), (0.66, 1.0)]],
    "3": [[(0.05, 0.1), (0.32, 0.0), (0.58, 0.13), (0.55, 0.35), (0.25, 0.48), (0.6, 0.6), (0.63, 0.86),
           (0.35, 1.0), (0.0, 0.9)]],
    "4 in two strokes": [[(0.18, 0.0), (0.0, 0.62), (0.7, 0.62)], [(0.5, 0.25), (0.5, 1.0)]],
    "4 in two strokes with a gap": [[(0.18, 0.0), (0.0, 0.62), (0.4, 0.62)], [(0.55, 0.05), (0.55, 1.0)]],
    "5 with a lifted bar": [[(0.1, 0.08), (0.05, 0.45), (0.38, 0.38), (0.6, 0.55), (0.58, 0.85), (0.3, 1.0), (0.0, 0.9)],
                            [(0.2, 0.0), (0.68, -0.02)]],
    "7 with a crossbar": [[(0.0, 0.02), (0.65, 0.0), (0.28, 1.0)], [(0.22, 0.52), (0.62, 0.5)]],
    "a star": [[(0.0, 0.38), (0.7, 0.38), (0.12, 1.0), (0.35, 0.0), (0.58, 1.0), (0.0, 0.38)]],  # no digit
    "8": [[(0.32, 0.48), (0.08, 0.33), (0.08, 0.1), (0.32, 0.0), (0.56, 0.1), (0.56, 0.33), (0.32, 0.48),
           (0.02, 0.66), (0.04, 0.92), (0.32, 1.0), (0.62, 0.92), (0.62, 0.66), (0.32, 0.48)]],
}
GAP = 0.3  # a natural gap between digits, in digit heights
BRUSH = 32  # the app's brush (demo/ui.py: radius 16) on a canvas of ...
CANVAS = (960, 512)  # ... a row wide enough for four digits at the size a person writes them


def number_layer(digits: list[str], gaps: list[float] | None = None, brush: int = BRUSH) -> Image.Image:
    """A sketchpad layer (ink in alpha) with these digits' strokes side by side, `gaps` (digit heights) between them."""
    gaps = gaps if gaps is not None else [GAP] * (len(digits) - 1)
    placed, cursor = [], 0.0
    for index, name in enumerate(digits):
        strokes = [np.array(stroke, dtype=np.float32) for stroke in DIGITS[name]]
        left = min(float(stroke[:, 0].min()) for stroke in strokes)
        placed += [stroke + [cursor - left, 0.0] for stroke in strokes]
        cursor += max(float(stroke[:, 0].max()) for stroke in strokes) - left + (gaps[index] if index < len(gaps) else 0)
    height = min(300.0, (CANVAS[0] - 120) / cursor)  # a digit's height in pixels: the row fits the canvas
    canvas = Image.new("RGBA", CANVAS, (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    for stroke in placed:
        points = [(60 + height * x, 100 + height * y) for x, y in stroke.tolist()]
        pen.line(points, fill=(0, 0, 0, 255), width=brush, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the sketchpad's brush
            pen.ellipse((x - brush / 2, y - brush / 2, x + brush / 2, y + brush / 2), fill=(0, 0, 0, 255))
    return canvas


NUMBERS = {
    "touching 2 and 3": (["2", "3"], [-0.02], "23"),
    "a two-stroke 4 and 5 with a lifted bar": (["4 in two strokes", "5 with a lifted bar", "2"], None, "452"),
    "a crossed 7": (["1", "7 with a crossbar"], None, "17"),
    "a 1 with a flag": (["1 with a flag", "8"], None, "18"),
    "a leading 0": (["0", "7 with a crossbar", "3"], None, "073"),
    "four digits": (["4 in two strokes", "2", "0", "8"], None, "4208"),
    "a two-stroke 4 with a gap in a number": (["3", "4 in two strokes with a gap"], None, "34"),
}


@pytest.mark.parametrize("brush", [24, BRUSH, 44], ids=["thin", "default", "thick"])
@pytest.mark.parametrize("case", NUMBERS, ids=list(NUMBERS))
def test_a_written_number_reads_digit_by_digit(classifier, case, brush):
    digits, gaps, number = NUMBERS[case]
    reading = classifier.read(number_layer(digits, gaps, brush))
    assert reading.number == number, f"{case}: read {reading.number}"
    lefts = [digit.box[0] for digit in reading.digits]
    assert lefts == sorted(lefts)  # left to right


@pytest.mark.parametrize("brush", [24, BRUSH, 44], ids=["thin", "default", "thick"])
@pytest.mark.parametrize("name", ["4 in two strokes with a gap", "5 with a lifted bar", "7 with a crossbar", "1 with a flag"])
def test_a_single_digit_in_several_strokes_stays_one_digit(classifier, name, brush):
    layer = number_layer([name], brush=brush)
    reading = classifier.read(layer)
    assert len(reading.digits) == 1 and reading.number == name[0], f"{name}: read {reading.number}"
    assert reading.digits[0].prediction.image.equal(preprocess(layer))  # exactly the input a single digit gets


def test_each_digit_is_boxed_where_it_was_drawn(classifier):
    layer = number_layer(["4 in two strokes", "2"])
    reading = classifier.read(layer)
    alpha = np.asarray(layer.getchannel("A"))
    columns = np.flatnonzero(alpha.max(0))
    gap = columns[np.flatnonzero(np.diff(columns) > 1)[0]]  # the last inked column of the 4
    (left_4, top_4, right_4, _), (left_2, _, right_2, _) = (digit.box for digit in reading.digits)
    assert left_4 == columns[0] and right_4 == gap + 1 and right_2 == columns[-1] + 1 and left_2 > right_4
    assert top_4 == np.flatnonzero(alpha.max(1))[0]


def test_predict_json_gives_the_number_and_its_pieces(tmp_path, capsys):
    number, single = tmp_path / "42.png", tmp_path / "7.png"
    number_layer(["4 in two strokes", "2"]).save(number)
    number_layer(["7 with a crossbar"]).save(single)
    capsys.readouterr()
    assert main(["predict", "--json", str(number), str(single)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["number"] for record in records] == ["42", "7"]
    pieces = records[0]["pieces"]
    assert [piece["digit"] for piece in pieces] == [4, 2] and all(piece["verdict"] == "digit" for piece in pieces)
    assert pieces[0]["box"][2] <= pieces[1]["box"][0] and len(pieces[0]["top"]) == 3
    assert records[1]["pieces"][0]["digit"] == records[1]["digit"] == 7


def test_an_unsure_digit_is_marked_in_the_number(classifier):
    reading = classifier.read(number_layer(["4 in two strokes", "a star", "7 with a crossbar"]))
    assert reading.number[0] == "4" and reading.number[-1] == "7" and "?" in reading.number
