"""Checkpoints: Hub model folders (weights, config.json, card), atomic writes, and one clear sentence for every broken file."""

import json
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
import safetensors.torch
import torch
from huggingface_hub import ModelCard

import mnist_core.checkpoint as checkpoint
from mnist_core.card import model_card
from mnist_core.checkpoint import (
    CARD_NAME,
    CHECKPOINT_DIR,
    CONFIG_NAME,
    DEFAULT_CHECKPOINT,
    FORMAT,
    WEIGHTS_NAME,
    load_checkpoint,
    model_config,
    read_config,
    save_checkpoint,
    shipped_checkpoints,
    zip_checkpoint,
)
from mnist_core.errors import CheckpointError
from mnist_core.model import ARCHITECTURES, MLP, Ensemble, build_model

ROOT = Path(__file__).resolve().parent.parent
CONFIG = {"name": "mlp", "hidden": [16], "dropout": 0.0}
META = {"test_accuracy": 0.5, "epochs": 1, "train_config": {"data": ["mnist"], "augment_config": {"scale": [0.8, 1.1]}}}
FILES = {WEIGHTS_NAME, CONFIG_NAME, CARD_NAME}


@pytest.fixture
def saved(tmp_path):
    """A small checkpoint folder on disk and the model it holds."""
    model = build_model(**CONFIG)
    folder = save_checkpoint(tmp_path / "model", model, CONFIG, META)
    return folder, model


def _document(folder: Path) -> dict:
    """The config.json of a checkpoint folder, read as plain JSON."""
    return json.loads((folder / CONFIG_NAME).read_text())


def _tensors(folder: Path) -> dict[str, torch.Tensor]:
    """The weights of a checkpoint folder, read by safetensors alone."""
    return safetensors.torch.load_file(folder / WEIGHTS_NAME)


def test_round_trip_restores_weights_and_metadata(saved):
    folder, model = saved
    assert {path.name for path in folder.iterdir()} == FILES
    loaded, meta = load_checkpoint(folder)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(loaded(x), model.eval()(x))
    assert meta["test_accuracy"] == 0.5 and meta["config"] == CONFIG and meta["train_config"] == META["train_config"]
    assert meta["normalization"] == {"mean": 0.1307, "std": 0.3081} and meta["torch_version"] and meta["created"]
    assert meta["path"] == str(folder)
    # Plain files: any reader gets the weights (safetensors) and the architecture and metadata (JSON), no pickle.
    assert _tensors(folder).keys() == model.state_dict().keys()
    document = _document(folder)
    assert document["format"] == FORMAT and model_config(document) == CONFIG
    assert document["meta"] == {key: value for key, value in meta.items() if key not in ("config", "path")}


def test_half_stores_float16_and_loads_back_as_float32(tmp_path):
    model = build_model(**CONFIG)
    folder = save_checkpoint(tmp_path / "half", model, CONFIG, META, half=True)
    assert {value.dtype for value in _tensors(folder).values()} == {torch.float16}  # half the file
    assert next(model.parameters()).dtype == torch.float32  # the model saved is left as it was
    loaded, meta = load_checkpoint(folder)
    assert next(loaded.parameters()).dtype == torch.float32 and meta["epochs"] == 1
    for name, value in loaded.state_dict().items():
        assert torch.equal(value, model.state_dict()[name].half().float())


def test_an_ensemble_round_trips_with_its_members(tmp_path):
    config = {"name": "ensemble", "members": [CONFIG, {"name": "linear"}]}
    ensemble = Ensemble(config["members"])
    loaded, meta = load_checkpoint(save_checkpoint(tmp_path / "ensemble", ensemble, config, {}, half=True))
    assert isinstance(loaded, Ensemble) and len(loaded.members) == 2 and meta["config"] == config


def test_shipped_checkpoints_are_hub_folders_that_load_with_their_metadata():
    assert DEFAULT_CHECKPOINT == CHECKPOINT_DIR / "world"
    assert [folder.name for folder in shipped_checkpoints()] == ["linear", "mlp", "world"]
    assert [path.name for path in CHECKPOINT_DIR.iterdir() if path.is_file()] == []  # no single-file checkpoints
    for folder in shipped_checkpoints():
        assert {path.name for path in folder.iterdir()} == FILES, folder
    model, meta = load_checkpoint(DEFAULT_CHECKPOINT)
    assert meta["test_accuracy"] >= 0.994 and len(meta["train_data_sha256"]) == 64
    assert meta["command"].startswith("python -m mnist_core train --data mnist,pendigits,styles")
    assert meta["train_config"]["data"] == ["mnist", "pendigits", "styles", "letters", "omniglot", "doodles"]
    mnist_only = []
    for name, kind in [("mlp", "mlp"), ("linear", "linear")]:
        _, other = load_checkpoint(CHECKPOINT_DIR / name)
        assert other["config"]["name"] == kind and "data" not in other["train_config"]  # from before pen data
        mnist_only.append(other["train_data_sha256"])
    assert mnist_only[0] == mnist_only[1] != meta["train_data_sha256"]


