"""Drawings that are not digits: the data that teaches "not a digit", its writer splits, and the shipped model's verdicts.

The drawings in NOT_DIGITS are unit-box strokes (x right, y down) typed in for this test, not made by
mnist_core.doodles' generator, each drawn with a pen-thin, the app's default and a finger-thick brush.
"""

import json

import numpy as np
import pytest
import torch

from mnist_core.__main__ import main
from mnist_core.doodles import DEV_KINDS, TRAIN_KINDS, doodles
from mnist_core.evaluate import summarize
from mnist_core.model import NOT_DIGIT, build_model, knows_non_digits
from mnist_core.nondigits import DIGIT_LIKE, load_omniglot, load_pen_letters
from mnist_core.pen import Brush, render
from mnist_core.train import with_new_outputs
from mnist_core.verdict import DIGIT, NOT_A_DIGIT, verdict_of


def circle(cx: float, cy: float, r: float, start: float = 0, end: float = 360) -> list[tuple[float, float]]:
    """Points along a circle arc from `start` to `end` degrees (0 = right, 90 = down)."""
    return [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in np.radians(np.linspace(start, end, 48))]


def spiral_points(turns: float = 3) -> list[tuple[float, float]]:
    """An outward spiral of `turns` turns around the box's centre."""
    t = np.linspace(0, turns * 2 * np.pi, 150)
    r = 0.04 + 0.46 * t / t[-1]
    return list(zip(0.5 + r * np.cos(t), 0.5 + r * np.sin(t)))


NOT_DIGITS = {
    "smiley": [circle(0.5, 0.5, 0.48), [(0.35, 0.35), (0.35, 0.38)], [(0.65, 0.35), (0.65, 0.38)], circle(0.5, 0.52, 0.25, 30, 150)],
    "capital A": [[(0.05, 1.0), (0.5, 0.0), (0.95, 1.0)], [(0.25, 0.6), (0.75, 0.6)]],
    "lower-case u": [[(0.1, 0.1), (0.12, 0.7), (0.3, 0.95), (0.6, 0.95), (0.85, 0.7)], [(0.85, 0.1), (0.88, 1.0)]],
    "star": [[(0.5, 0.0), (0.8, 0.95), (0.02, 0.35), (0.98, 0.35), (0.2, 0.95), (0.5, 0.0)]],
    "spiral": [spiral_points()],
    "plus": [[(0.5, 0.0), (0.5, 1.0)], [(0.0, 0.5), (1.0, 0.5)]],
}
BRUSHES = {"pen": Brush(width=0.06), "default": Brush(width=0.1), "finger": Brush(width=0.18)}


@pytest.mark.parametrize("brush", BRUSHES, ids=list(BRUSHES))
@pytest.mark.parametrize("drawing", NOT_DIGITS, ids=list(NOT_DIGITS))
def test_shipped_model_says_not_a_digit(classifier, drawing, brush):
    image = render([np.array(stroke, dtype=np.float32) for stroke in NOT_DIGITS[drawing]], BRUSHES[brush])
    probabilities = classifier.probabilities(image.unsqueeze(0))[0]
    message = f"{drawing} ({brush}): not a digit {float(probabilities[NOT_DIGIT]):.2f}"
    assert verdict_of(probabilities) != DIGIT, message  # never a confident digit
    if brush == "finger":  # a fingertip thickens a u or a star into a blob: "not a digit" is still the likeliest answer
        assert int(probabilities.argmax()) == NOT_DIGIT, message
    else:
        assert verdict_of(probabilities) == NOT_A_DIGIT, message


def test_the_shipped_default_has_the_not_a_digit_output(classifier):
    assert knows_non_digits(classifier.meta["config"])
    assert "letters" in classifier.meta["train_config"]["data"]


def test_pen_letters_split_by_writer_and_leave_out_digit_like_characters():
    train, dev = load_pen_letters("train"), load_pen_letters("dev")
    assert train and dev
    assert all(drawing.label == NOT_DIGIT for drawing in train + dev)
    assert not {drawing.name for drawing in train + dev} & DIGIT_LIKE
    # writer numbers are per split; the strokes themselves never repeat across the two
    train_keys = {drawing.strokes[0].tobytes() for drawing in train}
    assert not any(drawing.strokes[0].tobytes() in train_keys for drawing in dev)


