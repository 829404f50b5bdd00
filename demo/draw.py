"""Draw tab callbacks: a sketchpad value or an uploaded image in; the top 3, a verdict and what the network saw out."""

from __future__ import annotations

from functools import reduce

import gradio as gr
import numpy as np
import torch
from PIL import Image, ImageChops

from demo.i18n import ENGLISH, say, visitor_language
from demo.models import load_classifier, public_message
from demo.pictures import evidence_picture, inline_png, side_by_side, to_uint8
from mnist_core.attribution import evidence
from mnist_core.errors import EmptyImageError, MnistCoreError
from mnist_core.model import NOT_DIGIT
from mnist_core.predict import UNREAD, Classifier, NumberReading, Prediction
from mnist_core.preprocess import open_image

# What an empty canvas and an upload with no digit answer, in English (say() gives the other languages).
PROMPT = say(ENGLISH, "draw.prompt")
NO_DIGIT_IN_UPLOAD = say(ENGLISH, "draw.no_digit_in_upload")

# (top 3 for gr.Label, verdict Markdown, the <img> of the model input and the why, the number and its pieces for
# the API (NumberReading.as_dict), or None)
DrawResult = tuple[dict[str, float] | None, str, str | None, dict | None]


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


def a_digit(language: str, digit: int) -> str:
    """A digit with its article where the language has one: 'a 7', 'an 8' ('7' in Chinese)."""
    return say(language, "a_digit", variant=digit, digit=digit)


def verdict(prediction: Prediction, language: str = ENGLISH) -> str:
    """The sentence above the bars: the digit, a question when the model is unsure, or that it is no digit."""
    (first, p_first), (second, p_second) = prediction.top(2)
    if not prediction.is_digit:
        nearest = say(language, "verdict.nearest", first=first, p_first=p_first, second=second, p_second=p_second)
        return say(language, "verdict.not_digit", p=prediction.not_digit) + "\n\n" + nearest
    both = dict(first=a_digit(language, first), second=a_digit(language, second))
    if prediction.unsure and prediction.not_digit > p_first:  # "not a digit" is likelier than any digit, if not sure enough
        return say(language, "verdict.unsure_maybe_not", **both)
    if prediction.unsure:
        return say(language, "verdict.unsure", **both)
    return say(language, "verdict.digit", article=say(language, "article", variant=first), digit=first, p=p_first)


def bars(prediction: Prediction, language: str = ENGLISH) -> dict[str, float]:
    """What gr.Label shows: the three likeliest digits, and "not a digit" first when that is the answer."""
    top = {str(digit): probability for digit, probability in prediction.top(3)}
    if prediction.is_digit:
        return top
    return {say(language, "not_a_digit"): prediction.not_digit, **dict(list(top.items())[:2])}


def explained(prediction: Prediction, language: str = ENGLISH) -> tuple[int, int, str, str]:
    """Which two outputs the why picture contrasts (toward, against) and their names for the caption."""
    (first, _), (second, _) = prediction.top(2)
    if not prediction.is_digit:
        return NOT_DIGIT, first, say(language, "not_a_digit"), str(first)
    return first, second, str(first), str(second)


def method(model: torch.nn.Module, language: str = ENGLISH) -> str:
    """What the why picture computes for this model (mnist_core.attribution.evidence), in words."""
    linear_layers = sum(isinstance(module, torch.nn.Linear) for module in model.modules())
    return say(language, "method.linear" if linear_layers == 1 else "method.gradient")


def seen_html(prediction: Prediction, why: torch.Tensor, language: str = ENGLISH) -> str:
    """The <img> beside the answer: the model input and, right of it, each pixel's evidence, inline."""
    # 28 x 57 pixels sent as they are (a few hundred bytes, inline: no file to fetch per stroke); the browser
    # enlarges them with square pixels.
    picture = side_by_side(to_uint8(prediction.image), evidence_picture(prediction.image, why))
    return f'<img class="seen" src="{inline_png(picture)}" alt="{say(language, "draw.seen_alt")}">'


def digit_caption(prediction: Prediction, language: str = ENGLISH) -> str:
    """Under one digit of a number: what it was read as, then its top 3 (or "not a digit" first when that is the answer)."""
    return " · ".join(f"{name} {probability:.0%}" for name, probability in bars(prediction, language).items())


