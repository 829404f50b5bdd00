"""Save a model as a Hugging Face Hub model folder, atomically; load it back safely, or explain in one sentence why not.

A checkpoint is a folder laid out as the Hub lays out a small PyTorch model, so it uploads as it is:
model.safetensors (the weights), config.json ({"format", the architecture's "name" and options as build_model
takes them, "meta": how it was trained and what it scored, the commands that made it included}) and README.md,
the model card (mnist_core.card), whose front matter's model-index carries the measured results.

The architectures are PyTorchModelHubMixin models (mnist_core.model), and saving goes through their
save_pretrained. Loading does not go through from_pretrained, which suits a script loading a repository it
trusts more than an app: for a folder that is not there it asks the Hub for a repository of that name, without
config.json it warns and builds the default model, its default is strict=False, and it prints a line to stdout
on every load (which would break `predict --json`'s one object per line). load_checkpoint checks each file
itself, builds the class the registry names, and reads the weights into it as from_pretrained(strict=True)
does: safetensors and JSON, never pickle.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import safetensors.torch
import torch
from huggingface_hub import constants as hub
from torch import nn

from mnist_core.card import model_card
from mnist_core.errors import CheckpointError
from mnist_core.model import MNIST_MEAN, MNIST_STD, build_model

FORMAT = "mnist_core/2"  # /1 was a single .safetensors file with this JSON in its header
WEIGHTS_NAME = hub.SAFETENSORS_SINGLE_FILE  # "model.safetensors": the Hub's names, so the folder is a model repo
CONFIG_NAME = hub.CONFIG_NAME  # "config.json"
CARD_NAME = hub.REPOCARD_NAME  # "README.md"
FORMAT_KEY, META_KEY = "format", "meta"  # config.json's keys besides the architecture's name and options
ARCHIVE_FORMAT = "zip"  # a checkpoint folder as one file, for a download ...
ARCHIVE_SUFFIX = f".{ARCHIVE_FORMAT}"  # ... named as shutil.make_archive names it
CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
DEFAULT_CHECKPOINT = CHECKPOINT_DIR / "world"
# A clone without git-lfs holds a small text pointer where the weights should be.
LFS_POINTER = b"version https://git-lfs"


def shipped_checkpoints(folder: Path = CHECKPOINT_DIR) -> list[Path]:
    """The checkpoint folders in checkpoints/ (or `folder`), by name; one being written is hidden until renamed."""
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def test_figures(summary: dict) -> dict:
    """An evaluate() summary's test-set figures under the names a checkpoint's metadata keeps them."""
    return {
        "test_accuracy": summary["accuracy"],
        "per_class_accuracy": summary["per_class"],
        "confusion": summary["confusion"],
    }


def float16_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's state_dict with its float tensors as float16, as a half=True checkpoint stores them."""
    return {name: value.half() if value.is_floating_point() else value for name, value in model.state_dict().items()}


