"""MNIST through torchvision: find or lay out the files, then serve them as a Dataset or as whole tensors."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from mnist_core.errors import DataUnavailableError

if TYPE_CHECKING:
    from torchvision.datasets import MNIST

# The four files torchvision's MNIST reads from <root>/MNIST/raw/.
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO / "data"
# The data folder beside a clone (../shared), and one constant for each set in it that no loader of its own
# names (pen.py and nondigits.py name theirs): used where present, never required.
SHARED = REPO.parent / "shared"
SHARED_MNIST = SHARED / "mnist"
DRAWN_DEV = SHARED / "drawn-digits-dev"  # 2,000 sketchpad drawings, only ever measured


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else $MNIST_DATA_DIR, else data/ beside the package."""
    chosen = data_dir or os.environ.get("MNIST_DATA_DIR") or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def _raw_source(folder: Path, name: str) -> Path | None:
    """The raw file `name` in `folder`, plain or gzipped, if present."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _lay_out_raw_files(folder: Path) -> Path:
    """Decompress a folder of the four raw files into a torchvision root and return that root."""
    # A shared read-only folder cannot hold MNIST/raw itself, so the layout goes to the temp dir,
    # keyed by the source folder, and is made once.
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / "mnist_core" / key
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in RAW_FILES:
        target = raw / name
        if target.is_file():
            continue
        source = _raw_source(folder, name)
        partial = target.with_suffix(".partial")
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        partial.replace(target)
    return root


def torchvision_root(data_dir: str | os.PathLike | None = None) -> Path:
    """A root that torchvision.datasets.MNIST can read: the folder itself or a laid-out copy of its raw files."""
    folder = resolve_data_dir(data_dir)
    if all(_raw_source(folder, name) for name in RAW_FILES):
        return _lay_out_raw_files(folder)
    return folder


def mnist_dataset(
    train: bool,
    data_dir: str | os.PathLike | None = None,
    transform=None,
    download: bool = True,
) -> MNIST:
    """torchvision's MNIST, downloading into the data folder where files are missing and the network allows."""
    # Imported here, not at the top: torchvision takes seconds to import, and the app draws without it.
    from torchvision import datasets

    root = torchvision_root(data_dir)
    try:
        return datasets.MNIST(root=str(root), train=train, transform=transform, download=download)
    except (RuntimeError, OSError) as error:
        raise DataUnavailableError(
            f"MNIST is not in {root} and could not be downloaded ({type(error).__name__}); "
            "put the four MNIST files (gzipped or not) in a folder and pass it with --data-dir "
            "or the MNIST_DATA_DIR environment variable.", reason="mnist_unavailable",
        ) from None


def tutorial_dataset(train: bool, data_dir: str | os.PathLike | None = None) -> MNIST:
    """The tutorial's Dataset: PIL images turned into 1x28x28 float tensors in [0, 1] by ToTensor."""
    from torchvision import transforms  # see mnist_dataset

    return mnist_dataset(train, data_dir, transform=transforms.Compose([transforms.ToTensor()]))


def load_tensors(
    train: bool, data_dir: str | os.PathLike | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole split at once: uint8 images (N, 28, 28) and int64 labels (N,), the fast path for training."""
    dataset = mnist_dataset(train, data_dir)
    return dataset.data, dataset.targets


def fingerprint(images: torch.Tensor, labels: torch.Tensor) -> str:
    """sha256 of the image and label bytes, to record which data trained a model."""
    digest = hashlib.sha256(images.contiguous().numpy().tobytes())
    digest.update(labels.contiguous().numpy().tobytes())
    return digest.hexdigest()
