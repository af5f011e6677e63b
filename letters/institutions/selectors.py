from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from letters.institutions.models import Institution


def institutions_search(*, query: str, limit: int = 10) -> QuerySet[Institution]:
    """Active institutions whose name contains the query, those starting with it first."""
    query = query.strip()
    return (
        Institution.objects.filter(is_active=True, name__icontains=query)
        .annotate(
            starts=Case(
                When(name__istartswith=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("starts", "name")
        .only("id", "name", "country")[:limit]
    )
