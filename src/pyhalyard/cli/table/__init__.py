"""Halyard's command surface as data: rows in ``rows_*.py``, click commands from ``build.py``.

See ``model.py`` for the row format and /work/notes/commands-engine.md (README
"How to add a command") for how to add a group.
"""
