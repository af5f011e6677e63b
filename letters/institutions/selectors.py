from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower

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


def institution_named(*, name: str, country: str = "") -> Institution | None:
    """The one active institution called exactly `name` (letter case aside), if there is one;
    where several share the name, the one in `country`, if that settles it."""
    wanted = " ".join(name.split()).lower()
    if not wanted:
        return None
    found = list(
        Institution.objects.alias(lowered=Lower("name"))
        .filter(lowered=wanted, is_active=True)
        .prefetch_related("domains")[:20]
    )
    if len(found) > 1 and country:
        found = [each for each in found if each.country == country]
    return found[0] if len(found) == 1 else None
