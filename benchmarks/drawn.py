"""Every model on every development set in one table: MNIST test, pendigits' held-out writers, drawn-digits-dev,
and drawings that are not digits (pen-letters' held-out writers, Omniglot's held-out drawers and alphabet,
doodles of kinds never trained on).

Run: python -m benchmarks.drawn [--checkpoints runs/a ...] [--writers] [--sweep] [--data-dir D] [--drawn DIR].
Without --checkpoints it measures the shipped models. Prints, per model and digit set, accuracy ("not a digit"
counted as wrong), the unsure and "not a digit" rates and per-digit accuracy (and per pendigits writer with
--writers); per model and non-digit set, the share answered with a confident digit, unsure or "not a digit",
and the labels most often read as a digit; with --sweep, for a range of "not a digit" thresholds, the digits
read right against the non-digits still answered with a confident digit. Asserts nothing. Development sets are never trained on: pendigits' .tes writers are
not its .tra writers, drawn-digits-dev is only measured, and the non-digit sets are split off by whole writers
(mnist_core.nondigits) or kinds (mnist_core.doodles).
"""

from __future__ import annotations

from mnist_core.threads import set_thread_policy

set_thread_policy()  # as the CLI does, before torch is imported

import argparse  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

from mnist_core.checkpoint import shipped_checkpoints  # noqa: E402
from mnist_core.data import DRAWN_DEV, load_tensors  # noqa: E402
from mnist_core.doodles import doodles  # noqa: E402
from mnist_core.drawn import load_drawn_set, preprocess_all  # noqa: E402
from mnist_core.evaluate import summarize, to_float  # noqa: E402
from mnist_core.nondigits import load_omniglot, load_pen_letters  # noqa: E402
from mnist_core.pen import PenDigits, render_digits  # noqa: E402
from mnist_core.predict import Classifier  # noqa: E402
from mnist_core.verdict import DIGIT, VERDICTS, answers, verdict_codes, verdict_rates  # noqa: E402

SWEEP = (0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95)



def development_sets(data_dir: str | None, pen: PenDigits, drawn: Path) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each set's model inputs (N, 1, 28, 28) in [0, 1] and labels, made once for every model."""
    mnist_images, mnist_labels = load_tensors(False, data_dir)
    drawn_set = load_drawn_set(drawn)
    return {
        "MNIST test": (to_float(mnist_images), mnist_labels),
        "pendigits .tes": (to_float(pen.data), pen.targets),
        "drawn-digits-dev": (preprocess_all(drawn_set.files), drawn_set.labels),
    }


def non_digit_sets() -> dict[str, tuple[torch.Tensor, list[str]]]:
    """Each non-digit set's model inputs (N, 1, 28, 28), drawn once with the plain brush, and what each shows."""
    sets = {}
    for name, drawings in (
        ("pen-letters dev writers", load_pen_letters("dev")),
        ("Omniglot dev drawers", load_omniglot("dev")),
        ("doodles, unseen kinds", doodles(100, "dev", seed=1)),
    ):
        images, _ = render_digits(drawings, copies=0)
        sets[name] = (to_float(images), [drawing.name for drawing in drawings])
    return sets


def row(model: str, set_name: str, summary: dict) -> str:
    """One Markdown table row: model, set, accuracy, unsure and "not a digit" rates, the ten per-digit accuracies."""
    digits = " | ".join(f"{value:.1%}" for value in summary["per_class"])
    return (
        f"| {model} | {set_name} | **{summary['accuracy']:.2%}** | {summary['unsure_rate']:.1%} "
        f"| {summary['not_digit_rate']:.1%} | {digits} |"
    )


def non_digit_row(model: str, set_name: str, probabilities: torch.Tensor, names: list[str]) -> str:
    """One Markdown row: the share of each verdict on a non-digit set, and its labels most often read as a digit."""
    codes = verdict_codes(probabilities)
    rates = verdict_rates(codes)
    confident = Counter(name for name, code in zip(names, codes.tolist()) if code == VERDICTS.index(DIGIT))
    totals = Counter(names)
    worst = sorted(totals, key=lambda name: -confident[name] / totals[name])[:5]
    labels = ", ".join(f"{name} {confident[name] / totals[name]:.0%}" for name in worst if confident[name])
    return (
        f"| {model} | {set_name} ({len(names)}) | **{rates['digit']:.1%}** | {rates['unsure']:.1%} "
        f"| {rates['not a digit']:.1%} | {labels or '–'} |"
    )


def sweep_rows(model: str, digit_sets: dict, non_digits: dict) -> list[str]:
    """For each threshold: the digit sets' share read right (not refused), the non-digit sets' share read as a
    confident digit; each set given as (probabilities, labels or names)."""
    rows = []
    for threshold in SWEEP:
        kept = [float((answers(p, threshold) == labels).float().mean()) for p, labels in digit_sets.values()]
        confident = [float((verdict_codes(p, threshold) == VERDICTS.index(DIGIT)).float().mean()) for p, _ in non_digits.values()]
        rows.append(f"| {model} | {threshold:.2f} | " + " | ".join(f"{value:.2%}" for value in kept + confident) + " |")
    return rows


def main() -> None:
    """Print the table (and the per-writer figures) for the chosen checkpoints."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", nargs="+", type=Path, default=shipped_checkpoints())
    parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    parser.add_argument("--drawn", type=Path, default=DRAWN_DEV, help="a labelled drawn-digit folder")
    parser.add_argument("--writers", action="store_true", help="also print accuracy per pendigits writer")
    parser.add_argument("--sweep", action="store_true", help="also sweep the \"not a digit\" threshold")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app serves

    pen = PenDigits("test")  # drawn once, for the table and the per-writer figures
    sets = development_sets(args.data_dir, pen, args.drawn)
    non_digits = non_digit_sets()
    writers = pen.writers if args.writers else None
    print("| model | set | accuracy | unsure | not a digit | " + " | ".join(str(digit) for digit in range(10)) + " |")
    print("| --- " * 15 + "|")
    per_writer, other_rows, sweeps = [], [], []
    for path in args.checkpoints:
        classifier = Classifier.load(path)
        digits = {name: (classifier.probabilities(inputs), labels) for name, (inputs, labels) in sets.items()}
        others = {name: (classifier.probabilities(inputs), names) for name, (inputs, names) in non_digits.items()}
        for set_name, (probabilities, labels) in digits.items():
            print(row(path.stem, set_name, summarize(labels, probabilities)), flush=True)
            if writers is not None and set_name == "pendigits .tes":
                right = answers(probabilities) == labels
                per_writer.append((path.stem, [float(right[writers == w].float().mean()) for w in writers.unique()]))
        for set_name, (probabilities, names) in others.items():
            other_rows.append(non_digit_row(path.stem, set_name, probabilities, names))
        if args.sweep:
            sweeps += sweep_rows(path.stem, digits, others)
    print("\n| model | non-digit set | confident digit | unsure | not a digit | read as a digit most |")
    print("| --- " * 6 + "|")
    print("\n".join(other_rows))
    if sweeps:
        print("\n| model | threshold | " + " | ".join(f"{name} read right" for name in sets)
              + " | " + " | ".join(f"{name} confident digit" for name in non_digits) + " |")
        print("| --- " * (2 + len(sets) + len(non_digits)) + "|")
        print("\n".join(sweeps))
    for name, accuracies in per_writer:
        cells = " ".join(f"{accuracy:.1%}" for accuracy in accuracies)
        print(f"{name}: pendigits .tes per writer (1-{len(accuracies)}): {cells}; lowest {min(accuracies):.1%}")


if __name__ == "__main__":
    main()
