"""Members of the European Parliament and their committees: the people packets are for.

Rows come from the Parliament's public lists (see ``importers.py``). Members who leave are
kept, marked inactive, because packets already sent to them must stay explainable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Legislator(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by an organiser")
        EP_XML = "ep_xml", _("EP MEP list (XML)")
        EP_OPEN_DATA = "ep_open_data", _("EP Open Data Portal (JSON)")

    ep_id = models.PositiveIntegerField(_("EP identifier"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    sort_name = models.CharField(
        _("sort name"), max_length=200, blank=True, help_text=_("Family name first, for lists")
    )
    country = CountryField(_("country"))
    political_group = models.CharField(_("political group"), max_length=200, blank=True)
    political_group_code = models.CharField(
        _("political group code"), max_length=40, blank=True, help_text=_("e.g. EPP, S&D")
    )
    national_party = models.CharField(_("national party"), max_length=300, blank=True)
    email = models.EmailField(_("office email"), blank=True)
    address = models.TextField(_("office address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_name", "full_name"]
        indexes = [models.Index(fields=["is_active", "country"], name="legislator_active_country")]
        verbose_name = _("legislator")
        verbose_name_plural = _("legislators")

    def __str__(self) -> str:
        return self.full_name


class Committee(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("e.g. IMCO, LIBE"))
    name = models.CharField(_("name"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}" if self.name else self.code


class CommitteeMembership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        MEMBER = "member", _("Member")
        SUBSTITUTE = "substitute", _("Substitute")

    legislator = models.ForeignKey(Legislator, on_delete=models.CASCADE, related_name="memberships")
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["committee__code", "role", "legislator__sort_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["legislator", "committee"], name="committee_membership_unique"
            ),
        ]
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")

    def __str__(self) -> str:
        return f"{self.legislator} - {self.committee.code} ({self.get_role_display()})"
