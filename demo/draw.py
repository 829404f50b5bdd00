"""Draw tab callbacks: a sketchpad value or an uploaded image in; the top 3, a verdict and what the network saw out."""

from __future__ import annotations

from functools import reduce

import numpy as np
import torch
from PIL import Image, ImageChops

from demo.models import load_classifier, public_message
from demo.pictures import evidence_picture, inline_png, side_by_side, to_uint8
from mnist_core.attribution import evidence, method
from mnist_core.errors import EmptyImageError, MnistCoreError
from mnist_core.model import NOT_DIGIT, NOT_DIGIT_NAME
from mnist_core.predict import Prediction
from mnist_core.preprocess import open_image

PROMPT = "✏️ Draw a digit (0–9) in the box — the network reads it as you draw."
NO_DIGIT_IN_UPLOAD = "⚠️ No digit found in the uploaded image: it is blank or of one colour. Upload a photo of one dark digit on a light background (or light on dark)."
# The input and beside it why the network answered, 28 x 57 pixels sent as they are (a few hundred bytes,
# inline: no file to fetch per stroke); the browser enlarges them with square pixels.
SEEN_ALT = "the 1×28×28 input the network reads, and beside it why it answered"

# (top 3 for gr.Label, verdict Markdown, the <img> of the model input and the why, or None)
DrawResult = tuple[dict[str, float] | None, str, str | None]


def _is_blank(image: Image.Image | np.ndarray | None) -> bool:
    """True for a missing image or one of a single colour (an empty canvas, whatever the theme)."""
    if image is None:
        return True
    extrema = open_image(image).getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    return all(low == high for low, high in bands)


def sketch_ink(sketch: dict | Image.Image | np.ndarray | str | None) -> Image.Image | np.ndarray | str | None:
    """What to classify in a Sketchpad value: the strokes of its layers on a blank canvas, else the composite."""
    if not isinstance(sketch, dict):
        return sketch
    layers = [open_image(layer) for layer in sketch.get("layers") or [] if layer is not None]
    if layers and _is_blank(sketch.get("background")):
        # In the browser the composite sits on the theme's opaque canvas colour (white, or dark in dark
        # mode); the layers hold only the strokes, ink in alpha, so they read the same in either theme.
        alpha = reduce(ImageChops.lighter, [layer.convert("RGBA").getchannel("A") for layer in layers])
        return Image.merge("LA", (Image.new("L", alpha.size), alpha))
    return sketch.get("composite")


def article(digit: int) -> str:
    """'an' before 8 (eight), else 'a'."""
    return "an" if digit == 8 else "a"


def verdict(prediction: Prediction) -> str:
    """The sentence above the bars: the digit, a question when the model is unsure, or that it is no digit."""
    (first, p_first), (second, p_second) = prediction.top(2)
    if not prediction.is_digit:
        return (
            f"### 🙃 That doesn't look like a digit ({prediction.not_digit:.0%} sure)\n\n"
            f"<small>The nearest digits: {first} ({p_first:.0%}), {second} ({p_second:.0%}).</small>"
        )
    if prediction.unsure and prediction.not_digit > p_first:  # "not a digit" is likelier than any digit, if not sure enough
        return f"### 🤔 Not sure — maybe that isn't a digit; if it is, {article(first)} {first} or {article(second)} {second}?"
    if prediction.unsure:
        return f"### 🤔 Not sure — is it {article(first)} {first} or {article(second)} {second}?"
    return f"### It's {article(first)} **{first}** ({p_first:.0%} sure)"


def bars(prediction: Prediction) -> dict[str, float]:
    """What gr.Label shows: the three likeliest digits, and "not a digit" first when that is the answer."""
    top = {str(digit): probability for digit, probability in prediction.top(3)}
    if prediction.is_digit:
        return top
    return {NOT_DIGIT_NAME: prediction.not_digit, **dict(list(top.items())[:2])}


def explained(prediction: Prediction) -> tuple[int, int, str, str]:
    """Which two outputs the why picture contrasts (toward, against) and their names for the caption."""
    (first, _), (second, _) = prediction.top(2)
    if not prediction.is_digit:
        return NOT_DIGIT, first, NOT_DIGIT_NAME, str(first)
    return first, second, str(first), str(second)


def seen_html(prediction: Prediction, why: torch.Tensor) -> str:
    """The <img> beside the answer: the model input and, right of it, each pixel's evidence, inline."""
    picture = side_by_side(to_uint8(prediction.image), evidence_picture(prediction.image, why))
    return f'<img class="seen" src="{inline_png(picture)}" alt="{SEEN_ALT}">'


def classify(source: Image.Image | np.ndarray | str | None, model_name: str) -> DrawResult:
    """Classify one image with the chosen model; an empty canvas or unreadable image gives a message, never a digit."""
    if source is None:
        return None, PROMPT, None
    try:
        classifier = load_classifier(model_name)
        prediction = classifier.classify(source)
    except EmptyImageError:
        return None, PROMPT, None
    except MnistCoreError as error:
        return None, f"⚠️ {public_message(error)}", None
    toward, against, toward_name, against_name = explained(prediction)
    why = evidence(classifier.model, prediction.image, toward, against)
    shape = "×".join(str(size) for size in prediction.image.shape)
    text = (
        f"{verdict(prediction)}\n\nThe network sees a **{shape}** tensor (below left, enlarged). "
        f"Right, why: pixels that pushed it towards **{toward_name}** in red, towards **{against_name}** in blue "
        f"({method(classifier.model)})."
    )
    return bars(prediction), text, seen_html(prediction, why)


def classify_sketch(sketch: dict | None, model_name: str) -> DrawResult:
    """Sketchpad value in (dict of background, layers, composite, or None); top 3, verdict and model input out."""
    return classify(sketch_ink(sketch), model_name)


def classify_upload(path: str | None, model_name: str) -> DrawResult:
    """An uploaded photo or image file in; top 3, verdict and model input out."""
    top, text, seen = classify(path, model_name)
    if path is not None and text == PROMPT:
        # The drawing prompt would read as if the upload were ignored: say what was wrong with the file.
        return None, NO_DIGIT_IN_UPLOAD, None
    if top is not None:
        text += "\n\n*Read from your uploaded image, not from the canvas.*"
    return top, text, seen