def number_html(reading: NumberReading, whys: list[torch.Tensor], language: str = ENGLISH) -> str:
    """Beside the answer for a number: each digit's model input boxed, its why under it and its top 3, in a row."""
    figures = []
    for digit, why in zip(reading.digits, whys):
        picture = np.concatenate([to_uint8(digit.prediction.image)[..., None].repeat(3, 2),
                                  evidence_picture(digit.prediction.image, why)], axis=0)
        figures.append(
            '<figure style="margin: 0; flex: 1; max-width: 160px; border: 2px solid #c2410c; padding: 2px">'
            f'<img src="{inline_png(picture)}" style="image-rendering: pixelated; width: 100%; display: block" '
            f'alt="{say(language, "draw.digit_alt", text=digit.text)}">'
            f'<figcaption style="font-size: 0.8em; text-align: center">{digit_caption(digit.prediction, language)}</figcaption>'
            "</figure>"
        )
    return f'<div class="number" style="display: flex; gap: 6px">{"".join(figures)}</div>'


def number_verdict(reading: NumberReading, language: str = ENGLISH) -> str:
    """The sentence above the bars for a number: its digits, or a question when some are unread ("4?7")."""
    key = "verdict.number" if UNREAD not in reading.number else "verdict.number_unsure"
    return say(language, key, number=reading.number)


def read_number(classifier: Classifier, reading: NumberReading, language: str = ENGLISH) -> DrawResult:
    """What the page shows for a drawing of several digits: the number, each digit's input, why and top 3."""
    whys = [evidence(classifier.model, digit.prediction.image, *explained(digit.prediction, language)[:2])
            for digit in reading.digits]
    sure = float(np.prod([max(digit.prediction.probabilities) for digit in reading.digits]))
    how = say(language, "draw.number_explained", count=len(reading.digits), method=method(classifier.model, language))
    text = f"{number_verdict(reading, language)}\n\n{how}"
    return {reading.number: sure}, text, number_html(reading, whys, language), reading.as_dict()


def classify(source: Image.Image | np.ndarray | str | None, model_name: str, language: str = ENGLISH) -> DrawResult:
    """Read one image with the chosen model, as a digit or a number; an empty canvas or unreadable image gives a
    message, never a digit."""
    if source is None:
        return None, say(language, "draw.prompt"), None, None
    try:
        classifier = load_classifier(model_name)
        reading = classifier.read(source)
    except EmptyImageError:
        return None, say(language, "draw.prompt"), None, None
    except MnistCoreError as error:
        return None, say(language, "warning", text=public_message(error, language)), None, None
    if len(reading.digits) > 1:
        return read_number(classifier, reading, language)
    prediction = reading.digits[0].prediction  # exactly what classifier.classify(source) gives
    toward, against, toward_name, against_name = explained(prediction, language)
    why = evidence(classifier.model, prediction.image, toward, against)
    shape = "×".join(str(size) for size in prediction.image.shape)
    how = say(language, "draw.explained", shape=shape, toward=toward_name, against=against_name,
              method=method(classifier.model, language))
    text = f"{verdict(prediction, language)}\n\n{how}"
    return bars(prediction, language), text, seen_html(prediction, why, language), reading.as_dict()


def classify_sketch(
    sketch: dict | None, model_name: str, language: str | None = None, request: gr.Request = None
) -> DrawResult:
    """Sketchpad value in (dict of background, layers, composite, or None); top 3, verdict and model input out.

    In the visitor's language: the page switch's choice, else their browser's (demo.i18n.visitor_language)."""
    return classify(sketch_ink(sketch), model_name, visitor_language(language, request))


def classify_upload(
    path: str | None, model_name: str, language: str | None = None, request: gr.Request = None
) -> DrawResult:
    """An uploaded photo or image file in; top 3, verdict and model input out."""
    language = visitor_language(language, request)
    top, text, seen, reading = classify(path, model_name, language)
    if path is not None and text == say(language, "draw.prompt"):
        # The drawing prompt would read as if the upload were ignored: say what was wrong with the file.
        return None, say(language, "draw.no_digit_in_upload"), None, None
    if top is not None:
        text += "\n\n" + say(language, "draw.from_upload")
    return top, text, seen, reading
