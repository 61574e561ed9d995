"""The one exception family: user errors carry a message and, for text, a position."""

from __future__ import annotations


class SymgradError(Exception):
    """Base of every error symgrad raises on purpose.

    Subclasses are the user's fault (bad input, bad usage); anything else that
    escapes is a bug in symgrad.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def one_line(self) -> str:
        """The message as a single line, for the CLI."""
        return " ".join(self.message.split())


class ParseError(SymgradError):
    """Text that could not be read as math.

    Attributes:
        text: the text that was being read.
        pos: 0-based column of the problem in ``text`` (or None).
        where: what the text was (for example ``--let #2``), for the message.
    """

    def __init__(self, message: str, text: str = "", pos: int | None = None, where: str = ""):
        self.text = text
        self.pos = pos
        self.where = where
        super().__init__(message)

    def one_line(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        col = f" at column {self.pos + 1}" if self.pos is not None else ""
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        quoted = f" in {shown!r}" if self.text else ""
        return " ".join(f"{prefix}{self.message}{col}{quoted}".split())

    def caret(self) -> str:
        """Two lines: the text and a caret under the offending column ('' if unknown)."""
        if self.pos is None or not self.text or len(self.text) > 200 or "\n" in self.text:
            return ""
        return f"  {self.text}\n  {' ' * self.pos}^"


class ProblemError(SymgradError):
    """A problem that is readable but inconsistent (unknown name, missing value, ...)."""


class UsageError(SymgradError):
    """Bad command-line usage or API arguments."""
