"""Campaigns, their partner organisations, and the letters people sign.

A letter's text changes over its life (typos, a new recommendation). Signatories sign the
text they read, so every change of title, addressee, body or recommendations is kept as a
numbered `LetterVersion`, and a signature points at the version it was given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The official languages of the European Union, in which a letter may be written.
LETTER_LANGUAGES = [
    ("bg", "Български"), ("cs", "Čeština"), ("da", "Dansk"), ("de", "Deutsch"),
    ("el", "Ελληνικά"), ("en", "English"), ("es", "Español"), ("et", "Eesti"), ("fi", "Suomi"),
    ("fr", "Français"), ("ga", "Gaeilge"), ("hr", "Hrvatski"), ("hu", "Magyar"),
    ("it", "Italiano"), ("lt", "Lietuvių"), ("lv", "Latviešu"), ("mt", "Malti"),
    ("nl", "Nederlands"), ("pl", "Polski"), ("pt", "Português"), ("ro", "Română"),
    ("sk", "Slovenčina"), ("sl", "Slovenščina"), ("sv", "Svenska"),
]  # fmt: skip


class Organisation(models.Model):
    """A partner organisation of a coalition campaign (not a signatory institution)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True, max_length=20000)
    is_published = models.BooleanField(_("published"), default=True)
    partners = models.ManyToManyField(
        Organisation, through="CampaignPartner", related_name="campaigns", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign", kwargs={"slug": self.slug})


class CampaignPartner(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="campaign_partner_unique"
            )
        ]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return f"{self.organisation} in {self.campaign}"


class Letter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")

    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderated: confirmed signatures show at once")
        PRE = "pre", _("Pre-moderated: confirmed signatures wait for approval")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="letters", null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    addressee = models.CharField(_("addressee"), max_length=300)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("body (Markdown)"), max_length=100_000)
    closing = models.TextField(_("closing (Markdown)"), max_length=20_000, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=LETTER_LANGUAGES, default="en"
    )
    published_on = models.DateField(_("publication date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.POST
    )
    position = models.PositiveSmallIntegerField(_("position in campaign"), default=0)
    current_version = models.ForeignKey(
        "LetterVersion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "-published_on"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:letter", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Recommendation(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("number"))
    slug = models.SlugField(
        _("anchor"),
        max_length=80,
        help_text=_("Stable anchor for links; keep it when the wording or order changes."),
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text (Markdown)"), max_length=10_000, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="recommendation_number"),
            models.UniqueConstraint(fields=["letter", "slug"], name="recommendation_slug"),
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def anchor(self) -> str:
        return f"rec-{self.slug}"


class LetterVersion(models.Model):
    """An immutable snapshot of what a signatory read and signed."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    addressee = models.CharField(max_length=300)
    body = models.TextField()
    closing = models.TextField(blank=True)
    recommendations = models.JSONField(default=list)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="letter_version_number"),
        ]
        verbose_name = _("letter version")
        verbose_name_plural = _("letter versions")

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"
