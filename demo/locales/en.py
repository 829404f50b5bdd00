"""Every string the page shows, in English. Keys are shared with every other language (demo/locales/zh_cn.py).

Placeholders are str.format fields; a key ending in .<variant> is a special form of the key before it
(demo.i18n.say). A string with Markdown stays Markdown in every language.
"""

STRINGS: dict[str, str] = {
    # --- The page -----------------------------------------------------------------------------------
    "intro": (
        "# ✍️ Draw a digit, watch a neural network read it\n"
        "A fully connected network trained in PyTorch on MNIST and on pen digits from other writers, so it "
        "reads a flagged 1, a crossed 7 or a one-stroke 4 too, and on letters and doodles, so it can say when "
        "a drawing is not a digit. Draw below (no mouse or touch screen? upload a picture of a digit under the "
        "drawing area); browse the data it learned from in **Gallery**; see what it is and what it looks for "
        "in **Model**; train your own in **Train**."
    ),
    "language": "Language · 语言",
    "model_picker": "Model that reads your drawings (in this browser tab; train your own in Train)",
    "model_picker_short": "Model",  # the picker's label on a phone, where the long one has no room
    "tab.draw": "Draw",
    "tab.gallery": "Gallery",
    "tab.model": "Model",
    "tab.train": "Train",
    # --- Draw tab -----------------------------------------------------------------------------------
    "draw.sketchpad": "Draw a digit or a number",
    "draw.clear": "Clear",
    "draw.answer": "Answer",
    "draw.top3": "Top 3",
    "draw.seen": "What the network sees (1×28×28, enlarged) and why it answered",
    "draw.examples": "Or start from a drawing (pen-written digits from UNIPEN, CC BY 4.0)",
    "draw.example_name": "Example drawing: a handwritten {digit}",
    "draw.upload_box": "…or upload a photo or image of a digit",
    "draw.upload": "Photo of one digit",
    "draw.prompt": "✏️ Draw a digit (0–9) or a number in the box — the network reads it as you draw.",
    "draw.no_digit_in_upload": (
        "⚠️ No digit found in the uploaded image: it is blank or of one colour. Upload a photo of one dark "
        "digit on a light background (or light on dark)."
    ),
    "draw.seen_alt": "the 1×28×28 input the network reads, and beside it why it answered",
    "draw.from_upload": "*Read from your uploaded image, not from the canvas.*",
    "a_digit": "a {digit}",
    "a_digit.8": "an {digit}",
    "article": "a",
    "article.8": "an",
    "not_a_digit": "not a digit",
    "verdict.digit": "### It's {article} **{digit}** ({p:.0%} sure)",
    "verdict.unsure": "### 🤔 Not sure — is it {first} or {second}?",
    "verdict.unsure_maybe_not": "### 🤔 Not sure — maybe that isn't a digit; if it is, {first} or {second}?",
    "verdict.not_digit": "### 🙃 That doesn't look like a digit ({p:.0%} sure)",
    "verdict.nearest": "<small>The nearest digits: {first} ({p_first:.0%}), {second} ({p_second:.0%}).</small>",
    "verdict.number": "### It's **{number}**",
    "verdict.number_unsure": "### 🤔 Maybe **{number}**: not sure of the digits marked ?",
    "draw.number_explained": (
        "Read digit by digit: the network sees **{count}** inputs of 1×28×28, one per digit (below, each boxed), "
        "and under each, why: pixels that pushed it towards its answer in red, towards the runner-up in blue "
        "({method}); under that, its top 3."
    ),
    "draw.digit_alt": "the 1×28×28 input of the digit read as {text}, and under it why",
    "draw.explained": (
        "The network sees a **{shape}** tensor (below left, enlarged). Right, why: pixels that pushed it towards "
        "**{toward}** in red, towards **{against}** in blue ({method})."
    ),
    "method.linear": "its weights × your ink (exact for one layer)",
    "method.gradient": "gradient × input",
    "warning": "⚠️ {text}",
    # Errors of the core that name no reason: one sentence each, by the error's class, around the core's own
    # message (English) where the sentence says less than it.
    "error.ImageError": "{detail}",
    "error.CheckpointError": "{detail}",
    "error.DataUnavailableError": "{detail}",
    "error.MnistCoreError": "{detail}",
    "error.ValueError": "{detail}",
    # The queue's refusals (demo/page/guards.py): a page that asks for more than its share at once.
    "refusal.busy": "The server is busy with other requests: please try again in a moment.",
    "refusal.too_fast": "Too many requests from your address at once: please try again in a few seconds.",
    # Core errors that name their reason (mnist_core.errors, `reason=`): a sentence of their own each.
    "error.image_too_large": "The image is too large to read: at most {megapixels} million pixels.",
    "error.image_missing": "The file did not arrive; upload it again.",
    "error.not_an_image": "The file is not an image that can be read; upload a PNG or JPEG of one digit.",
    "error.checkpoint_missing": "The model's file {name} is missing on the server; choose another model.",
    "error.checkpoint_lfs_pointer": (
        "The model's file {name} on the server is a Git LFS pointer, not its weights; choose another model."
    ),
    "error.checkpoint_broken": (
        "The model's file {name} on the server is truncated, corrupted or not a checkpoint of it; choose another model."
    ),
    "error.no_such_model": "There is no model called {name}; choose one of {choices}.",
    "error.mnist_unavailable": "MNIST is not on this server and could not be downloaded.",
    "error.data_unavailable": "{what} is not on this server.",
    "error.bad_label": "That label is neither a digit 0-9 nor “not a digit”.",
    "error.collection_full": "Your collection is full ({most} drawings): download it and clear it to go on.",
    "error.no_drawings": "There are no drawings to learn from: draw a digit and say which it was.",
    "error.no_not_digit_output": (
        "This model has no “not a digit” answer to learn; choose the default model to teach it that."
    ),
    # --- "It was a …" and fine-tuning -----------------------------------------------------------------
    "teach.it_was": "**It was a …** (tell it what you drew; your drawings stay in this browser tab)",
    "teach.digit_button": "It was {a_digit}",
    "teach.not_digit_button": "It was not a digit",
    "teach.none": "**Your drawings: none yet.** Draw a digit, then press the digit it was (up to {most}).",
    "teach.count": "**Your drawings: {count}** ({counts})",
    "teach.draw_first": "⚠️ Draw a digit first, then say which it was.",
    "teach.kept": "✅ Kept as {a_label}.",
    "teach.kept_digit": "a **{label}**",
    "teach.kept_not_digit": "**not a digit**",
    "teach.accordion": "Teach it your handwriting",
    "teach.fine_tune": "Fine-tune on my drawings",
    "teach.download": "Download my drawings",
    "teach.forget": "Clear my drawings",
    "teach.about": (
        "A copy of the model you draw with learns your labelled drawings (every 5th of each digit held out to "
        "measure it), with MNIST replayed so it does not forget it: about {seconds} s on the server's CPU."
    ),
    "teach.too_few": "⚠️ Label at least {least} drawings first (you have {count}).",
    "teach.busy": "⚠️ A training run of yours is going, or the queue is full; try again when it ends.",
    "teach.waiting": "⏳ **Training queue: {ahead} ahead of you** ({wait}).",
    "teach.running": "Fine-tuning on your drawings (about {seconds} s)…",
    "teach.held_out": "| your {count} held-out drawings (not trained on) | {before} | **{after}** |",
    "teach.no_held_out": "| your held-out drawings | – | – (label 5 of a digit to hold one out) |",
    "teach.report": (
        "✅ **Fine-tuned on {count} of your drawings in {seconds:.1f} s.** It is now your model in the picker; "
        "draw again to try it.\n\n| read right | before | after |\n| --- | --- | --- |\n{mine}\n"
        "| MNIST test (10,000) | {mnist_before:.2%} | **{mnist_after:.2%}** |"
    ),
    # --- Gallery tab ----------------------------------------------------------------------------------
    "gallery.intro": (
        "A batch of MNIST exactly as the tutorial makes it: `MNIST(transform=ToTensor())` → `DataLoader` → "
        "`make_grid(images)` → `.permute(1, 2, 0)` for display. The model's answer is beside each label. "
        "Switch the source to see pen-written digits from other writers, drawn as the sketchpad draws strokes."
    ),
    "gallery.split": "Split",
    "split.train": "train",
    "split.test": "test",
    "gallery.batch_size": "Batch size",
    "gallery.nrow": "Images per row (nrow)",
    "gallery.padding": "Padding (px)",
    "gallery.seed": "Seed",
    "gallery.shuffle": "Shuffle",
    "gallery.digit": "Only this digit",
    "gallery.all_digits": "all",
    "gallery.mistakes": "Only the model's mistakes (always from the test split)",
    "gallery.source": "Source",
    "source.mnist": "MNIST",
    "source.pendigits": "Pen digits (pendigits: 44 writers in Istanbul, drawn as on the sketchpad)",
    "source.nondigits": "Not digits (pen letters and symbols, other alphabets, doodles: what the network learns to refuse)",
    "source_short.mnist": "MNIST",
    "source_short.pendigits": "Pen digits",
    "source_short.nondigits": "Not digits",
    "gallery.show": "Show batch",
    "gallery.next": "Next batch →",
    "gallery.status_label": "Batch",
    "gallery.grid": "make_grid(images)",
    "gallery.labels": "Labels in grid order",
    "gallery.how_to_provide": (
        "The gallery needs the four MNIST files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, "
        "`t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`): put them in `data/MNIST/raw/` or in a folder "
        "named by the `MNIST_DATA_DIR` environment variable, then restart the app. Drawing works without them."
    ),
    "gallery.works_without": "Drawing works without it.",
    "gallery.unavailable": "⚠️ {how}\n\n({detail})",
    "gallery.chosen": "{source}, {split} split, {digits}",
    "gallery.all": "all digits",
    "gallery.one_digit": "digit {digit}",
    "gallery.only_mistakes": ", only the mistakes of the {model}",
    "gallery.shuffled": "shuffled with seed {seed}",
    "gallery.in_order": "in data set order",
    "gallery.status": (
        "{chosen}: {pool:,} images, {order}. Batch **{number} of {count}**: {size} images through "
        "`make_grid(images, nrow={nrow}, padding={padding}, pad_value=0.5)`; the model misreads **{wrong}** of them."
    ),
    "gallery.cell_title": "label {label}, model {answer}",
    "gallery.legend": (
        'Labels in grid order (✗: not a digit); <span style="color:#b00020"><b>label</b>→answer</span> marks a '
        "mistake (framed red in the grid)."
    ),
    "gallery.bad_choice": "⚠️ Choose a source from {sources}, a split from {splits} and a digit from 0–9 or “all”.",
    "gallery.none_match": "No image matches these filters.",
    # --- Model tab and the model picker ---------------------------------------------------------------
    "model.confusion": "Confusion matrix on the MNIST test set (rows: the true digit; columns: the model's answer)",
    "model.weights": "First-layer weights",
    "model.mnist_only": "MNIST only",
    "model.pen": "MNIST + pen digits",
    "model.pen_not_digits": "MNIST + pen digits + not-digits",
    "model.title": "{description} · {data}",
    "model.unloadable": "{name} (cannot be loaded)",
    "model.yours": "Yours: {title}, {how} ({accuracy:.1%})",
    "model.fine_tuned_on": "fine-tuned on {count} of your drawings",
    "model.trained_here": "trained here",
    "arch.linear": "Single layer (the tutorial's)",
    "arch.mlp": "MLP",
    "arch.ensemble": "Ensemble",
    "layers.linear": "one `nn.Linear(784, 10)`: pixels straight to digit scores",
    "layers.mlp": "`Linear → ReLU → Dropout({dropout})` per hidden layer",
    "layers.ensemble": "MLPs trained alone with different seeds; the answer is the mean of their probabilities",
    "facts.checkpoint": "- **Checkpoint:** `checkpoints/{file}` (a Hub model folder)",
    "facts.own_checkpoint": "- **Checkpoint:** yours, trained in the Train tab, kept for this browser tab only (download it there)",
    "facts.layers": "- **Layers:** {sizes} — {how}",
    "facts.parameters": "- **Parameters:** {count:,}",
    "facts.accuracy": "- **MNIST test accuracy:** {accuracy:.2%} (10,000 images it never trained on)",
    "facts.no_accuracy": "- **MNIST test accuracy:** not recorded",
    "facts.trained_on": "- **Trained on:** {data}",
    "facts.not_digit_yes": "- **Not a digit:** it can answer “that doesn't look like a digit” (an 11th output)",
    "facts.not_digit_no": "- **Not a digit:** it has no way to say so: every drawing gets one of the ten digits",
    "facts.training": "- **Training:** {summary}{members}",
    "facts.all_members": " (all members)",
    "facts.not_recorded": "not recorded",
    "facts.commands": "- **Commands, in order:** {commands}",
    "facts.command": "- **Command:** {commands}",
    "facts.member": "- **Member {number}:** {accuracy:.2%} alone; {summary}; `{command}`",
    "facts.created": "- **Created:** {created} with torch {torch}",
    "summary.fine_tuned_from": "fine-tuned from {start}",
    "summary.epochs": "{epochs} epochs",
    "summary.batch": "batch {size}",
    "summary.lr": "{optimizer} lr {lr}",
    "summary.weight_decay": "weight decay {value}",
    "summary.label_smoothing": "label smoothing {value}",
    "summary.with_augmentation": "with augmentation",
    "summary.without_augmentation": "without augmentation",
    "summary.strength": "at {strength}× strength",
    "summary.seed": "seed {seed}",
    "summary.time": "{seconds:.0f} s on {device}",
    "summary.separator": ", ",
    "data.separator": " + ",
    "data.mnist": "MNIST's 60,000 training digits",
    "data.pendigits": (
        "pendigits' 30 training writers from Istanbul (7,494 pen digits, each drawn {copies}× with random brushes, "
        "as on the sketchpad)"
    ),
    "data.styles": (
        "{samples} synthesised samples of each of the world's styles that both lack (flagged 1, crossed 7, "
        "slashed 0, open 4, looped 2, straight-stemmed 9)"
    ),
    "data.letters": (
        "as “not a digit”: pen-written letters and symbols (pen-letters' training writers; those written like a "
        "digit left out)"
    ),
    "data.omniglot": "characters of eight alphabets drawn with a mouse (Omniglot)",
    "data.doodles": "{samples} synthesised doodles of each of {kinds} kinds (smileys, stars, hearts, spirals, scribbles…)",
    "per_class.none": "Per-digit accuracy was not recorded in this checkpoint.",
    "per_class.header": "| digit | test accuracy | misread |",
    "weights.first_member": "the first member's first layer",
    "weights.first_layer": "the first layer",
    "weights.caption": (
        "The weights of {layer}, one 28×28 picture per unit ({shown} of {total} shown), through `make_grid`: "
        "red pixels push the unit up, blue pull it down."
    ),
    "weights.templates": " For the single-layer model these are the ten digit templates, 0 to 9.",
    # --- Train tab ------------------------------------------------------------------------------------
    "train.intro": (
        "Train your own fully connected network on MNIST's 60,000 training digits, here on the server's CPU, "
        "with the same loop as the shipped models. Watch the loss fall and the test accuracy rise, then draw "
        "with it. Runs are capped at {epochs} epochs and {seconds} s; one runs at a time."
    ),
    "train.model": "Model",
    "train.hidden": "MLP hidden layer sizes",
    "train.hidden_info": "e.g. 256 or 512, 256 (up to {layers} layers of up to {width} units)",
    "train.optimizer": "Optimiser",
    "optimizer.adam": "Adam (the tutorial's)",
    "optimizer.adamw": "AdamW",
    "optimizer.sgd": "SGD with momentum",
    "train.lr": "Learning rate (peak of a one-cycle schedule)",
    "train.batch_size": "Batch size",
    "train.epochs": "Epochs",
    "train.augment": "Augment (random shifts, rotations, scaling; slower)",
    "train.seed": "Seed",
    "train.start": "Start training",
    "train.stop": "Stop",
    "train.ready": "Choose the settings and press **Start training**.",
    "train.loss_title": "Training loss",
    "train.accuracy_title": "Test accuracy",
    "train.epoch_axis": "epoch",
    "train.digits": "Ten test digits and the model's current answer",
    "train.download": "Download your checkpoint ({suffix})",
    "train.draw": "✏️ Draw with your model",
    "train.already": "⚠️ You already have a training run going: one run at a time per visitor. Stop it first.",
    "train.queue_full": "The training queue is full; try again in a minute.",
    "train.per_visitor": "{count} runs from your address are already queued or training; try again when one ends.",
    "train.stopped_before": "Stopped before it started.",
    "train.waiting": (
        "⏳ **Training queue: {ahead} ahead of you** ({wait}). Your run starts when a slot frees "
        "(≤ {seconds} s per run)."
    ),
    "train.starting": "Starting…",
    "train.failed": "⚠️ Training failed: {why}",
    "train.no_model": "no model came out",
    "train.nothing": "Nothing is training.",
    "train.stopping": "⏹️ Stopping after this step…",
    "train.stopped_by_you": "you (Stop)",
    "train.stopped_by_limit": "the {seconds} s limit",
    "train.progress": (
        "**Training:** epoch {epoch}/{epochs} · step {step:,}/{total:,} ({share:.0%}) · {seconds:.1f} s{accuracy}"
    ),
    "train.progress_accuracy": " · test accuracy {accuracy:.1%}",
    "train.done": "done",
    "train.stopped": "stopped by {who}",
    "train.summary": (
        "### ✅ {how}: {accuracy:.2%} on the 10,000 MNIST test images\n"
        "{title}, {epochs} epoch(s) in {seconds:.1f} s. Your model is now in the model list at the top of the page "
        "(for this browser tab only): press **Draw with your model** to try it, or download its checkpoint (a zip of its "
        "folder: unzip it and load the folder with `mnist_core.predict.Classifier.load`)."
    ),
    "train.test_digit_alt": "test digit {label}",
    "train.live_series": "{count:,} test images, live",
    "train.all_series": "all {count:,} test images",
    "wait.under_a_minute": "under a minute",
    "wait.minutes": "about {minutes} minutes",
    "wait.minutes.1": "about 1 minute",
    # Settings the Train tab refuses, one sentence each.
    "settings.hidden_numbers": "Hidden sizes must be whole numbers separated by commas, like 512, 256 (not {text}).",
    "settings.hidden_bounds": "Choose 1 to {layers} hidden layers of 1 to {width} units each, like 256 or 512, 256.",
    "settings.number": "The {what} must be a number.",
    "settings.finite": "The {what} must be a finite number.",
    "settings.whole": "The {what} must be a whole number.",
    "settings.model": "Choose the single-layer model or an MLP.",
    "settings.optimizer": "Choose Adam, AdamW or SGD.",
    "settings.lr": "Choose a learning rate between 0.00001 and 1.",
    "settings.batch_size": "Choose a batch size from {sizes}.",
    "settings.epochs": "Choose 1 to {most} epochs.",
    "what.lr": "learning rate",
    "what.batch_size": "batch size",
    "what.epochs": "number of epochs",
    "what.seed": "seed",
}

