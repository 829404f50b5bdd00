"""Command line: python -m mnist_core train | ensemble | evaluate | predict | evaluate-drawn | convert."""

from __future__ import annotations

import os

# Spinning OpenMP workers make 2-thread PyTorch 10-40x slower whenever the other core is busy;
# passive waiting removes that cliff (see README). It must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mnist_core.checkpoint import (  # noqa: E402
    DEFAULT_CHECKPOINT,
    SUFFIX,
    convert_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from mnist_core.data import load_tensors  # noqa: E402
from mnist_core.errors import EmptyImageError, MnistCoreError  # noqa: E402
from mnist_core.evaluate import evaluate  # noqa: E402
from mnist_core.model import TRAINABLE  # noqa: E402
from mnist_core.sources import SOURCES, parse_sources, training_set  # noqa: E402
from mnist_core.train import EpochReport, TrainConfig, steps_per_epoch, train  # noqa: E402
from mnist_core.verdict import DIGIT, EMPTY  # noqa: E402

DRY_RUN_IMAGES = 1024  # --dry-run: a few batches of training images, one epoch, nothing written


def pick_device(name: str) -> str:
    """The device asked for, or a clear error when it is not present."""
    present = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not present.get(name, False):
        raise MnistCoreError(f"Device {name!r} is not available here; use --device cpu.")
    return name


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
    """Train a model on MNIST and write its checkpoint atomically."""
    if args.threads:
        torch.set_num_threads(args.threads)
    config = TrainConfig(
        model=args.model, hidden=tuple(args.hidden), dropout=args.dropout, epochs=args.epochs,
        batch_size=args.batch_size, lr=args.lr, optimizer=args.optimizer, weight_decay=args.weight_decay,
        label_smoothing=args.label_smoothing, augment=args.augment, seed=args.seed, device=pick_device(args.device),
        data=parse_sources(args.data), pen_copies=args.pen_copies, style_samples=args.style_samples,
        init=args.init, init_member=args.init_member, augment_strength=args.augment_strength,
    )
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
    path = save_checkpoint(args.out or f"runs/{args.model}{SUFFIX}", model, config.model_config(), meta)
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


def command_convert(args: argparse.Namespace) -> int:
    """Rewrite a checkpoint (an earlier version's .pt) as safetensors with the same weights and metadata."""
    path = convert_checkpoint(args.checkpoint, args.out or Path(args.checkpoint).with_suffix(SUFFIX))
    _, meta = load_checkpoint(path)  # read back: the new file must load on its own
    print(f"converted {args.checkpoint} to {path} ({meta['config']['name']}, created {meta.get('created', '?')})")
    return 0


def add_train_command(commands: argparse._SubParsersAction) -> None:
    """`train` and its flags: one for each TrainConfig field, with its default, and a few for the run itself."""
    defaults = TrainConfig()
    train_parser = commands.add_parser("train", help="train a model on MNIST")
    train_parser.add_argument("--model", choices=TRAINABLE, default=defaults.model)
    train_parser.add_argument("--hidden", type=int, nargs="+", default=list(defaults.hidden), help="MLP hidden sizes")
    train_parser.add_argument("--dropout", type=float, default=defaults.dropout)
    train_parser.add_argument("--epochs", type=int, default=defaults.epochs)
    train_parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    train_parser.add_argument("--lr", type=float, default=defaults.lr, help="peak learning rate (one-cycle)")
    train_parser.add_argument("--optimizer", choices=["adam", "adamw", "sgd"], default=defaults.optimizer)
    train_parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    train_parser.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing)
    train_parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=defaults.augment)
    train_parser.add_argument("--seed", type=int, default=defaults.seed)
    train_parser.add_argument("--device", default=defaults.device, help="cpu, cuda or mps")
    train_parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    train_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    train_parser.add_argument(
        "--data", default=",".join(defaults.data), help=f"training sources, comma-separated: {', '.join(SOURCES)}"
    )
    train_parser.add_argument("--pen-copies", type=int, default=defaults.pen_copies, help="drawings of each pen digit")
    train_parser.add_argument("--style-samples", type=int, default=defaults.style_samples, help="samples of each style")
    train_parser.add_argument("--init", help="start from this checkpoint's weights (fine-tune)")
    train_parser.add_argument("--init-member", type=int, help="with an ensemble --init: which member (from 0)")
    train_parser.add_argument(
        "--augment-strength", type=float, default=defaults.augment_strength, help="scale every augmentation range"
    )
    train_parser.add_argument("--dry-run", action="store_true", help="one epoch on a few batches, to check the setup")
    train_parser.add_argument("--out", help=f"checkpoint to write (default: runs/<model>{SUFFIX})")
    train_parser.set_defaults(run=command_train)


def build_parser() -> argparse.ArgumentParser:
    """The CLI's subcommands and flags, with their defaults."""
    parser = argparse.ArgumentParser(prog="python -m mnist_core", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    add_train_command(commands)
    ensemble_parser = commands.add_parser("ensemble", help="combine checkpoints into one that averages them")
    ensemble_parser.add_argument("checkpoints", nargs="+", metavar="CHECKPOINT")
    ensemble_parser.add_argument("--out", required=True, help="ensemble checkpoint to write")
    ensemble_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    ensemble_parser.set_defaults(run=command_ensemble)

    evaluate_parser = commands.add_parser("evaluate", help="measure a checkpoint on the MNIST test set")
    evaluate_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    evaluate_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    evaluate_parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")
    evaluate_parser.set_defaults(run=command_evaluate)

    predict_parser = commands.add_parser("predict", help="classify image files")
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE")
    predict_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    predict_parser.add_argument("--json", action="store_true", help="one JSON object per file")
    predict_parser.set_defaults(run=command_predict)

    drawn_parser = commands.add_parser("evaluate-drawn", help="measure a checkpoint on a labelled drawn-digit folder")
    drawn_parser.add_argument("folder", help="folder with labels.csv and rgba/ or rgb/ images")
    drawn_parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    drawn_parser.add_argument("--variant", default="rgba", help="image subfolder (rgba or rgb)")
    drawn_parser.add_argument("--limit", type=int, help="use only the first N images")
    drawn_parser.add_argument("--sheet", type=Path, help="write a contact sheet of the mistakes here (PNG)")
    drawn_parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")
    drawn_parser.set_defaults(run=command_evaluate_drawn)

    convert_parser = commands.add_parser("convert", help="rewrite an older .pt checkpoint as safetensors")
    convert_parser.add_argument("checkpoint", help="checkpoint to read (an older .pt, or a .safetensors)")
    convert_parser.add_argument("out", nargs="?", help=f"checkpoint to write (default: the same name ending in {SUFFIX})")
    convert_parser.set_defaults(run=command_convert)
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
