"""Training speed: the tutorial's DataLoader recipe against mnist_core's tensor fast path, and time to 98%.

Run: python -m benchmarks.train_speed [--data-dir D]. Prints its figures; asserts nothing.
"""

from __future__ import annotations

from mnist_core.threads import set_thread_policy

set_thread_policy()  # as the CLI does, before torch is imported

import argparse  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from mnist_core.data import load_tensors, tutorial_dataset  # noqa: E402
from mnist_core.model import LinearModel  # noqa: E402
from mnist_core.train import EpochReport, TrainConfig, train  # noqa: E402


def tutorial_recipe_epoch(data_dir: str | None) -> float:
    """Seconds for one epoch of the tutorial: ToTensor per sample, DataLoader(batch 64), nn.Linear, Adam 1e-4."""
    loader = DataLoader(tutorial_dataset(train=True, data_dir=data_dir), batch_size=64, shuffle=True)
    model = LinearModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    started = time.perf_counter()
    for images, labels in loader:
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def fast_path_epoch(train_data, test_data, batch_size: int, lr: float) -> tuple[float, float]:
    """Seconds and test accuracy for one epoch of the same model on whole-tensor batches."""
    config = TrainConfig(
        model="linear", optimizer="adam", lr=lr, batch_size=batch_size, epochs=1, augment=False, label_smoothing=0.0
    )
    reports: list[EpochReport] = []
    train(config, train_data, test_data, on_epoch=reports.append)
    return reports[0].seconds, reports[0].test_accuracy


def seconds_to_98(train_data, test_data, max_epochs: int = 4) -> tuple[float | None, int]:
    """Training seconds until a 784-256-10 MLP first reaches 98% test accuracy (None if it never does)."""
    config = TrainConfig(hidden=(256,), dropout=0.0, epochs=max_epochs, batch_size=128, lr=3e-3, augment=False)
    reports: list[EpochReport] = []
    reached = lambda: bool(reports) and reports[-1].test_accuracy >= 0.98  # noqa: E731
    train(config, train_data, test_data, on_epoch=reports.append, should_stop=reached)
    total = sum(report.seconds for report in reports)
    return (total if reached() else None), len(reports)


def main() -> None:
    """Measure side by side in one run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    train_data, test_data = load_tensors(True, args.data_dir), load_tensors(False, args.data_dir)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    recipe = tutorial_recipe_epoch(args.data_dir)
    same_batch, same_acc = fast_path_epoch(train_data, test_data, batch_size=64, lr=1e-4)
    big_batch, big_acc = fast_path_epoch(train_data, test_data, batch_size=512, lr=1e-2)
    print(f"tutorial recipe (ToTensor DataLoader, batch 64, Adam 1e-4): {recipe:.2f} s/epoch")
    print(f"fast path, same model, batch 64, Adam 1e-4: {same_batch:.2f} s/epoch ({recipe / same_batch:.1f}x), test acc {same_acc:.4f}")
    print(f"fast path, same model, batch 512, Adam 1e-2: {big_batch:.2f} s/epoch ({recipe / big_batch:.1f}x), test acc {big_acc:.4f}")
    seconds, epochs = seconds_to_98(train_data, test_data)
    reached = f"{seconds:.1f} s ({epochs} epochs)" if seconds is not None else f"not reached in {epochs} epochs"
    print(f"time to 98% test accuracy, 784-256-10 MLP, fast path: {reached}")


if __name__ == "__main__":
    main()
