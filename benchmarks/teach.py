"""How long "Fine-tune on my drawings" takes, and what it does: one pen writer's 50 digits as the visitor's drawings.

Run: python -m benchmarks.teach [--model mlp] [--writers 1 2 3]. Prints, per writer, the fine-tune's time
(the app's own path: mnist_core.finetune.teach with the app's 8 s budget, one torch thread), accuracy
before and after on that writer's held-out drawings and on the writer's other digits (never trained on),
and on MNIST test. Asserts nothing.
"""

from __future__ import annotations

from mnist_core.threads import set_thread_policy

set_thread_policy()  # as the CLI does, before torch is imported

import argparse  # noqa: E402
import os  # noqa: E402

import torch  # noqa: E402

from demo.models import checkpoint_path  # noqa: E402
from demo.teach import TEACH_SECONDS  # noqa: E402
from mnist_core.checkpoint import load_checkpoint  # noqa: E402
from mnist_core.data import load_tensors  # noqa: E402
from mnist_core.finetune import Collection, accuracy, teach  # noqa: E402
from mnist_core.pen import PenDigits  # noqa: E402

DRAWINGS = 50  # what the goal names: a visitor with 50 labelled drawings


def main() -> None:
    """Fine-tune the chosen model once per writer and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mlp", help="shipped checkpoint to start from (default: the MNIST-only MLP)")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 5, 13], help="pendigits .tes writers (1-14)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app serves
    model, _ = load_checkpoint(checkpoint_path(args.model))
    replay, test = load_tensors(True), load_tensors(False)
    pen = PenDigits("test")
    print(f"model {args.model}, {DRAWINGS} drawings per writer, budget {TEACH_SECONDS:.0f} s, load {os.getloadavg()[0]:.1f}")
    for writer in args.writers:
        theirs = (pen.writers == writer).nonzero().flatten()
        mine, rest = theirs[:DRAWINGS], theirs[DRAWINGS:]
        tuned, report = teach(model, Collection(pen.data[mine], pen.targets[mine]), replay, test, seconds=TEACH_SECONDS)
        rest_before = accuracy(model, pen.data[rest], pen.targets[rest])
        rest_after = accuracy(tuned, pen.data[rest], pen.targets[rest])
        print(
            f"writer {writer:2d}: {report.seconds:4.1f} s in all (trained on {report.trained_on}, {report.held_out} held out) | "
            f"held out {report.drawings_before:.0%} -> {report.drawings_after:.0%} | "
            f"their other {len(rest)} digits {rest_before:.1%} -> {rest_after:.1%} | "
            f"MNIST {report.mnist_before:.2%} -> {report.mnist_after:.2%}"
        )


if __name__ == "__main__":
    main()
