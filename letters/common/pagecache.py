"""A short-lived, per-process cache of whole public pages for anonymous readers.

On the day a committee votes, tens of thousands of people reload a letter to watch its
count. Those pages are the same for every anonymous reader (the sign form carries no CSRF
token, see `letters.signatures.views.sign`), so each worker process keeps the rendered bytes
for a few seconds: the counter on the page lags by at most that long, which the counters
themselves already do. Process memory rather than Redis, because a page served from memory
costs no network round trip, and a few seconds of difference between workers is invisible.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

View = Callable[..., HttpResponse]

_lock = threading.Lock()
_pages: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()
MAX_PAGES = 512


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def clear() -> None:
    with _lock:
        _pages.clear()


def public_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = f"{get_language()}|{request.get_full_path()}"
        now = time.monotonic()
        with _lock:
            hit = _pages.get(key)
        if hit is not None and hit[0] > now:
            response = HttpResponse(hit[1], content_type=hit[2])
        else:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.cookies or response.streaming:
                return response
            with _lock:
                _pages[key] = (now + seconds, response.content, response["Content-Type"])
                _pages.move_to_end(key)
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        patch_cache_control(response, public=True, max_age=seconds)
        return response

    return wrapper
