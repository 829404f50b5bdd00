"""The command line as a user runs it: predict, evaluate, evaluate-drawn, ensemble, train, and clear errors.

Commands run in-process through main(argv), as `python -m mnist_core` runs them; one test starts the real
module in a subprocess (train --dry-run), the path a user types.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import safetensors.torch
import torch
from huggingface_hub import ModelCard

from mnist_core.__main__ import main
from mnist_core.checkpoint import CARD_NAME, CONFIG_NAME, WEIGHTS_NAME, load_checkpoint, save_checkpoint
from mnist_core.evaluate import evaluate
from mnist_core.model import Ensemble
from mnist_core.train import TrainConfig, train


@dataclass
class Result:
    """What a command left: its exit code and its output."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `python -m mnist_core ARGS` in this process (MNIST from data_dir if given); torch's threads restored after."""
    threads = torch.get_num_threads()

    def run(*args: str, data_dir: Path | None = None) -> Result:
        if data_dir:
            monkeypatch.setenv("MNIST_DATA_DIR", str(data_dir))
        capsys.readouterr()
        code = main(list(args))
        output = capsys.readouterr()
        return Result(code, output.out, output.err)

    yield run
    torch.set_num_threads(threads)


def test_the_module_runs_a_dry_run_and_writes_nothing(mnist_dir, tmp_path):
    # Run from an empty folder (the repo on PYTHONPATH), so anything written would show there.
    env = {**os.environ, "MNIST_DATA_DIR": str(mnist_dir), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "mnist_core", "train", "--dry-run", "--hidden", "32", "--threads", "1"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dry run: test accuracy" in result.stdout and "nothing written" in result.stdout
    assert "epoch 1:" in result.stdout + result.stderr  # the per-epoch line the progress bar prints
    assert not any(tmp_path.iterdir())


def test_predict_reads_real_drawn_digits_and_reports_bad_files(run_cli, drawn_dir, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("RGBA", (800, 800)).save(blank)
    files = [str(drawn_dir / "rgba" / f"{index:05d}.png") for index in range(20)]
    result = run_cli("predict", "--json", *files, str(bad), str(blank))
    assert result.returncode == 1  # one file failed
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["file"] for record in records] == [*files, str(bad), str(blank)]
    labels = [int(line.split(",")[1]) for line in (drawn_dir / "labels.csv").read_text().splitlines()[1:21]]
    correct = sum(record["digit"] == label for record, label in zip(records, labels))
    assert correct >= 17  # a generous floor on 20 real drawings
    assert all(len(record["probabilities"]) == 10 and record["error"] is None for record in records[:20])
    assert records[20]["error"] and records[20]["digit"] is None
    assert records[21]["empty"] is True and records[21]["error"] is None


def test_evaluate_prints_accuracy_and_ends_with_json(run_cli, mnist_dir):
    result = run_cli("evaluate", "--json", data_dir=mnist_dir)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert 0.994 <= summary["accuracy"] <= 1  # the shipped default's goal, on all 10,000 test images
    assert len(summary["per_class"]) == 10 and len(summary["confusion"]) == 10


def test_evaluate_drawn_writes_a_mistakes_sheet(run_cli, drawn_dir, tmp_path):
    sheet = tmp_path / "mistakes.png"
    result = run_cli("evaluate-drawn", str(drawn_dir), "--limit", "100", "--sheet", str(sheet), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["count"] == 100 and summary["accuracy"] > 0.85
    assert sheet.stat().st_size > 0


@pytest.mark.parametrize(
    "args, expected",
    [
        (["evaluate", "--checkpoint", "nowhere"], "nowhere does not exist"),
        (["predict", "--checkpoint", "nowhere", "x.png"], "nowhere does not exist"),
        (["evaluate-drawn", "nowhere"], "labels.csv not found"),
    ],
)
def test_user_errors_are_one_sentence_without_traceback(run_cli, args, expected):
    result = run_cli(*args)
    assert result.returncode == 1
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_missing_mnist_is_one_sentence(run_cli, tmp_path):
    result = run_cli("evaluate", data_dir=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "MNIST_DATA_DIR" in result.stderr


def _trained_member(path, mnist_train, mnist_test, seed: int, images: int = 3000):
    """A small MLP trained for two epochs on the first `images` real training images, saved at `path`."""
    (train_x, train_y), test = mnist_train, mnist_test
    config = TrainConfig(hidden=(32,), epochs=2, batch_size=64, augment=False, seed=seed)
    model, meta = train(config, (train_x[:images], train_y[:images]), (test[0][:500], test[1][:500]))
    save_checkpoint(path, model, config.model_config(), {**meta, "command": f"train --seed {seed}"})


def test_ensemble_command_writes_a_float16_checkpoint_measured_on_the_test_set(run_cli, mnist_dir, mnist_train, mnist_test, tmp_path):
    members = [tmp_path / "a", tmp_path / "b"]
    for seed, path in enumerate(members):
        _trained_member(path, mnist_train, mnist_test, seed)
    out = tmp_path / "ensemble"
    result = run_cli("ensemble", *map(str, members), "--out", str(out), data_dir=mnist_dir)
    assert result.returncode == 0, result.stderr
    stored = safetensors.torch.load_file(out / WEIGHTS_NAME)
    assert {value.dtype for value in stored.values()} == {torch.float16}  # half the file
    model, meta = load_checkpoint(out)
    assert isinstance(model, Ensemble) and len(model.members) == 2
    assert next(model.parameters()).dtype == torch.float32
    assert meta["test_accuracy"] == evaluate(model, *mnist_test)["accuracy"] > 0.8
    assert [member["command"] for member in meta["members"]] == ["train --seed 0", "train --seed 1"]
    assert meta["epochs"] == 4


def test_members_trained_on_different_data_are_refused_in_one_sentence(run_cli, mnist_dir, mnist_train, mnist_test, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    _trained_member(first, mnist_train, mnist_test, 0, images=3000)
    _trained_member(second, mnist_train, mnist_test, 0, images=2000)
    out = tmp_path / "ensemble"
    result = run_cli("ensemble", str(first), str(second), "--out", str(out), data_dir=mnist_dir)
    assert result.returncode == 1 and "different data" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_train_on_pen_digits_and_styles_records_its_sources(run_cli, mnist_dir, tmp_path):
    out = tmp_path / "pen"
    # pendigits from $PENDIGITS_DIR: the committed 300 digits, so small batches give enough steps to learn from.
    result = run_cli(
        "train", "--data", "pendigits,styles", "--hidden", "32", "--epochs", "5", "--batch-size", "16",
        "--pen-copies", "1", "--style-samples", "5", "--threads", "1", "--out", str(out), data_dir=mnist_dir,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    _, meta = load_checkpoint(out)
    assert meta["train_config"]["data"] == ["pendigits", "styles"] and meta["train_config"]["pen_copies"] == 1
    assert meta["test_accuracy"] > 0.3  # MNIST test (chance 0.1), from pen digits alone: 0.52-0.60 over seeds 0-2
    unknown = run_cli("train", "--data", "mnist,emnist", "--out", str(tmp_path / "x"))
    assert unknown.returncode == 1 and "unknown data source emnist" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_fine_tune_records_the_recipe_that_made_it(run_cli, mnist_dir, tmp_path):
    start, tuned = tmp_path / "start", tmp_path / "tuned"
    common = ["--model", "linear", "--epochs", "1", "--batch-size", "512", "--threads", "1"]
    assert run_cli("train", *common, "--out", str(start), data_dir=mnist_dir).returncode == 0
    result = run_cli("train", *common, "--init", str(start), "--augment-strength", "0.5", "--out", str(tuned))
    assert result.returncode == 0, result.stderr[-2000:]
    _, meta = load_checkpoint(tuned)
    assert meta["recipe"] == [
        f"python -m mnist_core train {' '.join(common)} --out {start}",
        f"python -m mnist_core train {' '.join(common)} --init {start} --augment-strength 0.5 --out {tuned}",
    ]
    assert meta["train_config"]["augment_strength"] == 0.5 and meta["test_accuracy"] > 0.85
    # A Hub model folder: its card indexes the test accuracy the run measured and lists the recipe.
    assert {path.name for path in tuned.iterdir()} == {WEIGHTS_NAME, CONFIG_NAME, CARD_NAME}
    card = ModelCard.load(tuned / CARD_NAME)
    assert card.data.eval_results[0].metric_value == round(meta["test_accuracy"], 4)
    assert all(command in card.text for command in meta["recipe"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["start", "tuned"]  # no temp folder left behind


def test_every_train_config_field_is_a_train_flag_with_its_default():
    """The flags are made from TrainConfig's fields (all but augment_config): no flag, the config's own defaults."""
    from dataclasses import fields

    from mnist_core.__main__ import build_parser, config_from_flags

    parser = build_parser()
    train_flags = next(action for action in parser._subparsers._group_actions if action.dest == "command").choices["train"]
    flags = {option for action in train_flags._actions for option in action.option_strings}
    wanted = {"--" + each.name.replace("_", "-") for each in fields(TrainConfig) if each.name != "augment_config"}
    assert wanted <= flags and "--augment-config" not in flags and "--no-augment" in flags
    assert config_from_flags(parser.parse_args(["train"])) == TrainConfig()
    args = parser.parse_args(["train", "--hidden", "32", "16", "--data", "mnist,styles", "--init-member", "1", "--no-augment"])
    assert config_from_flags(args) == TrainConfig(hidden=(32, 16), data=("mnist", "styles"), init_member=1, augment=False)
