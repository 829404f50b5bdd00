"""The errors mnist_core reports to people: each carries one sentence that says what to do."""


class MnistCoreError(Exception):
    """A problem a user can fix; its message is shown as is, without a traceback.

    `reason` names the problem for a program that writes its own sentence for it (the app writes it in the
    visitor's language: demo/locales, "error.<reason>"); `values` are what that sentence may fill in. The
    message stays the sentence for the command line.
    """

    def __init__(self, message: str, reason: str = "", **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


class DataUnavailableError(MnistCoreError):
    """MNIST is neither on disk nor downloadable."""


class CheckpointError(MnistCoreError):
    """A checkpoint file is missing, unreadable or does not fit the model it describes."""


class ImageError(MnistCoreError):
    """An input is not an image we can read."""


class EmptyImageError(MnistCoreError):
    """An image holds no ink: nothing was drawn."""
