from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from letters.institutions.selectors import institutions_search


@require_GET
@cache_control(max_age=300, public=True)
def search(request: HttpRequest) -> JsonResponse:
    query = request.GET.get("q", "").strip()[:100]
    if len(query) < 2:
        return JsonResponse({"results": []})
    results = [
        {"id": i.pk, "name": i.name, "country": str(i.country)}
        for i in institutions_search(query=query)
    ]
    return JsonResponse({"results": results})