@pytest.mark.parametrize("folder", shipped_checkpoints(), ids=lambda folder: folder.name)
def test_each_shipped_card_is_made_from_its_config_and_indexes_its_results(folder):
    """The card is what mnist_core.card makes of config.json (so the two never disagree), and its model-index
    holds MNIST test accuracy as training measured it, then each benchmark's figure with the command that printed it."""
    document = read_config(folder)
    config, meta = model_config(document), document["meta"]
    assert (folder / CARD_NAME).read_text(encoding="utf-8") == str(model_card(folder.name, config, meta))
    card = ModelCard.load(folder / CARD_NAME)
    assert card.data.license == "mit" and card.data.model_name == folder.name
    results = card.data.eval_results
    assert results[0].dataset_type == "ylecun/mnist" and results[0].metric_value == round(meta["test_accuracy"], 4)
    assert [result.metric_value for result in results[1:]] == [figure["metric_value"] for figure in meta["benchmarks"]]
    assert {figure["command"] for figure in meta["benchmarks"]} <= {"python -m benchmarks.drawn --writers",
                                                                   "python -m benchmarks.drawn --sweep"}
    for figure in meta["benchmarks"]:
        assert f"`{figure['command']}`" in card.text and f"{figure['metric_value']:.2%}" in card.text


@pytest.mark.parametrize("folder", shipped_checkpoints(), ids=lambda folder: folder.name)
def test_the_hubs_from_pretrained_loads_a_shipped_folder_strictly_to_the_same_model(folder):
    model, meta = load_checkpoint(folder)
    hub_class = ARCHITECTURES[meta["config"]["name"]].build
    from_hub = hub_class.from_pretrained(folder, strict=True)
    assert type(from_hub) is type(model) and not from_hub.training
    x = torch.rand(3, 1, 28, 28)
    assert torch.equal(from_hub(x), model(x))


def test_a_checkpoint_the_hub_mixin_saved_round_trips_through_from_pretrained(saved, tmp_path):
    folder, model = saved
    again = MLP.from_pretrained(folder, strict=True)
    again.save_pretrained(tmp_path / "again")  # the mixin's own writer: the same weights
    assert _tensors(tmp_path / "again").keys() == _tensors(folder).keys()
    assert all(torch.equal(_tensors(tmp_path / "again")[name], value) for name, value in _tensors(folder).items())


def test_a_zip_of_the_folder_unzips_to_the_same_checkpoint(saved, tmp_path):
    folder, model = saved
    archive = zip_checkpoint(folder)
    assert archive == folder.with_name(folder.name + ".zip") and archive.is_file()
    with zipfile.ZipFile(archive) as opened:
        files = [name for name in opened.namelist() if not name.endswith("/")]  # "model/" is the folder's entry
        assert sorted(files) == sorted(f"{folder.name}/{name}" for name in FILES)
        opened.extractall(tmp_path / "unzipped")
    loaded, _ = load_checkpoint(tmp_path / "unzipped" / folder.name)
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(loaded(x), model.eval()(x))


# --- Broken or missing files: one sentence each ------------------------------------------------------------------


def _truncate(folder):
    weights = folder / WEIGHTS_NAME
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def _garble(folder):
    (folder / WEIGHTS_NAME).write_bytes(b"\x00not a checkpoint" * 100)


def _no_weights(folder):
    (folder / WEIGHTS_NAME).unlink()


def _no_config(folder):
    (folder / CONFIG_NAME).unlink()


def _no_folder(folder):
    shutil.rmtree(folder)


def _a_single_file(folder):
    shutil.rmtree(folder)
    folder.write_bytes(b"\x00" * 100)  # e.g. a single .safetensors checkpoint of an earlier version


def _config_not_json(folder):
    (folder / CONFIG_NAME).write_text("{not json")


def _foreign_config(folder):
    (folder / CONFIG_NAME).write_text(json.dumps({"model_type": "bert", "hidden_size": 16}))  # someone else's model


def _wrong_architecture(folder):
    (folder / CONFIG_NAME).write_text(json.dumps({**_document(folder), "hidden": [32]}))


def _extra_tensor(folder):
    safetensors.torch.save_file({**_tensors(folder), "surplus": torch.zeros(3)}, folder / WEIGHTS_NAME)


