"""Command line: python -m mnist_core train | ensemble | evaluate | predict | evaluate-drawn."""

from __future__ import annotations

from mnist_core.threads import set_thread_policy

set_thread_policy()  # before torch is imported

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import typing  # noqa: E402
from dataclasses import Field, fields  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mnist_core.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint, save_checkpoint  # noqa: E402
from mnist_core.data import load_tensors  # noqa: E402
from mnist_core.errors import EmptyImageError, MnistCoreError  # noqa: E402
from mnist_core.evaluate import evaluate  # noqa: E402
from mnist_core.sources import training_set  # noqa: E402
from mnist_core.train import EpochReport, TrainConfig, steps_per_epoch, train  # noqa: E402
from mnist_core.verdict import DIGIT, EMPTY  # noqa: E402

CHECKPOINT_HELP = f"checkpoint folder (default: checkpoints/{DEFAULT_CHECKPOINT.name}, the app's default)"
DRY_RUN_IMAGES = 1024  # --dry-run: a few batches of training images, one epoch, nothing written


def train_with_progress_bar(config: TrainConfig, train_data: tuple, test_data: tuple) -> tuple:
    """train() with a tqdm bar over all steps and one printed line per epoch."""
    steps = steps_per_epoch(len(train_data[0]), config.batch_size)
    with tqdm(total=config.epochs * steps, desc="training", unit="step") as bar:

        def on_step(_model: torch.nn.Module, step: int, loss: float) -> None:
            bar.update()
            if step % 20 == 0:
                bar.set_postfix(epoch=f"{(step - 1) // steps + 1}/{config.epochs}", loss=f"{loss:.4f}")

        def on_epoch(report: EpochReport) -> None:
            bar.write(
                f"epoch {report.epoch}: loss {report.train_loss:.4f}  train acc {report.train_accuracy:.4f}  "
                f"test acc {report.test_accuracy:.4f}  ({report.seconds:.1f}s)"
            )

        return train(config, train_data, test_data, on_epoch=on_epoch, on_step=on_step)


def recipe(init: str | None) -> list[str]:
    """The commands that made the checkpoint a run starts from (none for random weights), oldest first."""
    if init is None:
        return []
    _, meta = load_checkpoint(init)
    return meta.get("recipe") or [meta.get("command", f"(weights of {init})")]


def command_train(args: argparse.Namespace) -> int:
    """Train a model on MNIST and write its checkpoint folder atomically."""
    if args.threads:
        torch.set_num_threads(args.threads)
    config = config_from_flags(args)
    train_data = training_set(config.data, args.data_dir, config.pen_copies, config.style_samples)
    test_data = load_tensors(False, args.data_dir)
    if args.dry_run:
        config.epochs = 1
        train_data, test_data = [(images[:DRY_RUN_IMAGES], labels[:DRY_RUN_IMAGES]) for images, labels in (train_data, test_data)]
    model, meta = train_with_progress_bar(config, train_data, test_data)
    if args.dry_run:
        print(f"dry run: test accuracy {meta['test_accuracy']:.4f} on {DRY_RUN_IMAGES} test images; nothing written")
        return 0
    meta["command"] = "python -m mnist_core " + " ".join(args.argv)
    meta["recipe"] = [*recipe(config.init), meta["command"]]
    path = save_checkpoint(args.out or f"runs/{args.model}", model, config.model_config(), meta)
    print(f"test accuracy {meta['test_accuracy']:.4f}; saved {path}")
    return 0


def command_ensemble(args: argparse.Namespace) -> int:
    """Combine trained checkpoints into one that averages their probabilities (float16 weights)."""
    from mnist_core.ensemble import combine

    model, config, meta = combine(args.checkpoints, load_tensors(False, args.data_dir))
    meta["command"] = "python -m mnist_core " + " ".join(args.argv)
    path = save_checkpoint(args.out, model, config, meta, half=True)
    print(f"ensemble of {len(args.checkpoints)}: test accuracy {meta['test_accuracy']:.4f}; saved {path}")
    return 0


