"""A bare peer of the app for load comparisons: Gradio's Sketchpad with its defaults -> 28x28 -> one nn.Linear -> gr.Label.

Run: python -m benchmarks.serving.peer_app  (serves on GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, like app.py)

What most MNIST Spaces do, nothing more: the sketchpad keeps every default (800x800 canvas, WebP, layers,
crop tool, decoded to numpy), its change event runs the model on the composite resized straight to 28x28,
and the top 3 go to a gr.Label. The weights are random (seeded): the peer measures serving cost, not
accuracy, and reads no checkpoint. `benchmarks.serving.browser_load` and `benchmarks.serving.record_stroke` start it
beside `python app.py`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: see the CPU-threads notes

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
MODEL = torch.nn.Linear(28 * 28, 10).eval()


def classify(sketch: dict | None) -> dict[str, float] | None:
    """The composite's alpha resized to 28x28, through the linear model; top 3 as gr.Label wants them."""
    if not sketch or sketch.get("composite") is None:
        return None
    composite = sketch["composite"]
    ink = composite[..., 3] if composite.ndim == 3 and composite.shape[2] == 4 else 255 - composite.mean(axis=-1)
    small = np.asarray(Image.fromarray(ink.astype(np.uint8)).resize((28, 28), Image.BILINEAR), dtype=np.float32)
    with torch.no_grad():
        probabilities = torch.softmax(MODEL(torch.from_numpy(small / 255.0).reshape(1, -1)), dim=1)[0]
    return {str(digit): float(p) for digit, p in enumerate(probabilities)}


def build_peer() -> gr.Blocks:
    """One sketchpad with its defaults and one label, the drawing read on every change."""
    with gr.Blocks(title="Peer: bare MNIST sketchpad") as demo:
        sketchpad = gr.Sketchpad(label="Draw one digit", elem_id="sketchpad")
        label = gr.Label(label="Top 3", num_top_classes=3)
        sketchpad.change(classify, sketchpad, label, api_name="predict")
    return demo


if __name__ == "__main__":
    build_peer().launch()
