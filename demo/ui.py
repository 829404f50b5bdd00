"""The page: a model picker above the Draw, Gallery, Model and Train tabs, each wired to its callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from demo.draw import classify_sketch, classify_upload
from demo.gallery import (
    ALL_DIGITS,
    DIGIT_CHOICES,
    MAX_BATCH,
    MAX_NROW,
    MAX_PADDING,
    SPLITS,
    gallery_batch,
    next_batch,
    source_choices,
)
from demo.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    T,
    page_text,
    page_translations,
    say,
    visitor_language,
)
from demo.janitor import SESSION_CAPACITY, look_after
from demo.model_info import model_view
from demo.models import DEFAULT_MODEL, model_names, model_title
from demo.page import CLEAR_JS, PAGE_HEAD, PAGE_JS
from demo.page.guards import DRAWINGS, GALLERY, guard_queue, guard_sketchpad
from demo.teach import collection_text, teach_panel
from demo.training.session import TrainSession, end_session, model_choices, own_model
from demo.training.tab import train_tab
from mnist_core.finetune import Collection
from mnist_core.predict import Classifier

HERE = Path(__file__).resolve().parent
TAB_NAMES = ("draw", "gallery", "model", "train")  # the tabs in order, each named by "tab.<name>" in demo/locales
EXAMPLES_DIR = HERE / "examples"
# A canvas near its on-screen size: the browser re-encodes it as PNG after every stroke, so a smaller
# canvas answers sooner. Brush width (2 x radius) 1/16 of the side, as Gradio's own default brush on
# its 800 px canvas; tests/test_styles.py checks the default reads every style with a pen-thin, this and a
# finger-thick brush (what each model reads of drawn digits: docs/results.md).
CANVAS = 512
BRUSH_RADIUS = 16
INK = "#000000"

# Drawings run two at a time and the rest wait their turn, addresses taking turns (demo.page.guards): with more
# at once they only share the core, and one script's burst of them slows every visitor's answer (measured
# in docs/results.md, "Hostile visitors"). The queue bounds what waits; visitors beyond it are told to retry.
PREDICT_CONCURRENCY = 2
OTHER_CONCURRENCY = 4  # model views and the other events of the Model and Train tabs
# A Gallery batch (up to 256 images, PNG-encoded) is the costliest event a visitor can ask for: one at a time,
# addresses taking turns and each at a person's pace (demo.page.guards), so a flood of them leaves drawings the core.
GALLERY_CONCURRENCY = 1
QUEUE_SIZE = 256
# Gradio's cache (uploads, and the copies of what visitors download): every 5 minutes, files older than 15 go.
CACHE_SWEEP = (300, 900)
# The theme's accent (the selected tab, links, checked boxes) and its subdued text (the footer, info
# lines) darker than Gradio's default, each at 4.5:1 or more on white: orange 700 (#c2410c) 5.2:1 where
# orange 500 had 2.8:1, neutral 600 (#52525b) 7.7:1 where neutral 400 (#bbbbc2) had 1.9:1.
THEME = gr.themes.Default().set(
    color_accent="*primary_700",
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_400",
)
LAUNCH_OPTIONS = {
    "max_file_size": "10mb",  # a phone photo fits; larger uploads are refused before they reach the app
    "allowed_paths": [str(EXAMPLES_DIR)],
    "state_session_capacity": SESSION_CAPACITY,  # the example drawings are the only files the app serves itself
    "js": PAGE_JS,  # the page's scripts and CSS: demo/page/, with the Gradio internals each relies on
    "head": PAGE_HEAD,
    "i18n": page_translations(),  # every static string of the page, in each of demo.i18n's languages
    "theme": THEME,
}


@dataclass
class DrawTab:
    """The Draw tab's components that other tabs re-run predictions with."""

    sketchpad: gr.Sketchpad
    outputs: list[gr.components.Component]
    collection: gr.State  # the visitor's labelled drawings (demo/teach.py)
    counts: gr.Markdown  # how many they labelled, under "It was a …"


