"""Fully connected digit classifiers: the tutorial's single nn.Linear and a deeper MLP.

Each is a Hub model (huggingface_hub's PyTorchModelHubMixin): `MLP.from_pretrained(folder, strict=True)` loads a
checkpoint folder, or the Hub repository it was uploaded to, outside this project (mnist_core.checkpoint says
why the project's own loader does not go through it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

IMAGE_SIDE = 28  # MNIST's images, and every input the models read, are 1 x 28 x 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE
# MNIST's pixel mean and standard deviation after ToTensor (as in pytorch/examples/mnist).
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
DIGITS = 10  # outputs 0-9 score the digits; a model trained on non-digits has one more ...
NOT_DIGIT = 10  # ... output, this label: "that is not a digit" (see mnist_core.nondigits)
NOT_DIGIT_NAME = "not a digit"
# What the Hub shows of every model (the model card's front matter, mnist_core.card, reads them too).
HUB_METADATA = {"library_name": "pytorch", "license": "mit", "pipeline_tag": "image-classification"}
HUB_TAGS = ("mnist", "digit-recognition", "handwriting")


def label_name(label: int) -> str:
    """A label as people read it: '7', or 'not a digit'."""
    return NOT_DIGIT_NAME if label == NOT_DIGIT else str(label)


class Normalize(nn.Module):
    """Standardise [0, 1] pixels inside the model, so every caller feeds ToTensor-style input."""

    def __init__(self, mean: float = MNIST_MEAN, std: float = MNIST_STD):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.flatten(1) - self.mean) / self.std


class HubModel(nn.Module, PyTorchModelHubMixin, tags=list(HUB_TAGS), **HUB_METADATA):
    """An nn.Module with the Hub's save_pretrained, from_pretrained and push_to_hub; its __init__ options are its config."""


class LinearModel(HubModel):
    """The tutorial's model: one nn.Linear(784, 10) from pixels to the ten digit scores (11 with "not a digit")."""

    def __init__(self, classes: int = DIGITS):
        super().__init__()
        self.normalize = Normalize()
        self.linear = nn.Linear(PIXELS, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, classes) for images (N, 1, 28, 28) or (N, 784)."""
        return self.linear(self.normalize(x))


class MLP(HubModel):
    """A multi-layer perceptron: Linear → ReLU → Dropout for each hidden size, then Linear to the class logits."""

    def __init__(self, hidden: tuple[int, ...] = (1024, 1024), dropout: float = 0.2, classes: int = DIGITS):
        super().__init__()
        self.normalize = Normalize()
        layers: list[nn.Module] = []
        width = PIXELS
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, classes) for images (N, 1, 28, 28) or (N, 784)."""
        return self.layers(self.normalize(x))


class Ensemble(HubModel):
    """Several trained models voting: the mean of their probabilities, returned as log-probabilities."""

    def __init__(self, members: list[dict]):
        super().__init__()
        self.members = nn.ModuleList(build_model(**member) for member in members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """log(mean of the members' softmax), (N, classes): its softmax is the averaged probabilities."""
        log_probabilities = torch.stack([member(x).log_softmax(1) for member in self.members])
        return log_probabilities.logsumexp(0) - math.log(len(self.members))


@dataclass(frozen=True)
class Architecture:
    """One kind of model: its name for people, how its layers work, its builder, the training settings it is built
    from, and whether `train` makes it. Its key in ARCHITECTURES is the "name" every checkpoint's config stores."""

    title: str
    layers: str  # formatted with the config, e.g. its dropout
    build: type[HubModel]  # build(**config without "name"), e.g. MLP(hidden=[512], dropout=0.1, classes=11)
    options: tuple[str, ...] = ()  # the TrainConfig fields build() takes besides classes, stored in the config
    trainable: bool = True


# The one registry every model name resolves through: the CLI's choices, checkpoints, the picker, the Model tab,
# the Train tab. A new architecture is one entry here (the page names it by its title until demo/locales has
# "arch.<name>" and "layers.<name>" for it).
ARCHITECTURES = {
    "linear": Architecture("Single layer (the tutorial's)", "one `nn.Linear(784, 10)`: pixels straight to digit scores", LinearModel),
    "mlp": Architecture("MLP", "`Linear → ReLU → Dropout({dropout})` per hidden layer", MLP, options=("hidden", "dropout")),
    "ensemble": Architecture(
        "Ensemble", "MLPs trained alone with different seeds; the answer is the mean of their probabilities", Ensemble,
        trainable=False,
    ),
}
TRAINABLE = tuple(name for name, architecture in ARCHITECTURES.items() if architecture.trainable)


def architecture(name: str) -> Architecture:
    """The registered architecture called `name`, or a ValueError naming the known ones."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def build_model(name: str = "mlp", **options) -> nn.Module:
    """The model a config names, e.g. build_model("mlp", hidden=[512, 256], dropout=0.1)."""
    return architecture(name).build(**options)


def layer_sizes(config: dict) -> str:
    """A config's layer sizes, e.g. '784 → 512 → 256 → 10', or '3 × 784 → 1024 → 10' for an ensemble."""
    if "members" in config:  # an ensemble
        shapes = [layer_sizes(member) for member in config["members"]]
        return f"{len(shapes)} × {shapes[0]}" if len(set(shapes)) == 1 else " + ".join(shapes)
    return " → ".join(str(size) for size in [PIXELS, *config.get("hidden", []), outputs(config)])


def outputs(config: dict) -> int:
    """How many outputs a config's model has: 10 digits, or 11 when it can answer "not a digit"."""
    if "members" in config:  # an ensemble: its members' outputs
        return outputs(config["members"][0])
    return int(config.get("classes", DIGITS))


def knows_non_digits(config: dict) -> bool:
    """True when the config's model has the "not a digit" output."""
    return outputs(config) > NOT_DIGIT


def describe(config: dict) -> str:
    """A config in a few words, e.g. 'MLP 784 → 1024 → 1024 → 10'."""
    architecture = ARCHITECTURES.get(config.get("name"))
    return f"{architecture.title if architecture else config.get('name')} {layer_sizes(config)}"


def describe_layers(config: dict) -> str:
    """How a config's layers work, in one phrase ('' for a name the registry does not know)."""
    architecture = ARCHITECTURES.get(config.get("name"))
    return architecture.layers.format_map({"dropout": 0, **config}) if architecture else ""


def first_layer_weights(model: nn.Module) -> torch.Tensor:
    """The first nn.Linear's weights as images (units, 1, 28, 28), for looking at what it learned.

    For an ensemble these are its first member's."""
    first = next(module for module in model.modules() if isinstance(module, nn.Linear))
    return first.weight.detach().reshape(-1, 1, IMAGE_SIDE, IMAGE_SIDE)
