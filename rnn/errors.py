"""The one exception type the engine raises for bad input."""


class UnrolledError(ValueError):
    """Bad input to the engine: a message meant to be shown to the user as one line."""