def digit_sketchpad() -> gr.Sketchpad:
    """A square canvas with one black brush and an eraser: no layers, colours or transforms to get lost in."""
    pad = gr.Sketchpad(
        label=T("draw.sketchpad"),
        elem_id="sketchpad",
        image_mode="RGBA",  # the strokes' alpha is the ink
        type="pil",  # decoded once by Gradio and handed over as is: no array copies of the canvas
        format="png",
        canvas_size=(CANVAS, CANVAS),
        fixed_canvas=True,
        height=480,
        layers=False,
        transforms=(),
        brush=gr.Brush(default_size=BRUSH_RADIUS, colors=[INK], default_color=INK, color_mode="fixed"),
        eraser=gr.Eraser(default_size=2 * BRUSH_RADIUS),
        buttons=[],
    )
    return guard_sketchpad(pad)  # blobs, sizes and layers checked before Gradio keeps or decodes them


def draw_tab(model_name: gr.State, training: gr.State, choice: gr.Radio, language: gr.State) -> DrawTab:
    """Sketchpad and clear beside the answer, what the network sees and "It was a …"; examples and upload below."""
    # On a phone the columns stack: canvas, then the answer, then the rest, so the answer stays in reach.
    with gr.Tab(T("tab.draw"), id="draw"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                sketchpad = digit_sketchpad()
                clear = gr.Button(T("draw.clear"), variant="secondary", elem_id="clear")
            with gr.Column(scale=2):
                answer = gr.Markdown(T("draw.prompt"), label=T("draw.answer"), min_height=80, elem_id="answer")
                top3 = gr.Label(label=T("draw.top3"), num_top_classes=3, show_heading=False, elem_id="top3")
                seen = gr.HTML(
                    label=T("draw.seen"),
                    show_label=True,
                    container=True,
                    elem_id="seen",
                    min_height=290,
                    # Every one of the 784 pixels as a crisp square, however large the page shows it.
                    css_template="img.seen { image-rendering: pixelated; width: 100%; max-width: 570px; display: block; }",
                )
                # The number and each digit's box and top probabilities, for the API (/predict); shown above.
                reading = gr.JSON(visible=False)
                collection, counts = teach_panel(sketchpad, training, model_name, choice, language)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                examples = gr.Examples(
                    examples=[str(path) for path in sorted(EXAMPLES_DIR.glob("*.png"))],
                    inputs=sketchpad,
                    label=T("draw.examples"),
                    elem_id="examples",
                )
            with gr.Column(scale=2), gr.Accordion(T("draw.upload_box"), open=False, elem_id="upload-box"):
                # gr.File, not gr.Image: gr.Image opens the file with PIL before the callback, so a file that is
                # not an image would end in Gradio's bare "Error"; here the core reads it and says what is wrong.
                upload = gr.File(label=T("draw.upload"), file_types=["image"], type="filepath", height=120)
    outputs = [top3, answer, seen, reading]
    predict = dict(show_progress="hidden", concurrency_limit=PREDICT_CONCURRENCY, concurrency_id=DRAWINGS)
    sketchpad.change(classify_sketch, [sketchpad, model_name, language], outputs, api_name="predict", **predict)
    upload.change(classify_upload, [upload, model_name, language], outputs, api_name="predict_image", **predict)
    # A loaded example becomes the canvas background, which fires no change event: read it explicitly.
    examples.load_input_event.then(
        classify_sketch, [sketchpad, model_name, language], outputs, api_visibility="private", **predict
    )
    # Clear through the editor's own clear button (the last of its top panel, whatever the page's language):
    # setting the value to None instead can leave its loading spinner over the canvas for good.
    clear.click(None, js=CLEAR_JS, show_progress="hidden")
    return DrawTab(sketchpad, outputs, collection, counts)


def gallery_tab(model_name: gr.State, language: gr.State, switch: gr.Radio) -> None:
    """Data-loader controls on the left, the make_grid picture and its labels on the right."""
    with gr.Tab(T("tab.gallery"), id="gallery") as tab:
        gr.Markdown(T("gallery.intro"))
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=240):
                split = gr.Radio([(T(f"split.{name}"), name) for name in SPLITS], value="train", label=T("gallery.split"))
                batch_size = gr.Slider(1, MAX_BATCH, value=64, step=1, label=T("gallery.batch_size"))
                nrow = gr.Slider(1, MAX_NROW, value=8, step=1, label=T("gallery.nrow"))
                padding = gr.Slider(0, MAX_PADDING, value=2, step=1, label=T("gallery.padding"))
                seed = gr.Number(0, label=T("gallery.seed"), precision=0, minimum=0)
                shuffle = gr.Checkbox(True, label=T("gallery.shuffle"))
                digit = gr.Dropdown(
                    [(T("gallery.all_digits") if choice == ALL_DIGITS else choice, choice) for choice in DIGIT_CHOICES],
                    value=ALL_DIGITS, label=T("gallery.digit"),
                )
                mistakes = gr.Checkbox(False, label=T("gallery.mistakes"))
                source = gr.Radio(source_choices(), value="mnist", label=T("gallery.source"))
                with gr.Row():
                    show = gr.Button(T("gallery.show"), variant="primary")
                    more = gr.Button(T("gallery.next"))
            with gr.Column(scale=3):
                status = gr.Markdown(label=T("gallery.status_label"), elem_id="gallery-status")
                grid = gr.Image(label=T("gallery.grid"), format="png", interactive=False, buttons=["download", "fullscreen"])
                labels = gr.HTML(label=T("gallery.labels"))
        number = gr.State(0)  # the batch shown; inside the tab, as anything placed in gr.Tabs becomes a tab
    settings = [split, batch_size, nrow, padding, seed, shuffle, digit, mistakes, source, model_name]
    outputs = [grid, labels, status, number]
    options = dict(concurrency_limit=GALLERY_CONCURRENCY, concurrency_id=GALLERY)
    # The language (a State, as the model) follows the settings: the API's parameters stay as they were.
    show.click(gallery_batch, [*settings, language], outputs, api_name="gallery", **options)
    more.click(next_batch, [*settings, number, language], outputs, api_name="gallery_next", **options)
    gr.on(
        [control.change for control in settings[:-1]],
        gallery_batch,
        [*settings, language],
        outputs,
        trigger_mode="always_last",
        api_visibility="private",
        **options,
    )
    # Opening the tab shows the current batch, so nobody meets an empty page.
    tab.select(gallery_batch, [*settings, language, number], outputs, api_visibility="private", **options)
    # The switch rewrites the batch shown (its status line and labels) in the new language; none shown, nothing.
    switch.change(gallery_in_language, [*settings, switch, number, status], outputs, api_visibility="private",
                  show_progress="hidden", **options)


