"""Read a secret flag's value the way Halyard's ``password = true`` flags do.

``--secret-access-key`` given without a value asks for it without echo on a
terminal and reads one line from stdin otherwise (``echo $KEY | hal config
storage s3 edit --secret-access-key``), so a key never has to sit in the shell
history.  The value is never echoed, logged or shown.

Not ``click.prompt(hide_input=True)``: off a terminal it goes through
``getpass``, which prints a ``GetPassWarning`` and reads from ``/dev/tty``
instead of the pipe the user gave.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pyhalyard.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

# click hands this to the command when a secret flag is given without a value.
PROMPT = "\0prompt"


def read_secret(label: str) -> str:
    """The secret for ``label`` (a flag name): hidden prompt on a TTY, else one stdin line.

    An empty answer (or nothing on stdin) is a usage error naming the flag: saving
    an empty secret would only fail later, inside a pod.
    """
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        import getpass  # only the prompting path pays for it

        try:
            value = getpass.getpass(f"{label}: ", stream=sys.stderr)
        except EOFError:
            value = ""
    else:
        line = stdin.readline() if stdin is not None else ""
        value = line.rstrip("\r\n")
    if not value:
        raise UsageError(f"{label}: no value given (type it at the prompt, or pipe it: "
                         f"echo \"$VALUE\" | hal ... {label})")
    return value


def resolve_secret(value: str | None, label: str) -> str | None:
    """``value`` unless it is :data:`PROMPT` (flag given bare): then read it."""
    return read_secret(label) if value == PROMPT else value


def _resolve(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value != PROMPT:
        return value
    flag = max(param.opts, key=len) if param.opts else str(param.name)
    return read_secret(flag)


def secret_option(*param_decls: str, help: str = "", **kwargs: Any) -> Callable[[F], F]:
    """A ``click.option`` for a secret: ``--flag VALUE``, or ``--flag`` alone to be asked.

    The value is read when click processes the flag, so the command receives the
    secret itself (or None when the flag was not given).
    """
    text = (help + " " if help else "") + \
        "Without a value: asked for without echo (or one line read from stdin)."
    return click.option(*param_decls, is_flag=False, flag_value=PROMPT, default=None,
                        metavar="[VALUE]", callback=_resolve, help=text, **kwargs)
