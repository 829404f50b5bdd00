"""The page: a model picker above the Draw, Gallery, Model and Train tabs, each wired to its callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from demo.draw import PROMPT, classify_sketch, classify_upload
from demo.gallery import DIGIT_CHOICES, MAX_BATCH, MAX_NROW, MAX_PADDING, SOURCES, SPLITS, gallery_batch, next_batch
from demo.guards import guard_queue, guard_sketchpad
from demo.janitor import look_after
from demo.model_info import model_view
from demo.models import DEFAULT_MODEL, model_names, model_title
from demo.teach import teach_panel
from demo.training.session import TrainSession, end_session, own_model
from demo.training.tab import train_tab

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE / "examples"
# The page's own scripts, run once on load: the brush always ready; the editor's render loop rested after
# each stroke; each unchanged drawing read back from the canvas and uploaded once.
PAGE_SCRIPTS = ("ready_to_draw.js", "rest_after_stroke.js", "export_once.js", "upload_once.js")


def page_js(scripts: tuple[str, ...] = PAGE_SCRIPTS) -> str:
    """One function for launch(js=...) that runs each of the page's scripts (files in demo/) in turn."""
    return "() => {" + "".join(f" ({(HERE / name).read_text()})();" for name in scripts) + " }"


PAGE_JS = page_js()
CLEAR_JS = "() => { const buttons = document.querySelectorAll('#sketchpad .top-panel button'); buttons[buttons.length - 1].click(); }"

# A canvas near its on-screen size: the browser re-encodes it as PNG after every stroke, so a smaller
# canvas answers sooner. Brush width (2 x radius) 1/16 of the side, as Gradio's own default brush on
# its 800 px canvas: on the drawn-digit set, thickened to 6-8% of the side, both models read more
# digits right than at 4% (MLP 92-93% vs 91%, single layer 85-86% vs 82.5%; 10% and more is worse).
CANVAS = 512
BRUSH_RADIUS = 16
INK = "#000000"

# The forward pass takes well under a millisecond, so many drawings may run at once; the queue bounds
# what waits, and visitors beyond it are told to retry instead of hanging.
PREDICT_CONCURRENCY = 16
OTHER_CONCURRENCY = 4  # gallery batches (up to 256 images each) and model views
QUEUE_SIZE = 256
# Sessions held at once (each API call opens one, ~150 KB): Gradio evicts the least recently used beyond this.
SESSION_CAPACITY = 3000
# Gradio's cache (uploads, and the copies of what visitors download): every 5 minutes, files older than 15 go.
CACHE_SWEEP = (300, 900)
# On a phone (narrow screens only; wider ones keep the desktop layout) the Draw tab is made to fit one
# screen of a 390 x 844 phone: the sketchpad spans the screen, the answer shows below it and Clear without
# scrolling, and Clear sits in the lower half, within thumb reach. The title drops its intro (the tabs say
# the same), the model picker becomes one row of chips that scrolls sideways, the sketchpad's tools lie
# in a row along its top edge (upright, they would cover the left of the drawing area) and the answer
# keeps only its verdict line; the ten "It was a …" digits share one row. The editor fits the 512 px
# canvas into its block less 30 px each side: a 390 px wide block shows it at 64% (328 px), and 390 px
# of height is what that needs.
PHONE_CSS = (HERE / "phone.css").read_text()
LAUNCH_OPTIONS = {
    "max_file_size": "10mb",  # a phone photo fits; larger uploads are refused before they reach the app
    "allowed_paths": [str(EXAMPLES_DIR)],
    "state_session_capacity": SESSION_CAPACITY,  # the example drawings are the only files the app serves itself
    "js": PAGE_JS,
    # In <head> as it is: Gradio scopes launch(css=...) to the blocks, and the page's own margins lie outside them.
    "head": f"<style>{PHONE_CSS}</style>",
}


@dataclass
class DrawTab:
    """The Draw tab's components that other tabs re-run predictions with."""

    sketchpad: gr.Sketchpad
    outputs: list[gr.components.Component]


