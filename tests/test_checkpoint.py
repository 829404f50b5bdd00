"""Checkpoints: safetensors round trip, older .pt files, atomic writes, and one clear sentence for every broken file."""

import json
import pickle
from pathlib import Path

import pytest
import safetensors.torch
import torch
from safetensors import safe_open

import mnist_core.checkpoint as checkpoint
from mnist_core.checkpoint import (
    CHECKPOINT_DIR,
    DEFAULT_CHECKPOINT,
    FORMAT,
    METADATA_KEY,
    convert_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from mnist_core.errors import CheckpointError
from mnist_core.model import Ensemble, build_model

ROOT = Path(__file__).resolve().parent.parent
CONFIG = {"name": "mlp", "hidden": [16], "dropout": 0.0}
META = {"test_accuracy": 0.5, "epochs": 1, "train_config": {"data": ["mnist"], "augment_config": {"scale": [0.8, 1.1]}}}


@pytest.fixture
def saved(tmp_path):
    """A small checkpoint on disk and the model it holds."""
    model = build_model(**CONFIG)
    path = save_checkpoint(tmp_path / "model.safetensors", model, CONFIG, META)
    return path, model


def _header(path: Path) -> dict:
    """The {format, config, meta} JSON a checkpoint carries in its safetensors header."""
    with safe_open(path, framework="pt") as file:
        return json.loads(file.metadata()[METADATA_KEY])


def _tensors(path: Path) -> dict[str, torch.Tensor]:
    """The weights of a safetensors file, read by safetensors alone."""
    return safetensors.torch.load_file(path)


def _old_checkpoint(path: Path, model: torch.nn.Module, config: dict, meta: dict) -> Path:
    """A checkpoint as earlier versions wrote it: torch.save of {format, config, state_dict, meta}."""
    torch.save({"format": FORMAT, "config": config, "state_dict": model.state_dict(), "meta": meta}, path)
    return path


def test_round_trip_restores_weights_and_metadata(saved):
    path, model = saved
    loaded, meta = load_checkpoint(path)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(loaded(x), model.eval()(x))
    assert meta["test_accuracy"] == 0.5 and meta["config"] == CONFIG and meta["train_config"] == META["train_config"]
    assert meta["normalization"] == {"mean": 0.1307, "std": 0.3081} and meta["torch_version"] and meta["created"]
    # Plain safetensors: any reader gets the weights and the JSON header without mnist_core (or pickle).
    assert _tensors(path).keys() == model.state_dict().keys()
    header = _header(path)
    assert header["format"] == FORMAT and header["config"] == CONFIG
    assert header["meta"] == {key: value for key, value in meta.items() if key not in ("config", "path")}


def test_half_stores_float16_and_loads_back_as_float32(tmp_path):
    model = build_model(**CONFIG)
    path = save_checkpoint(tmp_path / "half.safetensors", model, CONFIG, META, half=True)
    assert {value.dtype for value in _tensors(path).values()} == {torch.float16}  # half the file
    loaded, meta = load_checkpoint(path)
    assert next(loaded.parameters()).dtype == torch.float32 and meta["epochs"] == 1
    for name, value in loaded.state_dict().items():
        assert torch.equal(value, model.state_dict()[name].half().float())


def test_an_ensemble_round_trips_with_its_members(tmp_path):
    config = {"name": "ensemble", "members": [CONFIG, {"name": "linear"}]}
    ensemble = Ensemble(config["members"])
    loaded, meta = load_checkpoint(save_checkpoint(tmp_path / "ensemble.safetensors", ensemble, config, {}, half=True))
    assert isinstance(loaded, Ensemble) and len(loaded.members) == 2 and meta["config"] == config


def test_shipped_checkpoints_load_with_their_metadata():
    assert DEFAULT_CHECKPOINT == CHECKPOINT_DIR / "world.safetensors"
    assert not list(CHECKPOINT_DIR.glob("*.pt")), "shipped checkpoints are safetensors (convert with `convert`)"
    model, meta = load_checkpoint(DEFAULT_CHECKPOINT)
    assert meta["test_accuracy"] >= 0.994 and len(meta["train_data_sha256"]) == 64
    assert meta["command"].startswith("python -m mnist_core train --data mnist,pendigits,styles")
    assert meta["train_config"]["data"] == ["mnist", "pendigits", "styles", "letters", "omniglot", "doodles"]
    mnist_only = []
    for name, kind in [("mlp.safetensors", "mlp"), ("linear.safetensors", "linear")]:
        _, other = load_checkpoint(CHECKPOINT_DIR / name)
        assert other["config"]["name"] == kind and "data" not in other["train_config"]  # from before pen data
        mnist_only.append(other["train_data_sha256"])
    assert mnist_only[0] == mnist_only[1] != meta["train_data_sha256"]


def test_an_older_pt_checkpoint_still_loads(tmp_path):
    model = build_model(**CONFIG)
    path = _old_checkpoint(tmp_path / "old.pt", model, CONFIG, {**META, "created": "2026-01-01T00:00:00+00:00"})
    loaded, meta = load_checkpoint(path)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(loaded(x), model.eval()(x))
    assert meta["config"] == CONFIG and meta["train_config"] == META["train_config"] and meta["created"].startswith("2026")


def test_convert_keeps_the_weights_and_metadata_exactly(tmp_path):
    model = build_model(**CONFIG)
    half = {name: value.half() for name, value in model.state_dict().items()}  # an old ensemble stored float16
    model.load_state_dict(half)
    meta = {**META, "created": "2026-01-01T00:00:00+00:00", "torch_version": "2.0"}
    old = tmp_path / "old.pt"
    torch.save({"format": FORMAT, "config": CONFIG, "state_dict": half, "meta": meta}, old)
    new = convert_checkpoint(old, tmp_path / "new.safetensors")
    stored = _tensors(new)
    assert stored.keys() == half.keys()
    assert all(torch.equal(stored[name], value) and stored[name].dtype == torch.float16 for name, value in half.items())
    assert _header(new) == {"format": FORMAT, "config": CONFIG, "meta": meta}  # not re-stamped: still the old run's
    assert load_checkpoint(new)[1] == {**load_checkpoint(old)[1], "path": str(new)}


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path):
    path.write_bytes(b"\x00not a checkpoint" * 100)