def _lfs_pointer(folder):
    (folder / WEIGHTS_NAME).write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 7456928\n")


@pytest.mark.parametrize(
    "damage, says, names",
    [
        (_no_folder, "does not exist", ""),
        (_a_single_file, "is a file, not a checkpoint folder", ""),
        (_no_config, "has no config.json", "/config.json"),
        (_no_weights, "has no model.safetensors", "/model.safetensors"),
        (_config_not_json, "truncated, corrupted", "/config.json"),
        (_foreign_config, "not an mnist_core checkpoint", "/config.json"),
        (_truncate, "truncated, corrupted", "/model.safetensors"),
        (_garble, "truncated, corrupted", "/model.safetensors"),
        (_lfs_pointer, "Git LFS pointer", "/model.safetensors"),
        (_wrong_architecture, "does not match the model it describes", "/model.safetensors"),
        (_extra_tensor, "does not match the model it describes", "/model.safetensors"),  # strict: no tensor left over
    ],
)
def test_a_broken_or_missing_file_gives_one_sentence_naming_it(saved, damage, says, names):
    folder, _ = saved
    damage(folder)
    with pytest.raises(CheckpointError, match=says) as caught:
        load_checkpoint(folder)
    assert str(folder) in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.values["name"] == folder.name + names  # what a visitor is told: no server folders


@pytest.mark.parametrize("name", [WEIGHTS_NAME, CONFIG_NAME])
def test_random_bytes_in_either_file_give_the_same_sentence(saved, name):
    """Garbage breaks the readers in many ways (SafetensorError, JSONDecodeError, UnicodeDecodeError...): each
    must read as corrupted or not ours."""
    folder, _ = saved
    path = folder / name
    generator = torch.Generator().manual_seed(0)
    whole = path.read_bytes()
    for trial in range(200):
        size = int(torch.randint(1, 5000, (1,), generator=generator))
        garbage = torch.randint(0, 256, (size,), dtype=torch.uint8, generator=generator).numpy().tobytes()
        # Half the trials keep the real beginning, so the damage lands deeper inside the file.
        path.write_bytes(whole[:size] + garbage if trial % 2 else garbage)
        with pytest.raises(CheckpointError, match="truncated, corrupted or not a checkpoint|not an mnist_core"):
            load_checkpoint(folder)


def test_loading_a_checkpoint_never_unpickles(saved, monkeypatch):
    folder, _ = saved

    def refuse(*args, **kwargs):
        raise AssertionError("a checkpoint must load without pickle")

    for module, name in [(torch, "load"), (pickle, "load"), (pickle, "loads"), (pickle, "Unpickler")]:
        monkeypatch.setattr(module, name, refuse)
    load_checkpoint(folder)


def test_no_code_loads_checkpoints_with_pickle():
    sources = [*ROOT.glob("mnist_core/*.py"), *ROOT.glob("demo/**/*.py"), *ROOT.glob("benchmarks/**/*.py"), ROOT / "app.py"]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "torch.load(" not in text and "import pickle" not in text, source


# --- Writing: atomic, replaceable, readable by all ------------------------------------------------------------------


def _contents(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by name, as bytes."""
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_interrupted_save_leaves_the_old_checkpoint_whole(saved, monkeypatch):
    folder, _ = saved
    before = _contents(folder)

    def interrupted(descriptor):
        raise KeyboardInterrupt  # the new files are written but not yet on disk nor renamed into place

    monkeypatch.setattr(checkpoint.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(folder, build_model(**CONFIG), CONFIG, {})
    assert _contents(folder) == before
    assert [path.name for path in folder.parent.iterdir()] == [folder.name]  # no temp folder left behind


def test_a_new_save_replaces_the_old_folder_whole(saved):
    folder, _ = saved
    (folder / "stray.txt").write_text("from before")
    other = build_model(**CONFIG)
    save_checkpoint(folder, other, CONFIG, {"test_accuracy": 0.75})
    assert {path.name for path in folder.iterdir()} == FILES  # nothing of the old folder stays
    assert [path.name for path in folder.parent.iterdir()] == [folder.name]
    loaded, meta = load_checkpoint(folder)
    assert meta["test_accuracy"] == 0.75 and torch.equal(loaded.state_dict()["layers.0.weight"], other.state_dict()["layers.0.weight"])


def test_a_saved_checkpoint_is_readable_by_everyone(saved):
    folder, _ = saved
    assert folder.stat().st_mode & 0o777 == 0o755  # mkdtemp's private 0700 would hide it from the app's user
    assert {path.stat().st_mode & 0o777 for path in folder.iterdir()} == {0o644}
