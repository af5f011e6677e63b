"""Coalescing work that many requests ask for at once into one run of a task.

Under load, hundreds of requests a second each want the same follow-up (recount a letter,
send the confirmation emails waiting in the database). Publishing one task per request costs
every request a broker round trip and the worker a task each; instead the first request in a
window schedules one run at the end of it, and that run handles everything that arrived."""

from __future__ import annotations

import time
from typing import Any

from celery import Task
from django.core.cache import cache
from django.db import transaction

# The run starts this long after the window closes, so that every request that found the
# window open (and so scheduled nothing) has committed before the task looks.
MARGIN_SECONDS = 0.5


# Per process: until when a run is known to be scheduled that starts after any commit made
# before then. Saves the cache round trip for most requests of a burst.
_covered_until: dict[str, float] = {}


def task_run_after_window(
    *, task: Task, key: str, seconds: int, args: tuple[Any, ...] = ()
) -> None:
    """Once the current transaction commits, make sure `task(*args)` runs within `seconds`.

    With `seconds` <= 0 the task is queued on every call (in-process mode, tests). The check
    happens after the commit: a request that finds a run already scheduled knows its own
    rows are committed before that run starts."""
    if seconds <= 0:
        transaction.on_commit(lambda: task.apply_async(args=args), robust=True)
        return

    def schedule() -> None:
        now = time.monotonic()
        if _covered_until.get(key, 0.0) > now:
            return
        if cache.add(f"run-after-window:{key}", 1, timeout=seconds):
            task.apply_async(args=args, countdown=seconds + MARGIN_SECONDS)
            # This process's run starts after the window closes.
            _covered_until[key] = now + seconds
        else:
            # Someone's window is open now, so their run starts at least MARGIN_SECONDS
            # from now.
            _covered_until[key] = now + MARGIN_SECONDS

    transaction.on_commit(schedule, robust=True)
