"""Combine trained checkpoints into one ensemble checkpoint that averages their probabilities."""

from __future__ import annotations

import os

import torch

from mnist_core.checkpoint import load_checkpoint
from mnist_core.evaluate import test_metrics
from mnist_core.model import Ensemble


def combine(
    paths: list[str | os.PathLike], test_data: tuple[torch.Tensor, torch.Tensor]
) -> tuple[Ensemble, dict, dict]:
    """The ensemble of the checkpoints at `paths`, its config and its metadata (measured on `test_data`)."""
    loaded = [load_checkpoint(path) for path in paths]
    config = {"name": "ensemble", "members": [meta["config"] for _, meta in loaded]}
    ensemble = Ensemble(config["members"])
    for member, (model, _) in zip(ensemble.members, loaded):
        member.load_state_dict(model.state_dict())
    ensemble.eval()
    meta = {
        **test_metrics(ensemble, *test_data),
        "members": [
            {key: meta.get(key) for key in ("command", "test_accuracy", "epochs", "training_seconds", "train_config")}
            for _, meta in loaded
        ],
        "epochs": sum(meta["epochs"] for _, meta in loaded),
        "training_seconds": round(sum(meta["training_seconds"] for _, meta in loaded), 1),
        "train_data_sha256": loaded[0][1]["train_data_sha256"],
    }
    return ensemble, config, meta
