"""The app: its callbacks as plain functions, then the launched server through gradio_client."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from demo import gallery
from demo.draw import PROMPT, classify_sketch, classify_upload, sketch_ink, verdict
from demo.gallery import gallery_batch, next_batch
from demo.model_info import model_view
from demo.models import DEFAULT_MODEL, model_names, public_message
from demo.ui import EXAMPLES_DIR
from mnist_core.errors import DataUnavailableError
from mnist_core.predict import Prediction
from mnist_core.verdict import verdict_of

SIDE = 512
DARK_CANVAS = (11, 15, 24, 255)  # roughly the canvas colour of Gradio's dark theme
CELL = re.compile(r'title="label (\d), model (\d)"')


@pytest.fixture(scope="module", autouse=True)
def real_mnist(mnist_dir: Path):
    """Point the gallery at the real MNIST files for this module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_DATA_DIR", str(mnist_dir))
        gallery.dataset.cache_clear()
        yield
    gallery.dataset.cache_clear()


@pytest.fixture(scope="module")
def drawn(drawn_dir: Path) -> list[tuple[Path, int]]:
    """The first 60 drawn digits (800 x 800 RGBA canvases) with their labels."""
    with open(drawn_dir / "labels.csv", newline="") as file:
        rows = list(csv.DictReader(file))[:60]
    return [(drawn_dir / "rgba" / row["file"], int(row["label"])) for row in rows]


def rgba(path: Path) -> np.ndarray:
    """An image file as the RGBA array the sketchpad hands over."""
    return np.asarray(Image.open(path).convert("RGBA"))


def browser_value(strokes: np.ndarray, canvas_rgba: tuple[int, int, int, int]) -> dict:
    """A sketchpad value as the browser sends it: an opaque theme-coloured background, a transparent
    layer holding the strokes, and their composite."""
    background = np.empty_like(strokes)
    background[:] = canvas_rgba
    alpha = strokes[..., 3:].astype(np.float32) / 255
    composite = (strokes * alpha + background * (1 - alpha)).round().astype(np.uint8)
    composite[..., 3] = 255
    return {"background": background, "layers": [strokes], "composite": composite}


def blank(fill: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
    """An empty canvas of one colour."""
    canvas = np.empty((SIDE, SIDE, 4), dtype=np.uint8)
    canvas[:] = fill
    return canvas


# --- Draw tab -------------------------------------------------------------------------------------


def test_sketchpad_composites_of_real_drawings_are_read(drawn, seen_picture):
    """An alpha-only composite (transparent canvas, black ink) as an API caller sends it."""
    correct = 0
    for path, label in drawn:
        top, text, seen, _ = classify_sketch({"background": None, "layers": [], "composite": rgba(path)}, DEFAULT_MODEL)
        assert len(top) == 3 and all(0 <= p <= 1 for p in top.values())
        # What it sees and, beside it, why: each 28 x 28, 1 px apart, inline; the page enlarges them.
        picture = seen_picture(seen)
        assert "1×28×28" in text and picture.shape == (28, 57, 3) and picture.dtype == np.uint8
        correct += max(top, key=top.get) == str(label)
    assert correct >= 0.8 * len(drawn), f"only {correct} of {len(drawn)} drawn digits read correctly"


@pytest.mark.parametrize("canvas", [(255, 255, 255, 255), DARK_CANVAS], ids=["light theme", "dark theme"])
def test_browser_value_reads_the_strokes_in_either_theme(drawn, canvas):
    """On the dark theme's canvas black ink barely shows in the composite; the strokes' layer still reads right."""
    for path, _ in drawn[:10]:
        alone = classify_sketch({"background": None, "layers": [], "composite": rgba(path)}, DEFAULT_MODEL)
        in_browser = classify_sketch(browser_value(rgba(path), canvas), DEFAULT_MODEL)
        assert in_browser[0] == alone[0]


def test_layers_on_a_loaded_picture_read_the_composite():
    """With a picture as background (an example), the composite holds the digit, not the empty layer."""
    example = rgba(next(EXAMPLES_DIR.glob("4_*.png")))
    value = {"background": example, "layers": [blank()], "composite": example}
    assert sketch_ink(value) is example
    top = classify_sketch(value, DEFAULT_MODEL)[0]
    assert max(top, key=top.get) == "4"


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"background": None, "layers": [], "composite": None},
        {"background": None, "layers": [], "composite": blank()},
        {"background": None, "layers": [], "composite": blank((255, 255, 255, 255))},
        browser_value(blank(), (255, 255, 255, 255)),
        browser_value(blank(), DARK_CANVAS),
    ],
    ids=["None", "no composite", "transparent", "all white", "cleared, light", "cleared, dark"],
)
def test_empty_canvas_prompts_and_never_shows_a_digit(value):
    assert classify_sketch(value, DEFAULT_MODEL) == (None, PROMPT, None, None)