def test_omniglot_holds_out_drawers_and_an_alphabet():
    train, dev = load_omniglot("train"), load_omniglot("dev")
    assert train and dev
    assert max(drawing.writer for drawing in train) <= 15
    assert {drawing.writer for drawing in dev if drawing.name != "Tagalog"} <= set(range(16, 21))
    assert "Tagalog" not in {drawing.name for drawing in train}


def test_doodles_of_the_dev_kinds_are_never_trained_on():
    assert not set(DEV_KINDS) & set(TRAIN_KINDS)
    assert {drawing.name for drawing in doodles(2, "train")} == set(TRAIN_KINDS)
    assert {drawing.name for drawing in doodles(2, "dev")} == set(DEV_KINDS)
    first, again = doodles(3, "dev", seed=5), doodles(3, "dev", seed=5)
    assert all(np.array_equal(a.strokes[0], b.strokes[0]) for a, b in zip(first, again))  # a seeded set


def test_a_ten_digit_model_starts_an_eleven_output_one():
    ten, eleven = build_model("mlp", hidden=[32]).eval(), build_model("mlp", hidden=[32], classes=11).eval()
    eleven.load_state_dict(with_new_outputs(ten.state_dict(), eleven.state_dict()))
    images = torch.rand(4, 1, 28, 28)
    assert torch.allclose(ten(images), eleven(images)[:, :10])


def test_not_a_digit_on_a_digit_counts_as_wrong():
    labels = torch.tensor([3, 3])
    probabilities = torch.zeros(2, 11)
    probabilities[0, 3] = 1.0  # read right
    probabilities[1, 3], probabilities[1, NOT_DIGIT] = 0.04, 0.96  # the most likely digit, but "not a digit"
    summary = summarize(labels, probabilities)
    assert summary["accuracy"] == 0.5
    assert summary["not_digit_rate"] == 0.5
    assert summary["per_class"][3] == 0.5


def test_predict_json_gives_the_verdict(tmp_path, capsys, drawn_dir):
    from PIL import Image

    from mnist_core.pen import draw_strokes

    ink = draw_strokes([np.array(stroke, dtype=np.float32) for stroke in NOT_DIGITS["smiley"]], Brush(width=0.08))
    smiley = tmp_path / "smiley.png"
    Image.fromarray((255 - ink * 255).astype(np.uint8)).save(smiley)  # black ink on white, as a photo or scan
    digit = drawn_dir / "rgba" / sorted(path.name for path in (drawn_dir / "rgba").iterdir())[0]
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    assert main(["predict", str(smiley), str(digit), str(blank), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["verdict"] for record in records[::2]] == [NOT_A_DIGIT, "empty"]
    assert records[1]["verdict"] in ("digit", "unsure") and len(records[1]["probabilities"]) == 10
    assert records[0]["not_digit"] > 0.5 and records[0]["digit"] in range(10)


def test_the_gallery_shows_the_not_digits_through_make_grid():
    from demo.gallery import gallery_batch

    picture, labels, status, _ = gallery_batch(split="train", batch_size=16, nrow=4, source="nondigits")
    assert picture is not None and picture.ndim == 3, status
    assert labels.count("✗") >= 16 and "Not digits, train split" in status


def test_the_page_says_a_smiley_is_not_a_digit_and_names_the_nearest_digits():
    from PIL import Image

    from demo.draw import classify_sketch
    from mnist_core.pen import draw_strokes

    ink = draw_strokes([np.array(stroke, dtype=np.float32) for stroke in NOT_DIGITS["smiley"]], Brush(width=0.08))
    layer = Image.merge("LA", (Image.new("L", ink.shape[::-1]), Image.fromarray((ink * 255).astype(np.uint8))))
    top, text, seen, _ = classify_sketch({"background": None, "layers": [], "composite": layer.convert("RGBA")}, "world")
    assert next(iter(top)) == "not a digit" and len(top) == 3
    assert "doesn't look like a digit" in text and "The nearest digits:" in text and "towards **not a digit** in red" in text
    assert seen.startswith('<img class="seen"')


def test_between_the_thresholds_the_page_asks_whether_it_is_a_digit_at_all():
    from demo.draw import verdict
    from mnist_core.predict import Prediction

    probabilities = [0.0] * 10
    probabilities[4], probabilities[7] = 0.25, 0.1
    prediction = Prediction(verdict_of(torch.tensor([*probabilities, 0.65])), 4, probabilities, 0.65, image=None)
    assert prediction.unsure
    assert "maybe that isn't a digit; if it is, a 4 or a 7?" in verdict(prediction)
