"""Pen-trajectory digits: reading UNIPEN, drawing strokes like the sketchpad, the training sources."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from mnist_core.errors import DataUnavailableError, MnistCoreError
from mnist_core.pen import (
    Brush,
    PenDigits,
    draw_strokes,
    load_pendigits,
    parse_unipen,
    random_brush,
    render,
    render_digits,
)
from mnist_core.sources import parse_sources, training_set
from mnist_core.styles import style_digits, style_labels, style_strokes

UNIPEN = """.LEXICON "0" "1"
.SEGMENT DIGIT    0 ? "1"
.COMMENT 1 7  3
.PEN_DOWN
 100  400
 100  300
 100  100
.PEN_UP
.DT 100
.SEGMENT DIGIT    1-2 ? "4"
.COMMENT 4 9  4
.PEN_DOWN
 50  400
 20  200
.PEN_UP
.PEN_DOWN
 80  400
 80  100
.PEN_UP
"""


def test_parse_unipen_reads_segments_strokes_labels_and_writers():
    one, four = parse_unipen(UNIPEN)
    assert (one.label, one.writer, len(one.strokes)) == (1, 7, 1)
    assert (four.label, four.writer, len(four.strokes)) == (4, 9, 2)
    # y points up on the tablet and down in an image: the first point of the 1 (y=400) is its bottom.
    assert one.strokes[0][:, 1].tolist() == [-400, -300, -100]
    assert four.strokes[1].tolist() == [[80, -400], [80, -100]]


def test_pendigits_splits_keep_their_writers_apart(pendigits_dir):
    # The committed excerpt: the first 300 digits of .tra and 500 of .tes (tests/data/README.md).
    train, test = load_pendigits("train", pendigits_dir), load_pendigits("test", pendigits_dir)
    assert (len(train), len(test)) == (300, 500)
    assert len({digit.writer for digit in train}) == 30 and len({digit.writer for digit in test}) == 14
    assert sorted({digit.label for digit in test}) == list(range(10))


def test_missing_pendigits_says_where_to_put_it(tmp_path):
    with pytest.raises(DataUnavailableError, match="PENDIGITS_DIR"):
        load_pendigits("train", tmp_path)
    with pytest.raises(MnistCoreError, match="choose 'train' or 'test'"):
        load_pendigits("validation")


def test_render_makes_an_mnist_style_input_centred_by_mass():
    image = render(load_pendigits("test")[0].strokes)
    assert image.shape == (1, 28, 28) and 0 <= image.min() and image.max() <= 1
    rows, cols = torch.nonzero(image[0] > 0.1, as_tuple=True)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) <= 20  # MNIST's 20 px box
    mass = image[0] / image[0].sum()
    centre = (mass.sum(1) * torch.arange(28)).sum(), (mass.sum(0) * torch.arange(28)).sum()
    assert all(abs(float(value) - 14) < 1.5 for value in centre)


def test_a_thicker_brush_lays_more_ink():
    strokes = load_pendigits("test")[3].strokes
    thin, thick = draw_strokes(strokes, Brush(width=0.05)), draw_strokes(strokes, Brush(width=0.2))
    assert thick.sum() > 2 * thin.sum()


def test_random_brushes_cover_pen_to_finger():
    widths = [random_brush(np.random.default_rng(seed)).width for seed in range(200)]
    assert min(widths) < 0.06 and max(widths) > 0.18


def test_render_digits_draws_each_digit_copies_times_reproducibly():
    digits = load_pendigits("test")[:5]
    images, labels = render_digits(digits, copies=3, seed=1)
    assert images.shape == (15, 28, 28) and images.dtype == torch.uint8
    assert labels.tolist() == [digit.label for digit in digits] * 3
    assert torch.equal(images, render_digits(digits, copies=3, seed=1)[0])
    assert not torch.equal(images[:5], images[5:10])  # each copy with its own brush


def test_pen_digits_dataset_is_drawn_once_with_writers(pendigits_dir):
    dataset = PenDigits("test", pendigits_dir)
    assert dataset.data.shape == (500, 28, 28) and len(dataset) == len(dataset.writers) == 500
    assert dataset.writers.unique().tolist() == list(range(1, 15))
    image, label = dataset[0]
    assert image.shape == (1, 28, 28) and image.max() == 1 and label == int(dataset.targets[0])
    batch, labels = next(iter(DataLoader(dataset, batch_size=16)))  # as the Gallery reads it
    assert batch.shape == (16, 1, 28, 28) and labels.tolist() == dataset.targets[:16].tolist()


def test_training_set_joins_the_named_sources(mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    images, labels = training_set(("pendigits", "styles"), pen_copies=1, style_samples=2)  # pendigits from $PENDIGITS_DIR
    assert images.shape == (300 + 2 * len(style_labels()), 28, 28) and len(labels) == len(images)
    assert parse_sources("mnist, pendigits") == ("mnist", "pendigits")
    with pytest.raises(MnistCoreError, match="choose from mnist, pendigits, styles"):
        parse_sources("mnist,emnist")


def test_every_style_names_its_digit_and_varies():
    labels = style_labels()
    assert set(labels.values()) >= {0, 1, 2, 4, 7, 9}
    for name in labels:
        first, second = (style_strokes(name, np.random.default_rng(seed)) for seed in (1, 2))
        assert first[0].shape != second[0].shape or not np.allclose(first[0], second[0])
    digits = style_digits(3, seed=0)
    assert len(digits) == 3 * len(labels) and {digit.label for digit in digits} == set(labels.values())


def test_a_bend_changes_the_proportions_and_a_plain_brush_has_none():
    strokes = load_pendigits("test")[3].strokes
    plain = draw_strokes(strokes, Brush(), np.random.default_rng(0))
    assert np.array_equal(plain, draw_strokes(strokes, Brush(), np.random.default_rng(1))), "no randomness without warp"
    bent = [draw_strokes(strokes, Brush(warp=0.08), np.random.default_rng(seed)) for seed in (0, 1)]
    assert bent[0].shape != bent[1].shape or not np.array_equal(bent[0], bent[1])
    warps = [random_brush(np.random.default_rng(seed)).warp for seed in range(100)]
    assert 0 <= min(warps) and max(warps) <= 0.08 and max(warps) > 0.06


def test_rounded_corners_keep_the_strokes_ends():
    from mnist_core.styles import rounded

    corner = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    smooth = rounded(corner)
    assert np.allclose(smooth[0], corner[0]) and np.allclose(smooth[-1], corner[-1]) and len(smooth) > len(corner)
    assert not any(np.allclose(point, corner[1]) for point in smooth), "the corner itself is cut"