def gallery_in_language(*inputs: object) -> tuple:
    """The batch shown, written again in the switch's language (same settings, same batch); skipped if none is shown.

    Inputs: the gallery's settings, the switch's language, the batch's number and its status line."""
    *settings, language, number, status = inputs
    if not status:
        return tuple(gr.skip() for _ in range(4))
    _, labels, text, number = gallery_batch(*settings, language=language, number=number)
    return gr.skip(), labels, text, number  # the picture itself has no words


def use_model(name: str, training: TrainSession | None = None, language: str | None = None, request: gr.Request = None) -> tuple:
    """Switch this visitor's model (a shipped name, or their own trained model) and the Model tab's contents."""
    model = own_model(name, training)
    return (model, *model_view(model, visitor_language(language, request)))


def model_picker() -> gr.Radio:
    """The visitor's model, above the tabs: it reads their drawings, labels the gallery and fills the Model tab."""
    return gr.Radio(
        [(page_text(f"model_title.{name}", {code: model_title(name, code) for code in LANGUAGES}), name) for name in model_names()],
        value=DEFAULT_MODEL,
        label=T("model_picker"),
        elem_id="model-choice",
    )


def model_tab(
    model_name: gr.State, draw: DrawTab, training: gr.State, choice: gr.Radio, language: gr.State, switch: gr.Radio
) -> None:
    """The chosen checkpoint: its facts and per-digit accuracy, confusion matrix and first-layer weights."""
    with gr.Tab(T("tab.model"), id="model") as tab:
        with gr.Row(equal_height=False):
            with gr.Column():
                facts_view = gr.Markdown(elem_id="model-facts")
                per_class_view = gr.Markdown()
            confusion_view = gr.Image(label=T("model.confusion"), format="png", interactive=False, height=520)
        weights_caption = gr.Markdown()
        weights_view = gr.Image(label=T("model.weights"), format="png", interactive=False)
    views = [facts_view, per_class_view, confusion_view, weights_view, weights_caption]
    # Filled when opened, not at start: the weights picture goes through torchvision's make_grid.
    tab.select(shown_model, [model_name, language], views, api_visibility="private")
    # The switch rewrites the tab in the new language, once it has been filled.
    switch.change(model_in_language, [model_name, switch, facts_view], views, api_visibility="private",
                  show_progress="hidden")
    choice.change(use_model, [choice, training, language], [model_name, *views], api_visibility="private").then(
        classify_sketch, [draw.sketchpad, model_name, language], draw.outputs, show_progress="hidden",
        api_visibility="private",
    )


