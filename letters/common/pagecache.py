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
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class _Page:
    expires: float
    stored: float
    content: bytes
    headers: list[tuple[str, str]]


_lock = threading.Lock()
_pages: OrderedDict[str, _Page] = OrderedDict()
# Per path of a public page, the query parameters its view reads: the rest (utm_source,
# fbclid and the like) do not change the page, and must not split or flush the cache.
_params: dict[str, tuple[str, ...]] = {}
MAX_PAGES = 512


def _cacheable_request(request: HttpRequest) -> bool:
    # GET only: the public views answer HEAD with 405, and a cached copy must not say 200.
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _cacheable_response(response: HttpResponse) -> bool:
    return response.status_code == 200 and not response.cookies and not response.streaming


def _key(language: str, request: HttpRequest, params: tuple[str, ...]) -> str:
    query = urlencode(
        sorted((name, value) for name in params for value in request.GET.getlist(name))
    )
    return f"{language}|{request.path}?{query}"


def clear() -> None:
    with _lock:
        _pages.clear()
        _params.clear()


def public_page(view: View | None = None, *, params: tuple[str, ...] = ()) -> Any:
    """Mark what the view answers an anonymous reader as the same for every such reader
    asking for the same `params` (the query parameters the view reads; it must read no
    other): `PageCacheMiddleware` keeps it for PAGE_CACHE_SECONDS."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.public_page = params  # type: ignore[attr-defined]
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


class PageCacheMiddleware:
    """Serves the pages `public_page` marked, to anonymous readers, before the rest of the
    middleware runs: on a cached page, sessions, authentication, CSRF, messages and URL
    resolving would only recompute what the first answer already says. Each page is kept
    with the headers the whole stack gave it (language, Vary, framing); it is declared
    public to other caches only here, once nothing inside can add a cookie to it any more.

    Placed after WhiteNoise (static files first) and before SessionMiddleware. The language
    in the key is the one LocaleMiddleware would choose for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _cacheable_request(request):
            return self.get_response(request)
        request.get_host()  # a foreign Host header gets its 400, cached page or not
        language = get_language_from_request(request)
        now = time.monotonic()
        params = _params.get(request.path)
        if params is not None:
            key = _key(language, request, params)
            with _lock:
                hit = _pages.get(key)
                if hit is not None and hit.expires > now:
                    _pages.move_to_end(key)
                elif hit is not None:
                    del _pages[key]
                    hit = None
            if hit is not None:
                response = HttpResponse(hit.content)
                for name, value in hit.headers:
                    response.headers[name] = value
                response.headers["Age"] = str(int(now - hit.stored))
                return response
        response = self.get_response(request)
        marked: tuple[str, ...] | None = getattr(response, "public_page", None)
        if marked is not None and _cacheable_response(response):
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            patch_cache_control(response, public=True, max_age=seconds)
            page = _Page(now + seconds, now, response.content, list(response.headers.items()))
            with _lock:
                _params[request.path] = marked
                key = _key(language, request, marked)
                _pages[key] = page
                _pages.move_to_end(key)
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        return response