def test_unsure_answers_ask_instead_of_asserting():
    probabilities = [0.0] * 10
    probabilities[4], probabilities[9], probabilities[7] = 0.46, 0.44, 0.10
    prediction = Prediction(verdict_of(torch.tensor(probabilities)), 4, probabilities, 0.0, image=None)
    assert prediction.unsure
    assert "Not sure — is it a 4 or a 9?" in verdict(prediction)


def test_every_example_drawing_is_read_as_its_digit():
    for path in sorted(EXAMPLES_DIR.glob("*.png")):
        top = classify_sketch(str(path), DEFAULT_MODEL)[0]
        assert max(top, key=top.get) == path.name[0], path.name


def test_upload_of_a_white_background_image(drawn_dir: Path):
    top, text, _, _ = classify_upload(str(drawn_dir / "rgb" / "00002.png"), DEFAULT_MODEL)  # a 2, black on white
    assert max(top, key=top.get) == "2"


def test_upload_that_is_not_an_image_gives_a_message_without_paths(tmp_path: Path):
    text_file = tmp_path / "digit.png"
    text_file.write_text("not a picture")
    top, text, seen, _ = classify_upload(str(text_file), DEFAULT_MODEL)
    assert top is None and seen is None and text.startswith("⚠️")
    assert str(tmp_path) not in text


def test_each_shipped_model_reads_and_a_foreign_name_is_refused(drawn):
    path, label = drawn[0]
    for name in model_names():
        assert classify_sketch(str(path), name)[0]
    top, text, _, _ = classify_sketch(str(path), "../../etc/passwd")
    assert top is None and "no model called" in text  # demo/locales: error.no_such_model


def test_public_messages_hide_server_folders():
    message = public_message(ValueError("Checkpoint /srv/app/checkpoints/mlp/model.safetensors and C:\\data\\x.gz are broken."))
    assert message == "Checkpoint model.safetensors and x.gz are broken."


# --- Gallery tab ----------------------------------------------------------------------------------


def cells(table: str) -> list[tuple[int, int]]:
    """(label, model answer) of each cell of the labels table, in grid order."""
    return [(int(label), int(answer)) for label, answer in CELL.findall(table)]


def test_gallery_defaults_show_a_batch_of_64_with_labels():
    picture, table, status, number = gallery_batch()
    assert picture.ndim == 3 and picture.shape[2] == 3 and picture.dtype == np.uint8
    assert len(cells(table)) == 64 and number == 0
    assert "Batch **1 of 938**" in status


