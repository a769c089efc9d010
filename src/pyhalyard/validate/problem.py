"""Validation results as plain data."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True)
class Problem:
    severity: Severity
    location: str  # field path, e.g. deploymentEnvironment.haServices.clouddriver
    message: str
    remediation: str = ""

    def __str__(self) -> str:
        text = f"{self.severity.name}: {self.location}: {self.message}"
        return f"{text}\n  ? {self.remediation}" if self.remediation else text

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity.name, "location": self.location,
                "message": self.message, "remediation": self.remediation}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]
