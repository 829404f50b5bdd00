"""The shipped model on real pen-drawn digits: pins the accuracy gained on drawn input."""

import pytest

from mnist_core.drawn import DrawnSet, evaluate_drawn, load_drawn_set, mistakes_sheet, top_confusions

# The shipped checkpoint reads 98.0% of the committed sample (tests/data: 200 digits, 20 of each, 101 writers;
# its lowest digit, 8, at 90%); the whole development set is measured by `python -m benchmarks.drawn`
# (README "Models and results"). The floors sit a few digits below, as noise allows.
FLOOR = 0.95


@pytest.fixture(scope="module")
def drawn_sample(drawn_dir) -> DrawnSet:
    """The committed sample of the development set: the first 20 drawings of each digit."""
    return load_drawn_set(drawn_dir)


def test_shipped_model_reads_real_drawn_digits_above_the_floor(classifier, drawn_sample, tmp_path):
    result = evaluate_drawn(classifier, drawn_sample)
    assert result["count"] == 200
    assert result["accuracy"] >= FLOOR, result["top_confusions"]
    assert min(result["per_class"]) >= 0.8  # no digit left behind
    assert result["unsure_rate"] < 0.1
    sheet = mistakes_sheet(result["inputs"], result["wrong"], tmp_path / "mistakes.png")
    assert sheet.stat().st_size > 0


def test_top_confusions_lists_the_largest_off_diagonal_counts():
    confusion = [[0] * 10 for _ in range(10)]
    confusion[4][9], confusion[1][7], confusion[3][3] = 5, 2, 90
    assert top_confusions(confusion) == [(4, 9, 5), (1, 7, 2)]


def test_shipped_model_reads_held_out_pen_writers(classifier, pendigits_dir):
    """pendigits' 14 writers who are not among the 30 trained on, drawn as on the sketchpad (the committed first 500)."""
    from mnist_core.evaluate import summarize, to_float
    from mnist_core.pen import PenDigits

    pen = PenDigits("test", pendigits_dir)
    summary = summarize(pen.targets, classifier.probabilities(to_float(pen.data)))
    # The shipped checkpoint reads 98.8% of these 500 (its lowest digit, 3, at 95.3%); the MNIST-only ensemble
    # read 93.5% of all 3,498 (ones 83%, nines 78%); see README "Models and results".
    assert summary["accuracy"] >= 0.97, summary["per_class"]
    assert min(summary["per_class"]) >= 0.9
