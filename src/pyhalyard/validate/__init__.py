"""validate: halconfig -> problems.  Rules are small functions listed explicitly in RULES."""

from __future__ import annotations

from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity, errors
from pyhalyard.validate.rules import RENDER_RULES, RULES

__all__ = ["Problem", "Severity", "errors", "validate"]


def validate(loaded: Loaded, *, rendering: bool = True) -> list[Problem]:
    """Every problem of one deployment, most severe first, in a stable order.

    ``rendering=False`` (config edits) skips RENDER_RULES: facts a deployment may still
    lack while it is being set up, such as its version.
    """
    rules = RULES + RENDER_RULES if rendering else RULES
    problems = [p for rule in rules for p in rule(loaded)]
    return sorted(problems, key=lambda p: -p.severity)
