"""Packet jobs: create, prepare, render the shared parts, assemble and sign each packet,
finish with a ZIP; cancel, retry, and re-queue what a dead worker left.

Every step claims its row with a conditional UPDATE (the job, a part, a packet), keyed by
the id of the task doing the work: a duplicate delivery finds the row taken or done and
does nothing, a message redelivered after its worker died carries the same id and takes the
work back, and a claim older than PACKET_STALE_SECONDS is considered abandoned. Files are
written (fsync, rename) before their row is marked done. Tasks only call these functions;
the admin and the command line do too."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import shutil
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from letters.accounts.models import User
from letters.campaigns.models import Letter, LetterVersion
from letters.campaigns.selectors import letter_partners
from letters.common.markdown import render_markdown
from letters.legislators.models import Committee, Legislator
from letters.packets import assembly, documents, listing, rendering, selectors, signing, storage
from letters.packets.models import Packet, PacketJob, PacketPart, SigningCertificate
from letters.signatures.models import Signature
from letters.signatures.templatetags.signatures import EXPLANATIONS

logger = logging.getLogger(__name__)

CSV_NAME = "signatories.csv"
EXAMPLES_PER_COUNTRY = 5


class PacketJobError(Exception):
    """A job cannot do what was asked; the message is for the organiser."""


def _now() -> dt.datetime:
    return timezone.now()


def _stale_before() -> dt.datetime:
    return _now() - dt.timedelta(seconds=settings.PACKET_STALE_SECONDS)


def _on_commit(function: Callable[[], Any]) -> None:
    transaction.on_commit(function, robust=True)


# Creating and starting


@transaction.atomic
def packet_job_create(
    *,
    letter: Letter,
    audience: str,
    committees: Iterable[Committee] = (),
    countries: Iterable[str] = (),
    legislators: Iterable[Legislator] = (),
    include_substitutes: bool = True,
    approved_only: bool = False,
    cutoff: dt.datetime | None = None,
    featured_first: bool = True,
    letter_version: LetterVersion | None = None,
    user: User | None = None,
    request_key: str | None = None,
    start: bool = True,
) -> PacketJob:
    """A job with one pending packet per legislator of the audience, started once the
    transaction commits. A repeated request key returns the job it already made."""
    if request_key:
        existing = PacketJob.objects.filter(request_key=request_key).first()
        if existing is not None:
            return existing
    version = letter_version
    if version is None:
        # The text its signatories signed, which is not the current one if the letter was
        # edited after most of them signed; printed as "the letter as signed".
        signed = selectors.packet_signed_version_id(
            letter_id=letter.pk, approved_only=approved_only, cutoff=cutoff
        )
        version = letter.versions.filter(pk=signed).first() if signed else None
        version = version or letter.current_version
    if version is None:
        raise ValidationError(_("This letter has no recorded text to render yet."))
    if version.letter_id != letter.pk:
        raise ValidationError(_("That text version belongs to another letter."))
    committees = list(committees)
    countries = sorted({c.upper() for c in countries})
    legislators = list(legislators)
    addressees = selectors.audience_legislators(
        audience=audience,
        committee_ids=[c.pk for c in committees],
        countries=countries,
        legislator_ids=[x.pk for x in legislators],
        include_substitutes=include_substitutes,
    )
    if not addressees:
        raise ValidationError(_("No Member of the European Parliament matches this audience."))
    try:
        with transaction.atomic():
            job = PacketJob.objects.create(
                letter=letter,
                letter_version=version,
                audience=audience,
                countries=countries,
                include_substitutes=include_substitutes,
                approved_only=approved_only,
                cutoff=cutoff,
                featured_first=featured_first,
                created_by=user,
                request_key=request_key or None,
            )
    except IntegrityError:
        # The same form, submitted twice at once: the other request made the job.
        return PacketJob.objects.get(request_key=request_key)
    job.committees.set(committees)
    job.legislators.set(legislators)
    Packet.objects.bulk_create(
        [
            Packet(
                job=job,
                index=index,
                legislator=a.legislator,
                legislator_name=a.legislator.full_name,
                legislator_country=str(a.legislator.country),
                legislator_group=a.legislator.political_group,
                legislator_party=a.legislator.national_party,
                roles=a.roles,
            )
            for index, a in enumerate(addressees)
        ]
    )
    if start:
        _enqueue_prepare(job.pk)
    return job


def _enqueue_prepare(job_id: int) -> None:
    from letters.packets.tasks import prepare_job

    _on_commit(lambda: prepare_job.delay(job_id))


def packet_job_start(*, job_id: int) -> bool:
    """Queue a job that has not started; starting it again does nothing."""
    if not PacketJob.objects.filter(pk=job_id, status=PacketJob.Status.QUEUED).exists():
        return False
    _enqueue_prepare(job_id)
    return True


# Preparing: the list, its CSV, the layout, the parts


def _claim_job(job_id: int, token: str) -> bool:
    abandoned = Q(status=PacketJob.Status.RUNNING, parts__isnull=True) & (
        Q(claim_token=token) | Q(claimed_at__lt=_stale_before())
    )
    claimable = PacketJob.objects.filter(Q(status=PacketJob.Status.QUEUED) | abandoned)
    return (
        PacketJob.objects.filter(pk=job_id, pk__in=claimable.values("pk")).update(
            status=PacketJob.Status.RUNNING,
            claim_token=token,
            claimed_at=_now(),
            started_at=_now(),
            error="",
        )
        == 1
    )


def packet_job_prepare(*, job_id: int, token: str, enqueue: bool = True) -> bool:
    """Snapshot the signatory list, lay it out and create the job's parts, and queue them
    (unless `enqueue` is off: the caller renders them). Returns whether this call did the
    work."""
    if not _claim_job(job_id, token):
        return False
    job = PacketJob.objects.select_related("letter__campaign", "letter_version").get(pk=job_id)
    try:
        layout, parts = _prepare(job)
    except (rendering.RenderError, signing.SigningUnavailable, OSError) as exc:
        _fail_job(job_id, str(exc))
        return True
    except Exception as exc:
        logger.exception("Preparing packet job %s failed", job_id)
        _fail_job(job_id, _("Unexpected error while preparing the job: %s") % exc)
        return True
    with transaction.atomic():
        updated = PacketJob.objects.filter(
            pk=job_id, status=PacketJob.Status.RUNNING, claim_token=token
        ).update(
            signatories=layout["stats"]["total"],
            organisations=layout["stats"]["organisations"],
            list_sha256=layout["list_sha256"],
            body_pages=layout["body_pages"],
            list_pages=layout["list_pages"],
            total_pages=layout.total_pages,
            rows_per_page=layout.probe.lines_per_page,
        )
        if not updated:  # cancelled meanwhile
            return True
        created = PacketPart.objects.bulk_create(parts)
        ids = [p.pk for p in created]
    if enqueue:
        from letters.packets.tasks import render_part

        _on_commit(lambda: [render_part.delay(pk) for pk in ids])
    return True


def _fail_job(job_id: int, message: str) -> None:
    PacketJob.objects.filter(pk=job_id, status=PacketJob.Status.RUNNING).update(
        status=PacketJob.Status.FAILED, error=message[:2000], finished_at=_now()
    )


def _prepare(job: PacketJob) -> tuple[documents.Layout, list[PacketPart]]:
    signer = signing.campaign_signer()  # fail now rather than after rendering everything
    letter, version = job.letter, job.letter_version
    signatures = selectors.packet_signatory_rows(
        letter_id=letter.pk,
        approved_only=job.approved_only,
        cutoff=job.cutoff,
        featured_first=job.featured_first,
    )
    rows = listing.rows_from_signatures(signatures)
    data = listing.rows_to_csv(rows)
    folder = storage.job_dir(job.pk)
    list_sha256 = storage.write_atomic(folder / CSV_NAME, data)

    probe = documents.probe()
    organisations = sum(1 for r in rows if r.is_organisation)
    pages = listing.paginate(
        organisations=organisations,
        people=len(rows) - organisations,
        lines_per_page=probe.lines_per_page,
    )
    layout = documents.Layout(
        {
            "job": job.pk,
            "probe": probe.as_dict(),
            "pages": listing.pages_to_json(pages),
            "list_pages": len(pages),
            "list_sections": _list_sections(pages),
            "highlights": _highlights(pages, rows),
            "letter": _letter_data(letter, version),
            "campaign_title": letter.campaign.title if letter.campaign else "",
            "sender": _sender(letter),
            "partners": [
                {
                    "name": p.organisation.name,
                    "role": p.role,
                    "website": p.organisation.website,
                    "description": p.organisation.description,
                }
                for p in letter_partners(letter=letter)
            ],
            "site": _site(),
            "stats": _stats(rows),
            "country_examples": _examples(rows),
            "options": {
                "approved_only": job.approved_only,
                "featured_first": job.featured_first,
                "cutoff_text": _local_date(job.cutoff) if job.cutoff else "",
            },
            "options_text": _options_text(job),
            "issued_on": date_format(timezone.localdate(), "j F Y"),
            "issued_at": date_format(timezone.localtime(), "j F Y, H:i T"),
            "csv_name": CSV_NAME,
            "list_sha256": list_sha256,
            "certificate": signer.subject,
        }
    )
    # A layout pass of the body gives its page count, so every page number is known now.
    body = documents.render_body(layout)
    layout.data["body_pages"] = body.pages
    # Where the body's sections fall, for the covers (rendered before the body part is).
    layout.data["body_anchors"] = body.anchors
    storage.write_atomic(folder / "layout.json", layout.dumps())

    parts = [PacketPart(job=job, kind=PacketPart.Kind.BODY, index=0, first=0, count=1)]
    for index, (start, count) in enumerate(
        listing.chunk_ranges(len(pages), settings.PACKET_CHUNK_PAGES, settings.PACKET_MIN_CHUNKS)
    ):
        parts.append(
            PacketPart(job=job, kind=PacketPart.Kind.LIST, index=index, first=start, count=count)
        )
    total = Packet.objects.filter(job=job).count()
    batch = max(1, settings.PACKET_COVER_BATCH)
    for index, start in enumerate(range(0, total, batch)):
        parts.append(
            PacketPart(
                job=job,
                kind=PacketPart.Kind.COVERS,
                index=index,
                first=start,
                count=min(batch, total - start),
            )
        )
    return layout, parts


def _letter_data(letter: Letter, version: LetterVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "subtitle": version.subtitle,
        "addressee": version.addressee,
        "language": letter.language,
        "published_on": date_format(letter.published_on, "j F Y"),
        "version_number": version.number,
        "version_sha256": version.sha256,
        # Sanitised here, once; the layout file is the job's own.
        "body_html": str(render_markdown(version.body)),
        "closing_html": str(render_markdown(version.closing)) if version.closing else "",
        "recommendations": [
            {
                "number": rec.get("number"),
                "title": rec.get("title", ""),
                "body_html": str(render_markdown(rec.get("body", ""))),
            }
            for rec in version.recommendations
        ],
    }


def _sender(letter: Letter) -> str:
    return letter.campaign.title if letter.campaign else settings.SITE_NAME


def _site() -> dict[str, str]:
    url = settings.SITE_URL
    return {
        "name": settings.SITE_NAME,
        "url": url,
        "host": url.split("://", 1)[-1],
        "verify_url": url + reverse("packets:verify"),
    }


def _local_date(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "j F Y, H:i T")


def _options_text(job: PacketJob) -> str:
    parts = [
        _("Approved signatures only.")
        if job.approved_only
        else _("All verified signatures shown publicly on the site."),
    ]
    if job.cutoff:
        parts.append(_("Signatures confirmed up to %s.") % _local_date(job.cutoff))
    parts.append(_("List as of %s.") % date_format(timezone.localtime(), "j F Y, H:i T"))
    return " ".join(parts)


def _share(count: int, total: int) -> str:
    if not total:
        return "\u2013"
    share = 100 * count / total
    return f"{share:.1f} %" if share >= 0.1 else "< 0.1 %"


def _stats(rows: list[listing.Row]) -> dict[str, Any]:
    total = len(rows)
    organisations = sum(1 for r in rows if r.is_organisation)
    levels = Counter(r.level for r in rows)
    by_country = Counter(r.country for r in rows)
    versions = Counter(r.version for r in rows if r.version is not None)
    return {
        "total": total,
        "organisations": organisations,
        "people": total - organisations,
        "countries": len(by_country),
        # Collected offline by organisers, or never verified: no email was confirmed.
        "without_email": levels[Signature.Level.IMPORTED] + levels[Signature.Level.NONE],
        "verified": sum(
            n
            for level, n in levels.items()
            if level
            in (Signature.Level.AFFILIATION, Signature.Level.ORCID, Signature.Level.ORGANISATION)
        ),
        "by_level": [
            {
                "level": level,
                "badge": listing.badge_label(level),
                "label": str(Signature.Level(level).label),
                "count": levels[level],
                "share": _share(levels[level], total),
                "explanation": str(EXPLANATIONS.get(Signature.Level(level), "")),
            }
            for level in reversed(Signature.Level.values)
            if levels.get(level)
        ],
        "by_country": [
            {
                "code": code,
                "name": all_countries.name(code) or code,
                "count": n,
                "share": _share(n, total),
            }
            for code, n in sorted(by_country.items(), key=lambda item: (-item[1], item[0]))
        ],
        "versions": sorted(versions.items()),
    }


def _examples(rows: list[listing.Row]) -> dict[str, list[tuple[str, str]]]:
    """A few names per country for the cover letter: featured and organisations first, as
    in the list, then the strongest verification."""
    strength: dict[str, int] = {
        Signature.Level.ORGANISATION: 0,
        Signature.Level.ORCID: 1,
        Signature.Level.AFFILIATION: 2,
    }
    ordered = sorted(
        rows,
        key=lambda r: (not r.featured, not r.is_organisation, strength.get(r.level, 3), r.number),
    )
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in ordered:
        if len(found[row.country]) < EXAMPLES_PER_COUNTRY:
            found[row.country].append((row.name, row.institution))
    return dict(found)


def _list_sections(pages: list[listing.ListPage]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for segment in page.segments:
            if segment.kind == "group":
                found.setdefault(segment.group, index)
    return found


def _highlights(
    pages: list[listing.ListPage], rows: list[listing.Row]
) -> dict[str, list[list[Any]]]:
    """For each country, the runs of lines its rows take on each list page:
    {country: [[page, [[first line, lines], ...]], ...]}."""
    found: dict[str, dict[int, list[list[int]]]] = defaultdict(dict)
    for page_index, page in enumerate(pages):
        line = 0
        for segment in page.segments:
            if segment.kind == "rows":
                for offset in range(segment.count):
                    country = rows[segment.first + offset].country
                    runs = found[country].setdefault(page_index, [])
                    if runs and runs[-1][0] + runs[-1][1] == line + offset:
                        runs[-1][1] += 1
                    else:
                        runs.append([line + offset, 1])
            line += segment.lines
    return {c: [[p, runs] for p, runs in sorted(by_page.items())] for c, by_page in found.items()}


# Rendering the shared parts


def _claim(model: type[PacketPart] | type[Packet], pk: int, token: str) -> bool:
    stale = _stale_before()
    return (
        model.objects.filter(pk=pk, job__status=PacketJob.Status.RUNNING)
        .filter(
            Q(status="pending")
            | Q(status="running", claim_token=token)
            | Q(status="running", claimed_at__lt=stale)
        )
        .update(
            status="running",
            claim_token=token,
            claimed_at=_now(),
            attempts=F("attempts") + 1,
            updated_at=_now(),
        )
        == 1
    )


def packet_part_render(*, part_id: int, token: str, enqueue: bool = True) -> bool:
    if not _claim(PacketPart, part_id, token):
        return False
    part = PacketPart.objects.get(pk=part_id)
    try:
        layout = documents.Layout.load(storage.job_dir(part.job_id) / "layout.json")
        rendered, expected = _render_part(part, layout)
        if rendered.pages != expected:
            raise rendering.RenderError(
                f"{part.get_kind_display()} {part.index + 1} came out at {rendered.pages} "
                f"pages instead of {expected}; a cover or verification page may have "
                "outgrown its page."
            )
        name = f"{part.kind}-{part.index:04d}.pdf"
        storage.write_atomic(storage.parts_dir(part.job_id) / name, rendered.pdf)
    except Exception as exc:
        if not isinstance(exc, rendering.RenderError | OSError):
            logger.exception("Rendering part %s failed", part_id)
        lost = not PacketPart.objects.filter(
            pk=part_id, status=PacketPart.Status.RUNNING, claim_token=token
        ).update(status=PacketPart.Status.FAILED, error=str(exc)[:2000], updated_at=_now())
        if lost:  # a retry took the part back meanwhile: its new claimer decides
            return True
        _fail_job(
            part.job_id,
            _("Rendering %(part)s failed: %(error)s")
            % {"part": part.get_kind_display().lower(), "error": exc},
        )
        return True
    PacketPart.objects.filter(
        pk=part_id, status=PacketPart.Status.RUNNING, claim_token=token
    ).update(
        status=PacketPart.Status.DONE,
        file_name=name,
        pages=rendered.pages,
        meta={"anchors": rendered.anchors} if part.kind == PacketPart.Kind.BODY else {},
        rendered_at=_now(),
        error="",
        updated_at=_now(),
    )
    _assemble_when_parts_done(part.job_id, enqueue=enqueue)
    return True


def _render_part(part: PacketPart, layout: documents.Layout) -> tuple[rendering.Rendered, int]:
    if part.kind == PacketPart.Kind.BODY:
        return documents.render_body(layout), int(layout["body_pages"])
    if part.kind == PacketPart.Kind.LIST:
        data = (storage.job_dir(part.job_id) / CSV_NAME).read_bytes()
        rendered = documents.render_list_chunk(layout, start=part.first, count=part.count, csv=data)
        return rendered, part.count
    packets = Packet.objects.filter(
        job_id=part.job_id, index__gte=part.first, index__lt=part.first + part.count
    ).order_by("index")
    sheets = [_sheet(p) for p in packets]
    return documents.render_sheets(layout, sheets), 2 * len(sheets)


def _sheet(packet: Packet) -> documents.Sheet:
    group_code = ""
    if packet.legislator_id:
        group_code = packet.legislator.political_group_code
    return documents.Sheet(
        index=packet.index,
        identifier=packet.identifier,
        name=rendering.clean_text(packet.legislator_name),
        country=packet.legislator_country,
        country_name=all_countries.name(packet.legislator_country) or packet.legislator_country,
        group=rendering.clean_text(packet.legislator_group),
        group_code=group_code,
        party=rendering.clean_text(packet.legislator_party),
        roles=packet.roles,
        verify_url=settings.SITE_URL + packet.get_absolute_url(),
    )


def _assemble_when_parts_done(job_id: int, *, enqueue: bool = True) -> None:
    if PacketPart.objects.filter(job_id=job_id).exclude(status=PacketPart.Status.DONE).exists():
        return
    # The last two parts can finish at once: one of them queues the packets.
    if not PacketJob.objects.filter(
        pk=job_id, status=PacketJob.Status.RUNNING, assembly_enqueued_at__isnull=True
    ).update(assembly_enqueued_at=_now()):
        return
    if enqueue:
        _enqueue_assembly(
            job_id, Packet.objects.filter(job_id=job_id, status=Packet.Status.PENDING)
        )


def _enqueue_assembly(job_id: int, packets: Any) -> None:
    from letters.packets.tasks import assemble_packets

    ids = list(packets.order_by("index").values_list("pk", flat=True))
    size = max(1, settings.PACKET_ASSEMBLE_BATCH)
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    if not batches:
        _on_commit(lambda: _finish_later(job_id))
        return
    _on_commit(lambda: [assemble_packets.delay(job_id, batch) for batch in batches])


def _finish_later(job_id: int) -> None:
    from letters.packets.tasks import finish_job

    finish_job.delay(job_id)


# Assembling and signing each packet


@dataclass
class _AssemblyContext:
    parts: assembly.JobParts
    files: dict[str, Any]
    signer: signing.CampaignSigner
    certificate: SigningCertificate
    letter_title: str


def _assembly_context(job_id: int) -> _AssemblyContext:
    parts = assembly.JobParts.open(job_id)
    done = list(PacketPart.objects.filter(job_id=job_id, status=PacketPart.Status.DONE))
    body = next(p for p in done if p.kind == PacketPart.Kind.BODY)
    parts.layout.data["body_anchors"] = body.meta.get("anchors", {})
    chunks = sorted((p for p in done if p.kind == PacketPart.Kind.LIST), key=lambda p: p.index)
    covers = {p.index: p for p in done if p.kind == PacketPart.Kind.COVERS}
    signer = signing.campaign_signer()
    certificate = packet_certificate_record(signer=signer)
    return _AssemblyContext(
        parts=parts,
        files={"body": body.file_name, "chunks": [c.file_name for c in chunks], "covers": covers},
        signer=signer,
        certificate=certificate,
        letter_title=parts.layout["letter"]["title"],
    )


def packet_certificate_record(*, signer: signing.CampaignSigner) -> SigningCertificate:
    record, _created = SigningCertificate.objects.get_or_create(
        fingerprint=signer.fingerprint,
        defaults={
            "subject": signer.subject,
            "not_valid_after": signer.certificate.not_valid_after_utc,
            "pem": signer.pem,
        },
    )
    return record


def packets_assemble(*, job_id: int, packet_ids: Sequence[int], token: str) -> int:
    """Join, sign and write the given packets of a job; returns how many this call made."""
    context: _AssemblyContext | None = None
    made = 0
    for packet_id in packet_ids:
        if not _claim(Packet, packet_id, token):
            continue
        packet = Packet.objects.select_related("legislator").get(pk=packet_id)
        try:
            if context is None:
                context = _assembly_context(job_id)
            _assemble_one(context, packet, token)
            made += 1
        except Exception as exc:
            if not isinstance(exc, rendering.RenderError | signing.SigningUnavailable | OSError):
                logger.exception("Assembling packet %s failed", packet_id)
            Packet.objects.filter(pk=packet_id, claim_token=token).update(
                status=Packet.Status.FAILED, error=str(exc)[:2000], updated_at=_now()
            )
    packet_job_maybe_finish(job_id=job_id)
    return made


def packet_unsigned_bytes(*, packet: Packet) -> bytes:
    """A packet joined again from its job's parts, before signing (for measuring)."""
    return _unsigned(_assembly_context(packet.job_id), packet)[0]


