"""Checkpoints: round trip, atomic writes, and one clear sentence for every broken file."""

import pytest
import torch

from mnist_core.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint, save_checkpoint
from mnist_core.errors import CheckpointError
from mnist_core.model import build_model

CONFIG = {"name": "mlp", "hidden": [16], "dropout": 0.0}


@pytest.fixture
def saved(tmp_path):
    """A small checkpoint on disk and the model it holds."""
    model = build_model(**CONFIG)
    path = save_checkpoint(tmp_path / "model.pt", model, CONFIG, {"test_accuracy": 0.5, "epochs": 1})
    return path, model


def test_round_trip_restores_weights_and_metadata(saved):
    path, model = saved
    loaded, meta = load_checkpoint(path)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(loaded(x), model.eval()(x))
    assert meta["test_accuracy"] == 0.5 and meta["config"] == CONFIG
    torch.load(path, weights_only=True)  # plain types only: safe loading works


def test_shipped_checkpoints_load_with_their_metadata():
    model, meta = load_checkpoint(DEFAULT_CHECKPOINT)
    assert meta["test_accuracy"] >= 0.994 and len(meta["train_data_sha256"]) == 64
    assert meta["command"].startswith("python -m mnist_core train --data mnist,pendigits,styles")
    assert meta["train_config"]["data"] == ["mnist", "pendigits", "styles"]
    mnist_only = []
    for name, kind in [("mlp.pt", "mlp"), ("linear.pt", "linear")]:
        _, other = load_checkpoint(DEFAULT_CHECKPOINT.parent / name)
        assert other["config"]["name"] == kind and "data" not in other["train_config"]  # from before pen data
        mnist_only.append(other["train_data_sha256"])
    assert mnist_only[0] == mnist_only[1] != meta["train_data_sha256"]


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path):
    path.write_bytes(b"\x00not a checkpoint" * 100)


def _wrong_payload(path):
    torch.save([1, 2, 3], path)


def _wrong_architecture(path):
    payload = torch.load(path, weights_only=True)
    payload["config"] = {"name": "mlp", "hidden": [32], "dropout": 0.0}
    torch.save(payload, path)


@pytest.mark.parametrize("damage", [_truncate, _garble, _wrong_payload, _wrong_architecture])
def test_damaged_checkpoint_gives_one_sentence_naming_the_file(saved, damage):
    path, _ = saved
    damage(path)
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_random_bytes_of_any_kind_give_the_same_sentence(saved):
    """Garbage breaks torch's unpickler in many ways (IndexError, KeyError, ...): each must read as corrupted."""
    path, _ = saved
    generator = torch.Generator().manual_seed(0)
    whole = path.read_bytes()
    for trial in range(200):
        size = int(torch.randint(1, 5000, (1,), generator=generator))
        garbage = torch.randint(0, 256, (size,), dtype=torch.uint8, generator=generator).numpy().tobytes()
        # Half the trials keep the real zip header, so the damage lands deeper inside the file.
        path.write_bytes(whole[:size] + garbage if trial % 2 else garbage)
        with pytest.raises(CheckpointError, match="truncated, corrupted or not a checkpoint|not an mnist_core"):
            load_checkpoint(path)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match="missing.pt does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


def test_interrupted_save_leaves_the_old_checkpoint_whole(saved, monkeypatch):
    path, _ = saved
    before = path.read_bytes()

    def interrupted(payload, file):
        file.write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, build_model(**CONFIG), CONFIG, {})
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["model.pt"]  # no temp file left behind

