"""The floor the signing benchmark compares with: a bare Django view in the same server.

Mounted only when BENCH_FLOOR=1 (the benchmark harness sets it). A GET returns a tiny form
and a POST inserts one row, so a floor "cycle" makes the same two requests as a signing
cycle, without templates, validation, proof of work, rate limits or email."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

FORM = b'<!doctype html><form method="post"><input name="email"><button>Go</button></form>'


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_floor (email) VALUES (%s)", [request.POST.get("email", "")]
            )
        return HttpResponseRedirect("/bench/floor/")
    return HttpResponse(FORM)
