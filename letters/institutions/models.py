"""The registry of institutions signatories can claim as their affiliation.

An institution's registered email domains are what turns a claimed affiliation into a
verified one: a confirmed address at one of them (or a subdomain) is evidence that the
signer belongs there."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from letters.common.emaildomains import domain_normalize, domain_problem


class Institution(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        RESEARCH = "research", _("Research institute")
        COMPANY = "company", _("Company")
        NONPROFIT = "nonprofit", _("Non-profit organisation")
        GOVERNMENT = "government", _("Public body")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by an organiser")
        ROR = "ror", _("ROR data dump")
        HIPO = "hipo", _("University domains list")

    name = models.CharField(_("name"), max_length=255)
    country = CountryField(_("country"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    ror_id = models.CharField(
        _("ROR id"),
        max_length=40,
        blank=True,
        help_text=_("The short form, e.g. 05f950310 for https://ror.org/05f950310"),
    )
    website = models.URLField(_("website"), blank=True, max_length=500)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ror_id"], condition=~models.Q(ror_id=""), name="institution_ror_unique"
            ),
        ]
        indexes = [
            models.Index(Lower("name"), name="institution_name_lower"),
            # The admin lists the registry in name order.
            models.Index(fields=["name"], name="institution_name"),
        ]
        permissions = [
            ("merge_institution", _("Can merge duplicate institutions")),
            ("import_institutions", _("Can import the institution registry")),
        ]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class InstitutionDomain(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("email domain"), max_length=253)
    # Which import brought the domain in: a re-import drops the domains its source no longer
    # lists, and leaves those an organiser added by hand.
    source = models.CharField(
        max_length=8, choices=Institution.Source.choices, default=Institution.Source.MANUAL
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "domain"], name="institution_domain_unique"
            ),
        ]
        indexes = [models.Index(fields=["domain"], name="institution_domain_idx")]
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        self.domain = domain_normalize(self.domain)
        problem = domain_problem(self.domain)
        if problem:
            raise ValidationError({"domain": problem})
