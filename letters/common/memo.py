"""A few seconds of per-process memory for rows every request of a hot path reads (the
letter being signed, the consent text) and that organisers change rarely."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from functools import wraps

from django.conf import settings


def briefly_cached[T](function: Callable[..., T]) -> Callable[..., T]:
    """Cache the result per argument tuple for PAGE_CACHE_SECONDS (0 turns it off)."""
    lock = threading.Lock()
    entries: dict[Hashable, tuple[float, T]] = {}

    @wraps(function)
    def wrapper(*args: Hashable, **kwargs: Hashable) -> T:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0:
            return function(*args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())))
        now = time.monotonic()
        with lock:
            hit = entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = function(*args, **kwargs)
        with lock:
            if len(entries) > 256:
                entries.clear()
            entries[key] = (now + seconds, value)
        return value

    wrapper.cache_clear = entries.clear  # type: ignore[attr-defined]
    return wrapper
