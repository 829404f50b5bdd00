"""The thread policy, in one place: set_thread_policy() before PyTorch is imported.

Spinning OpenMP workers make 2-thread PyTorch 10-40x slower whenever the other core is busy; passive waiting
removes that cliff (README, "Threads"). OpenMP reads OMP_WAIT_POLICY when torch loads, so it must be set before:

    from mnist_core.threads import set_thread_policy

    set_thread_policy()

    import torch  # noqa: E402
"""

import os


def set_thread_policy() -> None:
    """OpenMP's workers wait passively (a value already in the environment wins); call it before importing torch."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
