"""Fully connected digit classifiers: the tutorial's single nn.Linear and a deeper MLP."""

from __future__ import annotations

import math

import torch
from torch import nn

# MNIST's pixel mean and standard deviation after ToTensor (as in pytorch/examples/mnist).
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


class Normalize(nn.Module):
    """Standardise [0, 1] pixels inside the model, so every caller feeds ToTensor-style input."""

    def __init__(self, mean: float = MNIST_MEAN, std: float = MNIST_STD):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.flatten(1) - self.mean) / self.std


class MnistModel(nn.Module):
    """The tutorial's model: one nn.Linear(1*28*28, 10) from pixels to the ten digit scores."""

    def __init__(self):
        super().__init__()
        self.normalize = Normalize()
        self.linear = nn.Linear(1 * 28 * 28, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for images (N, 1, 28, 28) or (N, 784)."""
        return self.linear(self.normalize(x))


class MLP(nn.Module):
    """A multi-layer perceptron: Linear → ReLU → Dropout for each hidden size, then Linear to 10 logits."""

    def __init__(self, hidden: tuple[int, ...] = (1024, 1024), dropout: float = 0.2):
        super().__init__()
        self.normalize = Normalize()
        layers: list[nn.Module] = []
        width = 1 * 28 * 28
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 10))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for images (N, 1, 28, 28) or (N, 784)."""
        return self.layers(self.normalize(x))


class Ensemble(nn.Module):
    """Several trained models voting: the mean of their probabilities, returned as log-probabilities."""

    def __init__(self, members: list[dict]):
        super().__init__()
        self.members = nn.ModuleList(build_model(**member) for member in members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """log(mean of the members' softmax), (N, 10): its softmax is the averaged probabilities."""
        log_probabilities = torch.stack([member(x).log_softmax(1) for member in self.members])
        return log_probabilities.logsumexp(0) - math.log(len(self.members))


def build_model(
    name: str = "mlp",
    hidden: tuple[int, ...] = (1024, 1024),
    dropout: float = 0.2,
    members: list[dict] | None = None,
) -> nn.Module:
    """The model a config names: "linear" (the tutorial's MnistModel), "mlp", or an "ensemble" of member configs."""
    if name == "linear":
        return MnistModel()
    if name == "mlp":
        return MLP(tuple(hidden), dropout)
    if name == "ensemble" and members:
        return Ensemble(members)
    raise ValueError(f"unknown model {name!r}: choose 'linear', 'mlp' or 'ensemble' (with members)")


def first_layer_weights(model: nn.Module) -> torch.Tensor:
    """The first nn.Linear's weights as images (units, 1, 28, 28), for looking at what it learned.

    For an ensemble these are its first member's."""
    first = next(module for module in model.modules() if isinstance(module, nn.Linear))
    return first.weight.detach().reshape(-1, 1, 28, 28)
