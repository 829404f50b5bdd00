"""Bad input, faults and hostile requests through the launched app (gradio_client, raw HTTP) and its callbacks.

The core's own handling of these inputs is in test_preprocess / test_checkpoint / test_data; here each case
goes through the app as a visitor or API caller sends it, and the server must answer with a clear
message (never a traceback or a server path) and keep serving the next visitor.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import safetensors.torch
import torch
from PIL import Image, ImageDraw

import demo.gallery
import demo.model_info
import demo.models
from demo.draw import NO_DIGIT_IN_UPLOAD, PROMPT, classify_sketch, classify_upload
from demo.gallery import HOW_TO_PROVIDE, gallery_batch
from demo.model_info import model_view
from demo.models import DEFAULT_MODEL, model_title
from demo.ui import EXAMPLES_DIR, LAUNCH_OPTIONS, build_demo
from mnist_core.checkpoint import CONFIG_NAME, WEIGHTS_NAME, save_checkpoint
from mnist_core.model import build_model

SERVER_PATH = re.compile(r"(/work|/tmp|/root|/home|/usr|site-packages|[A-Za-z]:\\)")
VERDICT = re.compile(r"It's an? \*\*\d\*\*|Not sure")


def visitor_safe(text: str) -> bool:
    """No traceback and no server folder in a message a visitor sees."""
    return "Traceback" not in text and 'File "' not in text and not SERVER_PATH.search(text)


def clear_app_caches() -> None:
    """Forget every loaded checkpoint, rendered view and opened data set in the app's modules."""
    for module in (demo.models, demo.model_info, demo.gallery):
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


# --- Files a visitor or API caller might send --------------------------------------------------------


