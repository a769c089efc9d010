"""validate: halconfig -> problems.  Rules are small functions listed explicitly in RULES."""

from __future__ import annotations

from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity, errors
from pyhalyard.validate.rules import RULES

__all__ = ["Problem", "Severity", "errors", "validate"]


def validate(loaded: Loaded) -> list[Problem]:
    """Every problem of one deployment, most severe first, in a stable order."""
    problems = [p for rule in RULES for p in rule(loaded)]
    return sorted(problems, key=lambda p: -p.severity)
