"""The world packets are made in: a campaign letter, its partners, two committees with their
Members, and signatories in every state a signature can be in. Named personas, so that a
failing assertion says who is missing."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from letters.campaigns.models import Letter
from letters.legislators.models import Committee, CommitteeMembership, Legislator
from letters.signatures.models import Signature
from tests.factories import (
    CampaignFactory,
    CampaignPartnerFactory,
    LetterFactory,
    OrganisationFactory,
    SignatureFactory,
)

S = Signature.Status
L = Signature.Level

# (name, country, status, is_public, level, capacity, featured_rank, institution)
Persona = tuple[str, str, str, bool, str, str, int | None, str]
LISTED: list[Persona] = [
    ("Ada Lovelace", "GB", S.APPROVED, True, L.ORCID, "individual", 1, "University of London"),
    ("Maria Rossi", "IT", S.CONFIRMED, True, L.AFFILIATION, "individual", None, "Sapienza"),
    ("Luca Bianchi", "IT", S.APPROVED, True, L.EMAIL, "individual", None, ""),
    ("Jana Nováková", "CZ", S.CONFIRMED, True, L.EMAIL, "individual", 2, "Charles University"),
    ("Αλέξανδρος Παπαδόπουλος", "GR", S.CONFIRMED, True, L.EMAIL, "individual", None, ""),
    ("Дмитрий Иванов", "BG", S.APPROVED, True, L.AFFILIATION, "individual", None, "БАН"),
    ("Open Future", "NL", S.APPROVED, True, L.ORGANISATION, "organisation", None, ""),
]
NEVER_LISTED: list[Persona] = [
    ("Wendy Withdrawn", "IT", S.WITHDRAWN, False, L.EMAIL, "individual", None, ""),
    ("Rex Rejected", "DE", S.REJECTED, False, L.EMAIL, "individual", None, ""),
    ("Ursula Unconfirmed", "FR", S.UNCONFIRMED, False, L.NONE, "individual", None, ""),
    ("Fred Flagged", "FR", S.FLAGGED, False, L.EMAIL, "individual", None, ""),
    # A row whose status says withdrawn although its public flag was never cleared: packets
    # go by the status too.
    ("Ivan Inconsistent", "IT", S.WITHDRAWN, True, L.EMAIL, "individual", None, ""),
]
APPROVED = [row[0] for row in LISTED if row[2] == S.APPROVED]


@dataclass
class World:
    letter: Letter
    benifei: Legislator
    charanzova: Legislator
    sippel: Legislator
    imco: Committee
    libe: Committee
    listed: list[str] = field(default_factory=list)
    never_listed: list[str] = field(default_factory=list)


def build_world(*, crowd: int = 0, crowd_country: str = "DE") -> World:
    """The letter with its personas, and `crowd` more confirmed signatories (to make the
    list long enough for several pages)."""
    campaign = CampaignFactory.create(title="Open-source AI in the EU AI Act")
    for name in ("LAION", "Open Future"):
        CampaignPartnerFactory.create(
            campaign=campaign, organisation=OrganisationFactory.create(name=name)
        )
    letter = LetterFactory.create(
        campaign=campaign, title="A Call to Protect Open-Source AI in Europe"
    )
    first = timezone.now() - dt.timedelta(days=1)
    for minute, (name, country, status, public, level, capacity, rank, institution) in enumerate(
        LISTED + NEVER_LISTED
    ):
        SignatureFactory.create(
            letter=letter,
            full_name=name,
            country=country,
            status=status,
            is_public=public,
            level=level,
            capacity=capacity,
            featured_rank=rank,
            institution_name=institution,
            confirmed_at=None if status == S.UNCONFIRMED else first + dt.timedelta(minutes=minute),
        )
    crowd_names = [f"Crowd Signatory {n:04d}" for n in range(crowd)]
    for minute, name in enumerate(crowd_names, start=100):
        SignatureFactory.create(
            letter=letter,
            full_name=name,
            country=crowd_country,
            confirmed_at=first + dt.timedelta(minutes=minute),
        )
    imco = Committee.objects.create(code="IMCO", name="Internal Market and Consumer Protection")
    libe = Committee.objects.create(code="LIBE", name="Civil Liberties, Justice and Home Affairs")
    benifei = Legislator.objects.create(
        ep_id=124867,
        full_name="Brando Benifei",
        sort_name="Benifei, Brando",
        country="IT",
        political_group="Group of the Progressive Alliance of Socialists and Democrats",
        political_group_code="S&D",
        national_party="Partito Democratico",
    )
    charanzova = Legislator.objects.create(
        ep_id=124708,
        full_name="Dita Charanzová",
        sort_name="Charanzová, Dita",
        country="CZ",
        political_group="Renew Europe Group",
        political_group_code="Renew",
    )
    sippel = Legislator.objects.create(
        ep_id=96932, full_name="Birgit Sippel", sort_name="Sippel, Birgit", country="DE"
    )
    CommitteeMembership.objects.create(legislator=benifei, committee=imco)
    CommitteeMembership.objects.create(
        legislator=charanzova, committee=imco, role=CommitteeMembership.Role.VICE_CHAIR
    )
    CommitteeMembership.objects.create(legislator=sippel, committee=libe)
    CommitteeMembership.objects.create(
        legislator=benifei, committee=libe, role=CommitteeMembership.Role.SUBSTITUTE
    )
    return World(
        letter=letter,
        benifei=benifei,
        charanzova=charanzova,
        sippel=sippel,
        imco=imco,
        libe=libe,
        listed=[row[0] for row in LISTED] + crowd_names,
        never_listed=[row[0] for row in NEVER_LISTED],
    )


# Reading packets


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def attachments(pdf: bytes) -> dict[str, bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    return {name: contents[0] for name, contents in reader.attachments.items()}


BADGES = ("Email", "Affiliation ✓", "ORCID ✓", "Organisation ✓", "Collected")


def list_rows(pdf: bytes) -> list[list[str]]:
    """The rows of the signatory list as columns (name, country, verification, affiliation),
    read back from the PDF with the text laid out as drawn."""
    rows: list[list[str]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for line in page.extract_text(extraction_mode="layout").splitlines():
            # Columns are padded with fixed-width spaces (listing.pad_to).
            cells = [c for c in re.split(r"[\u2000-\u200a]+|\s{2,}", line.strip()) if c]
            if len(cells) >= 3 and re.fullmatch(r"[A-Z]{2}", cells[1]) and cells[2] in BADGES:
                rows.append(cells)
    return rows


def list_names(pdf: bytes) -> list[str]:
    return [row[0] for row in list_rows(pdf)]


def metadata(pdf: bytes) -> dict[str, Any]:
    return dict(PdfReader(io.BytesIO(pdf)).metadata or {})


def render_inline(letter: Letter, *, audience: str = "selected", **options: Any) -> Any:
    """A job made and run in this process, through the same services the tasks call."""
    from letters.packets.services import packet_job_create, packet_job_run_inline

    job = packet_job_create(letter=letter, audience=audience, start=False, **options)
    return packet_job_run_inline(job_id=job.pk)


def packet_pdf(packet: Any) -> bytes:
    from letters.packets.storage import packets_dir

    return (packets_dir(packet.job_id) / packet.file_name).read_bytes()


def prepared_job(letter: Letter, **audience: Any) -> Any:
    """A job prepared and its shared parts rendered in this process, its packets still to
    be made."""
    from letters.packets import services
    from letters.packets.models import PacketPart

    job = services.packet_job_create(letter=letter, start=False, **audience)
    services.packet_job_prepare(job_id=job.pk, token="t", enqueue=False)
    for part in PacketPart.objects.filter(job=job):
        services.packet_part_render(part_id=part.pk, token="t", enqueue=False)
    return job