def _unsigned(context: _AssemblyContext, packet: Packet) -> tuple[bytes, int]:
    layout = context.parts.layout
    batch = max(1, settings.PACKET_COVER_BATCH)
    covers = context.files["covers"][packet.index // batch]
    files = assembly.PacketFiles(
        body=context.files["body"],
        chunks=context.files["chunks"],
        covers=covers.file_name,
        sheet=packet.index - covers.first,
    )
    return assembly.assemble(
        context.parts,
        files,
        country=packet.legislator_country,
        title=f"{context.letter_title} — {packet.legislator_name}",
        subject=_("Open letter with %(count)s signatories, prepared for %(name)s")
        % {"count": f"{layout['stats']['total']:,}", "name": packet.legislator_name},
        identifier=packet.identifier,
        author=layout["sender"],
    )


def _assemble_one(context: _AssemblyContext, packet: Packet, token: str) -> None:
    layout = context.parts.layout
    unsigned, pages = _unsigned(context, packet)
    signed = context.signer.sign(
        unsigned,
        reason=_("Issued by %(site)s for %(name)s")
        % {"site": settings.SITE_NAME, "name": packet.legislator_name},
        location=layout["site"]["verify_url"],
    )
    name = _packet_file_name(packet)
    digest = storage.write_atomic(storage.packets_dir(packet.job_id) / name, signed)
    by_country = {c["code"]: c["count"] for c in layout["stats"]["by_country"]}
    Packet.objects.filter(pk=packet.pk, status=Packet.Status.RUNNING, claim_token=token).update(
        status=Packet.Status.DONE,
        file_name=name,
        sha256=digest,
        size=len(signed),
        pages=pages,
        signatories=layout["stats"]["total"],
        country_signatories=by_country.get(packet.legislator_country, 0),
        certificate=context.certificate,
        rendered_at=_now(),
        error="",
        updated_at=_now(),
    )


def _packet_file_name(packet: Packet) -> str:
    name = slugify(packet.legislator.sort_name or packet.legislator_name)[:60] or "member"
    return f"{packet.index + 1:03d}-{packet.legislator_country}-{name}.pdf"


# Finishing: the ZIP with its manifest


def packet_job_maybe_finish(*, job_id: int) -> bool:
    unsettled = Packet.objects.filter(
        job_id=job_id, status__in=(Packet.Status.PENDING, Packet.Status.RUNNING)
    )
    if unsettled.exists():
        return False
    if PacketPart.objects.filter(job_id=job_id).exclude(status=PacketPart.Status.DONE).exists():
        return False
    claimed = (
        PacketJob.objects.filter(pk=job_id, status=PacketJob.Status.RUNNING)
        .filter(Q(finish_claimed_at__isnull=True) | Q(finish_claimed_at__lt=_stale_before()))
        .update(finish_claimed_at=_now())
    )
    if not claimed:
        return False
    job = PacketJob.objects.select_related("letter").get(pk=job_id)
    done = list(job.packets.filter(status=Packet.Status.DONE).select_related("legislator"))
    failed = job.packets.filter(status=Packet.Status.FAILED).count()
    zip_name = f"{job.letter.slug}-packets-{job.pk}.zip"
    try:
        digest, size = _write_zip(job, done, zip_name)
    except OSError as exc:
        _fail_job(job_id, _("Writing the ZIP failed: %s") % exc)
        return True
    error = ""
    if failed:
        error = _("%(failed)s of %(total)s packets failed; retry them from the job page.") % {
            "failed": failed,
            "total": failed + len(done),
        }
    PacketJob.objects.filter(pk=job_id, status=PacketJob.Status.RUNNING).update(
        status=PacketJob.Status.FAILED if failed else PacketJob.Status.DONE,
        finished_at=_now(),
        zip_name=zip_name,
        zip_sha256=digest,
        zip_size=size,
        error=error,
    )
    return True


MANIFEST_COLUMNS = [
    "legislator", "ep_id", "country", "political_group", "file", "sha256", "pages",
    "signatories", "signatories_from_country", "packet_identifier", "verify_url",
]  # fmt: skip


def packet_job_manifest(*, packets: Iterable[Packet]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for p in packets:
        writer.writerow(
            [
                p.legislator_name, p.legislator.ep_id, p.legislator_country,
                p.legislator_group, p.file_name, p.sha256, p.pages, p.signatories,
                p.country_signatories, p.identifier, settings.SITE_URL + p.get_absolute_url(),
            ]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _write_zip(job: PacketJob, packets: list[Packet], name: str) -> tuple[str, int]:
    """The ZIP of a job's packets, streamed to disk: 720 packets make hundreds of MB."""
    folder = storage.job_dir(job.pk)
    manifest = packet_job_manifest(packets=packets)
    storage.write_atomic(folder / "manifest.csv", manifest)
    # PDFs are compressed already: storing them is as small and much faster.
    with (
        storage.atomic_file(folder / name) as handle,
        zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        archive.writestr("manifest.csv", manifest)
        archive.write(folder / CSV_NAME, CSV_NAME)
        for packet in packets:
            archive.write(storage.packets_dir(job.pk) / packet.file_name, packet.file_name)
    path = folder / name
    return storage.sha256_file(path), path.stat().st_size


# Cancel, retry, recover


def packet_job_cancel(*, job_id: int) -> bool:
    with transaction.atomic():
        cancelled = PacketJob.objects.filter(
            pk=job_id, status__in=(PacketJob.Status.QUEUED, PacketJob.Status.RUNNING)
        ).update(status=PacketJob.Status.CANCELLED, finished_at=_now())
        if not cancelled:
            return False
        PacketPart.objects.filter(job_id=job_id, status=PacketPart.Status.PENDING).update(
            status=PacketPart.Status.CANCELLED, updated_at=_now()
        )
        Packet.objects.filter(job_id=job_id, status=Packet.Status.PENDING).update(
            status=Packet.Status.CANCELLED, updated_at=_now()
        )
    return True


def packet_job_retry_failed(*, job_id: int) -> int:
    """Put a failed job back to work. Every part and packet that is not done is queued
    again: the failed ones, the pending ones (their tasks found the job failed and gave up)
    and the running ones whose claim is stale. Done work is kept, and a fresh claim is left
    to its worker, which finishes it and carries the job on. Returns how many parts and
    packets are to be made again."""
    with transaction.atomic():
        job = PacketJob.objects.select_for_update().get(pk=job_id)
        if job.status != PacketJob.Status.FAILED:
            raise PacketJobError(_("Only a failed job can be retried."))
        if not job.parts.exists():
            PacketJob.objects.filter(pk=job_id).update(
                status=PacketJob.Status.QUEUED, error="", finished_at=None, claim_token=""
            )
            _enqueue_prepare(job_id)
            return 1
        now = _now()
        # Parts and packets share their statuses (ClaimedWork).
        status = PacketPart.Status
        unfinished = Q(status__in=(status.FAILED, status.PENDING)) | Q(
            status=status.RUNNING, claimed_at__lt=_stale_before()
        )
        parts = list(job.parts.filter(unfinished).values_list("pk", flat=True))
        PacketPart.objects.filter(pk__in=parts).update(
            status=PacketPart.Status.PENDING, claim_token="", error="", updated_at=now
        )
        packets = list(job.packets.filter(unfinished).values_list("pk", flat=True))
        Packet.objects.filter(pk__in=packets).update(
            status=Packet.Status.PENDING, claim_token="", error="", updated_at=now
        )
        parts_done = not job.parts.exclude(status=PacketPart.Status.DONE).exists()
        PacketJob.objects.filter(pk=job_id).update(
            status=PacketJob.Status.RUNNING,
            error="",
            finished_at=None,
            finish_claimed_at=None,
            # Until every part is done, the last part to be done queues the packets.
            assembly_enqueued_at=now if parts_done else None,
        )
        if parts:
            from letters.packets.tasks import render_part

            _on_commit(lambda: [render_part.delay(pk) for pk in parts])
        elif parts_done:
            _enqueue_assembly(job_id, Packet.objects.filter(pk__in=packets))
    return len(parts) + len(packets)


def packet_job_delete(*, job_id: int) -> None:
    """Delete a finished job, its rows and its files. Its packets stop verifying."""
    job = PacketJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    if job.is_active:
        raise PacketJobError(_("Cancel the job before deleting it."))
    folder = storage.job_dir(job_id)
    with transaction.atomic():
        job.delete()
        _on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


@dataclass
class RequeueSummary:
    jobs: int = 0
    parts: int = 0
    packets: int = 0
    finishing: int = 0


def packets_requeue_stale(*, older_than: dt.timedelta | None = None) -> RequeueSummary:
    """Queue again what a dead worker or a lost message left behind: claims older than the
    limit (PACKET_STALE_SECONDS unless given) are released, and work that has waited that
    long is queued again. Safe to run at any time: a duplicate message finds its row taken
    or done and does nothing."""
    from letters.packets.tasks import finish_job, render_part

    now = _now()
    limit = now - (older_than if older_than is not None else
                   dt.timedelta(seconds=settings.PACKET_STALE_SECONDS))  # fmt: skip
    summary = RequeueSummary()
    running = PacketJob.objects.filter(status=PacketJob.Status.RUNNING)
    with transaction.atomic():
        abandoned = running.filter(parts__isnull=True, claimed_at__lt=limit).values("pk")
        PacketJob.objects.filter(pk__in=abandoned).update(
            status=PacketJob.Status.QUEUED, claim_token="", claimed_at=None
        )
        for job_id in PacketJob.objects.filter(
            status=PacketJob.Status.QUEUED, created_at__lt=limit
        ).values_list("pk", flat=True):
            _enqueue_prepare(job_id)
            summary.jobs += 1

        parts = PacketPart.objects.filter(job__in=running).filter(
            Q(status=PacketPart.Status.RUNNING, claimed_at__lt=limit)
            | Q(status=PacketPart.Status.PENDING, updated_at__lt=limit)
        )
        part_ids = list(parts.values_list("pk", flat=True))
        PacketPart.objects.filter(pk__in=part_ids).update(
            status=PacketPart.Status.PENDING, claim_token="", updated_at=now
        )
        if part_ids:
            _on_commit(lambda: [render_part.delay(pk) for pk in part_ids])
        summary.parts = len(part_ids)

        packets = Packet.objects.filter(
            job__in=running.filter(assembly_enqueued_at__isnull=False)
        ).filter(
            Q(status=Packet.Status.RUNNING, claimed_at__lt=limit)
            | Q(status=Packet.Status.PENDING, updated_at__lt=limit)
        )
        by_job: dict[int, list[int]] = defaultdict(list)
        for packet_id, job_id in packets.values_list("pk", "job_id"):
            by_job[job_id].append(packet_id)
        for job_id, ids in by_job.items():
            Packet.objects.filter(pk__in=ids).update(
                status=Packet.Status.PENDING, claim_token="", updated_at=now
            )
            _enqueue_assembly(job_id, Packet.objects.filter(pk__in=ids))
            summary.packets += len(ids)

        finishing = (
            running.filter(assembly_enqueued_at__lt=limit)
            .filter(Q(finish_claimed_at__isnull=True) | Q(finish_claimed_at__lt=limit))
            .exclude(packets__status__in=(Packet.Status.PENDING, Packet.Status.RUNNING))
            .exclude(pk__in=by_job.keys())
            .values_list("pk", flat=True)
            .distinct()
        )
        finishing_ids = list(finishing)
        PacketJob.objects.filter(pk__in=finishing_ids).update(finish_claimed_at=None)
        if finishing_ids:
            _on_commit(lambda: [finish_job.delay(job_id) for job_id in finishing_ids])
        summary.finishing = len(finishing_ids)
    return summary


# Running a job here, in this process (the command line's --in-process)


def packet_job_run_inline(
    *, job_id: int, progress: Callable[[dict[str, Any]], None] | None = None
) -> PacketJob:
    """Do every step of a job in this process, in order, calling the same services as the
    tasks do. For scripts and machines without a worker."""
    token = f"inline-{uuid.uuid4().hex}"
    job = PacketJob.objects.get(pk=job_id)

    def report() -> None:
        if progress is not None:
            progress(selectors.packet_job_progress(job=PacketJob.objects.get(pk=job_id)))

    packet_job_prepare(job_id=job_id, token=token, enqueue=False)
    report()
    for part_id in job.parts.order_by("kind", "index").values_list("pk", flat=True):
        packet_part_render(part_id=part_id, token=token, enqueue=False)
        report()
    for packet_id in job.packets.order_by("index").values_list("pk", flat=True):
        packets_assemble(job_id=job_id, packet_ids=[packet_id], token=token)
        report()
    packet_job_maybe_finish(job_id=job_id)
    report()
    return PacketJob.objects.get(pk=job_id)
