"""What to say when a command or flag does not exist: the closest one, or what to do instead.

click says only "No such command 'confg'."; Halyard users type commands from
years of documentation, some of which pyhalyard deliberately does not have (it
has no daemon, publishes no releases, installs no other tools).  For those the
message says what to do instead rather than leaving the user to guess.
"""

from __future__ import annotations

import difflib
import re

import click

# Halyard commands and flags pyhalyard deliberately lacks -> what to do instead.
# Keys: the words after ``hal`` (a flag as the last word for a missing flag).
LACKING: dict[tuple[str, ...], str] = {
    ("admin",): "release administration (publishing BOMs, profiles and versions) is for "
                "Spinnaker's release managers; pyhalyard only installs published releases",
    ("task",): "pyhalyard has no daemon and no background tasks: every command runs in the "
               "foreground and Ctrl-C interrupts it",
    ("spin",): "install the spin CLI from its release page "
               "(https://spinnaker.io/docs/setup/other_config/spin/)",
    ("--ready",): "pyhalyard has no daemon, so it is always ready; `hal --version` checks "
                  "the install",
    ("--print-bash-completion",): "use click's completion: "
                                  "eval \"$(_HAL_COMPLETE=bash_source hal)\"",
    ("--docs",): "every command documents itself: hal COMMAND -h",
    ("-v",): "use hal --version",
    ("deploy", "apply", "--prep-only"): "pyhalyard has no preparation step: "
                                        "`hal deploy render --output-dir DIR` writes "
                                        "everything apply would send",
    ("deploy", "apply", "--omit-config"): "apply always sends the rendered config; "
                                          "limit what changes with --service-names",
    ("deploy", "apply", "--flush-infrastructure-caches"):
        "pyhalyard does not flush clouddriver's caches; run FLUSHDB on clouddriver's "
        "Redis yourself if you really need to",
    ("deploy", "apply", "--wait-for-completion"):
        "apply always waits until every service is ready (bounded by "
        "--wait-for-completion-timeout-minutes): drop the flag",
    ("deploy", "apply", "--auto-run"): "apply always runs (there is no generated script "
                                       "to review): drop the flag",
    ("plugins", "enable"): "Halyard's daemon no longer has this switch: enable plugins one "
                           "by one (hal plugins add NAME --enabled true)",
    ("plugins", "disable"): "Halyard's daemon no longer has this switch: delete the plugin, "
                            "or re-add it with --enabled false",
    ("plugins", "enable-downloading"): "services download a plugin when it names a version "
                                       "found in a plugin repository: hal plugins "
                                       "repository add ID --url URL",
    ("plugins", "disable-downloading"): "remove the plugin repositories "
                                        "(hal plugins repository delete ID)",
    ("deploy", "connect", "--auto-run"): "drop the flag: connect runs the port-forwards "
                                         "itself",
}

_NO_SUCH_COMMAND = re.compile(r"No such command ['\"](.+)['\"]\.")
_NO_SUCH_OPTION = re.compile(r"No such option:? ['\"]?(-[^'\"\s.]+)")


def _words(ctx: click.Context | None) -> tuple[str, ...]:
    """The command path without the program name: ``hal config storage`` -> (config, storage)."""
    if ctx is None:
        return ()
    return tuple(ctx.command_path.split()[1:])


def _children(ctx: click.Context) -> list[str]:
    command = ctx.command
    if isinstance(command, click.Group):
        return [name for name in command.list_commands(ctx)
                if not getattr(command.get_command(ctx, name), "hidden", False)]
    return []


def explain(exc: click.UsageError) -> str:
    """Lines to add under click's message (empty when there is nothing useful to add)."""
    ctx = exc.ctx
    where = _words(ctx)
    message = exc.format_message()
    command = _NO_SUCH_COMMAND.search(message)
    if command and ctx is not None:
        name = command.group(1)
        advice = LACKING.get((*where, name))
        if advice:
            return f"'hal {' '.join((*where, name))}' is not in pyhalyard: {advice}.\n"
        known = _children(ctx)
        lacking = [key[-1] for key in LACKING
                   if key[:-1] == where and not key[-1].startswith("-")]
        close = difflib.get_close_matches(name, [*known, *lacking], n=1, cutoff=0.6)
        if not close:
            return (f"Commands of 'hal {' '.join(where)}': {', '.join(known)}.\n"
                    if known else "")
        best = close[0]
        advice = LACKING.get((*where, best))
        if advice and best not in known:
            return (f"The closest Halyard command, 'hal {' '.join((*where, best))}', is not in "
                    f"pyhalyard: {advice}.\n")
        return f"Did you mean 'hal {' '.join((*where, best))}'?\n"
    option = _NO_SUCH_OPTION.search(message)
    if option:
        advice = LACKING.get((*where, option.group(1)))
        if advice:
            return f"'{option.group(1)}' is a Halyard flag pyhalyard lacks: {advice}.\n"
    return ""
