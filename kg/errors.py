"""The one exception the CLI turns into a one-line message and a non-zero exit."""


class KgError(Exception):
    """A problem the user can act on: bad input, a missing graph, an unknown unit.

    The message is one line that says what is wrong and what to do.
    """

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code
