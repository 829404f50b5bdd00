"""The shipped model on real pen-drawn digits: pins the accuracy gained on drawn input."""

import pytest

from mnist_core.drawn import DrawnSet, evaluate_drawn, load_drawn_set, mistakes_sheet, top_confusions

# The floors sit a few digits below what the shipped checkpoint reads of the committed sample (tests/data: 200
# digits, 20 of each, 101 writers), as noise allows; the whole development set is measured by
# `python -m benchmarks.drawn` (docs/results.md, "Every model on every development set").
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
    from mnist_core.evaluate import summarize
    from mnist_core.pen import PenDigits
    from mnist_core.pixels import to_float

    pen = PenDigits("test", pendigits_dir)
    summary = summarize(pen.targets, classifier.probabilities(to_float(pen.data)))
    # A floor well under what the default reads; the figures are in docs/results.md, "Every model on every
    # development set".
    assert summary["accuracy"] >= 0.97, summary["per_class"]
    assert min(summary["per_class"]) >= 0.9
