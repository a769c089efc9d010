"""``hal config deploy ha clouddriver check``: ask the configured Redis servers what they are.

Thin: redis.check picks the endpoints the plan wires (external ones from
haServices, else the in-cluster replica, else the shared spin-redis), asks them,
and this prints the report.  Exit 1 only when a fact read from a server
contradicts the config.
"""

from __future__ import annotations

import click

from pyhalyard.cli.context import AppContext, common_options, get_app
from pyhalyard.errors import UsageError
from pyhalyard.redis.check import (
    CONTRADICTION,
    DEFAULT_TIMEOUT,
    OK,
    UNKNOWN,
    CheckReport,
    EndpointReport,
    check_plan,
)
from pyhalyard.redis.endpoint import mask_text

MAX_TIMEOUT = 60.0
_COLORS = {OK: "green", UNKNOWN: "yellow", CONTRADICTION: "red"}
_SUMMARY = {
    OK: "every fact read agrees with the config",
    UNKNOWN: "nothing read contradicts the config, but not everything could be checked "
             "from here",
    CONTRADICTION: "the servers contradict the config",
}


def _human(app: AppContext, report: CheckReport) -> None:
    def paint(verdict: str) -> str:
        return click.style(verdict, fg=_COLORS[verdict]) if app.color else verdict

    lines: list[str] = [f"Redis endpoints from {report.source}:"]
    for ep in report.endpoints:
        lines.append(f"{ep.name} ({ep.expected}) {ep.url}: {paint(ep.verdict)}")
        lines.extend(f"  - {finding.message}" for finding in ep.findings)
        details = _details(ep)
        if details:
            lines.append(f"  - {details}")
    lines.append(f"Verdict: {paint(report.verdict)}: {_SUMMARY[report.verdict]}")
    click.echo(mask_text("\n".join(lines)))


def _details(ep: EndpointReport) -> str:
    parts = []
    if ep.link_status is not None:
        parts.append(f"link {ep.link_status}")
    if ep.lag_bytes is not None:
        parts.append(f"lag {ep.lag_bytes} bytes")
    if ep.last_io_seconds is not None:
        parts.append(f"last contact with master {ep.last_io_seconds}s ago")
    return ", ".join(parts)


@click.command("check")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="Per step (name lookup, connect, each command).")
@common_options
@click.pass_context
def check(ctx: click.Context, timeout: float) -> None:
    """Connect to the configured Redis servers and check roles and replication."""
    if not 0 < timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout: expected seconds above 0 and at most {MAX_TIMEOUT:g}, "
                         f"got {timeout:g}")
    from pyhalyard.pipeline import load, plan

    app = get_app(ctx)
    report = check_plan(plan(load(app.paths, app.deployment)), timeout)
    app.emit(report.as_dict(), lambda: _human(app, report))
    ctx.exit(report.exit_code)