def verdict_summary(result: dict) -> str:
    """The rate of each verdict in a summary, e.g. 'digit 0.9890, unsure 0.0090, not a digit 0.0020'."""
    return f"digit {result['digit_rate']:.4f}, unsure {result['unsure_rate']:.4f}, not a digit {result['not_digit_rate']:.4f}"


def command_evaluate(args: argparse.Namespace) -> int:
    """Accuracy, per-class accuracy and confusion matrix of a checkpoint on the 10,000 test images."""
    model, _ = load_checkpoint(args.checkpoint)
    result = evaluate(model, *load_tensors(False, args.data_dir))
    print(f"accuracy {result['accuracy']:.4f}, {verdict_summary(result)}")
    print("per class " + " ".join(f"{digit}:{value:.4f}" for digit, value in enumerate(result["per_class"])))
    print("confusion (rows true 0-9, columns predicted 0-9)")
    for row in result["confusion"]:
        print(" ".join(f"{count:5d}" for count in row))
    if args.json:
        print(json.dumps(result))
    return 0


def command_predict(args: argparse.Namespace) -> int:
    """Classify image files as the app classifies a drawing; non-zero exit if any file failed."""
    from mnist_core.predict import Classifier

    classifier = Classifier.load(args.checkpoint)
    failed = False
    for file in args.images:
        record = {
            "file": file, "verdict": None, "digit": None, "probabilities": None, "not_digit": None, "number": None,
            "pieces": None, "empty": False, "error": None,
        }
        try:
            prediction = classifier.classify(file)
            reading = classifier.read(file)
            record.update(
                verdict=prediction.verdict, digit=prediction.digit, probabilities=prediction.probabilities,
                not_digit=prediction.not_digit, **reading.as_dict(),
            )
            text = f"{prediction.digit}  " + "  ".join(f"{d}:{p:.3f}" for d, p in prediction.top(3))
            text += "" if prediction.verdict == DIGIT else f"  ({prediction.verdict}; not a digit: {prediction.not_digit:.3f})"
            text += f"  number {reading.number}" if len(reading.digits) > 1 else ""
        except EmptyImageError as error:
            record.update(verdict=EMPTY, empty=True, number="", pieces=[])
            text = str(error)
        except MnistCoreError as error:
            failed = True
            record["error"] = str(error)
            text = f"error: {error}"
        print(json.dumps(record) if args.json else f"{file}: {text}")
    return 1 if failed else 0


def command_evaluate_drawn(args: argparse.Namespace) -> int:
    """Accuracy of a checkpoint on a labelled folder of drawn digits, and a sheet of its mistakes."""
    from mnist_core.drawn import evaluate_drawn, load_drawn_set, mistakes_sheet
    from mnist_core.predict import Classifier

    drawn = load_drawn_set(args.folder, args.variant, args.limit)
    result = evaluate_drawn(Classifier.load(args.checkpoint), drawn)
    print(f"{result['count']} drawn digits: accuracy {result['accuracy']:.4f}, {verdict_summary(result)}")
    print("per digit " + " ".join(f"{digit}:{value:.3f}" for digit, value in enumerate(result["per_class"])))
    print("top confusions " + ", ".join(f"{t}→{p} ×{n}" for t, p, n in result["top_confusions"]))
    if args.sheet:
        print(f"mistakes sheet {mistakes_sheet(result['inputs'], result['wrong'], args.sheet)}")
    if args.json:
        print(json.dumps({key: value for key, value in result.items() if key not in ("wrong", "inputs")}))
    return 0


