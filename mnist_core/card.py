"""A checkpoint's model card (its folder's README.md), made from its config.json alone: the Hub's front matter with
a model-index of the measured results, then what the model is, how to load it and the commands that trained it.

The results are MNIST test accuracy as the command that made the checkpoint measured it on the 10,000 test
images (`evaluate` prints the same figure) and, where the metadata has them, "benchmarks": figures a benchmark printed, each with its command.
"""

from __future__ import annotations

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from mnist_core.model import ARCHITECTURES, HUB_METADATA, HUB_TAGS, NOT_DIGIT, describe, describe_layers, outputs
from mnist_core.sources import DATA_SOURCES

MNIST_ON_HUB = "ylecun/mnist"
HUB_DATASETS = [MNIST_ON_HUB]  # the training sets that are on the Hub
TASK = HUB_METADATA["pipeline_tag"]
RESULT_COMMAND = "command"  # a result's key besides EvalResult's own: what printed the figure
MNIST_TEST = {
    "dataset_type": MNIST_ON_HUB, "dataset_name": "MNIST test (10,000)", "dataset_split": "test",
    "metric_type": "accuracy", RESULT_COMMAND: "python -m mnist_core evaluate --checkpoint <this folder>",
}


def training_config(meta: dict) -> dict:
    """How a checkpoint was trained (an ensemble: its first member), or {} where that was not recorded."""
    return meta.get("train_config") or (meta.get("members") or [{}])[0].get("train_config") or {}


def commands(meta: dict) -> list[str]:
    """The commands that made the checkpoint, oldest first: its recipe, else its one command, else none."""
    return meta.get("recipe") or ([meta["command"]] if meta.get("command") else [])


def results(meta: dict) -> list[dict]:
    """The measured results as EvalResult's fields plus their command: MNIST test, then the benchmarks' figures."""
    mnist = [{**MNIST_TEST, "metric_value": round(meta["test_accuracy"], 4)}] if "test_accuracy" in meta else []
    return mnist + list(meta.get("benchmarks", []))


def card_data(name: str, meta: dict) -> ModelCardData:
    """The card's front matter: the Hub's metadata and the model-index of the results."""
    evaluations = [
        EvalResult(task_type=TASK, **{key: value for key, value in result.items() if key != RESULT_COMMAND})
        for result in results(meta)
    ]
    return ModelCardData(
        **HUB_METADATA, tags=list(HUB_TAGS), datasets=HUB_DATASETS, model_name=name, eval_results=evaluations or None,
    )


def _results_table(meta: dict) -> list[str]:
    """The results as a Markdown table with the command that measured each."""
    rows = [
        f"| {result['dataset_name']} | {result.get('metric_name', result['metric_type'])} | {result['metric_value']:.2%} "
        f"| `{result[RESULT_COMMAND]}` |"
        for result in results(meta)
    ]
    return ["| set | metric | value | measured by |", "| --- | --- | --- | --- |", *rows] if rows else ["Not measured."]


def _trained_on(meta: dict) -> str:
    """The training sources by name, e.g. 'MNIST, pen digits, synthesised styles'."""
    names = training_config(meta).get("data", ["mnist"])
    return ", ".join(DATA_SOURCES[name].title if name in DATA_SOURCES else name for name in names)


def _training(meta: dict) -> list[str]:
    """What it was trained on and by which commands, then what else the metadata records of its last run."""
    lines = commands(meta) + [member["command"] for member in meta.get("members", []) if member.get("command")]
    seed = training_config(meta).get("seed")
    facts = [
        f"{meta['epochs']} epochs" if "epochs" in meta else "",
        f"seed {seed}" if seed is not None else "",
        f"{meta['training_seconds']} s of training" if "training_seconds" in meta else "",
        f"torch {meta['torch_version']}" if "torch_version" in meta else "",
        f"created {meta['created']}" if "created" in meta else "",
        f"training data sha256 `{meta['train_data_sha256']}`" if "train_data_sha256" in meta else "",
    ]
    recorded = ", ".join(each for each in facts if each)
    by = "by (oldest first):" if len(lines) > 1 else "by:"
    made = [f"Trained on {_trained_on(meta)}, {by}", "", "```bash", *lines, "```"] if lines else [
        f"Trained on {_trained_on(meta)}."]
    return [*made, "", f"The last run: {recorded}."] if recorded else made


def card_text(name: str, config: dict, meta: dict) -> str:
    """The card's Markdown after its front matter."""
    architecture = ARCHITECTURES[config["name"]].build.__name__
    not_digit = f", output {NOT_DIGIT} \"not a digit\"" if outputs(config) > NOT_DIGIT else ""
    return "\n".join([
        f"# {name}",
        "",
        f"{describe(config)} ({describe_layers(config)}), a handwritten-digit reader trained in PyTorch by the MNIST "
        "drawing demo's `mnist_core`; this folder is its checkpoint, laid out as a Hub model repository.",
        "",
        "## Results",
        "",
        *_results_table(meta),
        "",
        "## Use",
        "",
        "With the demo's repository on the Python path:",
        "",
        "```python",
        "from mnist_core.checkpoint import load_checkpoint",
        "",
        f'model, meta = load_checkpoint("path/to/{name}")  # this folder; strict, and never unpickles',
        "```",
        "",
        f"or, through huggingface_hub's mixin, `mnist_core.model.{architecture}.from_pretrained(\"path/to/{name}\", "
        "strict=True)` (a folder, or the Hub repository it was uploaded to). Input: images (N, 1, 28, 28), pixels in "
        "[0, 1], white ink on black as in MNIST (normalised inside the model); `mnist_core.predict.Classifier` crops "
        f"and centres any drawing first, as the app does. Output: scores (N, {outputs(config)}) for the digits 0-9"
        f"{not_digit}.",
        "",
        "## Training",
        "",
        *_training(meta),
        "",
        "`config.json` holds the architecture (`name` and the options `mnist_core.model.build_model` takes) and, under "
        "`meta`, everything recorded of the training, per-digit test accuracy and confusion matrix included.",
        "",
    ])


def model_card(name: str, config: dict, meta: dict) -> ModelCard:
    """The model card of the checkpoint called `name` (its folder's name)."""
    return ModelCard(f"---\n{card_data(name, meta).to_yaml()}\n---\n\n{card_text(name, config, meta)}")