def shown_model(model: str, language: str | None = None, request: gr.Request = None) -> tuple:
    """The Model tab's contents for this visitor's model, in their language."""
    return model_view(model, visitor_language(language, request))


def model_in_language(model: str | Classifier, language: str, facts_shown: str | None) -> tuple:
    """The Model tab in the switch's language; left as it is (empty) if it was never opened."""
    if not facts_shown:
        return tuple(gr.skip() for _ in range(5))
    return model_view(model, language)


def language_switch() -> gr.Radio:
    """English or 中文, above the tabs: the page's words (Gradio's, in the browser) and the server's answers."""
    return gr.Radio(
        [(name, code) for code, name in LANGUAGE_NAMES.items()], value=LANGUAGES[0], label=T("language"),
        elem_id="language", container=False,
    )


def page_language(request: gr.Request = None) -> str:
    """The language a new page starts in: the best match for the browser's Accept-Language."""
    return visitor_language(None, request)


def switch_language(
    language: str, sketch: dict | None, model_name: str | Classifier, collection: Collection | None,
    training: TrainSession | None,
) -> tuple:
    """The switch changed: remember the choice and rewrite what the server wrote on the Draw tab in the new language.

    The other tabs rewrite theirs on the same change (gallery_in_language, model_in_language, and the Train
    tab's training_in_language)."""
    return (
        language, *classify_sketch(sketch, model_name, language), collection_text(collection, language),
        gr.Radio(choices=model_choices(training, language)),
        # Gradio 6.31 re-translates a tab's name only once it is selected: the server names them all.
        *(gr.Tab(label=say(language, f"tab.{name}")) for name in TAB_NAMES),
    )


# Gradio's own language (its static strings) follows the switch: demo/page/follow_language.js.
SET_LOCALE_JS = "(language) => { window.mnistSetLanguage?.(language); return language; }"


def follow_language(
    demo: gr.Blocks, switch: gr.Radio, language: gr.State, draw: DrawTab, model_name: gr.State, training: gr.State,
    choice: gr.Radio, tabs: gr.Tabs,
) -> None:
    """The page opens in the browser's language; the switch changes it, in the browser and in the server's words."""
    demo.load(page_language, None, switch, api_visibility="private", show_progress="hidden")
    switch.change(None, switch, None, js=SET_LOCALE_JS, api_visibility="private", show_progress="hidden")
    switch.change(
        switch_language, [switch, draw.sketchpad, model_name, draw.collection, training],
        [language, *draw.outputs, draw.counts, choice, *tabs.children], api_visibility="private", show_progress="hidden",
    )


def build_demo() -> gr.Blocks:
    """The whole app, queue configured, ready to launch with LAUNCH_OPTIONS."""
    with gr.Blocks(title="Draw a digit — MNIST", delete_cache=CACHE_SWEEP) as demo:
        model_name = gr.State(DEFAULT_MODEL)  # per visitor: the picker's choice reads their drawings
        training = gr.State(TrainSession, delete_callback=end_session)  # per visitor: their run and trained model
        language = gr.State(None)  # per visitor: the switch's choice; None until then (the browser's language)
        with gr.Row(equal_height=False):
            gr.Markdown(T("intro"), elem_id="intro")
            switch = language_switch()
        choice = model_picker()
        with gr.Tabs() as tabs:
            draw = draw_tab(model_name, training, choice, language)
            gallery_tab(model_name, language, switch)
            model_tab(model_name, draw, training, choice, language, switch)
            train_tab(model_name, training, choice, tabs, language, switch)
        follow_language(demo, switch, language, draw, model_name, training, choice, tabs)
    look_after(demo)  # its idle sessions end, the app's files and cut-off uploads are swept
    return guard_queue(demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=OTHER_CONCURRENCY))