def flag_fields() -> list[Field]:
    """The TrainConfig fields that are `train` flags: all but those whose metadata says flag=False."""
    return [each for each in fields(TrainConfig) if each.metadata.get("flag", True)]


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag for each TrainConfig field (--batch-size for batch_size), its type, default, help and choices
    read from the field: a bool is --name/--no-name, a tuple of numbers takes several, `parse` reads the text."""
    defaults, types_of = TrainConfig(), typing.get_type_hints(TrainConfig)
    for each in flag_fields():
        kind, default, meta = types_of[each.name], getattr(defaults, each.name), each.metadata
        options = {"default": default, "help": meta["help"], "choices": meta.get("choices")}
        if "parse" in meta:  # the flag's text, read by parse when the config is made (its errors are one sentence)
            options["default"] = ",".join(default) if isinstance(default, tuple) else default
        elif kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(kind) is tuple:  # tuple[int, ...]: --hidden 512 256
            options.update(type=typing.get_args(kind)[0], nargs="+", default=list(default))
        else:  # int, float, str, or one of them | None
            options["type"] = next(t for t in typing.get_args(kind) or (kind,) if t is not type(None))
        parser.add_argument("--" + each.name.replace("_", "-"), **options)


def config_from_flags(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the `train` flags give (MnistCoreError for a value a field's `parse` refuses)."""
    values = {}
    for each in flag_fields():
        value, parse = getattr(args, each.name), each.metadata.get("parse")
        values[each.name] = parse(value) if parse else tuple(value) if isinstance(value, list) else value
    return TrainConfig(**values)


def add_train_command(commands: argparse._SubParsersAction) -> None:
    """`train`: a flag for each TrainConfig field (add_config_flags), then those of the run itself."""
    train_parser = commands.add_parser("train", help="train a model on MNIST")
    add_config_flags(train_parser)
    train_parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    train_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    train_parser.add_argument("--dry-run", action="store_true", help="one epoch on a few batches, to check the setup")
    train_parser.add_argument("--out", help="checkpoint folder to write (default: runs/<model>)")
    train_parser.set_defaults(run=command_train)


def build_parser() -> argparse.ArgumentParser:
    """The CLI's subcommands and flags, with their defaults."""
    parser = argparse.ArgumentParser(prog="python -m mnist_core", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    add_train_command(commands)
    ensemble_parser = commands.add_parser("ensemble", help="combine checkpoints into one that averages them")
    ensemble_parser.add_argument("checkpoints", nargs="+", metavar="CHECKPOINT")
    ensemble_parser.add_argument("--out", required=True, help="ensemble checkpoint folder to write")
    ensemble_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    ensemble_parser.set_defaults(run=command_ensemble)

    evaluate_parser = commands.add_parser("evaluate", help="measure a checkpoint on the MNIST test set")
    evaluate_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help=CHECKPOINT_HELP)
    evaluate_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    evaluate_parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")
    evaluate_parser.set_defaults(run=command_evaluate)

    predict_parser = commands.add_parser("predict", help="classify image files")
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE")
    predict_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help=CHECKPOINT_HELP)
    predict_parser.add_argument("--json", action="store_true", help="one JSON object per file")
    predict_parser.set_defaults(run=command_predict)

    drawn_parser = commands.add_parser("evaluate-drawn", help="measure a checkpoint on a labelled drawn-digit folder")
    drawn_parser.add_argument("folder", help="folder with labels.csv and rgba/ or rgb/ images")
    drawn_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help=CHECKPOINT_HELP)
    drawn_parser.add_argument("--variant", default="rgba", help="image subfolder (rgba or rgb)")
    drawn_parser.add_argument("--limit", type=int, help="use only the first N images")
    drawn_parser.add_argument("--sheet", type=Path, help="write a contact sheet of the mistakes here (PNG)")
    drawn_parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")
    drawn_parser.set_defaults(run=command_evaluate_drawn)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; user errors print one sentence, not a traceback."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # recorded in the checkpoints it writes
    try:
        return args.run(args)
    except MnistCoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no checkpoint was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
