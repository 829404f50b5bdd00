"""Every model on every development set in one table: MNIST test, pendigits' held-out writers, drawn-digits-dev.

Run: python -m benchmarks.drawn [--checkpoints a.safetensors b.safetensors ...] [--writers] [--data-dir D] [--drawn DIR].
Without --checkpoints it measures the shipped models. Prints accuracy, unsure rate and per-digit accuracy
per model and set (and per pendigits writer with --writers); asserts nothing. Development sets are never
trained on: pendigits' .tes writers are not its .tra writers, and drawn-digits-dev is only measured.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the training CLI does, before torch loads

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

from mnist_core.checkpoint import CHECKPOINT_DIR, SUFFIX  # noqa: E402
from mnist_core.data import load_tensors  # noqa: E402
from mnist_core.drawn import load_drawn_set, preprocess_all  # noqa: E402
from mnist_core.evaluate import summarize, to_float  # noqa: E402
from mnist_core.pen import PenDigits  # noqa: E402
from mnist_core.predict import Classifier  # noqa: E402

DRAWN_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "drawn-digits-dev"


def development_sets(data_dir: str | None, pen: PenDigits, drawn: Path) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each set's model inputs (N, 1, 28, 28) in [0, 1] and labels, made once for every model."""
    mnist_images, mnist_labels = load_tensors(False, data_dir)
    drawn_set = load_drawn_set(drawn)
    return {
        "MNIST test": (to_float(mnist_images), mnist_labels),
        "pendigits .tes": (to_float(pen.data), pen.targets),
        "drawn-digits-dev": (preprocess_all(drawn_set.files), drawn_set.labels),
    }


def row(model: str, set_name: str, summary: dict) -> str:
    """One Markdown table row: model, set, accuracy, unsure rate, the ten per-digit accuracies."""
    digits = " | ".join(f"{value:.1%}" for value in summary["per_class"])
    return f"| {model} | {set_name} | **{summary['accuracy']:.2%}** | {summary['unsure_rate']:.1%} | {digits} |"


def main() -> None:
    """Print the table (and the per-writer figures) for the chosen checkpoints."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", nargs="+", type=Path, default=sorted(CHECKPOINT_DIR.glob(f"*{SUFFIX}")))
    parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR, else data/)")
    parser.add_argument("--drawn", type=Path, default=DRAWN_DEV, help="a labelled drawn-digit folder")
    parser.add_argument("--writers", action="store_true", help="also print accuracy per pendigits writer")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app serves

    pen = PenDigits("test")  # drawn once, for the table and the per-writer figures
    sets = development_sets(args.data_dir, pen, args.drawn)
    writers = pen.writers if args.writers else None
    print("| model | set | accuracy | unsure | " + " | ".join(str(digit) for digit in range(10)) + " |")
    print("| --- " * 14 + "|")
    per_writer = []
    for path in args.checkpoints:
        classifier = Classifier.load(path)
        for set_name, (inputs, labels) in sets.items():
            probabilities = classifier.probabilities(inputs)
            print(row(path.stem, set_name, summarize(labels, probabilities)), flush=True)
            if writers is not None and set_name == "pendigits .tes":
                right = probabilities.argmax(1) == labels
                per_writer.append((path.stem, [float(right[writers == w].float().mean()) for w in writers.unique()]))
    for name, accuracies in per_writer:
        cells = " ".join(f"{accuracy:.1%}" for accuracy in accuracies)
        print(f"{name}: pendigits .tes per writer (1-{len(accuracies)}): {cells}; lowest {min(accuracies):.1%}")


if __name__ == "__main__":
    main()
