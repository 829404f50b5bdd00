"""Save a model with its metadata atomically as safetensors; load it back safely, or explain in one sentence why not.

A checkpoint is a .safetensors file: the model's weights as tensors, and {"format", "config", "meta"} as JSON
under the header metadata key "mnist_core" (safetensors metadata values are strings). Loading one never runs
pickle. Checkpoints written by earlier versions (torch.save'd .pt files holding {format, config, state_dict,
meta}) still load, through torch.load(weights_only=True), so a model trained before the switch keeps working;
`python -m mnist_core convert old.pt new.safetensors` rewrites one in the current format.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import safetensors.torch
import torch
from safetensors import safe_open
from torch import nn

from mnist_core.errors import CheckpointError
from mnist_core.model import MNIST_MEAN, MNIST_STD, build_model

FORMAT = "mnist_core/1"
METADATA_KEY = "mnist_core"
SUFFIX = ".safetensors"
CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
DEFAULT_CHECKPOINT = CHECKPOINT_DIR / f"world{SUFFIX}"
# A file's first bytes tell the readers apart: torch.save writes a zip archive (a checkpoint from an earlier
# version), and a clone without git-lfs holds a small text pointer where the weights should be.
LEGACY_MAGIC = b"PK\x03\x04"
LFS_POINTER = b"version https://git-lfs"


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
    path: str | os.PathLike, model: nn.Module, config: dict, meta: dict, half: bool = False
) -> Path:
    """Write the model's weights and {format, config, meta} as safetensors to `path` (whatever its suffix), atomically.

    half=True stores the weights as float16 (half the file); load_state_dict turns them back into float32.
    """
    state = float16_state(model) if half else model.state_dict()
    return _write(Path(path), state, {"format": FORMAT, "config": config, "meta": stamped(meta)})


def convert_checkpoint(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Rewrite a checkpoint (an earlier version's .pt included) as safetensors: the same weights, config and meta."""
    source = Path(source)
    payload = _read(source)
    _build(source, payload)  # never copy weights that do not fit the model they describe
    header = {"format": FORMAT, "config": payload["config"], "meta": payload["meta"]}
    return _write(Path(target), payload["state_dict"], header)


def _write(path: Path, tensors: dict[str, torch.Tensor], header: dict) -> Path:
    """Write the weights with the JSON header under METADATA_KEY, atomically."""
    return write_safetensors(path, tensors, {METADATA_KEY: json.dumps(header)})


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


def _read_safetensors(path: Path) -> dict:
    """{format, config, meta} from the header and the weights as state_dict; {} for a safetensors file not ours."""
    with safe_open(path, framework="pt", device="cpu") as file:
        metadata = file.metadata() or {}
        state_dict = {name: file.get_tensor(name) for name in file.keys()}
    header = json.loads(metadata[METADATA_KEY]) if METADATA_KEY in metadata else None
    return {**header, "state_dict": state_dict} if isinstance(header, dict) else {}


def _read_legacy(path: Path) -> dict:
    """The {format, config, state_dict, meta} dict of an earlier version's torch.save'd checkpoint."""
    # A file object, not the path: torch.load hands any path ending in .safetensors to safetensors instead.
    with path.open("rb") as file:
        return torch.load(file, map_location="cpu", weights_only=True)


def _read(path: Path) -> dict:
    """The checkpoint's {format, config, state_dict, meta} (an earlier .pt through weights_only), or a CheckpointError."""
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {path} does not exist; train one with `python -m mnist_core train`.",
                              reason="checkpoint_missing", name=path.name)
    try:
        with path.open("rb") as file:
            opening = file.read(len(LFS_POINTER))
        if opening == LFS_POINTER:
            raise CheckpointError(f"Checkpoint {path} is a Git LFS pointer, not the weights; fetch them with `git lfs pull`.",
                                  reason="checkpoint_lfs_pointer", name=path.name)
        payload = _read_legacy(path) if opening.startswith(LEGACY_MAGIC) else _read_safetensors(path)
    except CheckpointError:
        raise
    except Exception as error:  # noqa: BLE001 - random bytes break either reader in many ways (IndexError, KeyError...)
        raise CheckpointError(
            f"Checkpoint {path} is truncated, corrupted or not a checkpoint ({type(error).__name__}); "
            "restore it from git or retrain it.", reason="checkpoint_broken", name=path.name,
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"Checkpoint {path} is not an mnist_core checkpoint (format {FORMAT} expected).",
                              reason="checkpoint_broken", name=path.name)
    return payload


def _build(path: Path, payload: dict) -> nn.Module:
    """The model the payload's config describes, with its weights, in eval mode, or a CheckpointError."""
    config = payload["config"]
    try:
        model = build_model(**config)
        model.load_state_dict(payload["state_dict"])
    except (TypeError, ValueError, RuntimeError) as error:
        raise CheckpointError(
            f"Checkpoint {path} does not match the model it describes ({config}): {str(error).splitlines()[0]}",
            reason="checkpoint_broken", name=path.name,
        ) from None
    return model.eval()


def load_checkpoint(path: str | os.PathLike = DEFAULT_CHECKPOINT) -> tuple[nn.Module, dict]:
    """The model in eval mode and the checkpoint's metadata (config, accuracy, how it was trained).

    Reads safetensors checkpoints and, for models trained with earlier versions, .pt ones (weights_only).
    """
    path = Path(path)
    payload = _read(path)
    return _build(path, payload), {"config": payload["config"], "path": str(path), **payload["meta"]}
