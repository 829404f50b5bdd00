"""Model tab: what a checkpoint is, how it was trained, how well it reads each digit, and what its first layer looks for."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from demo.i18n import ENGLISH, say
from demo.models import (
    ROOT,
    cached_for_shipped,
    checkpoint_path,
    describe_layers,
    load_classifier,
    model_title,
    public_message,
    registry_text,
)
from demo.pictures import confusion_picture, weights_picture
from mnist_core.card import commands, training_config
from mnist_core.doodles import TRAIN_KINDS
from mnist_core.errors import MnistCoreError
from mnist_core.model import DIGITS, first_layer_weights, knows_non_digits, layer_sizes
from mnist_core.predict import Classifier
from mnist_core.sources import DATA_SOURCES

MAX_UNITS_SHOWN = 128  # enough to see what kinds of pattern the first layer learned, few enough for one picture
UNITS_PER_ROW = 16  # 128 units as 8 rows of 16; ten digit templates (the single layer) as one row

# (facts Markdown, per-class accuracy Markdown, confusion picture, weights picture, weights caption)
ModelView = tuple[str, str, np.ndarray | None, np.ndarray | None, str]


def training_summary(meta: dict, language: str = ENGLISH) -> str:
    """How a checkpoint was trained, in one line, from whatever its metadata records."""
    train = meta.get("train_config", {})
    augment = train.get("augment")

    def part(key: str, **values: object) -> str:
        return say(language, f"summary.{key}", **values)

    parts = [
        part("fine_tuned_from", start=Path(train["init"]).name) if train.get("init") else None,
        part("epochs", epochs=meta["epochs"]) if "epochs" in meta else None,
        part("batch", size=train["batch_size"]) if "batch_size" in train else None,
        part("lr", optimizer=train.get("optimizer", "?"), lr=train["lr"]) if "lr" in train else None,
        part("weight_decay", value=train["weight_decay"]) if train.get("weight_decay") else None,
        part("label_smoothing", value=train["label_smoothing"]) if train.get("label_smoothing") else None,
        part("with_augmentation" if augment else "without_augmentation") if "augment" in train else None,
        part("strength", strength=train["augment_strength"]) if augment and train.get("augment_strength", 1) != 1 else None,
        part("seed", seed=train["seed"]) if "seed" in train else None,
        part("time", seconds=meta["training_seconds"], device=train.get("device", "cpu")) if "training_seconds" in meta else None,
    ]
    return part("separator").join(each for each in parts if each)


def trained_on(meta: dict, language: str = ENGLISH) -> str:
    """What a checkpoint learned from, in words, from the data sources its training config names."""
    train = training_config(meta)
    values = {"copies": train.get("pen_copies"), "samples": train.get("style_samples"), "kinds": len(TRAIN_KINDS)}
    parts = [
        registry_text(language, "data", name, DATA_SOURCES[name].description, **values)
        for name in train.get("data", ["mnist"]) if name in DATA_SOURCES
    ]
    return say(language, "data.separator").join(parts)


def facts(name: str | Classifier, language: str = ENGLISH) -> str:
    """The checkpoint's facts as Markdown: file, architecture, parameters, test accuracy, training."""
    classifier = load_classifier(name)
    meta, config = classifier.meta, classifier.meta["config"]
    parameters = sum(parameter.numel() for parameter in classifier.model.parameters())

    def line(key: str, **values: object) -> str:
        return say(language, f"facts.{key}", **values)

    lines = [
        f"### {model_title(name, language)}",
        line("checkpoint", file=f"{checkpoint_path(name).name}/") if isinstance(name, str) else line("own_checkpoint"),
        line("layers", sizes=layer_sizes(config), how=describe_layers(config, language)),
        line("parameters", count=parameters),
        line("accuracy", accuracy=meta["test_accuracy"]) if "test_accuracy" in meta else line("no_accuracy"),
        line("trained_on", data=trained_on(meta, language)),
        line("not_digit_yes") if knows_non_digits(config) else line("not_digit_no"),
        line("training", summary=training_summary(meta, language) or line("not_recorded"),
             members=line("all_members") if "members" in meta else ""),
    ]
    made_by = commands(meta)
    if made_by:  # a fine-tuned model's recipe: the command that trained its start, then its own
        joined = " → ".join(f"`{command}`" for command in made_by)
        lines.append(line("commands" if len(made_by) > 1 else "command", commands=joined))
    for number, member in enumerate(meta.get("members", []), 1):
        lines.append(line("member", number=number, accuracy=member["test_accuracy"],
                          summary=training_summary(member, language), command=member["command"]))
    if meta.get("created"):
        lines.append(line("created", created=meta["created"], torch=meta.get("torch_version", "?")))
    return "\n".join(lines).replace(str(ROOT) + "/", "")


def per_class_table(meta: dict, language: str = ENGLISH) -> str:
    """Test accuracy and misread count per digit as a Markdown table, the weakest digit in bold."""
    accuracy, confusion = meta.get("per_class_accuracy"), meta.get("confusion")
    if not accuracy:
        return say(language, "per_class.none")
    weakest = int(np.argmin(accuracy))
    rows = [say(language, "per_class.header"), "|---|---|---|"]
    for digit, value in enumerate(accuracy):
        misread = f"{round(sum(confusion[digit]) * (1 - value)):,}" if confusion else "?"  # "not a digit" counts as misread
        cells = [str(digit), f"{value:.2%}", misread]
        rows.append("| " + " | ".join(f"**{cell}**" if digit == weakest else cell for cell in cells) + " |")
    return "\n".join(rows)


@cached_for_shipped
def model_view(name: str | Classifier, language: str = ENGLISH) -> ModelView:
    """Everything the Model tab shows for one model (a shipped one rendered once per process and language)."""
    try:
        classifier = load_classifier(name)
    except MnistCoreError as error:
        return say(language, "warning", text=public_message(error, language)), "", None, None, ""
    meta = classifier.meta
    confusion = confusion_picture(meta["confusion"]) if meta.get("confusion") else None
    weights = first_layer_weights(classifier.model)
    shown = weights[:MAX_UNITS_SHOWN]
    layer = say(language, "weights.first_member" if "members" in meta["config"] else "weights.first_layer")
    caption = say(language, "weights.caption", layer=layer, shown=len(shown), total=len(weights)) + (
        say(language, "weights.templates") if len(weights) == DIGITS else ""  # a first layer that is the output layer
    )
    picture = weights_picture(shown, nrow=DIGITS if len(shown) <= DIGITS else UNITS_PER_ROW)
    return facts(name, language), per_class_table(meta, language), confusion, picture, caption
