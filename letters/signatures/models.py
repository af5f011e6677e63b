"""Signatures and the evidence behind them.

A signature is stored the moment it is submitted (unconfirmed) and only counts once its
email address is confirmed. What the public sees is decided by `is_public`, which the
services recompute on every change of state, so list pages and counters read one indexed
column instead of re-deriving the moderation rules in every query."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from letters.campaigns.models import Letter, LetterVersion
from letters.institutions.models import Institution


class ConsentText(models.Model):
    """The exact wording of the consent checkbox; a signature keeps the one it agreed to."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    text = models.TextField(_("text"), max_length=2000)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_consent_text",
            )
        ]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self) -> str:
        return self.version


class Signature(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        FLAGGED = "flagged", _("Flagged for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Level(models.TextChoices):
        """How much a legislator's office can trust this name, weakest first."""

        NONE = "none", _("Not verified")
        IMPORTED = "imported", _("Collected by an organiser")
        EMAIL = "email", _("Email confirmed")
        AFFILIATION = "affiliation", _("Affiliation verified")
        ORCID = "orcid", _("ORCID verified")
        ORGANISATION = "organisation", _("Organisation signature")

    class Capacity(models.TextChoices):
        INDIVIDUAL = "individual", _("As an individual")
        ORGANISATION = "organisation", _("On behalf of my organisation")

    class Source(models.TextChoices):
        WEB = "web", _("Signed on the web")
        IMPORT = "import", _("Imported by an organiser")

    # Every signing INSERT maintains every index of this table, so none is kept that another
    # covers (the letter leads the composite indexes below) or that only guards deleting
    # rows that are never deleted (letter versions, consent texts in use).
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, related_name="signatures", db_index=False
    )
    letter_version = models.ForeignKey(
        LetterVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        null=True,
        db_index=False,
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatures",
    )
    email = models.EmailField(_("email"), max_length=254, blank=True)
    email_normalized = models.CharField(max_length=254, blank=True, editable=False)

    full_name = models.CharField(_("full name"), max_length=200)
    display_name = models.CharField(
        _("name as displayed"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to show the full name."),
    )
    title = models.CharField(_("role or title"), max_length=200, blank=True)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatures",
    )
    institution_name = models.CharField(_("institution"), max_length=255, blank=True)
    show_affiliation = models.BooleanField(_("show my affiliation"), default=True)
    country = CountryField(_("country"))
    capacity = models.CharField(
        _("signing"), max_length=12, choices=Capacity.choices, default=Capacity.INDIVIDUAL
    )
    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, null=True, db_index=False)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    is_public = models.BooleanField(_("shown publicly"), default=False, editable=False)
    level = models.CharField(
        _("verification"), max_length=12, choices=Level.choices, default=Level.NONE
    )
    orcid_id = models.CharField(_("ORCID iD"), max_length=19, blank=True)
    featured_rank = models.PositiveIntegerField(
        _("featured position"),
        null=True,
        blank=True,
        help_text=_("Featured signatories come first, lowest number first."),
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below: web signatures have none
    )
    # Folded "name + affiliation" text for search and duplicate detection.
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    # A keyed hash of the submitting address, never the address; cleared after retention.
    ip_hash = models.CharField(max_length=32, blank=True, editable=False)
    # The proof-of-work challenge this signature spent (part of its signature); unique, so a
    # solved challenge is good for one signature, however often it is sent.
    challenge_key = models.CharField(
        max_length=32, blank=True, default="", db_default="", editable=False
    )
    # Rotated whenever a new confirmation email goes out: older links stop working.
    token_nonce = models.CharField(max_length=16, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "email_normalized"],
                condition=~models.Q(status="withdrawn") & ~models.Q(email_normalized=""),
                name="one_signature_per_letter_and_email",
            ),
            models.UniqueConstraint(
                fields=["challenge_key"],
                condition=~models.Q(challenge_key=""),
                name="one_signature_per_challenge",
            ),
        ]
        indexes = [
            # Public list, people and organisations apart: featured first, then newest. The
            # page's ids come from this index alone (see selectors.signatory_page).
            models.Index(
                fields=["letter", "is_public", "capacity", "featured_rank", "-confirmed_at", "-id"],
                name="signature_public_order",
            ),
            # The admin's lists, newest first: a page's ids come from these alone, however
            # deep the page (see letters.curation.admin.IdsFirstPaginator).
            models.Index(fields=["letter", "status", "-created_at", "-id"], name="signature_queue"),
            models.Index(fields=["letter", "-created_at", "-id"], name="signature_newest"),
            models.Index(fields=["email_normalized"], name="signature_email"),
            models.Index(fields=["ip_hash", "created_at"], name="signature_network"),
            models.Index(fields=["letter", "name_key"], name="signature_name_key"),
            models.Index(
                fields=["imported_by"],
                condition=models.Q(imported_by__isnull=False),
                name="signature_imported_by",
            ),
            # The confirmation emails waiting to be sent: a handful of rows at any time.
            models.Index(
                fields=["id"],
                condition=models.Q(status="unconfirmed", confirmation_sent_at__isnull=True),
                name="signature_confirmation_due",
            ),
        ]
        permissions = [
            ("moderate_signature", _("Can approve, reject, flag and feature signatures")),
            ("export_signatures", _("Can export a letter's signatories")),
            ("import_signatures", _("Can import signatures collected offline")),
        ]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.full_name}, signature #{self.pk}"

    @property
    def public_name(self) -> str:
        return self.display_name or self.full_name

    @property
    def public_affiliation(self) -> str:
        if not self.show_affiliation:
            return ""
        return self.institution_name

    @property
    def is_organisation(self) -> bool:
        return self.capacity == self.Capacity.ORGANISATION


class SignatureEvent(models.Model):
    """The audit trail: every change of state or of public details, by whom and why."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["signature", "-created_at"], name="event_signature")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        when = f", {self.created_at:%d %b %Y %H:%M}" if self.created_at else ""
        return f"{self.action.replace('_', ' ')}{when}"


class LetterStats(models.Model):
    """Public counters, recomputed in one batched query at most every few seconds.

    Pages read this row instead of counting: a viral letter gets thousands of readers per
    second refreshing the count, and a COUNT(*) per page view is what brought earlier
    petition sites down."""

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="stats")
    total = models.PositiveIntegerField(default=0)
    organisations = models.PositiveIntegerField(default=0)
    by_country = models.JSONField(default=dict)
    by_level = models.JSONField(default=dict)
    # The same for people only (organisations are listed apart): page counts of filters.
    people_by_country = models.JSONField(default=dict)
    people_by_level = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("letter statistics")
        verbose_name_plural = _("letter statistics")

    def __str__(self) -> str:
        return f"{self.total} signatures on {self.letter_id}"
