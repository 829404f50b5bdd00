"""The errors mnist_core reports to people: each carries one sentence that says what to do."""


class MnistCoreError(Exception):
    """A problem a user can fix; its message is shown as is, without a traceback."""


class DataUnavailableError(MnistCoreError):
    """MNIST is neither on disk nor downloadable."""


class CheckpointError(MnistCoreError):
    """A checkpoint file is missing, unreadable or does not fit the model it describes."""


class ImageError(MnistCoreError):
    """An input is not an image we can read."""


class EmptyImageError(MnistCoreError):
    """An image holds no ink: nothing was drawn."""
