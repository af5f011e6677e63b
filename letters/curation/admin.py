"""The curation admin: the moderation queue of each letter, fraud signals, the audit trail,
exports and imports, the watch list, and merging duplicate institutions.

Every change goes through `letters.curation.services`; the admin never saves a signature
itself. Pages stay cheap at 100,000 signatures on a letter: no full COUNT beyond the one the
paginator needs, ids of a page read from an index before the rows, filter choices that
never scan the table, and no query per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.curation import selectors, services
from letters.curation.models import FraudSignal, SignatureImport, WatchlistEntry
from letters.institutions.admin import InstitutionAdmin
from letters.institutions.models import Institution
from letters.signatures import services as signing
from letters.signatures.models import ConsentText, LetterStats, Signature, SignatureEvent
from letters.signatures.verification import fold

Status = Signature.Status
STATUS_LABELS = dict(Status.choices)
LEVEL_LABELS = dict(Signature.Level.choices)
BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class IdsFirstPaginator(Paginator):
    """A page's ids come from the list's index alone (an index-only scan, however deep the
    page), in a subquery that then fetches just those rows. An out-of-range page number
    shows the nearest page rather than an error."""

    def page(self, number: Any) -> Page:
        try:
            number = self.validate_number(number)
        except InvalidPage:
            number = 1 if not isinstance(number, int) or number < 1 else self.num_pages
        bottom = (number - 1) * self.per_page
        queryset: QuerySet = self.object_list  # type: ignore[assignment]
        ids = queryset.values("pk")[bottom : bottom + self.per_page]
        return Page(list(queryset.filter(pk__in=ids)), number, self)


class NearestPageChangeList(ChangeList):
    """A page number out of range (0, or past the end after rows left the list) shows the
    nearest page instead of an error page."""

    def get_results(self, request: HttpRequest) -> None:
        self.page_num = max(1, self.page_num)
        super().get_results(request)
        self.page_num = min(self.page_num, max(1, self.paginator.num_pages))


class CheapListMixin:
    """What keeps a list of 100,000 rows cheap (see the module's docstring)."""

    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator: type[Paginator] = IdsFirstPaginator

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return NearestPageChangeList


def _selected_letter_id(request: HttpRequest) -> int | None:
    value = request.GET.get("letter__id__exact", "")
    return int(value) if value.isdigit() else None


class StatusFilter(admin.SimpleListFilter):
    """States, counted for the chosen letter (one grouped query on its index), and the
    queue: what waits for a person, flagged or (on a pre-moderated letter) confirmed."""

    title = _("state")
    parameter_name = "status__exact"
    QUEUE = selectors.QUEUE

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        letter_id = _selected_letter_id(request)
        counts = selectors.letter_queue_counts(letter_id=letter_id) if letter_id else None
        waiting = str(_("Waiting for review"))
        if counts is not None:
            waiting = f"{waiting} ({counts.get(selectors.QUEUE, 0):,})"
        choices: list[tuple[str, str]] = [(self.QUEUE, waiting)]
        for value, label in Status.choices:
            shown = f"{label} ({counts.get(value, 0):,})" if counts is not None else str(label)
            choices.append((value, shown))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == self.QUEUE:
            return queryset.filter(
                # Confirmed and not shown: on a pre-moderated letter, or an organisation's
                # signature, which waits for an organiser on any letter.
                Q(status=Status.FLAGGED) | Q(status=Status.CONFIRMED, is_public=False)
            )
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class SignalFilter(admin.SimpleListFilter):
    title = _("fraud signal")
    parameter_name = "signal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("any", str(_("Any signal"))),
            ("none", str(_("No signal"))),
            *((k, str(label)) for k, label in FraudSignal.Kind.choices),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        signals = FraudSignal.objects.filter(signature=OuterRef("pk"))
        if value == "any":
            return queryset.filter(Exists(signals))
        if value == "none":
            return queryset.filter(~Exists(signals))
        if value in FraudSignal.Kind.values:
            return queryset.filter(Exists(signals.filter(kind=value)))
        return queryset


class CountryFilter(admin.SimpleListFilter):
    """Countries that have signed: for one letter a cached grouped count over all its
    signatures, for all letters the batched public counters."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        letter_id = _selected_letter_id(request)
        counts: dict[str, int] = {}
        if letter_id:
            # One letter: every state counts, so waiting signatures can be found by country.
            counts = dict(selectors.letter_country_counts(letter_id=letter_id))
            label = "{name} ({n:,})"
        else:
            for row in LetterStats.objects.all():
                for code, n in row.by_country.items():
                    counts[code] = counts.get(code, 0) + n
            label = "{name} ({n:,} shown)"
        current = self.value()
        if current and current not in counts and current in countries:
            counts[current] = 0
        return [
            (code, label.format(name=countries.name(code), n=n))
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").upper()
        return queryset.filter(country=value) if value else queryset


class InstitutionFilter(admin.SimpleListFilter):
    """An institution by id (the list links to it) or by part of its name, typed: the
    registry has 100,000 entries, too many to list."""

    title = _("institution")
    parameter_name = "institution"
    template = "admin/curation/input_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        if value and value.isdigit():
            institution = Institution.objects.filter(pk=value).only("name").first()
            return [(value, institution.name if institution else value)]
        if value:
            return [(value, str(_("Name contains “%(text)s”")) % {"text": value})]
        return []

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(institution_id=int(value))
        ids = Institution.objects.filter(name__icontains=value[:100]).values("pk")[:200]
        # Typed affiliations too, hidden from the public or not (search_text has only what
        # the public sees).
        return queryset.filter(
            Q(institution_id__in=ids)
            | Q(search_text__contains=fold(value))
            | Q(institution_name__icontains=value[:100])
        )

    def choices(self, changelist: ChangeList) -> Any:
        yield from super().choices(changelist)
        keep = {
            k: v for k, v in changelist.get_filters_params().items() if k != self.parameter_name
        }
        yield {"form": True, "params": keep, "value": self.value() or ""}


class SignatureAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail with your name. Needed when you change details."),
    )

    class Meta:
        model = Signature
        fields = list(services.EDITABLE)
        labels = {
            "institution": _("Institution in the registry"),
            "institution_name": _("Affiliation as shown"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        edited = [name for name in self.changed_data if name in services.EDITABLE]
        if edited and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why these details change."))
        return data


class SignatureEventInline(admin.TabularInline):
    model = SignatureEvent
    verbose_name_plural = _("audit trail")
    fields = ("created_at", "action", "from_status", "to_status", "actor", "reason", "changes")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _export_filename(letter: Letter | None, kind: str, extension: str) -> str:
    base = letter.slug if letter else "all-letters"
    return f"{slugify(base)}-{kind}.{extension}"


@admin.register(Signature)
class SignatureAdmin(CheapListMixin, admin.ModelAdmin):
    form = SignatureAdminForm
    list_display = [
        "signatory",
        "letter_short",
        "state",
        "verification",
        "country_code",
        "affiliation",
        "signals",
        "featured_rank",
        "created_at",
    ]
    list_display_links = ["signatory"]
    list_filter = [
        "letter",
        StatusFilter,
        SignalFilter,
        "level",
        CountryFilter,
        InstitutionFilter,
        "capacity",
        "source",
    ]
    list_select_related = ["letter", "institution"]
    ordering = ["-created_at", "-id"]
    sortable_by = ["created_at"]
    search_fields = ["search_text"]  # answered by get_search_results below
    search_help_text = _(
        "A name or institution (accents and case do not matter), an email address, or #id."
    )
    autocomplete_fields = ["institution"]
    inlines = [SignatureEventInline]
    change_list_template = "admin/curation/signature_change_list.html"
    change_form_template = "admin/curation/signature_change_form.html"
    actions = [
        "approve",
        "reject",
        "flag",
        "feature",
        "unfeature",
        "export_csv",
        "export_json",
        "export_audit",
    ]
    readonly_fields = [
        "fraud_signals_found",
        "letter",
        "letter_version",
        "email",
        "status",
        "is_public",
        "level",
        "capacity",
        "orcid_id",
        "featured_rank",
        "source",
        "imported_by",
        "consent",
        "created_at",
        "confirmed_at",
        "withdrawn_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "letter",
                    "letter_version",
                    "status",
                    "is_public",
                    "level",
                    "fraud_signals_found",
                ]
            },
        ),
        (
            _("As shown in public"),
            {"fields": [*services.EDITABLE, "capacity", "featured_rank"]},
        ),
        (
            _("Evidence"),
            {
                "fields": [
                    "email",
                    "orcid_id",
                    "source",
                    "imported_by",
                    "consent",
                    "created_at",
                    "confirmed_at",
                    "withdrawn_at",
                ]
            },
        ),
        (_("Change"), {"fields": ["reason"]}),
    ]

    class Media:
        css = {"all": ["curation/admin.css"]}

    # Permissions ------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # signatures come from signing or from an import

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rejected or withdrawn, never deleted: the trail must stay

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("signatures.moderate_signature")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("signatures.export_signatures")

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("signatures.import_signatures")

    # The list -----------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signature]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "fraud_signals",
                    queryset=FraudSignal.objects.only("signature_id", "kind", "explanation"),
                )
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()[:200]
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email_normalized=term.lower()), False
        if term.startswith("#") and term[1:].isdigit():
            return queryset.filter(pk=int(term[1:])), False
        return queryset.filter(search_text__contains=fold(term)), False

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj: Signature) -> SafeString:
        # As Django's, without rendering a form widget through the template engine per row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            _("Select this object for an action - %(name)s") % {"name": obj.full_name},
        )

    @admin.display(description=_("signatory"), ordering="full_name")
    def signatory(self, obj: Signature) -> str:
        shown = obj.public_name if obj.public_name != obj.full_name else ""
        return format_html(
            "<strong>{}</strong>{}<br><small>{}</small>",
            obj.full_name,
            format_html(" <small>(shown as {})</small>", shown) if shown else "",
            obj.email or _("no address"),
        )

    @admin.display(description=_("letter"), ordering="letter__title")
    def letter_short(self, obj: Signature) -> str:
        return obj.letter.slug

    # Labels looked up in plain dictionaries: the model's get_FOO_display() and the admin's
    # display_for_field() flatten the choices again for every row (250 of them for countries).
    @admin.display(description=_("state"), ordering="status")
    def state(self, obj: Signature) -> str:
        return format_html(
            '<span class="state state--{}">{}</span>{}',
            obj.status,
            STATUS_LABELS.get(obj.status, obj.status),
            format_html(" <small>{}</small>", _("shown")) if obj.is_public else "",
        )

    @admin.display(description=_("verification"), ordering="level")
    def verification(self, obj: Signature) -> str:
        return str(LEVEL_LABELS.get(obj.level, obj.level))

    @admin.display(description=_("country"), ordering="country")
    def country_code(self, obj: Signature) -> str:
        code = str(obj.country)
        return format_html('<abbr title="{}">{}</abbr>', countries.name(code), code)

    @admin.display(description=_("affiliation"))
    def affiliation(self, obj: Signature) -> str:
        if obj.institution_id:
            return format_html(
                '{} <a href="?institution={}" title="{}">⌕</a>',
                obj.institution_name,
                obj.institution_id,
                _("Signatures from this institution"),
            )
        return obj.institution_name or "-"

    @admin.display(description=_("fraud signals"))
    def fraud_signals_found(self, obj: Signature) -> str:
        found = list(obj.fraud_signals.all())
        if not found:
            return str(_("None found when the signature was confirmed."))
        return format_html(
            '<ul class="signal-list">{}</ul>',
            format_html_join(
                "",
                '<li><span class="signal signal--{}">{}</span> {}</li>',
                ((s.kind, s.get_kind_display(), s.explanation) for s in found),
            ),
        )

    @admin.display(description=_("signals"))
    def signals(self, obj: Signature) -> str:
        found = list(obj.fraud_signals.all())
        if not found:
            return "-"
        return format_html_join(
            " ",
            '<span class="signal signal--{}" title="{}">{}</span>',
            ((s.kind, s.explanation, s.get_kind_display()) for s in found),
        )

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = list(super().get_list_display(request))
        if _selected_letter_id(request):
            columns.remove("letter_short")  # one letter's queue: the column says nothing
        return columns

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = extra_context or {}
        extra["can_export"] = self.has_export_permission(request)
        extra["can_import"] = self.has_import_permission(request)
        extra["filters_query"] = request.GET.urlencode()
        return super().changelist_view(request, extra_context=extra)

    # One signature ------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Signature, form: Any, change: bool) -> None:
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE
        }
        if changes:
            services.signature_edit(
                signature_id=obj.pk,
                actor=request.user,  # type: ignore[arg-type]
                changes=changes,
                reason=form.cleaned_data["reason"],
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The inlines are read-only and the service saved what there was to save; the
        # formsets only need to know they changed nothing, for the admin's change message.
        for formset in formsets:
            formset.save(commit=False)

    # Actions ------------------------------------------------------------------------------

    def _ids(self, request: HttpRequest, queryset: QuerySet) -> list[int] | None:
        ids = list(queryset.values_list("pk", flat=True)[: settings.CURATION_BULK_MAX + 1])
        if len(ids) > settings.CURATION_BULK_MAX:
            self.message_user(
                request,
                _(
                    "That is more than %(max)s signatures: narrow the filters and act on fewer "
                    "at a time."
                )
                % {"max": f"{settings.CURATION_BULK_MAX:,}"},
                messages.ERROR,
            )
            return None
        return ids

    def _intermediate(
        self, request: HttpRequest, queryset: QuerySet, *, action: str, title: Any, **context: Any
    ) -> TemplateResponse:
        select_across = request.POST.get("select_across") == "1"
        field = "CHANGE_FORM-action" if "CHANGE_FORM-action" in request.POST else "action"
        return TemplateResponse(
            request,
            "admin/curation/action_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "action": action,
                "action_field": field,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": select_across,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "preview": queryset.select_related("letter")[:20],
                "count": len(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
                if not select_across
                else None,
                **context,
            },
        )

    def _report(self, request: HttpRequest, result: services.ModerationResult, verb: str) -> None:
        level = messages.SUCCESS if result.changed else messages.WARNING
        self.message_user(request, result.message(verb), level)

    @admin.action(
        description=_("Approve: show on the letter"),
        permissions=["moderate"],
        location=BOTH,
    )
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = self._ids(request, queryset)
        if ids is not None:
            result = services.signatures_approve(
                signature_ids=ids,
                actor=request.user,  # type: ignore[arg-type]
                reason=request.POST.get("reason", "")[:2000],
            )
            self._report(request, result, "approved")

    def _with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action: str,
        title: Any,
        moderate: Callable[..., services.ModerationResult],
        verb: str,
    ) -> HttpResponse | None:
        """Ask for the reason on a page of its own, then act with it."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._intermediate(request, queryset, action=action, title=title, form=form)
        ids = self._ids(request, queryset)
        if ids is not None:
            result = moderate(
                signature_ids=ids, actor=request.user, reason=form.cleaned_data["reason"]
            )
            self._report(request, result, verb)
        return None

    @admin.action(description=_("Reject, with a reason"), permissions=["moderate"], location=BOTH)
    def reject(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="reject",
            title=_("Reject signatures"),
            moderate=services.signatures_reject,
            verb="rejected",
        )

    @admin.action(
        description=_("Flag for review: hide until approved"),
        permissions=["moderate"],
        location=BOTH,
    )
    def flag(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="flag",
            title=_("Flag signatures for review"),
            moderate=services.signatures_flag,
            verb="flagged for review",
        )

    @admin.action(
        description=_("Feature: list first, in an order you set"),
        permissions=["moderate"],
        location=BOTH,
    )
    def feature(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        ids = self._ids(request, queryset)
        if ids is None:
            return None
        signatures = list(
            Signature.objects.filter(pk__in=ids[:200]).order_by(
                "featured_rank", "-confirmed_at", "-id"
            )
        )
        if "apply" in request.POST:
            ranks: dict[int, int | None] = {}
            for signature in signatures:
                raw = request.POST.get(f"rank-{signature.pk}", "").strip()
                if raw and not raw.isdigit():
                    self.message_user(request, _("Positions are whole numbers."), messages.ERROR)
                    return None
                ranks[signature.pk] = int(raw) if raw else None
            try:
                result = services.signatures_feature(ranks=ranks, actor=request.user)  # type: ignore[arg-type]
            except services.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self._report(request, result, "given their featured position")
            return None
        next_rank: dict[int, int] = {}
        rows = []
        for signature in signatures:
            rank = signature.featured_rank
            if rank is None:
                if signature.letter_id not in next_rank:
                    next_rank[signature.letter_id] = services.signatures_next_featured_rank(
                        letter_id=signature.letter_id
                    )
                rank = next_rank[signature.letter_id]
                next_rank[signature.letter_id] += 1
            rows.append((signature, rank))
        return self._intermediate(
            request,
            queryset,
            action="feature",
            title=_("Feature signatories"),
            feature_rows=rows,
            too_many=len(ids) > 200,
        )

    @admin.action(description=_("Stop featuring"), permissions=["moderate"], location=BOTH)
    def unfeature(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = self._ids(request, queryset.filter(featured_rank__isnull=False))
        if ids is not None:
            result = services.signatures_feature(
                ranks=dict.fromkeys(ids),
                actor=request.user,  # type: ignore[arg-type]
            )
            self._report(request, result, "taken off the featured list")

    def _letter_of(self, request: HttpRequest) -> Letter | None:
        letter_id = _selected_letter_id(request)
        return Letter.objects.filter(pk=letter_id).first() if letter_id else None

    def _stream(self, chunks: Any, content_type: str, filename: str) -> StreamingHttpResponse:
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Export as CSV"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        letter = self._letter_of(request)
        return self._stream(
            selectors.csv_lines(selectors.SIGNATORY_COLUMNS, selectors.signatory_rows(queryset)),
            "text/csv; charset=utf-8",
            _export_filename(letter, "signatories", "csv"),
        )

    @admin.action(description=_("Export as JSON"), permissions=["export"])
    def export_json(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        letter = self._letter_of(request)
        filters = {k: str(v) for k, v in request.GET.items() if k not in ("p", "o")}
        return self._stream(
            selectors.signatories_json(
                letter=letter, rows=selectors.signatory_rows(queryset), filters=filters
            ),
            "application/json",
            _export_filename(letter, "signatories", "json"),
        )

    @admin.action(description=_("Export the audit trail as CSV"), permissions=["view"])
    def export_audit(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        letter = self._letter_of(request)
        events = SignatureEvent.objects.filter(signature__in=queryset.values("pk"))
        return self._stream(
            selectors.csv_lines(selectors.EVENT_COLUMNS, selectors.event_rows(events)),
            "text/csv; charset=utf-8",
            _export_filename(letter, "audit-trail", "csv"),
        )

    # Pages of their own -------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "export/<str:what>/",
                self.admin_site.admin_view(self.export_view),
                name="signatures_signature_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="signatures_signature_import",
            ),
            path(
                "<int:signature_id>/audit.csv",
                self.admin_site.admin_view(self.audit_view),
                name="signatures_signature_audit",
            ),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest, what: str) -> HttpResponseBase:
        """The whole filtered list (not just a page), as the changelist shows it."""
        exports = {
            "csv": (self.export_csv, self.has_export_permission),
            "json": (self.export_json, self.has_export_permission),
            "audit": (self.export_audit, self.has_view_permission),
        }
        if what not in exports:
            raise PermissionDenied
        export, allowed = exports[what]
        if not allowed(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return export(request, changelist.get_queryset(request))

    def audit_view(self, request: HttpRequest, signature_id: int) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        signature = get_object_or_404(Signature, pk=signature_id)
        events = SignatureEvent.objects.filter(signature=signature)
        return self._stream(
            selectors.csv_lines(selectors.EVENT_COLUMNS, selectors.event_rows(events)),
            "text/csv; charset=utf-8",
            f"signature-{signature.pk}-audit-trail.csv",
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        user: User = request.user  # type: ignore[assignment]
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import signatures collected offline"),
            "letters": Letter.objects.exclude(status=Letter.Status.DRAFT).order_by("title"),
            "max_mb": settings.SIGNATURE_IMPORT_MAX_MB,
        }
        if request.method == "POST" and "staged" in request.POST:
            staged_id = request.POST["staged"]
            if not (staged_id.isascii() and staged_id.isdigit()):
                raise Http404("No such checked file.")
            checked = get_object_or_404(SignatureImport, pk=int(staged_id))
            try:
                result = services.signature_import_run(staged_id=checked.pk, actor=user)
            except services.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                _("%(n)s signatures imported from %(file)s, as collected by you.")
                % {"n": result.created, "file": checked.filename},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:signatures_signature_changelist")
                + f"?letter__id__exact={checked.letter_id}&source__exact=import"
            )
        if request.method == "POST":
            letter = Letter.objects.filter(pk=request.POST.get("letter") or 0).first()
            upload = request.FILES.get("file")
            if letter is None or upload is None:
                context["error"] = _("Choose the letter and the CSV file.")
            elif upload.size and upload.size > settings.SIGNATURE_IMPORT_MAX_MB << 20:
                context["error"] = _("The file is larger than %(mb)s MB.") % {
                    "mb": settings.SIGNATURE_IMPORT_MAX_MB
                }
            else:
                staged, report = services.signature_import_stage(
                    letter=letter,
                    content=upload.read(),
                    filename=upload.name or "upload.csv",
                    actor=user,
                    note=request.POST.get("note", ""),
                )
                context.update({"report": report, "staged": staged, "letter": letter})
        return TemplateResponse(request, "admin/curation/import_signatures.html", context)


class EventActionFilter(admin.SimpleListFilter):
    """The actions the services record: a fixed list, never a DISTINCT over the trail."""

    title = _("action")
    parameter_name = "action"
    ACTIONS = (
        "confirmed", "approved", "rejected", "flagged", "withdrawn", "edited", "featured",
        "unfeatured", "imported", "institution_merged", "orcid_connected", "orcid_removed",
        "level_changed",
    )  # fmt: skip

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(a, a.replace("_", " ")) for a in self.ACTIONS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(action=self.value()) if self.value() else queryset


class EventStatusFilter(admin.SimpleListFilter):
    title = _("new state")
    parameter_name = "to_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Status.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(to_status=self.value()) if self.value() else queryset


@admin.register(SignatureEvent)
class SignatureEventAdmin(CheapListMixin, admin.ModelAdmin):
    """The audit trail of every signature, newest first."""

    list_display = ["created_at", "action", "signature_link", "from_status", "to_status", "who"]
    list_filter = [EventActionFilter, EventStatusFilter]
    list_select_related = ["signature", "actor"]
    ordering = ["-created_at", "-id"]
    sortable_by = ()
    readonly_fields = ["signature", "actor", "action", "from_status", "to_status", "reason"]
    fields = [*readonly_fields, "changes", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("signature"))
    def signature_link(self, obj: SignatureEvent) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:signatures_signature_change", args=[obj.signature_id]),
            obj.signature.full_name,
        )

    @admin.display(description=_("by"))
    def who(self, obj: SignatureEvent) -> str:
        return obj.actor.email if obj.actor else str(_("the signing site"))


class ConsentTextForm(forms.ModelForm):
    make_current = forms.BooleanField(
        label=_("Show it on the sign form from now on"), required=False, initial=True
    )

    class Meta:
        model = ConsentText
        fields = ["version", "text"]
        help_texts = {
            "version": _("A name for this wording, such as a date: signatures record it."),
            "text": _("The sentence next to the checkbox. It can never be edited afterwards."),
        }


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Wordings of the consent checkbox. A wording is never edited or deleted once saved:
    signatures keep the one they agreed to. A change is a new version."""

    form = ConsentTextForm
    list_display = ["version", "is_current", "created_at", "wording"]
    ordering = ["-created_at"]
    actions = ["make_current"]

    @admin.display(description=_("wording"))
    def wording(self, obj: ConsentText) -> str:
        return obj.text if len(obj.text) <= 120 else f"{obj.text[:119]}…"

    def get_fields(self, request: HttpRequest, obj: ConsentText | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("version", "text", "make_current")
        return ("version", "text", "is_current", "created_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ConsentText | None = None
    ) -> list[str]:
        return [] if obj is None else ["version", "text", "is_current", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ConsentText, form: Any, change: bool) -> None:
        if change:
            return  # nothing on a saved wording can change
        created = signing.consent_publish(
            version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
            make_current=form.cleaned_data["make_current"],
        )
        obj.pk, obj.is_current, obj.created_at = created.pk, created.is_current, created.created_at
        obj._state.adding = False

    @admin.action(description=_("Show on the sign form from now on"), permissions=["change"])
    def make_current(self, request: HttpRequest, queryset: QuerySet[ConsentText]) -> None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose one wording."), messages.ERROR)
            return
        signing.consent_make_current(consent_id=chosen[0].pk)
        self.message_user(request, _("New signatures now agree to %s.") % chosen[0].version)


class WatchlistForm(forms.ModelForm):
    class Meta:
        model = WatchlistEntry
        fields = ["name", "note"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        problem = services.watchlist_name_problem(name=name, entry_id=self.instance.pk)
        if problem:
            raise forms.ValidationError(problem)
        return name


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(admin.ModelAdmin):
    form = WatchlistForm
    list_display = ["name", "note", "added_by", "created_at"]
    list_select_related = ["added_by"]
    search_fields = ["name", "name_key"]

    def save_model(
        self, request: HttpRequest, obj: WatchlistEntry, form: Any, change: bool
    ) -> None:
        services.watchlist_entry_save(entry=obj, actor=request.user)  # type: ignore[arg-type]


@admin.register(SignatureImport)
class SignatureImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "letter", "rows", "status", "imported_by", "imported_at"]
    list_select_related = ["letter", "imported_by"]
    list_filter = ["status", "letter"]
    readonly_fields = fields = (
        "letter", "filename", "sha256", "rows", "note", "status", "checked_by", "created_at",
        "imported_by", "imported_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Institutions: the registry's admin, with merging, which moves signatures. ---------------


class CurationInstitutionAdmin(InstitutionAdmin):
    actions = ["merge"]

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("institutions.merge_institution")

    @admin.action(description=_("Merge duplicates into one"), permissions=["merge"])
    def merge(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        chosen = list(queryset.order_by("name")[:20])
        if len(chosen) < 2:
            self.message_user(request, _("Select two or more institutions."), messages.WARNING)
            return None
        if "apply" in request.POST:
            keep = request.POST.get("keep", "")
            try:
                result = services.institutions_merge(
                    target_id=int(keep) if keep.isdigit() else 0,
                    duplicate_ids=[i.pk for i in chosen],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except services.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                _(
                    "Merged %(names)s into %(target)s: %(domains)s email domains and "
                    "%(signatures)s signatures moved."
                )
                % {
                    "names": ", ".join(result.merged),
                    "target": result.target.name,
                    "domains": result.domains_moved,
                    "signatures": result.signatures_moved,
                },
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/curation/merge_institutions.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Merge duplicate institutions"),
                "institutions": chosen,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


admin.site.unregister(Institution)
admin.site.register(Institution, CurationInstitutionAdmin)
