"""Combine trained checkpoints into one ensemble checkpoint that averages their probabilities."""

from __future__ import annotations

import os

import torch

from mnist_core.checkpoint import float16_state, load_checkpoint, test_figures
from mnist_core.errors import MnistCoreError
from mnist_core.evaluate import evaluate
from mnist_core.model import Ensemble

MEMBER_FACTS = ("command", "test_accuracy", "epochs", "training_seconds", "train_config")


def combine(
    paths: list[str | os.PathLike], test_data: tuple[torch.Tensor, torch.Tensor]
) -> tuple[Ensemble, dict, dict]:
    """The ensemble of the checkpoints at `paths`, its config and its metadata (measured on `test_data`).

    The members' weights are rounded to float16, as the checkpoint stores them, before anything is measured.
    """
    loaded = [load_checkpoint(path) for path in paths]
    if len({meta.get("train_data_sha256") for _, meta in loaded}) != 1:
        raise MnistCoreError("The checkpoints were trained on different data; an ensemble needs members of one set.")
    config = {"name": "ensemble", "members": [meta["config"] for _, meta in loaded]}
    ensemble = Ensemble(config["members"])
    for member, (model, _) in zip(ensemble.members, loaded):
        member.load_state_dict(float16_state(model))
    ensemble.eval()
    meta = {
        **test_figures(evaluate(ensemble, *test_data)),
        "members": [{key: meta.get(key) for key in MEMBER_FACTS} for _, meta in loaded],
        "epochs": sum(meta["epochs"] for _, meta in loaded),
        "training_seconds": round(sum(meta["training_seconds"] for _, meta in loaded), 1),
        "train_data_sha256": loaded[0][1]["train_data_sha256"],
    }
    return ensemble, config, meta