# Gradio 6.31's own English words for the image editor's toolbar, under its keys, as Gradio has them: the page
# renames the toolbar's buttons from one language's words to another's (demo/page/name_toolbar.js), since the
# editor names them only once, when it is first drawn. Also one word no Gradio locale has, which its status
# tracker shows as the bare key ("common.complete") when an event ends.
GRADIO_WORDS: dict[str, str] = {
    "image_editor.brush": "Brush",
    "image_editor.brush_size": "Brush Size",
    "image_editor.erase": "Erase",
    "image_editor.eraser_size": "Eraser Size",
    "image_editor.clear_canvas": "Clear canvas",
    "image_editor.color": "Color",
    "image_editor.pan": "Pan",
    "image_editor.zoom_in": "Zoom in",
    "image_editor.zoom_out": "Zoom out",
    "image_editor.fit_to_screen": "Fit to screen",
    "image_editor.redo": "Redo",
    "image_editor.select_draw_tool": "select the draw tool to start",
    "image_editor.layer": "Layer",
    "image_editor.layers": "Layers",
    "image_editor.show_layers": "Show Layers",
    "image_editor.add_layer": "Add Layer",
    "image_editor.crop": "Crop",
    "image_editor.confirm_crop": "Confirm crop",
    "image_editor.resize": "Resize",
    "image_editor.save_changes": "Save changes",
    "image_editor.upload": "Upload",
    "image_editor.upload_image": "Upload an image",
    "image_editor.paste": "Paste",
    "image_editor.webcam": "Webcam",
    "common.undo": "Undo",
    "common.complete": "Done",  # what the status tracker announces as an event ends (Gradio has no word for it)
}
