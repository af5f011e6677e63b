"""What organisers keep to stand behind every name: the watch list of notable people,
the fraud signals found on signatures, and the record of each import of offline signatures.

The audit trail itself is `letters.signatures.models.SignatureEvent`: every service that
changes a signature, here or in the signing concern, writes to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from letters.campaigns.models import Letter
from letters.signatures.models import Signature


class WatchlistEntry(models.Model):
    """A notable person whose signature must be checked by hand before it shows.

    Matching folds accents, case and word order ("Müller, José" is "jose muller"), the same
    key the signatures carry, so a lookup is one indexed equality."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    note = models.TextField(
        _("note"),
        max_length=2000,
        blank=True,
        help_text=_("Why this name needs a check, and how to reach the person to check."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("watch-list name")
        verbose_name_plural = _("watch list")

    def __str__(self) -> str:
        return self.name


class FraudSignal(models.Model):
    """Something about a signature that a person should look at, found when it was
    confirmed, with the explanation a curator reads."""

    class Kind(models.TextChoices):
        DISPOSABLE = "disposable", _("Disposable email domain")
        AFFILIATION = "affiliation", _("Affiliation not backed by the address")
        WATCHLIST = "watchlist", _("Name on the watch list")
        DUPLICATE = "duplicate", _("Probable duplicate person")
        BURST = "burst", _("Burst from one network")

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="fraud_signals")
    kind = models.CharField(_("signal"), max_length=12, choices=Kind.choices)
    explanation = models.TextField(_("explanation"), max_length=2000)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["signature", "kind"], name="one_signal_per_kind")
        ]
        # The admin filters a letter's signatures by signal with EXISTS on this index.
        indexes = [models.Index(fields=["kind", "signature"], name="fraud_signal_kind")]
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on signature {self.signature_id}"


class SignatureImport(models.Model):
    """One CSV file of offline or partner-collected signatures. The file is kept as it was
    checked, so the import that follows the dry run imports exactly what was checked, and
    the audit trail can always show what came in."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for import")
        IMPORTED = "imported", _("Imported")

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    rows = models.PositiveIntegerField(_("rows"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.CHECKED
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature import")
        verbose_name_plural = _("signature imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} rows)"
