"""Shared fixtures: where the real data lives, and the shipped classifier.

MNIST is used whole, from wherever mnist_core.data finds or downloads it. Drawn digits and pen digits
come from the small sample committed in tests/data/ (tests/data/README.md), so a bare clone tests as
it is; the full development sets are measured by `python -m benchmarks.drawn`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The MNIST folder: $MNIST_DATA_DIR, else ../shared/mnist if present, else data/ (downloaded into if need be)."""
    from mnist_core.data import DEFAULT_DATA_DIR, SHARED_MNIST, mnist_dataset
    from mnist_core.errors import DataUnavailableError

    folder = Path(os.environ.get("MNIST_DATA_DIR") or (SHARED_MNIST if SHARED_MNIST.is_dir() else DEFAULT_DATA_DIR))
    try:
        for train in (True, False):
            mnist_dataset(train, folder)  # the app's own path: read the files, or download the missing ones
    except DataUnavailableError as error:
        failure = str(error)  # failed below, outside this block, so pytest prints the one sentence once
    else:
        return folder
    pytest.fail(failure, pytrace=False)  # a failure, never a skip: nothing may pass without the data


@pytest.fixture(scope="session")
def drawn_dir() -> Path:
    """The committed sample of real pen-drawn digits as sketchpad canvases: labels.csv, rgba/ and a few rgb/."""
    return SAMPLE / "drawn-digits"


@pytest.fixture(scope="session", autouse=True)
def pendigits_dir() -> Iterator[Path]:
    """The committed pendigits excerpt, also as $PENDIGITS_DIR for code that looks it up itself (the gallery, launched apps).

    The committed pen-letters and Omniglot excerpts are set as $PEN_LETTERS_DIR and $OMNIGLOT_DIR the same way.
    """
    folder = SAMPLE / "pendigits"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PENDIGITS_DIR", str(folder))
        patch.setenv("PEN_LETTERS_DIR", str(SAMPLE / "pen-letters"))
        patch.setenv("OMNIGLOT_DIR", str(SAMPLE / "omniglot-strokes"))
        yield folder


@pytest.fixture(scope="session")
def classifier():
    """The shipped default classifier (mnist_core.checkpoint.DEFAULT_CHECKPOINT)."""
    from mnist_core.predict import Classifier

    return Classifier.load()


@pytest.fixture(scope="session")
def mnist_train(mnist_dir: Path):
    """MNIST's 60,000 training digits as uint8 images (N, 28, 28) and labels, loaded once."""
    from mnist_core.data import load_tensors

    return load_tensors(True, mnist_dir)


@pytest.fixture(scope="session")
def mnist_test(mnist_dir: Path):
    """MNIST's 10,000 test digits as uint8 images (N, 28, 28) and labels, loaded once."""
    from mnist_core.data import load_tensors

    return load_tensors(False, mnist_dir)


@pytest.fixture(scope="session")
def pen_test(pendigits_dir: Path):
    """pendigits' held-out writers in the committed excerpt, drawn with the plain brush: uint8 images, labels, writers."""
    from mnist_core.pen import PenDigits

    pen = PenDigits("test", pendigits_dir)
    return pen.data, pen.targets, pen.writers


@pytest.fixture(scope="module")
def served_app(mnist_dir: Path):
    """The app launched in this process on a free loopback port with app.py's launch options: (its URL, the Blocks)."""
    from demo.ui import LAUNCH_OPTIONS, build_demo

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_DATA_DIR", str(mnist_dir))
        app = build_demo()
        _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True, **LAUNCH_OPTIONS)
        try:
            yield url, app
        finally:
            app.close()


@pytest.fixture(scope="module")
def served_url(served_app) -> str:
    """The URL of the app served in this process (served_app)."""
    return served_app[0]


@pytest.fixture(scope="session")
def seen_picture():
    """Reads the Draw tab's "what the network sees" <img> (a data: URI PNG) back as an RGB array."""
    import base64
    import io
    import re

    import numpy as np
    from PIL import Image

    def read(html: str) -> np.ndarray:
        encoded = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
        return np.array(Image.open(io.BytesIO(base64.b64decode(encoded))))

    return read