@pytest.mark.parametrize("nrow, padding", [(8, 2), (5, 0), (16, 4)])
def test_gallery_grid_follows_nrow_and_padding(nrow, padding):
    picture, table, _, _ = gallery_batch(batch_size=20, nrow=nrow, padding=padding)
    rows = -(-20 // nrow)
    width, height = nrow * (28 + padding) + padding, rows * (28 + padding) + padding
    scale = picture.shape[1] // width
    assert picture.shape[:2] == (height * scale, width * scale) and scale >= 2
    assert table.count("<tr>") == rows


def test_gallery_digit_filter_split_and_seed():
    picture, table, status, _ = gallery_batch(split="test", digit="3", batch_size=50, seed=7)
    assert {label for label, _ in cells(table)} == {3} and "MNIST, test split, digit 3" in status
    again, _, _, _ = gallery_batch(split="test", digit="3", batch_size=50, seed=7)
    other, _, _, _ = gallery_batch(split="test", digit="3", batch_size=50, seed=8)
    assert np.array_equal(again, picture) and not np.array_equal(other, picture)


def test_gallery_mistakes_are_all_mistakes_and_framed():
    picture, table, status, _ = gallery_batch(split="train", mistakes_only=True, batch_size=30)
    pairs = cells(table)
    assert pairs and all(label != answer for label, answer in pairs)
    assert "test split" in status  # mistakes are always counted on the test split
    red = (picture[..., 0] > 200) & (picture[..., 1] < 80) & (picture[..., 2] < 80)
    assert red.any()


def test_gallery_shows_pen_digits_and_their_mistakes_from_held_out_writers():
    picture, table, status, _ = gallery_batch(split="test", source="pendigits", digit="4", batch_size=40)
    assert picture is not None and len(cells(table)) == 40 and {label for label, _ in cells(table)} == {4}
    assert status.startswith("Pen digits, test split, digit 4: 48 images")  # of the committed excerpt (tests/data)
    _, mistakes, status, _ = gallery_batch(source="pendigits", mistakes_only=True, batch_size=256)
    assert all(label != answer for label, answer in cells(mistakes)) and "Pen digits, test split" in status


def test_next_batch_moves_on_and_wraps_around():
    settings = ("test", 256, 16, 2, 0, False, "all", False, "mnist", DEFAULT_MODEL)
    _, first, _, number = gallery_batch(*settings)
    _, second, status, number = next_batch(*settings, number)
    assert number == 1 and cells(second) != cells(first) and "Batch **2 of 40**" in status
    _, wrapped, _, number = next_batch(*settings, 39)
    assert number == 0 and cells(wrapped) == cells(first)


@pytest.mark.parametrize("batch_size, expected", [(0, 1), (100_000, 256)])
def test_gallery_batch_size_is_kept_in_range(batch_size, expected):
    _, table, _, _ = gallery_batch(batch_size=batch_size, seed=-5)
    assert len(cells(table)) == expected


def test_gallery_refuses_an_unknown_digit():
    picture, _, status, _ = gallery_batch(digit="11")
    assert picture is None and status.startswith("⚠️")


def test_gallery_without_mnist_says_how_to_provide_it_and_drawing_still_works(monkeypatch, drawn):
    from mnist_core.sources import BROWSABLE, BrowsableSet

    def missing(split: str):
        raise DataUnavailableError("MNIST is not in /nowhere/MNIST and could not be downloaded.", reason="mnist_unavailable")

    monkeypatch.setitem(BROWSABLE, "mnist", BrowsableSet(missing, "MNIST"))
    gallery.dataset.cache_clear()
    try:
        picture, _, status, _ = gallery_batch()
    finally:
        monkeypatch.undo()
        gallery.dataset.cache_clear()
    assert picture is None and "MNIST_DATA_DIR" in status and "/nowhere" not in status
    assert classify_sketch(str(drawn[0][0]), DEFAULT_MODEL)[0]


# --- Model tab ------------------------------------------------------------------------------------


def test_model_view_of_each_checkpoint():
    for name in model_names():
        facts, per_class, confusion, weights, caption = model_view(name)
        assert "Parameters:" in facts and "test accuracy" in facts.lower() and "/work" not in facts
        assert per_class.count("%") == 10
        assert confusion.ndim == 3 and weights.ndim == 3
    assert "digit templates" in model_view("linear")[4]


def test_model_view_says_what_each_model_was_trained_on():
    assert "Trained on:** MNIST's 60,000 training digits\n" in model_view("linear")[0]
    default = model_view(DEFAULT_MODEL)[0]
    assert "pendigits' 30 training writers" in default and "synthesised samples of each" in default


def test_a_registry_entry_is_named_from_the_locales_else_in_the_registrys_english(monkeypatch):
    """A data source (or optimiser, architecture) added to its registry alone is named on the page in English."""
    from demo.model_info import trained_on
    from demo.models import registry_text
    from mnist_core.sources import DATA_SOURCES, DataSource

    monkeypatch.setitem(DATA_SOURCES, "bold", DataSource(lambda options: None, "bold MNIST", "{samples} bold digits"))
    meta = {"train_config": {"data": ["mnist", "bold"], "style_samples": 7}}
    assert trained_on(meta) == "MNIST's 60,000 training digits + 7 bold digits"
    assert trained_on(meta, "zh-CN").endswith(" + 7 bold digits") and not trained_on(meta, "zh-CN").startswith("MNIST's")
    assert registry_text("zh-CN", "optimizer", "adam", "Adam") != "Adam"  # translated where demo/locales has it


def test_the_default_model_shows_how_it_was_trained():
    facts, _, _, _, caption = model_view(DEFAULT_MODEL)
    assert facts.startswith("### MLP 784 → 1024 → 1024 → 11 · MNIST + pen digits + not-digits")
    # Its recipe: a long run, a gentle fine-tune of it, then the runs that taught it "not a digit"; all shown, in order.
    assert "Commands, in order:** `python -m mnist_core train --data mnist,pendigits,styles" in facts
    assert "--epochs 220" in facts and "--augment-strength 0.25" in facts and "at 0.5× strength" in facts
    assert "--data mnist,pendigits,styles,letters,omniglot,doodles" in facts
    assert "it can answer “that doesn't look like a digit”" in facts
    assert "the first layer" in caption


# --- The page ------------------------------------------------------------------------------------


def test_the_sketchpad_keeps_only_the_latest_canvas_blobs():
    """Each stroke's blobs reach the server; from a page's second stroke on no event claims them."""
    import gradio as gr
    from gradio.components.image_editor import AcceptBlobs

    from demo.page.guards import BLOB_SETS_KEPT
    from demo.ui import build_demo

    pad = next(block for block in build_demo().blocks.values() if isinstance(block, gr.Sketchpad))
    png = (EXAMPLES_DIR / sorted(path.name for path in EXAMPLES_DIR.glob("*.png"))[0]).read_bytes()
    for stroke in range(BLOB_SETS_KEPT + 50):
        for kind in ("background", "layer", "composite"):
            data = {"type": kind, "index": 0 if kind == "layer" else None, "file": png, "id": f"stroke-{stroke}"}
            pad.accept_blobs(AcceptBlobs(data=data, files=[("blob", png)]))
    assert len(pad.blob_storage) == BLOB_SETS_KEPT
    assert "stroke-0" not in pad.blob_storage and pad.blob_storage[f"stroke-{BLOB_SETS_KEPT + 49}"].composite == png


def test_tabs_hold_only_the_four_tabs():
    """Anything else placed directly in gr.Tabs (a State, say) shows in the browser as an extra tab."""
    import gradio as gr

    from demo.ui import build_demo

    tabs = next(block for block in build_demo().blocks.values() if isinstance(block, gr.Tabs))
    # Each tab's label is a gr.I18n key of demo/locales (translated in the browser).
    assert [(type(child), child.label.key) for child in tabs.children] == [
        (gr.Tab, "tab.draw"), (gr.Tab, "tab.gallery"), (gr.Tab, "tab.model"), (gr.Tab, "tab.train")
    ]


def test_app_starts_without_torchvision():
    """torchvision costs seconds of import; the page and the Draw tab must not wait for it."""
    import subprocess
    import sys

    code = "import sys, app; print('torchvision' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=EXAMPLES_DIR.parent.parent, capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr[-2000:]


# --- The launched app, through gradio_client -------------------------------------------------------


@pytest.fixture(scope="module")
def client(served_url: str):
    """A gradio_client on the app served in-process (conftest.served_url)."""
    from gradio_client import Client

    return Client(served_url, verbose=False)


def sketch_file(path: Path) -> dict:
    """The /predict argument for an image file: a sketchpad value with only a composite."""
    from gradio_client import handle_file

    return {"background": None, "layers": [], "composite": handle_file(str(path))}


def test_served_page_selects_the_brush_by_itself(client):
    """The script that picks the brush for the visitor (demo/page/ready_to_draw.js) reaches the page."""
    import json
    import urllib.request

    with urllib.request.urlopen(client.src.rstrip("/") + "/config") as response:
        config = json.load(response)
    assert "toolbar-wrap" in (config.get("js") or "") and "highlight" in config["js"]


def test_api_lists_predict_and_gallery(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/predict", "/gallery"} <= set(endpoints)


def test_api_predict_reads_real_drawn_digits(client, drawn, seen_picture):
    sample = drawn[:12]
    correct = 0
    for path, label in sample:
        top, text, seen, _ = client.predict(sketch_file(path), api_name="/predict")
        assert len(top["confidences"]) == 3 and "1×28×28" in text
        assert seen.startswith('<img class="seen"') and seen_picture(seen).shape == (28, 57, 3)
        correct += top["label"] == str(label)
    assert correct >= 0.75 * len(sample)


def test_api_predict_on_an_empty_canvas_prompts(client, tmp_path: Path):
    empty = tmp_path / "empty.png"
    Image.fromarray(blank()).save(empty)
    top, text, seen, _ = client.predict(sketch_file(empty), api_name="/predict")
    assert text == PROMPT and seen is None and not (top or {}).get("label")


def test_api_gallery_with_all_defaults(client):
    picture, table, status = client.predict(api_name="/gallery")  # the batch number is session state, not returned
    assert Image.open(picture).format == "PNG" and len(cells(table)) == 64 and "Batch" in status