def digit_sketchpad() -> gr.Sketchpad:
    """A square canvas with one black brush and an eraser: no layers, colours or transforms to get lost in."""
    pad = gr.Sketchpad(
        label="Draw one digit",
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


def draw_tab(model_name: gr.State, training: gr.State, choice: gr.Radio) -> DrawTab:
    """Sketchpad and clear beside the answer, what the network sees and "It was a …"; examples and upload below."""
    # On a phone the columns stack: canvas, then the answer, then the rest, so the answer stays in reach.
    with gr.Tab("Draw", id="draw"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                sketchpad = digit_sketchpad()
                clear = gr.Button("Clear", variant="secondary", elem_id="clear")
            with gr.Column(scale=2):
                answer = gr.Markdown(PROMPT, label="Answer", min_height=80, elem_id="answer")
                top3 = gr.Label(label="Top 3", num_top_classes=3, show_heading=False)
                seen = gr.HTML(
                    label="What the network sees (1×28×28, enlarged) and why it answered",
                    show_label=True,
                    container=True,
                    elem_id="seen",
                    min_height=290,
                    # Every one of the 784 pixels as a crisp square, however large the page shows it.
                    css_template="img.seen { image-rendering: pixelated; width: 100%; max-width: 570px; display: block; }",
                )
                teach_panel(sketchpad, training, model_name, choice)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                examples = gr.Examples(
                    examples=[str(path) for path in sorted(EXAMPLES_DIR.glob("*.png"))],
                    inputs=sketchpad,
                    label="Or start from a drawing (pen-written digits from UNIPEN, CC BY 4.0)",
                )
            with gr.Column(scale=2), gr.Accordion("…or upload a photo or image of a digit", open=False):
                # gr.File, not gr.Image: gr.Image opens the file with PIL before the callback, so a file that is
                # not an image would end in Gradio's bare "Error"; here the core reads it and says what is wrong.
                upload = gr.File(label="Photo of one digit", file_types=["image"], type="filepath", height=120)
    outputs = [top3, answer, seen]
    predict = dict(show_progress="hidden", concurrency_limit=PREDICT_CONCURRENCY, concurrency_id="predict")
    sketchpad.change(classify_sketch, [sketchpad, model_name], outputs, api_name="predict", **predict)
    upload.change(classify_upload, [upload, model_name], outputs, api_name="predict_image", **predict)
    # A loaded example becomes the canvas background, which fires no change event: read it explicitly.
    examples.load_input_event.then(classify_sketch, [sketchpad, model_name], outputs, api_visibility="private", **predict)
    # Clear through the editor's own clear button (the last of its top panel, whatever the page's language):
    # setting the value to None instead can leave its loading spinner over the canvas for good.
    clear.click(None, js=CLEAR_JS, show_progress="hidden")
    return DrawTab(sketchpad, outputs)


def gallery_tab(model_name: gr.State) -> None:
    """Data-loader controls on the left, the make_grid picture and its labels on the right."""
    with gr.Tab("Gallery", id="gallery") as tab:
        gr.Markdown(
            "A batch of MNIST exactly as the tutorial makes it: `MNIST(transform=ToTensor())` → `DataLoader` → "
            "`make_grid(images)` → `.permute(1, 2, 0)` for display. The model's answer is beside each label. "
            "Switch the source to see pen-written digits from other writers, drawn as the sketchpad draws strokes."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=240):
                split = gr.Radio(list(SPLITS), value="train", label="Split")
                batch_size = gr.Slider(1, MAX_BATCH, value=64, step=1, label="Batch size")
                nrow = gr.Slider(1, MAX_NROW, value=8, step=1, label="Images per row (nrow)")
                padding = gr.Slider(0, MAX_PADDING, value=2, step=1, label="Padding (px)")
                seed = gr.Number(0, label="Seed", precision=0, minimum=0)
                shuffle = gr.Checkbox(True, label="Shuffle")
                digit = gr.Dropdown(DIGIT_CHOICES, value="all", label="Only this digit")
                mistakes = gr.Checkbox(False, label="Only the model's mistakes (always from the test split)")
                source = gr.Radio([(title, name) for name, title in SOURCES.items()], value="mnist", label="Source")
                with gr.Row():
                    show = gr.Button("Show batch", variant="primary")
                    more = gr.Button("Next batch →")
            with gr.Column(scale=3):
                status = gr.Markdown(label="Batch", elem_id="gallery-status")
                grid = gr.Image(label="make_grid(images)", format="png", interactive=False, buttons=["download", "fullscreen"])
                labels = gr.HTML(label="Labels in grid order")
        number = gr.State(0)  # the batch shown; inside the tab, as anything placed in gr.Tabs becomes a tab
    settings = [split, batch_size, nrow, padding, seed, shuffle, digit, mistakes, source, model_name]
    outputs = [grid, labels, status, number]
    options = dict(concurrency_limit=OTHER_CONCURRENCY, concurrency_id="gallery")
    show.click(gallery_batch, settings, outputs, api_name="gallery", **options)
    more.click(next_batch, [*settings, number], outputs, api_name="gallery_next", **options)
    gr.on(
        [control.change for control in settings[:-1]],
        gallery_batch,
        settings,
        outputs,
        trigger_mode="always_last",
        api_visibility="private",
        **options,
    )
    # Opening the tab shows the current batch, so nobody meets an empty page.
    tab.select(gallery_batch, [*settings, number], outputs, api_visibility="private", **options)


def use_model(name: str, training: TrainSession | None = None) -> tuple:
    """Switch this visitor's model (a shipped name, or their own trained model) and the Model tab's contents."""
    model = own_model(name, training)
    return (model, *model_view(model))


def model_picker() -> gr.Radio:
    """The visitor's model, above the tabs: it reads their drawings, labels the gallery and fills the Model tab."""
    return gr.Radio(
        [(model_title(name), name) for name in model_names()],
        value=DEFAULT_MODEL,
        label="Model that reads your drawings (in this browser tab; train your own in Train)",
        elem_id="model-choice",
    )


def model_tab(model_name: gr.State, draw: DrawTab, training: gr.State, choice: gr.Radio) -> None:
    """The chosen checkpoint: its facts and per-digit accuracy, confusion matrix and first-layer weights."""
    with gr.Tab("Model", id="model") as tab:
        with gr.Row(equal_height=False):
            with gr.Column():
                facts_view = gr.Markdown(elem_id="model-facts")
                per_class_view = gr.Markdown()
            confusion_view = gr.Image(
                label="Confusion matrix on the MNIST test set", format="png", interactive=False, height=520
            )
        weights_caption = gr.Markdown()
        weights_view = gr.Image(label="First-layer weights", format="png", interactive=False)
    views = [facts_view, per_class_view, confusion_view, weights_view, weights_caption]
    # Filled when opened, not at start: the weights picture goes through torchvision's make_grid.
    tab.select(model_view, model_name, views, api_visibility="private")
    choice.change(use_model, [choice, training], [model_name, *views], api_visibility="private").then(
        classify_sketch, [draw.sketchpad, model_name], draw.outputs, show_progress="hidden", api_visibility="private"
    )


def build_demo() -> gr.Blocks:
    """The whole app, queue configured, ready to launch with LAUNCH_OPTIONS."""
    with gr.Blocks(title="Draw a digit — MNIST", delete_cache=CACHE_SWEEP) as demo:
        model_name = gr.State(DEFAULT_MODEL)  # per visitor: the picker's choice reads their drawings
        training = gr.State(TrainSession, delete_callback=end_session)  # per visitor: their run and trained model
        gr.Markdown(
            "# ✍️ Draw a digit, watch a neural network read it\n"
            "A fully connected network trained in PyTorch on MNIST and on pen digits from other writers, so it "
            "reads a flagged 1, a crossed 7 or a one-stroke 4 too, and on letters and doodles, so it can say when "
            "a drawing is not a digit. Draw below; browse the data it learned "
            "from in **Gallery**; see what it is and what it looks for in **Model**; train your own in **Train**.",
            elem_id="intro",
        )
        choice = model_picker()
        with gr.Tabs() as tabs:
            draw = draw_tab(model_name, training, choice)
            gallery_tab(model_name)
            model_tab(model_name, draw, training, choice)
            train_tab(model_name, training, choice, tabs)
    look_after(demo)  # its idle sessions end, the app's files and cut-off uploads are swept
    return guard_queue(demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=OTHER_CONCURRENCY))
