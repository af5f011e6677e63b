from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from letters.campaigns.models import Letter
from letters.legislators.models import Committee, Legislator
from letters.packets import selectors, services, storage
from letters.packets.models import Packet, PacketJob


def cutoff_value(raw: str) -> dt.datetime:
    """A date means the end of that day, in the site's time zone."""
    try:
        day = parse_date(raw)
        moment = dt.datetime.combine(day, dt.time.max) if day else parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--cutoff {raw!r} is neither a date nor a date and time.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Render signed packets for a letter and an audience of Members of the European "
        "Parliament, and copy the PDFs, the manifest and the ZIP to a folder. Uses the Celery "
        "workers when REDIS_URL is set (--in-process renders here instead)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("letter", help="the letter's slug")
        parser.add_argument("--output", "-o", type=Path, required=True, help="folder to fill")
        audience = parser.add_mutually_exclusive_group(required=True)
        audience.add_argument("--all", action="store_true", help="all active Members")
        audience.add_argument(
            "--committee", action="append", metavar="CODE", help="e.g. IMCO; repeatable"
        )
        audience.add_argument(
            "--country", action="append", metavar="CC", help="ISO code, e.g. DE; repeatable"
        )
        audience.add_argument(
            "--member", action="append", type=int, metavar="EP_ID", help="repeatable"
        )
        parser.add_argument(
            "--no-substitutes", action="store_true", help="committee members without substitutes"
        )
        parser.add_argument("--approved-only", action="store_true")
        parser.add_argument("--cutoff", help="signatures confirmed up to this date (or time)")
        parser.add_argument("--no-featured-first", action="store_true")
        parser.add_argument(
            "--text-version",
            type=int,
            help="the text version to render (by default the one most listed signatories signed)",
        )
        parser.add_argument("--in-process", action="store_true", help="render here, not by workers")
        parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait")

    def handle(self, *args: Any, **options: Any) -> None:
        job = self._create(options)
        in_process = options["in_process"] or settings.CELERY_TASK_ALWAYS_EAGER
        self.stdout.write(
            f"Job #{job.pk}: {job.packets.count()} packet(s) of “{job.letter.title}”"
            + (" (rendering here)" if in_process else " (rendering on the workers)")
        )
        # The raw stream: Django's wrapper ends every write with a newline, which turns each
        # redraw of the bar into a line of its own.
        stream: TextIO = self.stderr._out  # type: ignore[assignment]
        bar = tqdm(total=job.packets.count(), unit="packet", file=stream, dynamic_ncols=True)
        try:
            if in_process:
                job = services.packet_job_run_inline(
                    job_id=job.pk, progress=lambda p: _show(bar, p)
                )
            else:
                job = self._wait(job, bar, options["timeout"])
        except KeyboardInterrupt:
            services.packet_job_cancel(job_id=job.pk)
            raise CommandError(f"Interrupted: job #{job.pk} cancelled.") from None
        finally:
            bar.close()
        self._copy(job, options["output"])
        if job.status != PacketJob.Status.DONE:
            raise CommandError(f"Job #{job.pk} {job.get_status_display().lower()}: {job.error}")

    def _create(self, options: dict[str, Any]) -> PacketJob:
        letter = Letter.objects.filter(slug=options["letter"]).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {options['letter']!r}.")
        version = None
        if options["text_version"]:
            version = letter.versions.filter(number=options["text_version"]).first()
            if version is None:
                raise CommandError(f"The letter has no version {options['text_version']}.")
        committees: list[Committee] = []
        legislators: list[Legislator] = []
        if options["committee"]:
            audience = PacketJob.Audience.COMMITTEES
            codes = [c.upper() for c in options["committee"]]
            committees = list(Committee.objects.filter(code__in=codes))
            missing = set(codes) - {c.code for c in committees}
            if missing:
                raise CommandError(f"Unknown committee(s): {', '.join(sorted(missing))}.")
        elif options["country"]:
            audience = PacketJob.Audience.COUNTRIES
        elif options["member"]:
            audience = PacketJob.Audience.SELECTED
            legislators = list(Legislator.objects.filter(ep_id__in=options["member"]))
            missing_ids = set(options["member"]) - {x.ep_id for x in legislators}
            if missing_ids:
                raise CommandError(f"Unknown EP id(s): {', '.join(map(str, sorted(missing_ids)))}.")
        else:
            audience = PacketJob.Audience.ALL_ACTIVE
        try:
            return services.packet_job_create(
                letter=letter,
                letter_version=version,
                audience=audience,
                committees=committees,
                countries=options["country"] or [],
                legislators=legislators,
                include_substitutes=not options["no_substitutes"],
                approved_only=options["approved_only"],
                cutoff=cutoff_value(options["cutoff"]) if options["cutoff"] else None,
                featured_first=not options["no_featured_first"],
                start=not (options["in_process"] or settings.CELERY_TASK_ALWAYS_EAGER),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _wait(self, job: PacketJob, bar: tqdm, timeout: float) -> PacketJob:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job.refresh_from_db()
            progress = selectors.packet_job_progress(job=job)
            _show(bar, progress)
            if progress["finished"]:
                return job
            time.sleep(0.5)
        raise CommandError(f"Job #{job.pk} not finished after {timeout:.0f} s; it goes on.")

    def _copy(self, job: PacketJob, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        folder = storage.job_dir(job.pk)
        copied = 0
        for packet in job.packets.filter(status=Packet.Status.DONE):
            shutil.copyfile(
                storage.packets_dir(job.pk) / packet.file_name, output / packet.file_name
            )
            copied += 1
        for name in ("manifest.csv", job.zip_name):
            if name and (folder / name).exists():
                shutil.copyfile(folder / name, output / name)
        self.stdout.write(f"{copied} packet(s) in {output}")
        if job.zip_name:
            self.stdout.write(f"ZIP: {output / job.zip_name} (SHA-256 {job.zip_sha256})")


def _show(bar: tqdm, progress: dict[str, Any]) -> None:
    bar.total = progress["total"]
    bar.n = progress["done"] + progress["failed"]
    stage = (
        "packets"
        if progress["parts_total"] and progress["parts_done"] == progress["parts_total"]
        else f"shared pages {progress['parts_done']}/{progress['parts_total']}"
    )
    bar.set_postfix_str(f"{stage}, {progress['failed']} failed", refresh=False)
    bar.refresh()
