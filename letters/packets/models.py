"""Packet jobs: one signed PDF per legislator, and the status rows the work is derived from.

A job never keeps counters of its own. Its progress, its errors and what is left to do are
read from its per-legislator `Packet` rows and from the `PacketPart` rows of the pages
every packet shares (the letter, the signatory list in chunks, the batches of covers). Each
row is claimed with a conditional UPDATE before work starts on it and marked done only after
its file is on disk, so a job can be resumed, retried or cancelled, and shown with progress,
whatever happened to the worker that was rendering it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from letters.campaigns.models import Letter, LetterVersion
from letters.legislators.models import Committee, Legislator

# Crockford's base32: no I, L, O or U, so an identifier read aloud or typed survives.
IDENTIFIER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_packet_identifier() -> str:
    raw = "".join(secrets.choice(IDENTIFIER_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class SigningCertificate(models.Model):
    """Every certificate this site has signed packets with, so that packets signed before a
    certificate was replaced still verify."""

    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    not_valid_after = models.DateTimeField(_("valid until"))
    pem = models.TextField(_("certificate (PEM)"))
    first_used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_used_at"]
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint[:16]})"


class PacketJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        ALL_ACTIVE = "all", _("All active Members of the European Parliament")
        COMMITTEES = "committees", _("Members of one or more committees")
        COUNTRIES = "countries", _("Members from one or more countries")
        SELECTED = "selected", _("A hand-picked list of Members")

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="packet_jobs")
    letter_version = models.ForeignKey(
        LetterVersion,
        on_delete=models.PROTECT,
        related_name="packet_jobs",
        verbose_name=_("text rendered"),
    )
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.COMMITTEES
    )
    committees = models.ManyToManyField(Committee, blank=True, related_name="packet_jobs")
    countries = models.JSONField(_("countries"), default=list, blank=True)
    legislators = models.ManyToManyField(
        Legislator, blank=True, related_name="+", verbose_name=_("hand-picked Members")
    )
    include_substitutes = models.BooleanField(_("include substitutes"), default=True)
    approved_only = models.BooleanField(_("approved signatures only"), default=False)
    cutoff = models.DateTimeField(
        _("signatures confirmed up to"), null=True, blank=True, help_text=_("Empty: all.")
    )
    featured_first = models.BooleanField(_("featured signatories first"), default=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A form submitted twice (a double click, a reload) carries the same key: one job.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Who is preparing the job (the task id), and since when: a stale claim is re-queued.
    claim_token = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    assembly_enqueued_at = models.DateTimeField(null=True, blank=True)
    finish_claimed_at = models.DateTimeField(null=True, blank=True)

    # What preparing the job found; the same for every packet of the job.
    signatories = models.PositiveIntegerField(_("signatories"), null=True, blank=True)
    organisations = models.PositiveIntegerField(null=True, blank=True)
    list_sha256 = models.CharField(_("SHA-256 of the signatory list"), max_length=64, blank=True)
    body_pages = models.PositiveIntegerField(null=True, blank=True)
    list_pages = models.PositiveIntegerField(null=True, blank=True)
    total_pages = models.PositiveIntegerField(_("pages per packet"), null=True, blank=True)
    rows_per_page = models.PositiveIntegerField(null=True, blank=True)

    zip_name = models.CharField(max_length=200, blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    zip_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="packetjob_status")]
        permissions = [
            ("generate_packets", _("Can start, cancel and retry packet jobs")),
        ]
        verbose_name = _("packet job")
        verbose_name_plural = _("packet jobs")

    def __str__(self) -> str:
        return f"Packet job #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ClaimedWork(models.Model):
    """A piece of a job that one task at a time renders: claimed (status running, the task's
    id, when) with a conditional UPDATE, marked done once its file is written."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claim_token = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PacketPart(ClaimedWork):
    """Pages rendered once per job and shared by its packets."""

    class Kind(models.TextChoices):
        BODY = "body", _("Letter, recommendations, partners and summary")
        LIST = "list", _("Signatory list, a chunk of pages")
        COVERS = "covers", _("Cover letters and verification pages, a batch of Members")

    job = models.ForeignKey(PacketJob, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    index = models.PositiveIntegerField()
    # List chunks: the first list page and the number of pages; covers: the first packet
    # index and the number of packets.
    first = models.PositiveIntegerField(default=0)
    count = models.PositiveIntegerField(default=1)
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "kind", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "kind", "index"], name="packet_part_unique"),
        ]
        indexes = [models.Index(fields=["job", "status"], name="packetpart_job_status")]
        verbose_name = _("shared part")
        verbose_name_plural = _("shared parts")

    def __str__(self) -> str:
        return f"{self.kind} {self.index} of job {self.job_id}"


class Packet(ClaimedWork):
    """One legislator's PDF. The legislator's name, group and country are kept as they were
    when the packet was made: a packet already sent must stay explainable."""

    job = models.ForeignKey(PacketJob, on_delete=models.CASCADE, related_name="packets")
    index = models.PositiveIntegerField()
    legislator = models.ForeignKey(Legislator, on_delete=models.PROTECT, related_name="packets")
    identifier = models.CharField(
        _("packet identifier"), max_length=19, unique=True, default=new_packet_identifier
    )
    legislator_name = models.CharField(_("legislator"), max_length=200)
    legislator_country = models.CharField(_("country"), max_length=2)
    legislator_group = models.CharField(_("political group"), max_length=200, blank=True)
    legislator_party = models.CharField(_("national party"), max_length=300, blank=True)
    roles = models.CharField(_("committee roles"), max_length=500, blank=True)

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    signatories = models.PositiveIntegerField(_("signatories"), null=True, blank=True)
    country_signatories = models.PositiveIntegerField(null=True, blank=True)
    certificate = models.ForeignKey(
        SigningCertificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "legislator"], name="packet_job_legislator"),
            models.UniqueConstraint(fields=["job", "index"], name="packet_job_index"),
        ]
        indexes = [models.Index(fields=["job", "status"], name="packet_job_status")]
        verbose_name = _("packet")
        verbose_name_plural = _("packets")

    def __str__(self) -> str:
        return f"{self.identifier} for {self.legislator_name}"

    def get_absolute_url(self) -> str:
        return reverse("packets:verify_identifier", kwargs={"identifier": self.identifier})
