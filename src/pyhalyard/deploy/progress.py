"""Showing a deploy as it happens: a live table per service, or plain lines.

The live table (rich) is only for a terminal; logs and CI get one plain line per
state change, and ``-q`` only the line that ends each service.  rich is
imported only when the live table is actually shown.  Updates come from the
worker threads of a phase, so every method takes a lock.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any, Protocol

from pyhalyard.redis.endpoint import mask_text

# States that end a service's part of the deploy.
FINAL = frozenset({"ready", "deleted", "failed"})


class Progress(Protocol):
    def phase(self, index: int, total: int, name: str, why: str,
              services: tuple[str, ...]) -> None: ...

    def update(self, service: str, state: str, detail: str = "") -> None: ...

    def close(self) -> None: ...


@dataclass
class _Row:
    service: str
    phase: str
    state: str = "pending"
    detail: str = ""
    started: float = 0.0
    finished: float | None = None


class PlainProgress:
    """One line per change; ``final_only`` (-q) keeps only the line that ends a service."""

    def __init__(self, stream: IO[str] | None = None, final_only: bool = False) -> None:
        self.stream = stream
        self.final_only = final_only
        self._lock = threading.Lock()
        self._last: dict[str, tuple[str, str]] = {}
        self._started: dict[str, float] = {}

    def _write(self, line: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(mask_text(line) + "\n")
        stream.flush()

    def phase(self, index: int, total: int, name: str, why: str,
              services: tuple[str, ...]) -> None:
        if self.final_only:
            return
        with self._lock:
            names = ", ".join(services) if services else "namespace"
            self._write(f"== phase {index}/{total} {name}: {names} ({why})")

    def update(self, service: str, state: str, detail: str = "") -> None:
        with self._lock:
            if self._last.get(service) == (state, detail):
                return
            self._last[service] = (state, detail)
            self._started.setdefault(service, time.monotonic())
            if self.final_only and state not in FINAL:
                return
            text = f"spin-{service}: {state}"
            if state in FINAL:
                text += f" in {time.monotonic() - self._started[service]:.1f}s"
            self._write(f"{text}{' - ' + detail if detail else ''}")

    def close(self) -> None:
        return None


class LiveProgress:
    """A rich table redrawn in place: one row per service of the phases seen so far."""

    def __init__(self, stream: IO[str] | None = None, color: bool = True) -> None:
        from rich.console import Console
        from rich.live import Live

        # rich honours NO_COLOR by itself; --no-color must reach it explicitly.
        self._console = Console(file=stream or sys.stdout, no_color=not color)
        self._rows: dict[str, _Row] = {}
        self._phase = ""
        self._lock = threading.Lock()
        self._live = Live(console=self._console, refresh_per_second=8,
                          get_renderable=self._render, transient=False)
        self._live.start()

    def _render(self) -> Any:
        from rich.table import Table

        with self._lock:
            rows = list(self._rows.values())
            title = self._phase
        table = Table(title=title, title_justify="left", expand=False)
        for column in ("service", "phase", "state", "time", "detail"):
            table.add_column(column)
        now = time.monotonic()
        colours = {"ready": "green", "deleted": "green", "failed": "bold red"}
        for row in rows:
            end = row.finished if row.finished is not None else now
            elapsed = f"{end - row.started:.1f}s" if row.started else ""
            state = f"[{colours.get(row.state, 'yellow')}]{row.state}[/]"
            table.add_row(f"spin-{row.service}", row.phase, state, elapsed,
                          mask_text(row.detail))
        return table

    def phase(self, index: int, total: int, name: str, why: str,
              services: tuple[str, ...]) -> None:
        with self._lock:
            self._phase = f"phase {index}/{total} {name}: {why}"
            for service in services:
                self._rows[service] = _Row(service, name)

    def update(self, service: str, state: str, detail: str = "") -> None:
        with self._lock:
            row = self._rows.setdefault(service, _Row(service, ""))
            if not row.started:
                row.started = time.monotonic()
            row.state, row.detail = state, detail
            if state in FINAL:
                row.finished = time.monotonic()

    def close(self) -> None:
        self._live.stop()


class SilentProgress:
    def phase(self, index: int, total: int, name: str, why: str,
              services: tuple[str, ...]) -> None:
        return None

    def update(self, service: str, state: str, detail: str = "") -> None:
        return None

    def close(self) -> None:
        return None


def make_progress(*, quiet: bool, tty: bool, stream: IO[str] | None = None,
                  color: bool = True) -> Progress:
    """The live table on a terminal; plain lines otherwise or with -q."""
    if quiet:
        return PlainProgress(stream, final_only=True)
    if tty:
        return LiveProgress(stream, color=color)
    return PlainProgress(stream)
