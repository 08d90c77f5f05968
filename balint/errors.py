"""The one base for a rule's refusal, so every page can show any of them the same way."""


class DomainError(Exception):
    """A rule refused the operation; `message` says why, in words for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
