from django.contrib import admin

from .models import Committee, CommitteeMembership, Legislator


class MembershipInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    autocomplete_fields = ["committee", "legislator"]


@admin.register(Legislator)
class LegislatorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "country", "political_group_code", "national_party", "is_active"]
    list_filter = ["is_active", "political_group_code", "country"]
    search_fields = ["full_name", "sort_name", "=ep_id"]
    readonly_fields = ["source", "last_imported_at", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
