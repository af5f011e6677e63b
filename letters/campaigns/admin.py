from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from letters.campaigns.models import (
    Campaign,
    CampaignPartner,
    Letter,
    LetterVersion,
    Organisation,
    Recommendation,
)
from letters.campaigns.services import letter_record_version


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CampaignPartnerInline(admin.TabularInline):
    model = CampaignPartner
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "created_at"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CampaignPartnerInline]


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0
    fields = [("number", "slug"), "title", "body"]


class LetterVersionInline(admin.TabularInline):
    model = LetterVersion
    fields = ("number", "note", "created_by", "created_at", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LetterAdminForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Change note"),
        required=False,
        max_length=300,
        help_text=_("Recorded with the new version of the text if the text changed."),
    )

    class Meta:
        model = Letter
        fields = [
            "campaign", "title", "slug", "subtitle", "addressee", "summary", "body", "closing",
            "language", "published_on", "status", "moderation", "position",
        ]  # fmt: skip


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    form = LetterAdminForm
    list_display = ["title", "campaign", "status", "moderation", "published_on", "version_link"]
    list_filter = ["status", "moderation", "campaign"]
    list_select_related = ["campaign", "current_version"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RecommendationInline, LetterVersionInline]
    fieldsets = [
        (None, {"fields": ["campaign", "title", "slug", "subtitle", "addressee", "summary"]}),
        (_("Text"), {"fields": ["body", "closing", "language", "change_note"]}),
        (_("Publication"), {"fields": ["published_on", "status", "moderation", "position"]}),
    ]

    @admin.display(description=_("version"), ordering="current_version__number")
    def version_link(self, obj: Letter) -> str:
        if obj.current_version is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("campaigns:letter_version", args=[obj.slug, obj.current_version.number]),
            obj.current_version.number,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Recommendations are saved by now, so the snapshot sees the text as edited.
        letter_record_version(
            letter=form.instance,
            user=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data.get("change_note", ""),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Letter]:
        return super().get_queryset(request).select_related("campaign", "current_version")
