"""Preprocessing: every kind of image a person may hand over becomes MNIST's 1x28x28, or a clear refusal."""

import io
import time

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from mnist_core.errors import EmptyImageError, ImageError
from mnist_core.preprocess import preprocess


def draw_seven(size: int = 800, box: tuple[int, int, int, int] = (250, 200, 550, 600), width: int = 32) -> np.ndarray:
    """An ink map (0..255) of a 7 drawn with a round brush inside `box` on a size x size canvas."""
    image = Image.new("L", (size, size), 0)
    x0, y0, x1, y1 = box
    pen = ImageDraw.Draw(image)
    pen.line([(x0, y0), (x1, y0), (x0 + (x1 - x0) // 3, y1)], fill=255, width=width, joint="curve")
    return np.asarray(image)


def as_rgba(ink: np.ndarray) -> Image.Image:
    """A sketchpad layer: black ink whose strength is in alpha, on a transparent canvas."""
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., 3] = ink
    return Image.fromarray(rgba, "RGBA")


def test_output_is_mnist_shaped_white_on_black_and_centred():
    tensor = preprocess(as_rgba(draw_seven()))
    assert tensor.shape == (1, 28, 28) and tensor.dtype == torch.float32
    assert float(tensor.max()) == pytest.approx(1.0, abs=0.05) and float(tensor[0, 0, 0]) == 0.0
    rows, cols = torch.nonzero(tensor[0] > 0.05, as_tuple=True)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 <= 21  # fits the 20 px box
    mass = tensor[0] / tensor.sum()
    grid = torch.arange(28.0)
    assert float((mass.sum(1) * grid).sum()) == pytest.approx(14, abs=0.6)
    assert float((mass.sum(0) * grid).sum()) == pytest.approx(14, abs=0.6)


def test_size_and_position_on_the_canvas_barely_matter():
    big = preprocess(as_rgba(draw_seven(box=(200, 100, 600, 700), width=48)))
    small_corner = preprocess(as_rgba(draw_seven(box=(20, 500, 170, 725), width=18)))
    assert float((big - small_corner).abs().mean()) < 0.05


def test_transparent_and_black_on_white_versions_give_identical_tensors(drawn_dir):
    for name in ["00000.png", "00001.png", "00002.png"]:
        assert torch.allclose(preprocess(drawn_dir / "rgba" / name), preprocess(drawn_dir / "rgb" / name), atol=1e-6)


@pytest.mark.parametrize(
    "image",
    [
        lambda ink: Image.fromarray(255 - ink, "L"),  # dark ink on light paper
        lambda ink: Image.fromarray(ink, "L"),  # light ink on dark
        lambda ink: Image.fromarray(np.stack([255 - ink, 255 - ink // 2, np.full_like(ink, 255)], -1), "RGB"),
        lambda ink: Image.fromarray(255 - ink, "L").convert("CMYK"),
        lambda ink: Image.fromarray(255 - ink, "L").convert("P"),
        lambda ink: Image.fromarray((255 - ink).astype(np.uint16) * 257),
    ],
    ids=["dark-on-light", "light-on-dark", "colour", "cmyk", "palette", "16-bit"],
)
def test_any_polarity_colour_or_depth_gives_the_same_digit(image):
    ink = draw_seven()
    reference = preprocess(as_rgba(ink))
    assert float((preprocess(image(ink)) - reference).abs().max()) < 0.05


@pytest.mark.parametrize(
    "blank",
    [
        Image.new("RGBA", (800, 800), (0, 0, 0, 0)),
        Image.new("RGB", (800, 800), "white"),
        Image.new("RGB", (800, 800), "black"),
        Image.new("L", (1, 1), 0),
        np.full((28, 28), np.nan, dtype=np.float32),
    ],
    ids=["transparent", "white", "black", "1x1", "nan"],
)
def test_empty_canvas_is_reported_not_classified(blank):
    with pytest.raises(EmptyImageError):
        preprocess(blank)


def test_animated_image_uses_its_first_frame():
    frames = [Image.fromarray(255 - draw_seven(), "L"), Image.new("L", (800, 800), 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert float(preprocess(buffer.getvalue()).max()) > 0.9


@pytest.mark.parametrize("data", [b"", b"this is not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50])
def test_non_image_bytes_raise_a_clear_error(data):
    with pytest.raises(ImageError, match="not an image"):
        preprocess(data)


def test_huge_image_is_handled_in_bounded_time():
    canvas = Image.new("L", (8000, 8000), 255)
    ImageDraw.Draw(canvas).line([(2000, 1500), (6000, 1500), (3300, 6500)], fill=0, width=300)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    started = time.perf_counter()
    tensor = preprocess(buffer.getvalue())
    assert tensor.shape == (1, 28, 28)
    assert time.perf_counter() - started < 10  # a generous bound: the point is "not minutes"


def test_image_over_the_pixel_limit_is_refused_with_the_limit_named(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    buffer = io.BytesIO()
    Image.new("L", (3000, 3000), 255).save(buffer, format="PNG")
    with pytest.raises(ImageError, match="over 2 million pixels"):
        preprocess(buffer.getvalue())
