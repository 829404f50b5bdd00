"""One-off (issue 28, item 6): checkpoints/<name>.safetensors (format mnist_core/1: one file, its JSON under the
header key "mnist_core") -> checkpoints/<name>/ (model.safetensors, config.json, README.md), the same tensors and
metadata plus the figures the benchmarks printed for it, then the old file removed. Checks every tensor and
every metadata value against the old file before removing it.

Run: PYTHONPATH=. python convert_checkpoints.py [name ...] (default: world mlp linear). Converts a run of an
earlier version too: python convert_checkpoints.py --file runs/x.safetensors (writes runs/x/, keeps the file).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import safetensors.torch
import torch
from safetensors import safe_open

from mnist_core.checkpoint import CHECKPOINT_DIR, WEIGHTS_NAME, load_checkpoint, write_checkpoint
from mnist_core.model import build_model

OLD_FORMAT, OLD_KEY = "mnist_core/1", "mnist_core"
DRAWN = "python -m benchmarks.drawn --writers"
SWEEP = "python -m benchmarks.drawn --sweep"
PENDIGITS = {"dataset_type": "pendigits", "dataset_name": "pendigits .tes, 14 held-out writers (3,498)", "dataset_split": "test"}
DRAWN_DEV = {"dataset_type": "drawn-digits-dev", "dataset_name": "drawn digits, development set (2,000)", "dataset_split": "validation"}
CONFIDENT = {"metric_type": "confident_digit_rate", "metric_name": "answered with a confident digit (lower is better)"}


def accuracy(dataset: dict, value: float) -> dict:
    """One accuracy figure of `benchmarks.drawn --writers` on a digit set."""
    return {**dataset, "metric_type": "accuracy", "metric_value": value, "command": DRAWN}


def confident(name: str, kind: str, value: float) -> dict:
    """One non-digit set's share answered with a confident digit, as `benchmarks.drawn --sweep` prints it at 0.9."""
    return {"dataset_type": kind, "dataset_name": name, "dataset_split": "validation", **CONFIDENT, "metric_value": value,
            "command": SWEEP}


# The figures of README.md's "Models" table and docs/results.md ("The default since 2026-12-02", sp10).
BENCHMARKS = {
    "world": [
        accuracy(PENDIGITS, 0.9934), accuracy(DRAWN_DEV, 0.9920),
        confident("pen-letters, held-out writers (6,566)", "pen-letters", 0.0216),
        confident("Omniglot, held-out drawers (1,220)", "omniglot", 0.0418),
        confident("doodles of kinds never trained on (400)", "doodles", 0.0),
    ],
    "mlp": [accuracy(PENDIGITS, 0.9305), accuracy(DRAWN_DEV, 0.9870)],
    "linear": [accuracy(PENDIGITS, 0.7696), accuracy(DRAWN_DEV, 0.8545)],
}


def read_old(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    """The old file's {format, config, meta} header and its tensors."""
    with safe_open(path, framework="pt", device="cpu") as file:
        header = json.loads(file.metadata()[OLD_KEY])
        tensors = {name: file.get_tensor(name) for name in file.keys()}
    assert header["format"] == OLD_FORMAT, header["format"]
    return header, tensors


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal values, dtype, shape and bytes (torch.equal alone calls 0.0 and -0.0 equal)."""
    return torch.equal(a, b) and a.dtype == b.dtype and a.numpy().tobytes() == b.numpy().tobytes()


def convert(old: Path, folder: Path, benchmarks: list[dict]) -> None:
    """Write the folder from the old file and check it holds exactly the same."""
    header, tensors = read_old(old)
    model = build_model(**header["config"])
    model.load_state_dict(tensors, strict=True)
    if any(value.dtype == torch.float16 for value in tensors.values()):
        model.half()  # an ensemble stored float16: keep it so
    meta = {**header["meta"], **({"benchmarks": benchmarks} if benchmarks else {})}
    write_checkpoint(folder, model, header["config"], meta)
    stored = safetensors.torch.load_file(folder / WEIGHTS_NAME)
    assert stored.keys() == tensors.keys() and all(same_bits(stored[name], tensors[name]) for name in tensors), old
    _, loaded = load_checkpoint(folder)
    assert loaded == {**header["meta"], **meta, "config": header["config"], "path": str(folder)}, old
    print(f"{old} -> {folder}: {len(tensors)} tensors bit-identical, metadata identical"
          f"{f' (+ {len(benchmarks)} benchmark figures)' if benchmarks else ''}")


def main() -> None:
    """Convert the shipped checkpoints (or one file of an earlier version)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS))
    parser.add_argument("--file", type=Path, help="an earlier version's .safetensors to convert beside itself")
    args = parser.parse_args()
    if args.file:
        convert(args.file, args.file.with_suffix(""), [])
        return
    for name in args.names:
        old = CHECKPOINT_DIR / f"{name}.safetensors"
        convert(old, CHECKPOINT_DIR / name, BENCHMARKS.get(name, []))
        old.unlink()


if __name__ == "__main__":
    main()
