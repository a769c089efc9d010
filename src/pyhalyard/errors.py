"""The one error path: every expected failure is a HalError with a readable message.

The CLI turns these into a single line on stderr and an exit code; nothing
below the CLI prints or exits.
"""

from __future__ import annotations


class HalError(Exception):
    """A failure the user can act on; ``str()`` is the whole message."""

    exit_code = 1


class UsageError(HalError):
    """The command line itself is wrong (exit 2, like click's usage errors)."""

    exit_code = 2


class ConfigError(HalError):
    """A file under the hal dir is malformed: message names file:line:column or field path."""

    def __init__(self, source: str, message: str, line: int | None = None,
                 column: int | None = None) -> None:
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.column = column


class ValidationFailed(HalError):
    """The edited configuration has ERROR problems; nothing was written."""

    def __init__(self, problems: list[object]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__("refusing to save: the configuration would be invalid\n" +
                         "\n".join(lines))