def stamped(meta: dict) -> dict:
    """The metadata plus what every new checkpoint records: the normalization, torch's version, the time."""
    return {
        **meta,
        "normalization": {"mean": MNIST_MEAN, "std": MNIST_STD},  # applied inside the model, recorded for readers
        "torch_version": str(torch.__version__),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def save_checkpoint(
    folder: str | os.PathLike, model: nn.Module, config: dict, meta: dict, half: bool = False
) -> Path:
    """Write the model as a checkpoint folder at `folder` (whatever its name), its metadata stamped, atomically.

    half=True stores the weights as float16 (half the file); loading turns them back into float32.
    """
    return write_checkpoint(folder, model, config, stamped(meta), half)


def write_checkpoint(folder: str | os.PathLike, model: nn.Module, config: dict, meta: dict, half: bool = False) -> Path:
    """Write weights, config.json and card to a temp folder beside `folder`, then rename it into place.

    The metadata is written as given (save_checkpoint stamps it): a converted checkpoint keeps its own.
    """
    folder = Path(folder)
    document = {FORMAT_KEY: FORMAT, **config, META_KEY: meta}
    json.dumps(document)  # metadata that cannot be stored fails here, before any file is touched
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        # The card first: save_pretrained writes its generic one only where there is none.
        model_card(folder.name, config, meta).save(temp / CARD_NAME)
        (copy.deepcopy(model).half() if half else model).save_pretrained(temp, config=document)
        _make_durable(temp)
        _replace(temp, folder)
    except BaseException:
        # Interrupted (Ctrl-C included): the old checkpoint, if any, stays whole.
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return folder


def _make_durable(folder: Path) -> None:
    """Every file of the folder on disk and readable by all (mkdtemp makes the folder private; it is meant to be shared)."""
    for file in folder.iterdir():
        with file.open("rb") as handle:
            os.fsync(handle.fileno())
        file.chmod(0o644)
    folder.chmod(0o755)


def _replace(temp: Path, folder: Path) -> None:
    """Rename the finished temp folder to `folder`; whatever was there is moved aside first and deleted after.

    A rename cannot replace a folder that holds files, so a reader may find `folder` missing for an instant,
    never half-written.
    """
    aside = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".old"))
    old = aside / folder.name
    try:
        if os.path.lexists(folder):
            os.replace(folder, old)
        os.replace(temp, folder)
    except BaseException:
        if os.path.lexists(old) and not os.path.lexists(folder):
            os.replace(old, folder)  # put the old one back
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def write_safetensors(path: str | os.PathLike, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> Path:
    """Write tensors (and string metadata) as safetensors to a temp file beside `path`, then rename it into place."""
    path = Path(path)
    # Serialised first: metadata that cannot be stored fails here, before any file is touched.
    data = safetensors.torch.save(tensors, metadata=metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; the file is meant to be shared
        os.replace(temp_name, path)
    except BaseException:
        # Interrupted (Ctrl-C included): the old file, if any, stays whole.
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def zip_checkpoint(folder: str | os.PathLike) -> Path:
    """The checkpoint folder as one .zip beside it (holding the folder itself), for a single download."""
    folder = Path(folder)
    return Path(shutil.make_archive(str(folder), ARCHIVE_FORMAT, root_dir=folder.parent, base_dir=folder.name))


def _part(folder: Path, file: str) -> str:
    """How the errors name one file of a checkpoint to visitors: 'world/config.json', never the server's folders."""
    return f"{folder.name}/{file}"


def _file_of(folder: Path, name: str) -> Path:
    """The checkpoint's file called `name`, or a CheckpointError if it is missing or a Git LFS pointer."""
    file = folder / name
    if not file.is_file():
        raise CheckpointError(f"Checkpoint {folder} has no {name}; restore it from git or retrain it.",
                              reason="checkpoint_missing", name=_part(folder, name))
    with file.open("rb") as handle:
        if handle.read(len(LFS_POINTER)) == LFS_POINTER:
            raise CheckpointError(f"Checkpoint {file} is a Git LFS pointer, not the file; fetch it with `git lfs pull`.",
                                  reason="checkpoint_lfs_pointer", name=_part(folder, name))
    return file


def _broken(folder: Path, name: str, error: Exception) -> CheckpointError:
    """The one sentence for a file that cannot be read as what it should be."""
    return CheckpointError(
        f"Checkpoint {folder / name} is truncated, corrupted or not a checkpoint ({type(error).__name__}); "
        "restore it from git or retrain it.", reason="checkpoint_broken", name=_part(folder, name),
    )


def read_config(folder: str | os.PathLike) -> dict:
    """config.json's {format, name and options, meta} as a dict, or a CheckpointError naming what is wrong."""
    folder = Path(folder)
    if not folder.exists():
        raise CheckpointError(f"Checkpoint {folder} does not exist; train one with `python -m mnist_core train`.",
                              reason="checkpoint_missing", name=folder.name)
    if not folder.is_dir():
        raise CheckpointError(f"Checkpoint {folder} is a file, not a checkpoint folder (one holding {CONFIG_NAME} "
                              f"and {WEIGHTS_NAME}).", reason="checkpoint_broken", name=folder.name)
    try:
        document = json.loads(_file_of(folder, CONFIG_NAME).read_text(encoding="utf-8"))
    except CheckpointError:
        raise
    except (OSError, ValueError) as error:  # ValueError: not UTF-8 or not JSON
        raise _broken(folder, CONFIG_NAME, error) from None
    if not isinstance(document, dict) or document.get(FORMAT_KEY) != FORMAT or not isinstance(document.get(META_KEY), dict):
        raise CheckpointError(f"Checkpoint {folder / CONFIG_NAME} is not an mnist_core checkpoint's (format {FORMAT} "
                              "expected).", reason="checkpoint_broken", name=_part(folder, CONFIG_NAME))
    return document


def model_config(document: dict) -> dict:
    """The architecture's name and options of a config.json: everything but its format and metadata."""
    return {key: value for key, value in document.items() if key not in (FORMAT_KEY, META_KEY)}


def _read_weights(folder: Path) -> dict[str, torch.Tensor]:
    """model.safetensors' tensors, read by safetensors alone (no pickle), or a CheckpointError."""
    file = _file_of(folder, WEIGHTS_NAME)
    try:
        return safetensors.torch.load_file(file, device="cpu")
    except Exception as error:  # noqa: BLE001 - random bytes break the reader in many ways (SafetensorError, OverflowError...)
        raise _broken(folder, WEIGHTS_NAME, error) from None


def _build(folder: Path, config: dict) -> nn.Module:
    """The model the config describes, with the folder's weights (strict: every tensor, no other), in eval mode."""
    state_dict = _read_weights(folder)
    try:
        model = build_model(**config)
        model.load_state_dict(state_dict, strict=True)
    except (TypeError, ValueError, RuntimeError) as error:
        raise CheckpointError(
            f"Checkpoint {folder} does not match the model it describes ({config}): {str(error).splitlines()[0]}",
            reason="checkpoint_broken", name=_part(folder, WEIGHTS_NAME),
        ) from None
    return model.eval()


def load_checkpoint(folder: str | os.PathLike = DEFAULT_CHECKPOINT) -> tuple[nn.Module, dict]:
    """The model in eval mode and the checkpoint's metadata (config, accuracy, how it was trained, its folder)."""
    folder = Path(folder)
    document = read_config(folder)
    config = model_config(document)
    return _build(folder, config), {"config": config, "path": str(folder), **document[META_KEY]}
