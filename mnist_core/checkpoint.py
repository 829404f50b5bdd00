"""Save a model with its metadata atomically; load it back safely (weights_only) or explain in one sentence why not."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import torch
from torch import nn

from mnist_core.errors import CheckpointError
from mnist_core.model import MNIST_MEAN, MNIST_STD, build_model

FORMAT = "mnist_core/1"
CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
DEFAULT_CHECKPOINT = CHECKPOINT_DIR / "world.pt"


def float16_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's state_dict with its float tensors as float16, as a half=True checkpoint stores them."""
    return {name: value.half() if value.is_floating_point() else value for name, value in model.state_dict().items()}


def save_checkpoint(
    path: str | os.PathLike, model: nn.Module, config: dict, meta: dict, half: bool = False
) -> Path:
    """Write {format, config, state_dict, meta} to a temp file beside `path`, then rename it into place.

    half=True stores the weights as float16 (half the file); load_state_dict turns them back into float32.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        **meta,
        "normalization": {"mean": MNIST_MEAN, "std": MNIST_STD},  # applied inside the model, recorded for readers
        "torch_version": str(torch.__version__),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    state = float16_state(model) if half else model.state_dict()
    payload = {"format": FORMAT, "config": config, "state_dict": state, "meta": meta}
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(payload, file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; a checkpoint is meant to be shared
        os.replace(temp_name, path)
    except BaseException:
        # Interrupted (Ctrl-C included): the old checkpoint, if any, stays whole.
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def _read(path: Path) -> dict:
    """The checkpoint's dict, loaded with weights_only=True, or a CheckpointError naming the file."""
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {path} does not exist; train one with `python -m mnist_core train`.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - random bytes break the unpickler in many ways (IndexError, KeyError...)
        raise CheckpointError(
            f"Checkpoint {path} is truncated, corrupted or not a checkpoint ({type(error).__name__}); "
            "restore it from git or retrain it."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"Checkpoint {path} is not an mnist_core checkpoint (format {FORMAT} expected).")
    return payload


def load_checkpoint(path: str | os.PathLike = DEFAULT_CHECKPOINT) -> tuple[nn.Module, dict]:
    """The model in eval mode and the checkpoint's metadata (config, accuracy, how it was trained)."""
    path = Path(path)
    payload = _read(path)
    config = payload["config"]
    try:
        model = build_model(**config)
        model.load_state_dict(payload["state_dict"])
    except (TypeError, ValueError, RuntimeError) as error:
        raise CheckpointError(
            f"Checkpoint {path} does not match the model it describes ({config}): {str(error).splitlines()[0]}"
        ) from None
    model.eval()
    return model, {"config": config, "path": str(path), **payload["meta"]}
