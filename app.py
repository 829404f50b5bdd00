"""Serve the MNIST drawing demo: `python app.py` (host and port from GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)."""

import torch

from demo.ui import LAUNCH_OPTIONS, build_demo

# One thread per forward pass: a batch-1 pass takes ~0.1 ms anyway, and OpenMP threads spinning
# against the web server on a 2-vCPU machine make it 10-40x slower (see the CPU-threads notes).
torch.set_num_threads(1)

demo = build_demo()

if __name__ == "__main__":
    demo.launch(**LAUNCH_OPTIONS)
