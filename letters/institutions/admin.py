from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from letters.institutions.models import Institution, InstitutionDomain


class InstitutionDomainInline(admin.TabularInline):
    model = InstitutionDomain
    extra = 1


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "ror_id", "domain_count", "is_active"]
    list_filter = ["kind", "source", "is_active", "country"]
    search_fields = ["name", "ror_id", "domains__domain"]
    inlines = [InstitutionDomainInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Institution]:
        return super().get_queryset(request).annotate(domain_total=Count("domains"))

    @admin.display(description="domains", ordering="domain_total")
    def domain_count(self, obj: Institution) -> int:
        return obj.domain_total  # type: ignore[attr-defined]