def one(side: int) -> Image.Image:
    """A '1': a dark vertical stroke on white, `side` pixels square."""
    image = Image.new("L", (side, side), 255)
    ImageDraw.Draw(image).line([(side // 2, side // 7), (side // 2, side * 6 // 7)], fill=0, width=max(1, side // 12))
    return image


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Each awkward input as a file, made once."""
    folder = tmp_path_factory.mktemp("inputs")
    made = {}

    def save(name: str, image: Image.Image, **options) -> None:
        made[name] = folder / name
        image.save(made[name], **options)

    save("1x1.png", Image.new("L", (1, 1), 0))
    save("all-black.png", Image.new("RGB", (300, 300), "black"))
    save("all-white.png", Image.new("RGB", (300, 300), "white"))
    save("transparent.png", Image.new("RGBA", (300, 300), (0, 0, 0, 0)))
    save("cmyk.jpg", one(200).convert("CMYK"))
    save("16-bit.png", Image.fromarray(np.asarray(one(200)).astype(np.uint16) * 257))
    save("palette.png", one(200).convert("P"))
    blank_frame = Image.new("P", (120, 120), 0)
    save("animated.gif", one(120).convert("P"), save_all=True, append_images=[blank_frame], duration=100, loop=0)
    save("nan.tiff", Image.fromarray(np.full((40, 40), np.nan, dtype=np.float32)))
    save("inf.tiff", Image.fromarray(np.where(np.asarray(one(40)) > 0, np.inf, -np.inf).astype(np.float32)))
    made["not-an-image.png"] = folder / "not-an-image.png"
    made["not-an-image.png"].write_text("#!/bin/sh\necho this is not a picture\n")
    made["over-the-size-limit.png"] = folder / "over-the-size-limit.png"
    made["over-the-size-limit.png"].write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(11 * 2**20))
    return made


@pytest.fixture(scope="module")
def huge(tmp_path_factory) -> Path:
    """A 10,000 x 10,000 PNG of a '1' (100 million pixels, a few hundred kB on disk)."""
    image = Image.new("L", (10_000, 10_000), 255)
    ImageDraw.Draw(image).rectangle((4_600, 1_500, 5_400, 8_500), fill=0)
    path = tmp_path_factory.mktemp("huge") / "huge.png"
    image.save(path, compress_level=1)
    return path


# --- The launched app ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(served_url: str):
    """The app served in-process (conftest.served_url), its caches fresh: (url, client)."""
    from gradio_client import Client

    clear_app_caches()
    yield served_url, Client(served_url, verbose=False, download_files=False)
    clear_app_caches()


@pytest.fixture
def client(served):
    return served[1]


def sketch(path: Path) -> dict:
    """A /predict argument: a sketchpad value whose composite is this file."""
    from gradio_client import handle_file

    return {"background": None, "layers": [], "composite": handle_file(str(path))}


def upload(path: Path):
    from gradio_client import handle_file

    return handle_file(str(path))


def still_serving(client, drawn_dir: Path) -> None:
    """A real drawing is still read after whatever came before."""
    _, text, _, _ = client.predict(sketch(drawn_dir / "rgba" / "00000.png"), api_name="/predict")
    assert VERDICT.search(text), text


# Each input: what /predict (sketchpad composite) and /predict_image (upload) must answer.
READABLE = ["cmyk.jpg", "16-bit.png", "palette.png", "animated.gif"]
BLANK = ["1x1.png", "all-black.png", "all-white.png", "transparent.png", "nan.tiff"]


@pytest.mark.parametrize("name", READABLE)
def test_unusual_image_formats_are_read_as_their_digit(client, files, name):
    for argument, api_name in [(sketch(files[name]), "/predict"), (upload(files[name]), "/predict_image")]:
        top, text, seen, _ = client.predict(argument, api_name=api_name)
        assert top["label"] == "1" and VERDICT.search(text) and seen, (name, api_name, text)


@pytest.mark.parametrize("name", BLANK)
def test_blank_tiny_and_nan_images_give_a_message_not_a_digit(client, files, name):
    top, text, seen, _ = client.predict(sketch(files[name]), api_name="/predict")
    assert text == PROMPT and seen is None and not (top or {}).get("label")
    top, text, seen, _ = client.predict(upload(files[name]), api_name="/predict_image")
    assert text == NO_DIGIT_IN_UPLOAD and seen is None and not (top or {}).get("label")


def test_infinite_pixel_values_give_finite_probabilities(client, files):
    """+inf paper and -inf ink: Gradio clips it to a '1'; whatever is read, no NaN reaches the answer."""
    for argument, api_name in [(sketch(files["inf.tiff"]), "/predict"), (upload(files["inf.tiff"]), "/predict_image")]:
        top, text, _, _ = client.predict(argument, api_name=api_name)
        assert VERDICT.search(text) or text in (PROMPT, NO_DIGIT_IN_UPLOAD), text
        assert all(np.isfinite(entry["confidence"]) for entry in (top or {}).get("confidences", [])) and "nan" not in text


def test_nan_arrays_through_the_callback_give_the_prompt():
    """The sketchpad hands numpy arrays to the callback; float ones full of NaN or inf hold no digit."""
    for fill in (np.nan, np.inf, -np.inf):
        canvas = np.full((64, 64, 4), fill, dtype=np.float32)
        assert classify_sketch({"background": None, "layers": [], "composite": canvas}, DEFAULT_MODEL) == (None, PROMPT, None, None)
    strokes = np.zeros((64, 64, 4), dtype=np.float32)
    strokes[8:56, 30:34, 3] = np.nan  # NaN ink inside a real layer
    top, text, _, _ = classify_sketch({"background": None, "layers": [strokes], "composite": None}, DEFAULT_MODEL)
    assert top is None or all(np.isfinite(list(top.values())))


def test_no_drawing_at_all_prompts(client):
    assert client.predict(None, api_name="/predict")[1] == PROMPT
    assert client.predict(None, api_name="/predict_image")[1] == PROMPT


def test_a_file_that_is_not_an_image_is_refused_without_a_traceback(client, files, drawn_dir):
    """An upload gets a sentence saying what is wrong; a forged sketchpad value is refused by Gradio itself."""
    from gradio_client.exceptions import AppError

    top, text, seen, _ = client.predict(upload(files["not-an-image.png"]), api_name="/predict_image")
    assert not (top or {}).get("label") and seen is None and "not an image" in text and visitor_safe(text), text
    with pytest.raises(AppError) as raised:
        client.predict(sketch(files["not-an-image.png"]), api_name="/predict")
    assert visitor_safe(str(raised.value)), str(raised.value)
    still_serving(client, drawn_dir)


def test_an_upload_that_is_not_an_image_type_gets_gradios_file_type_message(client, tmp_path):
    from gradio_client.exceptions import AppError

    document = tmp_path / "notes.txt"
    document.write_text("not a digit")
    with pytest.raises(AppError, match="Invalid file type"):
        client.predict(upload(document), api_name="/predict_image")


def test_uploads_over_max_file_size_are_refused_before_reaching_the_app(served, files):
    url, client = served
    assert LAUNCH_OPTIONS["max_file_size"] == "10mb"
    with pytest.raises(ValueError, match="maximum file size"):
        client.predict(upload(files["over-the-size-limit.png"]), api_name="/predict_image")
    # The server enforces it too (a caller need not use gradio_client): 413 from the upload route.
    with open(files["over-the-size-limit.png"], "rb") as file:
        response = httpx.post(f"{url}gradio_api/upload", files={"files": ("big.png", file, "image/png")}, timeout=30)
    assert response.status_code == 413 and visitor_safe(response.text)


def test_a_10000_by_10000_upload_is_refused_before_it_is_decoded(client, huge, drawn_dir):
    """Under max_file_size (it compresses well), but 100 MB once decoded: the core refuses it from its header."""
    started = time.perf_counter()
    top, text, _, _ = client.predict(upload(huge), api_name="/predict_image")
    assert not top and "too large to read" in text and visitor_safe(text)
    assert time.perf_counter() - started < 10  # generous on a busy 2-core machine: nothing is decoded
    still_serving(client, drawn_dir)


def test_a_10000_by_10000_sketch_composite_is_refused_before_gradio_decodes_it(client, huge, drawn_dir):
    """Only an API caller can send it (the page's canvas is 512 px); the sketchpad refuses it from its header."""
    from gradio_client.exceptions import AppError

    started = time.perf_counter()
    with pytest.raises(AppError, match="too large") as raised:
        client.predict(sketch(huge), api_name="/predict")
    assert visitor_safe(str(raised.value)) and time.perf_counter() - started < 10
    still_serving(client, drawn_dir)


# --- Gallery arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings, complaint",
    [
        (dict(batch_size=0), "less than minimum value 1"),
        (dict(batch_size=100_000), "greater than maximum value 256"),
        (dict(seed=-5), "less than minimum value 0"),
        (dict(digit="11"), "not in the list of choices"),
        (dict(split="../../etc/passwd"), "not in the list of choices"),
        (dict(digit="../checkpoints/mlp"), "not in the list of choices"),
    ],
)
def test_gallery_arguments_out_of_range_are_refused_with_a_clear_message(client, settings, complaint):
    from gradio_client.exceptions import AppError

    arguments = dict(split="train", batch_size=64, nrow=8, padding=2, seed=0, shuffle=True, digit="all", mistakes=False)
    arguments.update(settings)
    with pytest.raises(AppError, match=complaint) as raised:
        client.predict(*arguments.values(), api_name="/gallery")
    assert visitor_safe(str(raised.value))


def test_gallery_callback_refuses_paths_as_split_or_digit():
    """Called directly (no Gradio validation): a path is never opened, the answer is a message."""
    for split, digit in [("../../etc", "all"), ("train", "../../etc/passwd"), ("/etc/passwd", "1")]:
        picture, table, status, number = gallery_batch(split=split, digit=digit)
        assert picture is None and table == "" and status.startswith("⚠️") and visitor_safe(status)


def test_gallery_callback_survives_nan_and_huge_numbers():
    picture, _, status, _ = gallery_batch(batch_size=float("nan"), nrow=float("inf"), padding=-1e9, seed=10**30)
    assert picture is not None and "Batch **1 of" in status


# --- Paths and files the server will not hand out -----------------------------------------------------


def call_raw(url: str, api_name: str, data: list) -> str:
    """POST to /gradio_api/call/<api_name> without gradio_client (which would upload a local file) and
    return the event stream's text."""
    started = httpx.post(f"{url}gradio_api/call/{api_name}", json={"data": data}, timeout=30)
    if started.status_code != 200:
        return started.text
    event_id = started.json()["event_id"]
    return httpx.get(f"{url}gradio_api/call/{api_name}/{event_id}", timeout=60).text


@pytest.mark.parametrize("path", ["/etc/passwd", "checkpoints/mlp/model.safetensors", "../../../etc/passwd", "app.py"])
def test_predict_never_reads_a_server_file_named_by_the_caller(served, path):
    url, _ = served
    value = {"background": None, "layers": [], "composite": {"path": path, "meta": {"_type": "gradio.FileData"}}}
    answer = call_raw(url, "predict", [value])
    assert "event: error" in answer and "root:" not in answer and visitor_safe(answer), answer[:500]
    answer = call_raw(url, "predict_image", [{"path": path, "meta": {"_type": "gradio.FileData"}}])
    assert "event: error" in answer and "root:" not in answer and visitor_safe(answer), answer[:500]


def test_only_the_example_drawings_are_served_as_files(served):
    url, _ = served
    root = EXAMPLES_DIR.parent.parent
    assert LAUNCH_OPTIONS["allowed_paths"] == [str(EXAMPLES_DIR)]
    example = next(EXAMPLES_DIR.glob("*.png"))
    assert httpx.get(f"{url}gradio_api/file={example}").status_code == 200
    refused = [
        "/etc/passwd",
        str(root / "checkpoints" / "mlp" / WEIGHTS_NAME),
        str(root / "checkpoints" / "mlp" / CONFIG_NAME),
        str(root / "app.py"),
        "app.py",
        "checkpoints/mlp/model.safetensors",
        f"{EXAMPLES_DIR}/../../checkpoints/mlp/model.safetensors",
        f"{EXAMPLES_DIR}/../models.py",
        str(root / ".git" / "config"),
    ]
    for path in refused:
        assert httpx.get(f"{url}gradio_api/file={path}").status_code in (403, 404), path


# --- Faults: broken checkpoints at app start ------------------------------------------------------------


def write_fault(folder: Path, fault: str) -> None:
    """The default checkpoint's folder as the fault leaves it (missing: not written at all)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEFAULT_MODEL
    if fault != "missing":
        save_checkpoint(path, build_model("mlp", hidden=(32,)), {"name": "mlp", "hidden": [32]}, {})
    weights, config = path / WEIGHTS_NAME, path / CONFIG_NAME
    if fault == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif fault == "corrupted":
        weights.write_bytes(os.urandom(5000))
    elif fault == "no config":
        config.unlink()
    elif fault == "LFS pointer":
        weights.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 7456928\n")
    elif fault == "wrong architecture":
        # Its config says 64 hidden units, its weights have 32: loading must refuse, never guess.
        config.write_text(json.dumps({**json.loads(config.read_text()), "hidden": [64]}))
    elif fault == "not a checkpoint":
        safetensors.torch.save_file({"weights": torch.zeros(3)}, weights)  # someone else's model
        config.write_text(json.dumps({"model_type": "other"}))


@pytest.fixture
def broken_checkpoints(tmp_path, monkeypatch, mnist_dir):
    """Point the app at a checkpoint folder whose default model has `fault`; restore afterwards."""
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))

    def apply(fault: str) -> Path:
        folder = tmp_path / "checkpoints"
        write_fault(folder, fault)
        monkeypatch.setattr(demo.models, "CHECKPOINT_DIR", folder)
        clear_app_caches()
        return folder

    yield apply
    monkeypatch.undo()
    clear_app_caches()


@pytest.mark.parametrize(
    "fault", ["missing", "no config", "truncated", "corrupted", "LFS pointer", "wrong architecture", "not a checkpoint"],
)
def test_a_broken_checkpoint_shows_on_the_model_tab_and_predicts_nothing(broken_checkpoints, fault, drawn_dir):
    broken_checkpoints(fault)
    build_demo()  # the app still starts
    facts = model_view(DEFAULT_MODEL)[0]
    assert facts.startswith("⚠️") and DEFAULT_MODEL in facts and visitor_safe(facts), facts
    assert "cannot be loaded" in model_title(DEFAULT_MODEL)
    for top, text, seen, reading in [
        classify_sketch(str(drawn_dir / "rgba" / "00000.png"), DEFAULT_MODEL),
        classify_upload(str(drawn_dir / "rgb" / "00000.png"), DEFAULT_MODEL),
    ]:
        assert top is None and seen is None and reading is None and text.startswith("⚠️") and DEFAULT_MODEL in text
        assert visitor_safe(text), text
    picture, _, status, _ = gallery_batch()
    assert picture is None and status.startswith("⚠️") and visitor_safe(status)


def test_a_launched_app_with_a_truncated_checkpoint_serves_the_error_not_a_digit(broken_checkpoints, drawn_dir):
    from gradio_client import Client

    broken_checkpoints("truncated")
    app = build_demo()
    _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True, **LAUNCH_OPTIONS)
    try:
        client = Client(url, verbose=False, download_files=False)
        top, text, seen, _ = client.predict(sketch(drawn_dir / "rgba" / "00000.png"), api_name="/predict")
        assert not (top or {}).get("label") and seen is None
        assert "truncated" in text and f"{DEFAULT_MODEL}/{WEIGHTS_NAME}" in text and visitor_safe(text), text
    finally:
        app.close()


# --- Faults: MNIST missing, no network ------------------------------------------------------------------


def test_gallery_without_mnist_offline_says_how_and_drawing_works(client, tmp_path, monkeypatch, drawn_dir):
    """Through the server: no MNIST files and every download fails, as on a machine with no network."""
    from torchvision import datasets

    def no_network(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: <urlopen error [Errno -3] no network>")

    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "no-mnist-here"))
    monkeypatch.setattr(datasets.MNIST, "download", no_network)
    demo.gallery.dataset.cache_clear()
    try:
        picture, _, status = client.predict(api_name="/gallery")
        assert picture is None and HOW_TO_PROVIDE.split(":")[0] in status and "MNIST_DATA_DIR" in status
        assert visitor_safe(status), status
        still_serving(client, drawn_dir)
    finally:
        monkeypatch.undo()
        demo.gallery.dataset.cache_clear()


# --- Messages -----------------------------------------------------------------------------------------


def test_messages_from_an_unreadable_file_name_no_server_folder(tmp_path):
    nested = tmp_path / "deep" / "secret-folder"
    nested.mkdir(parents=True)
    (nested / "x.png").write_text("no")
    top, text, _, _ = classify_upload(str(nested / "x.png"), DEFAULT_MODEL)
    assert top is None and text.startswith("⚠️") and "secret-folder" not in text and visitor_safe(text)


def test_api_info_exposes_no_server_path(served):
    url, _ = served
    info = httpx.get(f"{url}gradio_api/info", timeout=30).text
    config = httpx.get(f"{url}config", timeout=30).text
    root = str(EXAMPLES_DIR.parent.parent)
    assert root + "/checkpoints" not in info + config and "Traceback" not in info + config
    json.loads(info)  # well-formed
