"""Serve the MNIST drawing demo: `python app.py` (host and port from GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)."""

import ctypes

import torch

from demo.ui import LAUNCH_OPTIONS, build_demo

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX=2 does); elsewhere (macOS, Windows, musl) do nothing."""
    # Each of the server's worker threads would get an arena of its own, and freed canvas buffers scattered
    # over many arenas are not returned: measured, the server's memory grew ~25 KB a stroke without end;
    # with two arenas it levels off (docs/results.md).
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        pass


# One thread per forward pass: a batch-1 pass takes ~0.1 ms anyway, and OpenMP threads spinning
# against the web server on a 2-vCPU machine make it 10-40x slower (see the CPU-threads notes).
torch.set_num_threads(1)
limit_malloc_arenas()

demo = build_demo()

if __name__ == "__main__":
    demo.launch(**LAUNCH_OPTIONS)
