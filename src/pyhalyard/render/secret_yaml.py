"""Secret objects as YAML, fast: the same bytes ``output.dump_object`` writes.

A Secret shipping thousands of kubeconfigs has thousands of ``key: <base64>`` lines;
PyYAML spends ~25 µs on each (representing, resolving, emitting), which made the
2,000-account render measurably slower.  Every such line is written here directly
when the key and the value are certain to be emitted as plain scalars -- only
characters a plain scalar may hold, and a letter no number, boolean, null or
timestamp can contain -- and the rest of the object goes through ``dump_object``.
Anything else falls back to ``dump_object`` whole.  A test compares the two on
every rendered Secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_PLAIN = re.compile(r"[A-Za-z0-9+/][-._A-Za-z0-9+/=]*")
# Letters outside every YAML 1.1 implicit type PyYAML resolves (ints incl. 0x/0o/0b,
# floats incl. .inf/.nan, timestamps with T/Z, null); words of booleans/null are ≤ 5
# characters, so longer strings holding one of these letters resolve to str.
_STR_LETTER = re.compile(r"[ghjklmpqrsuvwyGHJKLMPQRSUVWY]")
_TOP_KEY = re.compile(r"([A-Za-z][A-Za-z0-9]*):")
_MAX_SIMPLE_KEY = 128  # longer keys are written as "? key" by the emitter


def _plain(text: Any) -> bool:
    return (isinstance(text, str) and 5 < len(text) < _MAX_SIMPLE_KEY * 64
            and _PLAIN.fullmatch(text) is not None and _STR_LETTER.search(text) is not None)


def fast_secret_yaml(obj: dict[str, Any], dump: Callable[[Any], str]) -> str | None:
    """``dump(obj)`` for a Secret whose data is plain keys and base64 values, else None."""
    data = obj.get("data")
    if obj.get("kind") != "Secret" or not isinstance(data, dict) or not data:
        return None
    for key, value in data.items():
        if not (_plain(key) and len(key) < _MAX_SIMPLE_KEY and _plain(value)):
            return None
    block = "data:\n" + "".join(f"  {k}: {data[k]}\n" for k in sorted(data))
    rest = dump({k: v for k, v in obj.items() if k != "data"})
    if rest == "{}\n":
        return block
    # Top-level keys are sorted: the data block goes before the first one after "data".
    lines = rest.splitlines(keepends=True)
    for i, line in enumerate(lines):
        key = _TOP_KEY.match(line)
        if key is not None and key[1] > "data":
            return "".join(lines[:i]) + block + "".join(lines[i:])
    return rest + block