def _wrong_payload(path):
    torch.save([1, 2, 3], path)


def _foreign_safetensors(path):
    safetensors.torch.save_file({"weight": torch.zeros(3)}, path)  # someone else's model: no mnist_core header


def _bad_header(path):
    safetensors.torch.save_file(_tensors(path), path, metadata={METADATA_KEY: "{not json"})


def _wrong_architecture(path):
    header = {**_header(path), "config": {"name": "mlp", "hidden": [32], "dropout": 0.0}}
    safetensors.torch.save_file(_tensors(path), path, metadata={METADATA_KEY: json.dumps(header)})


def _lfs_pointer(path):
    path.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 7456928\n")


@pytest.mark.parametrize(
    "damage, says",
    [
        (_truncate, "truncated, corrupted"),
        (_garble, "truncated, corrupted"),
        (_wrong_payload, "not an mnist_core checkpoint"),
        (_foreign_safetensors, "not an mnist_core checkpoint"),
        (_bad_header, "truncated, corrupted"),
        (_wrong_architecture, "does not match the model it describes"),
        (_lfs_pointer, "Git LFS pointer"),
    ],
)
def test_damaged_checkpoint_gives_one_sentence_naming_the_file(saved, damage, says):
    path, _ = saved
    damage(path)
    with pytest.raises(CheckpointError, match=says) as caught:
        load_checkpoint(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["model.safetensors", "old.pt"])
def test_random_bytes_of_any_kind_give_the_same_sentence(saved, tmp_path, name):
    """Garbage breaks both readers in many ways (SafetensorError, the unpickler's IndexError, KeyError...): each must
    read as corrupted, for a damaged safetensors file and for a damaged older .pt."""
    path, model = saved
    if name == "old.pt":
        path = _old_checkpoint(tmp_path / name, model, CONFIG, META)
    generator = torch.Generator().manual_seed(0)
    whole = path.read_bytes()
    for trial in range(200):
        size = int(torch.randint(1, 5000, (1,), generator=generator))
        garbage = torch.randint(0, 256, (size,), dtype=torch.uint8, generator=generator).numpy().tobytes()
        # Half the trials keep the real header, so the damage lands deeper inside the file.
        path.write_bytes(whole[:size] + garbage if trial % 2 else garbage)
        with pytest.raises(CheckpointError, match="truncated, corrupted or not a checkpoint|not an mnist_core"):
            load_checkpoint(path)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match="missing.safetensors does not exist"):
        load_checkpoint(tmp_path / "missing.safetensors")


def test_loading_a_safetensors_checkpoint_never_unpickles(saved, monkeypatch):
    path, _ = saved

    def refuse(*args, **kwargs):
        raise AssertionError("a safetensors checkpoint must load without pickle")

    for module, name in [(torch, "load"), (pickle, "load"), (pickle, "loads"), (pickle, "Unpickler")]:
        monkeypatch.setattr(module, name, refuse)
    load_checkpoint(path)


class _Trap:
    """An object whose unpickling would create a file: the weights_only reader must refuse it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_an_older_pt_is_read_with_weights_only_and_its_code_never_runs(tmp_path, monkeypatch):
    calls, real_load = [], torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    load_checkpoint(_old_checkpoint(tmp_path / "old.pt", build_model(**CONFIG), CONFIG, {}))
    marker = tmp_path / "code-ran"
    torch.save({"format": FORMAT, "config": CONFIG, "trap": _Trap(marker)}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="truncated, corrupted or not a checkpoint"):
        load_checkpoint(tmp_path / "evil.pt")
    assert not marker.exists()
    assert calls and all(call.get("weights_only") is True for call in calls)


def test_no_code_loads_checkpoints_with_full_pickle():
    sources = [*ROOT.glob("mnist_core/*.py"), *ROOT.glob("demo/*.py"), *ROOT.glob("benchmarks/*.py"), ROOT / "app.py"]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "weights_only=False" not in text and "import pickle" not in text, source


def test_interrupted_save_leaves_the_old_checkpoint_whole(saved, monkeypatch):
    path, _ = saved
    before = path.read_bytes()

    def interrupted(descriptor):
        raise KeyboardInterrupt  # the new bytes are written but not yet on disk nor renamed into place

    monkeypatch.setattr(checkpoint.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, build_model(**CONFIG), CONFIG, {})
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["model.safetensors"]  # no temp file left behind


def test_a_saved_checkpoint_is_readable_by_everyone(saved):
    path, _ = saved
    assert path.stat().st_mode & 0o777 == 0o644  # mkstemp's private 0600 would hide it from the app's user
