from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from letters.common.emaildomains import domain_matches, is_disposable
from letters.common.text import clean_text
from letters.institutions.models import Institution
from letters.signatures.challenge import ChallengeFailed, challenge_verify
from letters.signatures.models import ConsentText, Signature
from letters.signatures.services import SignatureInput


@lru_cache(maxsize=16)
def _country_choices_in(language: str) -> list[tuple[str, str]]:
    return [("", str(_("Choose your country"))), *((code, str(name)) for code, name in countries)]


def country_choices() -> list[tuple[str, str]]:
    # Sorting some 250 translated names, and copying them into every form instance, cost
    # more than the rest of the form: sorted once per language, and handed over lazily.
    return _country_choices_in(get_language() or "en")


CHALLENGE_FAILED = _(
    "The check that you are not a robot failed. Please reload the page and try again."
)


class CountryField(forms.ChoiceField):
    def valid_value(self, value: str) -> bool:
        # Membership in the registry of codes, not a scan of the translated choice list.
        return value in countries


class SignForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send you a link to confirm. It is never shown in public."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    title = forms.CharField(
        label=_("Role or title (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    institution_name = forms.CharField(
        label=_("Institution (optional)"),
        max_length=255,
        required=False,
        help_text=_("Start typing to pick it from the registry, or write it as you like."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    institution = forms.IntegerField(required=False, widget=forms.HiddenInput)
    country = CountryField(label=_("Country"), choices=country_choices)
    capacity = forms.ChoiceField(
        label=_("I sign"),
        choices=Signature.Capacity.choices,
        initial=Signature.Capacity.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please tick this box to sign: we need your consent.")},
    )
    # Never shown to people (hidden by CSS, skipped by keyboard and screen readers); bots
    # that fill in every field fill this one too.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    altcha = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The consent wording the page showed: a signature stores the wording its signer read.
    consent_version = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, consent: ConsentText | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent_text = consent
        if consent is not None:
            self.fields["consent"].label = consent.text
        self.institution_obj: Institution | None = None
        self.challenge_key = ""

    def clean_full_name(self) -> str:
        name = clean_text(self.cleaned_data["full_name"])
        if len(name) < 2:
            raise forms.ValidationError(_("Please enter your full name."))
        return name

    def clean_title(self) -> str:
        return clean_text(self.cleaned_data["title"])

    def clean_institution_name(self) -> str:
        return clean_text(self.cleaned_data["institution_name"])

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if is_disposable(email):
            raise forms.ValidationError(
                _(
                    "Addresses from disposable email services cannot be used to sign. "
                    "Please use your own address."
                )
            )
        return email

    def clean_altcha(self) -> str:
        payload: str = self.cleaned_data["altcha"]
        try:
            self.challenge_key = challenge_verify(payload)
        except ChallengeFailed as exc:
            reason = str(exc)
            if reason == "missing":
                raise forms.ValidationError(
                    _(
                        "The check that you are not a robot has not finished. Wait a moment, "
                        "or enable JavaScript, and send again."
                    )
                ) from exc
            if reason == "expired":
                raise forms.ValidationError(
                    _("The check that you are not a robot expired. Please send the form again.")
                ) from exc
            raise forms.ValidationError(CHALLENGE_FAILED) from exc
        return payload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shown = data.get("consent_version")
        if shown and self.consent_text is not None and shown != self.consent_text.version:
            # The box they ticked stood next to other words: it is unticked again, beside
            # the wording that applies now.
            self.data = {k: v for k, v in self.data.items() if k != "consent"}
            self.add_error(
                "consent",
                _(
                    "The consent text changed after you opened this page. Please read it "
                    "and tick the box again."
                ),
            )
        if data.get("website"):
            self.add_error(
                None, _("This submission looks automated. Please leave the hidden field empty.")
            )
        institution_id = data.get("institution")
        if institution_id:
            self.institution_obj = (
                Institution.objects.filter(pk=institution_id, is_active=True)
                .prefetch_related("domains")
                .first()
            )
            if self.institution_obj is None:
                self.add_error(
                    "institution_name",
                    _("This institution is not in the registry any more. Please pick it again."),
                )
        if data.get("capacity") == Signature.Capacity.ORGANISATION and "email" in data:
            institution = self.institution_obj
            if institution is None:
                self.add_error(
                    "institution_name",
                    _("To sign on behalf of an organisation, pick it from the registry."),
                )
            elif not domain_matches(data["email"], [d.domain for d in institution.domains.all()]):
                message = _(
                    "To sign on behalf of %(name)s, use your email address at that organisation."
                )
                self.add_error("email", message % {"name": institution.name})
        return data

    def signature_input(self) -> SignatureInput:
        data = self.cleaned_data
        return SignatureInput(
            full_name=data["full_name"],
            email=data["email"],
            title=data["title"],
            institution=self.institution_obj,
            institution_name=data["institution_name"],
            country=data["country"],
            capacity=data["capacity"],
            challenge_key=self.challenge_key,
        )


class _SharedFields(dict[str, forms.Field]):
    """A form's declared fields, handed to each form instance without deep copies except
    for those the instance changes.

    Django copies every field (its widget, validators and messages) into each form, in case
    the form changes them; on the sign POST, the busiest request of a campaign, those copies
    cost about a tenth of the request. Fields are otherwise only read while validating and
    rendering, so instances can share them."""

    def __init__(self, fields: dict[str, forms.Field], *, per_form: set[str]) -> None:
        super().__init__(fields)
        self.per_form = per_form

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {
            name: copy.deepcopy(field, memo) if name in self.per_form else field
            for name, field in self.items()
        }


# The consent field's label is the current consent text, set per form in __init__.
SignForm.base_fields = _SharedFields(SignForm.base_fields, per_form={"consent"})


class DisplayForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name as displayed"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to show your full name as you signed."),
    )
    title = forms.CharField(label=_("Role or title"), max_length=200, required=False)
    show_affiliation = forms.BooleanField(label=_("Show my affiliation"), required=False)

    def clean_display_name(self) -> str:
        return clean_text(self.cleaned_data["display_name"])

    def clean_title(self) -> str:
        return clean_text(self.cleaned_data["title"])
