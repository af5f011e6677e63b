"""Packet jobs in the admin: start one, watch it (a progress bar polling a small JSON view),
cancel it, retry what failed, download the PDFs and the ZIP. Every action goes through the
services; the job page never writes a model itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries import countries as all_countries

from letters.campaigns.models import Letter
from letters.legislators.models import Committee, Legislator
from letters.packets import selectors, services, storage
from letters.packets.models import Packet, PacketJob, SigningCertificate

GENERATE = "packets.generate_packets"


class PacketJobStartForm(forms.Form):
    letter = forms.ModelChoiceField(
        label=_("Letter"),
        queryset=Letter.objects.exclude(status=Letter.Status.DRAFT)
        .filter(current_version__isnull=False)
        .order_by("title"),
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=PacketJob.Audience.choices,
        initial=PacketJob.Audience.COMMITTEES,
        widget=forms.RadioSelect,
    )
    committees = forms.ModelMultipleChoiceField(
        label=_("Committees"),
        queryset=Committee.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_substitutes = forms.BooleanField(
        label=_("Include substitute members"), required=False, initial=True
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    legislators = forms.ModelMultipleChoiceField(
        label=_("Hand-picked Members"),
        queryset=Legislator.objects.all(),
        required=False,
    )
    approved_only = forms.BooleanField(
        label=_("Approved signatures only"),
        required=False,
        help_text=_("Leave out confirmed signatures that no organiser has approved."),
    )
    cutoff = forms.SplitDateTimeField(
        label=_("Signatures confirmed up to"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Empty: every signature up to now."),
    )
    featured_first = forms.BooleanField(
        label=_("Featured signatories first"), required=False, initial=True
    )
    request_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, admin_site: admin.AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        present = set(Legislator.objects.filter(is_active=True).values_list("country", flat=True))
        countries_field = self.fields["countries"]
        assert isinstance(countries_field, forms.MultipleChoiceField)
        countries_field.choices = [
            (code, f"{name} ({code})") for code, name in all_countries if code in present
        ]
        legislators = self.fields["legislators"]
        assert isinstance(legislators, forms.ModelMultipleChoiceField)
        legislators.widget = AutocompleteSelectMultiple(
            PacketJob._meta.get_field("legislators"), admin_site
        )
        legislators.widget.choices = legislators.choices
        if not self.is_bound:
            self.initial["request_key"] = uuid.uuid4().hex

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        needed = {
            PacketJob.Audience.COMMITTEES: ("committees", _("Choose at least one committee.")),
            PacketJob.Audience.COUNTRIES: ("countries", _("Choose at least one country.")),
            PacketJob.Audience.SELECTED: ("legislators", _("Choose at least one Member.")),
        }
        if audience in needed:
            field, message = needed[audience]
            if not data.get(field):
                self.add_error(field, message)
        return data


@admin.register(PacketJob)
class PacketJobAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "letter_title", "audience_summary", "status_badge", "progress",
        "signatories", "created_by", "created_at", "download",
    ]  # fmt: skip
    list_filter = ["status", "letter"]
    list_select_related = ["letter", "created_by"]
    list_per_page = 50
    date_hierarchy = "created_at"

    # Permissions: organisers (the "generate packets" permission) start, cancel and retry;
    # "view" lets one watch and download. Nothing is edited by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(GENERATE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PacketJob]:
        return selectors.packet_jobs_for_admin()

    @admin.display(description=_("letter"), ordering="letter__title")
    def letter_title(self, obj: PacketJob) -> str:
        return obj.letter.title

    @admin.display(description=_("audience"))
    def audience_summary(self, obj: PacketJob) -> str:
        return str(obj.get_audience_display())

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: PacketJob) -> str:
        return format_html('<span class="packet-status packet-status--{}">{}</span>',
                           obj.status, obj.get_status_display())  # fmt: skip

    @admin.display(description=_("packets"))
    def progress(self, obj: PacketJob) -> str:
        failed = getattr(obj, "packets_failed", 0)
        return format_html(
            "{} / {}{}",
            getattr(obj, "packets_done", 0),
            getattr(obj, "packets_total", 0),
            format_html(' <span style="color:#a4161a">({} failed)</span>', failed)
            if failed
            else "",
        )

    @admin.display(description=_("ZIP"))
    def download(self, obj: PacketJob) -> str:
        if not obj.zip_name:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:packets_packetjob_zip", args=[obj.pk]),
            _("Download"),
        )

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        views: list[tuple[str, Callable[..., HttpResponseBase], str]] = [
            ("<int:job_id>/progress/", self.progress_view, "progress"),
            ("<int:job_id>/cancel/", self.cancel_view, "cancel"),
            ("<int:job_id>/retry/", self.retry_view, "retry"),
            ("<int:job_id>/zip/", self.zip_view, "zip"),
            ("<int:job_id>/manifest/", self.manifest_view, "manifest"),
            ("<int:job_id>/packets/<int:packet_id>/", self.packet_file_view, "packet"),
        ]
        return [
            *(
                path(route, wrap(view), name=f"packets_packetjob_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def _job(self, request: HttpRequest, job_id: int) -> PacketJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            PacketJob.objects.select_related("letter", "letter_version"), pk=job_id
        )

    def _require_generate(self, request: HttpRequest) -> None:
        if not request.user.has_perm(GENERATE):
            raise PermissionDenied

    # Starting

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._require_generate(request)
        form = PacketJobStartForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = services.packet_job_create(
                    letter=data["letter"],
                    audience=data["audience"],
                    committees=data["committees"],
                    countries=data["countries"],
                    legislators=data["legislators"],
                    include_substitutes=data["include_substitutes"],
                    approved_only=data["approved_only"],
                    cutoff=data["cutoff"],
                    featured_first=data["featured_first"],
                    user=request.user,  # type: ignore[arg-type]
                    request_key=data["request_key"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    _("Packet job #%(id)s started: %(count)s packet(s).")
                    % {"id": job.pk, "count": job.packets.count()},
                    messages.SUCCESS,
                )
                return redirect("admin:packets_packetjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Start a packet job"),
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/packets/packetjob/start.html", context)

    # Watching

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            job = self._job(request, int(object_id))
        except ValueError as exc:
            raise Http404 from exc
        packets = Packet.objects.filter(job=job).only(
            "id", "job_id", "index", "identifier", "legislator_name", "legislator_country",
            "roles", "status", "pages", "sha256", "size", "error", "file_name", "rendered_at",
        )  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "packets": packets,
            "progress": selectors.packet_job_progress(job=job),
            "errors": selectors.packet_job_errors(job=job),
            "committees": list(job.committees.values_list("code", flat=True)),
            "can_generate": request.user.has_perm(GENERATE),
            "has_view_permission": True,
            "original": job,
        }
        return TemplateResponse(request, "admin/packets/packetjob/detail.html", context)

    def progress_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        job = self._job(request, job_id)
        return JsonResponse(selectors.packet_job_progress(job=job))

    # Acting

    def cancel_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        return require_POST(self._cancel)(request, job_id)

    def _cancel(self, request: HttpRequest, job_id: int) -> HttpResponse:
        self._require_generate(request)
        job = self._job(request, job_id)
        if services.packet_job_cancel(job_id=job.pk):
            self.message_user(request, _("Job cancelled."), messages.SUCCESS)
        else:
            self.message_user(request, _("The job had already ended."), messages.WARNING)
        return redirect("admin:packets_packetjob_change", job.pk)

    def retry_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        return require_POST(self._retry)(request, job_id)

    def _retry(self, request: HttpRequest, job_id: int) -> HttpResponse:
        self._require_generate(request)
        job = self._job(request, job_id)
        try:
            count = services.packet_job_retry_failed(job_id=job.pk)
        except services.PacketJobError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request, _("%(count)s item(s) queued again.") % {"count": count}, messages.SUCCESS
            )
        return redirect("admin:packets_packetjob_change", job.pk)

    # Downloading

    def zip_view(self, request: HttpRequest, job_id: int) -> FileResponse:
        job = self._job(request, job_id)
        if not job.zip_name:
            raise Http404("No ZIP yet")
        return _file(storage.job_dir(job.pk) / job.zip_name, job.zip_name)

    def manifest_view(self, request: HttpRequest, job_id: int) -> FileResponse:
        job = self._job(request, job_id)
        return _file(storage.job_dir(job.pk) / "manifest.csv", f"packets-{job.pk}-manifest.csv")

    def packet_file_view(self, request: HttpRequest, job_id: int, packet_id: int) -> FileResponse:
        job = self._job(request, job_id)
        packet = get_object_or_404(Packet, pk=packet_id, job=job, status=Packet.Status.DONE)
        return _file(storage.packets_dir(job.pk) / packet.file_name, packet.file_name)

    def delete_model(self, request: HttpRequest, obj: PacketJob) -> None:
        services.packet_job_delete(job_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PacketJob]) -> None:
        for job_id in queryset.values_list("pk", flat=True):
            services.packet_job_delete(job_id=job_id)


def _file(file_path: Any, name: str) -> FileResponse:
    try:
        handle = open(file_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError as exc:
        raise Http404("The file is missing on disk") from exc
    return FileResponse(handle, as_attachment=True, filename=name)


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ["subject", "fingerprint", "not_valid_after", "first_used_at"]
    readonly_fields = ["subject", "fingerprint", "not_valid_after", "pem", "first_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Packets signed with it would stop verifying.
        return False
