"""``mask_text`` for every line the CLI prints, without importing the URI parser first.

Only a URL carries credentials to hide (``scheme://user:password@``), so text without
``://`` -- nearly every message of a config edit -- is returned as it is and
``redis/endpoint.py`` (its regular expressions take a few ms to compile) is imported
only when a message names a URL.
"""

from __future__ import annotations


def mask_text(text: str) -> str:
    """pyhalyard.redis.endpoint.mask_text, lazily."""
    if isinstance(text, str) and "://" not in text:
        return text
    from pyhalyard.redis.endpoint import mask_text as mask

    return mask(text)
