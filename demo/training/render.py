"""What the Train tab shows of a run: its curves as frames, the sample digits, the progress line and the summary."""

from __future__ import annotations

import time

import pandas as pd
import torch

from demo.i18n import say
from demo.models import model_title
from demo.pictures import inline_png, upscale
from demo.training.run import Run, Split, sample_indices
from mnist_core.model import IMAGE_SIDE

SAMPLE_SCALE = 2  # the ten sample digits at twice their 28 px: small enough for a row of ten beside the curves
SAMPLE_PX = IMAGE_SIDE * SAMPLE_SCALE


# No rows gives None, not an empty frame: a plot first given an empty frame keeps its axes and legend from
# it (object columns read as categories, no colour series) once the numbers arrive.
def loss_frame(run: Run | None) -> pd.DataFrame | None:
    """The loss curve's points so far, or None before the first."""
    rows = list(run.losses) if run else []
    return pd.DataFrame(rows, columns=["epoch", "loss"]) if rows else None


def accuracy_frame(run: Run | None) -> pd.DataFrame | None:
    """The accuracy curves' points so far (one series per set of test images), or None before the first."""
    rows = list(run.accuracies) if run else []
    return pd.DataFrame(rows, columns=["epoch", "accuracy", "measured on"]) if rows else None


def _digit_cell(image: torch.Tensor, label: int, prediction: tuple[int, float] | None, language: str) -> str:
    """One sample digit with the model's answer under it (green right, red wrong, … before the first)."""
    if prediction is None:
        answer = "<small>…</small>"
    else:
        digit, probability = prediction
        colour = "#15803d" if digit == label else "#dc2626"
        answer = f'<b style="color:{colour}">{digit}</b> <small>{probability:.0%}</small>'
    return (
        f'<div style="text-align:center;margin:2px"><img src="{inline_png(upscale(image.numpy(), SAMPLE_SCALE))}" '
        f'alt="{say(language, "train.test_digit_alt", label=label)}" width="{SAMPLE_PX}" height="{SAMPLE_PX}" style="image-rendering:pixelated;display:block"/>{answer}</div>'
    )


def digits_html(test: Split | None, predictions: list[tuple[int, float]], language: str = "en") -> str:
    """The ten sample test digits, each with the model's current answer (green right, red wrong)."""
    if test is None:
        return ""
    cells = [
        _digit_cell(test[0][index], int(test[1][index]), predictions[number] if number < len(predictions) else None, language)
        for number, index in enumerate(sample_indices(test[1]))
    ]
    return '<div style="display:flex;flex-wrap:wrap;gap:4px">' + "".join(cells) + "</div>"


def progress_text(run: Run) -> str:
    """The status line while training: epoch, step, time and the last test accuracy, over a progress bar."""
    with run.lock:
        step, total, per_epoch = run.step, run.total_steps, run.epoch_steps
        last = run.accuracies[-1][1] if run.accuracies else None
    elapsed = time.perf_counter() - run.started if run.started else 0.0
    epoch = min(run.config.epochs, step // per_epoch + 1)
    bar = f'<progress value="{step}" max="{total}" style="width:100%"></progress>'
    accuracy = say(run.language, "train.progress_accuracy", accuracy=last) if last is not None else ""
    line = say(run.language, "train.progress", epoch=epoch, epochs=run.config.epochs, step=step, total=total,
               share=step / total, seconds=elapsed, accuracy=accuracy)
    return f"{line}\n\n{bar}"


def summary(run: Run) -> str:
    """The status once a run has made its model: how it ended, its test accuracy, and what to do with it."""
    meta, language = run.classifier.meta, run.language
    how = say(language, "train.stopped", who=run.stopped_by) if run.stopped_by else say(language, "train.done")
    return say(language, "train.summary", how=how[:1].upper() + how[1:], accuracy=meta["test_accuracy"],
               title=model_title(run.classifier, language), epochs=meta["epochs"], seconds=meta["training_seconds"])
