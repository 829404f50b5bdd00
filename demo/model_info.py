"""Model tab: what a checkpoint is, how it was trained, how well it reads each digit, and what its first layer looks for."""

from __future__ import annotations

import numpy as np

from demo.models import (
    ROOT,
    cached_for_shipped,
    checkpoint_path,
    load_classifier,
    model_title,
    public_message,
    training_config,
)
from demo.pictures import confusion_picture, weights_picture
from mnist_core.doodles import TRAIN_KINDS
from mnist_core.errors import MnistCoreError
from mnist_core.model import describe_layers, first_layer_weights, knows_non_digits, layer_sizes
from mnist_core.predict import Classifier

MAX_UNITS_SHOWN = 128

# (facts Markdown, per-class accuracy Markdown, confusion picture, weights picture, weights caption)
ModelView = tuple[str, str, np.ndarray | None, np.ndarray | None, str]


def training_summary(meta: dict) -> str:
    """How a checkpoint was trained, in one line, from whatever its metadata records."""
    train = meta.get("train_config", {})
    parts = [
        f"fine-tuned from {train['init'].split('/')[-1]}" if train.get("init") else None,
        f"{meta['epochs']} epochs" if "epochs" in meta else None,
        f"batch {train['batch_size']}" if "batch_size" in train else None,
        f"{train.get('optimizer', '?')} lr {train['lr']}" if "lr" in train else None,
        f"weight decay {train['weight_decay']}" if train.get("weight_decay") else None,
        f"label smoothing {train['label_smoothing']}" if train.get("label_smoothing") else None,
        ("with" if train.get("augment") else "without") + " augmentation" if "augment" in train else None,
        f"at {train['augment_strength']}× strength" if train.get("augment") and train.get("augment_strength", 1) != 1 else None,
        f"seed {train['seed']}" if "seed" in train else None,
        f"{meta['training_seconds']:.0f} s on {train.get('device', 'cpu')}" if "training_seconds" in meta else None,
    ]
    return ", ".join(part for part in parts if part)


def training_data(meta: dict) -> str:
    """What a checkpoint learned from, in words, from the data sources its training config names."""
    train = training_config(meta)
    parts = {
        "mnist": "MNIST's 60,000 training digits",
        "pendigits": f"pendigits' 30 training writers from Istanbul (7,494 pen digits, each drawn {train.get('pen_copies')}× "
        "with random brushes, as on the sketchpad)",
        "styles": f"{train.get('style_samples')} synthesised samples of each of the world's styles that both lack "
        "(flagged 1, crossed 7, slashed 0, open 4, looped 2, straight-stemmed 9)",
        "letters": "as “not a digit”: pen-written letters and symbols (pen-letters' training writers; those written like a digit left out)",
        "omniglot": "characters of eight alphabets drawn with a mouse (Omniglot)",
        "doodles": f"{train.get('style_samples')} synthesised doodles of each of {len(TRAIN_KINDS)} kinds (smileys, stars, hearts, spirals, scribbles…)",
    }
    return " + ".join(parts[source] for source in train.get("data", ["mnist"]) if source in parts)


def facts(name: str) -> str:
    """The checkpoint's facts as Markdown: file, architecture, parameters, test accuracy, training."""
    classifier = load_classifier(name)
    meta, config = classifier.meta, classifier.meta["config"]
    parameters = sum(parameter.numel() for parameter in classifier.model.parameters())
    lines = [
        f"### {model_title(name)}",
        f"- **Checkpoint:** `checkpoints/{checkpoint_path(name).name}`"
        if isinstance(name, str)
        else "- **Checkpoint:** yours, trained in the Train tab, kept for this browser tab only (download it there)",
        f"- **Layers:** {layer_sizes(config)} — {describe_layers(config)}",
        f"- **Parameters:** {parameters:,}",
        f"- **MNIST test accuracy:** {meta['test_accuracy']:.2%} (10,000 images it never trained on)"
        if "test_accuracy" in meta
        else "- **MNIST test accuracy:** not recorded",
        f"- **Trained on:** {training_data(meta)}",
        "- **Not a digit:** " + (
            "it can answer “that doesn't look like a digit” (an 11th output)" if knows_non_digits(config)
            else "it has no way to say so: every drawing gets one of the ten digits"
        ),
        f"- **Training:** {training_summary(meta) or 'not recorded'}" + (" (all members)" if "members" in meta else ""),
    ]
    commands = meta.get("recipe") or ([meta["command"]] if meta.get("command") else [])
    if commands:  # a fine-tuned model's recipe: the command that trained its start, then its own
        label = "Commands, in order" if len(commands) > 1 else "Command"
        lines.append(f"- **{label}:** " + " → ".join(f"`{command}`" for command in commands))
    for number, member in enumerate(meta.get("members", []), 1):
        lines.append(
            f"- **Member {number}:** {member['test_accuracy']:.2%} alone; {training_summary(member)}; `{member['command']}`"
        )
    if meta.get("created"):
        lines.append(f"- **Created:** {meta['created']} with torch {meta.get('torch_version', '?')}")
    return "\n".join(lines).replace(str(ROOT) + "/", "")


def per_class_table(meta: dict) -> str:
    """Test accuracy and misread count per digit as a Markdown table, the weakest digit in bold."""
    accuracy, confusion = meta.get("per_class_accuracy"), meta.get("confusion")
    if not accuracy:
        return "Per-digit accuracy was not recorded in this checkpoint."
    weakest = int(np.argmin(accuracy))
    rows = ["| digit | test accuracy | misread |", "|---|---|---|"]
    for digit, value in enumerate(accuracy):
        misread = f"{round(sum(confusion[digit]) * (1 - value)):,}" if confusion else "?"  # "not a digit" counts as misread
        cells = [str(digit), f"{value:.2%}", misread]
        rows.append("| " + " | ".join(f"**{cell}**" if digit == weakest else cell for cell in cells) + " |")
    return "\n".join(rows)


@cached_for_shipped
def model_view(name: str | Classifier) -> ModelView:
    """Everything the Model tab shows for one model (a shipped one rendered once per process)."""
    try:
        classifier = load_classifier(name)
    except MnistCoreError as error:
        return f"⚠️ {public_message(error)}", "", None, None, ""
    meta = classifier.meta
    confusion = confusion_picture(meta["confusion"]) if meta.get("confusion") else None
    weights = first_layer_weights(classifier.model)
    shown = weights[:MAX_UNITS_SHOWN]
    layer = "the first member's first layer" if meta["config"].get("name") == "ensemble" else "the first layer"
    caption = (
        f"The weights of {layer}, one 28×28 picture per unit ({len(shown)} of {len(weights)} shown), through "
        "`make_grid`: red pixels push the unit up, blue pull it down."
        + (" For the single-layer model these are the ten digit templates, 0 to 9." if len(weights) == 10 else "")
    )
    picture = weights_picture(shown, nrow=10 if len(shown) <= 10 else 16)
    return facts(name), per_class_table(meta), confusion, picture, caption
