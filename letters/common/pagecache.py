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
from django.utils.translation import get_language_from_request

View = Callable[..., HttpResponse]

_lock = threading.Lock()
_pages: OrderedDict[str, tuple[float, bytes, list[tuple[str, str]]]] = OrderedDict()
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
    """Mark what the view answers an anonymous reader as the same for every such reader:
    `PageCacheMiddleware` keeps it for PAGE_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds > 0 and _cacheable_request(request) and _cacheable_response(response):
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            patch_cache_control(response, public=True, max_age=seconds)
            response.public_page = True  # type: ignore[attr-defined]
        return response

    return wrapper


def _cacheable_response(response: HttpResponse) -> bool:
    return response.status_code == 200 and not response.cookies and not response.streaming


class PageCacheMiddleware:
    """Serves the pages `public_page` marked, to anonymous readers, before the rest of the
    middleware runs: on a cached page, sessions, authentication, CSRF, messages and URL
    resolving would only recompute what the first answer already says. Each page is kept
    with the headers the whole stack gave it (language, Vary, framing and cache policy).

    Placed after WhiteNoise (static files first) and before SessionMiddleware. The language
    in the key is the one LocaleMiddleware would choose for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _cacheable_request(request):
            return self.get_response(request)
        key = f"{get_language_from_request(request)}|{request.get_full_path()}"
        now = time.monotonic()
        with _lock:
            hit = _pages.get(key)
        if hit is not None and hit[0] > now:
            response = HttpResponse(hit[1])
            for name, value in hit[2]:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if getattr(response, "public_page", False) and _cacheable_response(response):
            with _lock:
                _pages[key] = (now + seconds, response.content, list(response.headers.items()))
                _pages.move_to_end(key)
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        return response
