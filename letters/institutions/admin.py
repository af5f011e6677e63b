from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.services import institution_domains_save, institution_save


class InstitutionDomainInline(admin.TabularInline):
    model = InstitutionDomain
    fields = ["domain", "source"]
    readonly_fields = ["source"]
    extra = 1


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "ror_id", "email_domains", "source", "is_active"]
    list_filter = ["kind", "source", "is_active", "country"]
    search_fields = ["name", "ror_id", "domains__domain"]
    readonly_fields = ["source", "merged_into"]
    inlines = [InstitutionDomainInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Institution]:
        # The domains of the page's rows in one query, not a count grouped over the
        # whole registry (some 110,000 entries once ROR is imported).
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=_("email domains"))
    def email_domains(self, obj: Institution) -> str:
        return format_html_join(", ", "{}", ((d.domain,) for d in obj.domains.all())) or "-"

    def save_model(self, request: HttpRequest, obj: Institution, form: Any, change: bool) -> None:
        institution_save(institution=obj, changed=form.changed_data)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        rows = formset.save(commit=False)
        institution_domains_save(
            institution=form.instance, rows=rows, deleted=formset.deleted_objects
        )
