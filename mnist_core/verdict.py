"""What the app says about a drawing: one of four verdicts, decided from the model's probabilities alone.

- "digit": one digit, confidently;
- "unsure": a weak winner or a close runner-up among the digits, so the answer is a question;
- "not a digit": the model's "not a digit" output (mnist_core.model.NOT_DIGIT) is likely enough;
- "empty": nothing drawn, decided before the model runs (preprocess raises EmptyImageError).

A model with only the ten digit outputs (the tutorial's, the MNIST-only MLP) never says "not a digit".
The thresholds were chosen on the development sets (docs/results.md, "Not a digit").
"""

from __future__ import annotations

import torch

from mnist_core.model import DIGITS, NOT_DIGIT, NOT_DIGIT_NAME

DIGIT, UNSURE, NOT_A_DIGIT, EMPTY = VERDICTS = ("digit", "unsure", NOT_DIGIT_NAME, "empty")
# Below this top probability, or with the runner-up this close, the answer is called unsure.
UNSURE_TOP = 0.6
UNSURE_MARGIN = 0.25
NOT_DIGIT_AT = 0.9  # "not a digit" once its probability reaches this; below, a drawing that is likely no digit is "unsure"


def digit_probabilities(probabilities: torch.Tensor) -> torch.Tensor:
    """The ten digit probabilities (..., 10) of a model's output, whether or not it has a "not a digit" output."""
    return probabilities[..., :DIGITS]


def not_digit_probability(probabilities: torch.Tensor) -> torch.Tensor:
    """The "not a digit" probability (...), zero for a model without that output."""
    if probabilities.shape[-1] <= NOT_DIGIT:
        return probabilities.new_zeros(probabilities.shape[:-1])
    return probabilities[..., NOT_DIGIT]


def unsure_mask(probabilities: torch.Tensor) -> torch.Tensor:
    """True where the model should not assert one digit: a weak winner or a close runner-up among the digits."""
    first, second = digit_probabilities(probabilities).topk(2, dim=-1).values.unbind(-1)
    return (first < UNSURE_TOP) | (first - second < UNSURE_MARGIN)


def not_digit_mask(probabilities: torch.Tensor, threshold: float = NOT_DIGIT_AT) -> torch.Tensor:
    """True where the drawing is answered "not a digit"."""
    return not_digit_probability(probabilities) >= threshold


def answers(probabilities: torch.Tensor, threshold: float = NOT_DIGIT_AT) -> torch.Tensor:
    """Each row's answer as a label: its most likely digit, or NOT_DIGIT where it is answered "not a digit"."""
    return digit_probabilities(probabilities).argmax(-1).masked_fill(not_digit_mask(probabilities, threshold), NOT_DIGIT)


def verdict_codes(probabilities: torch.Tensor, threshold: float = NOT_DIGIT_AT) -> torch.Tensor:
    """Each row's verdict as an index into VERDICTS (0 digit, 1 unsure, 2 not a digit); never 3, empty."""
    codes = unsure_mask(probabilities).long()
    return codes.masked_fill(not_digit_mask(probabilities, threshold), VERDICTS.index(NOT_A_DIGIT))


def verdict_of(probabilities: torch.Tensor) -> str:
    """The verdict for one drawing's probabilities (10 or 11 of them)."""
    return VERDICTS[int(verdict_codes(probabilities.unsqueeze(0))[0])]


def verdict_rates(codes: torch.Tensor) -> dict[str, float]:
    """The share of each verdict among the drawings (empty ones included when their code is given)."""
    counts = torch.bincount(codes, minlength=len(VERDICTS)).float() / max(1, len(codes))
    return {name: float(share) for name, share in zip(VERDICTS, counts)}
