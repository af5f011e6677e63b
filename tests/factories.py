from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from letters.accounts.models import User
from letters.campaigns.models import Campaign, CampaignPartner, Letter, Organisation
from letters.campaigns.services import (
    RecommendationData,
    letter_record_version,
    letter_set_recommendations,
)
from letters.institutions.models import Institution, InstitutionDomain
from letters.signatures.models import ConsentText, Signature
from letters.signatures.verification import fold, name_key


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    website = "https://partner.example.org/"


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    summary = "A campaign for tests."


class CampaignPartnerFactory(factory.django.DjangoModelFactory[CampaignPartner]):
    class Meta:
        model = CampaignPartner

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class LetterFactory(factory.django.DjangoModelFactory[Letter]):
    """A published, open letter with two recommendations and a recorded first version."""

    class Meta:
        model = Letter
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Letter {n}")
    slug = factory.Sequence(lambda n: f"letter-{n}")
    addressee = "the Members of the European Parliament"
    body = "Dear Members,\n\nWe write about **open source**."
    published_on = dt.date(2023, 4, 28)
    status = Letter.Status.OPEN

    @factory.post_generation
    def recommendations(obj: Letter, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        items = extracted or [
            RecommendationData(slug="first", title="First recommendation", body="Do this."),
            RecommendationData(slug="second", title="Second recommendation", body="And that."),
        ]
        letter_set_recommendations(letter=obj, recommendations=items)
        letter_record_version(letter=obj)


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"University {n}")
    country = "DE"
    kind = Institution.Kind.UNIVERSITY

    @factory.post_generation
    def domains(obj: Institution, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for domain in extracted:
                InstitutionDomain.objects.create(institution=obj, domain=domain)


class ConsentTextFactory(factory.django.DjangoModelFactory[ConsentText]):
    class Meta:
        model = ConsentText
        django_get_or_create = ("version",)

    # The same version the data migration creates, so both paths meet in one row.
    version = "2026-11"
    text = "I agree that my name, role, institution and country are published."
    is_current = True


class SignatureFactory(factory.django.DjangoModelFactory[Signature]):
    """A confirmed, public signature, as if it had gone through the signing services.

    Tests about signing itself use the services; this factory is for building pages and
    packets with many names quickly."""

    class Meta:
        model = Signature

    letter = factory.SubFactory(LetterFactory)
    letter_version = factory.LazyAttribute(lambda o: o.letter.current_version)
    full_name = factory.Sequence(lambda n: f"Signatory {n}")
    email = factory.Sequence(lambda n: f"signatory{n}@example.org")
    email_normalized = factory.LazyAttribute(lambda o: o.email.lower())
    institution_name = "Example University"
    country = "DE"
    consent = factory.SubFactory(ConsentTextFactory)
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.full_name} {o.institution_name}"))
    name_key = factory.LazyAttribute(lambda o: name_key(o.full_name))
    status = Signature.Status.CONFIRMED
    is_public = True
    level = Signature.Level.EMAIL
    confirmed_at = factory.LazyFunction(timezone.now)
