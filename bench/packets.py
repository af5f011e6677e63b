"""Figures 4 to 6: signed packets for legislators, rendered by real Celery workers.

Each figure starts a packet job through the same service the admin uses and times it until
the job row says done, with a Celery worker of two prefork children on this machine's two
cores (the PostgreSQL and Redis of the rest of the harness). Peak memory is read from
/proc over the worker's processes: the largest resident set of any one of them
(`peak_rss_mb`, the figure: the kernel's own high-water mark, reset when a job starts) and
the largest sum of their proportional set sizes (shared pages counted once, in the
parameters, sampled every half second).

The floor is the same signatory list drawn with reportlab's canvas, in its own process, in
the same run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.env import OUT, ROOT, Process, bench_env, celery_worker, manage, process_ticks
from bench.figures import Figure

LETTER = "protect-open-source-ai-in-europe"

# Seats per member state in the 10th Parliament: 720 in all.
SEATS = {
    "DE": 96, "FR": 81, "IT": 76, "ES": 61, "PL": 53, "RO": 33, "NL": 31, "BE": 22, "CZ": 21,
    "GR": 21, "HU": 21, "PT": 21, "SE": 21, "AT": 20, "BG": 17, "DK": 15, "FI": 15, "SK": 15,
    "IE": 14, "HR": 12, "LT": 11, "LV": 9, "SI": 9, "EE": 7, "CY": 6, "LU": 6, "MT": 6,
}  # fmt: skip
GIVEN = ["Maria", "Jan", "Elena", "Luca", "Sofia", "Piotr", "Anna", "Mikael", "Ioana", "Tomás"]
FAMILY = ["Schmidt", "Dupont", "Rossi", "García", "Nowak", "Popescu", "de Jong", "Papadopoulos"]


class MemorySampler:
    """Peak memory of a process and its children, read from /proc.

    The resident-set peak is the kernel's high-water mark (VmHWM), reset through
    clear_refs when sampling starts, so no peak falls between two samples. Proportional set
    sizes have no such mark and cost a walk of every page table to read (smaps_rollup):
    read every 20 ms, as this harness first did, they took a quarter of a core and slowed
    the workers' own rendering by a fifth, so they are read every half second."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 5) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.peak_rss_kb = 0
        self.peak_pss_sum_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        for pid in self._pids():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        self._cpu_start = self.cpu_seconds()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample_rss()
        self.cpu = self.cpu_seconds() - self._cpu_start

    def cpu_seconds(self) -> float:
        """User and system time of the worker and its children so far, counting children
        that have already been replaced (their time is in the parent's cutime and cstime)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self._pids():
            try:
                own, ended_children = process_ticks(pid)
            except OSError:
                continue
            total += own + (ended_children if pid == self.pid else 0)
        return total / ticks

    def _pids(self) -> list[int]:
        pids = [self.pid]
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return pids
        return pids + [int(p) for p in children.split()]

    @staticmethod
    def _field(path: str, name: str) -> int:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(name):
                    return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _sample_rss(self) -> None:
        # Sampled often enough to read a child's mark before the worker replaces it.
        rss = max(self._field(f"/proc/{p}/status", "VmHWM:") for p in self._pids())
        self.peak_rss_kb = max(self.peak_rss_kb, rss)

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self._sample_rss()
            if tick % self.pss_every == 0:
                pss = sum(self._field(f"/proc/{p}/smaps_rollup", "Pss:") for p in self._pids())
                self.peak_pss_sum_kb = max(self.peak_pss_sum_kb, pss)
            tick += 1
            self._stop.wait(self.interval)


def packet_worker(concurrency: int = 2) -> Process:
    return celery_worker(
        concurrency=concurrency, queues="packets", name="celery-packets", wait=True
    )


def bench_letter(slug: str, total: int) -> Any:
    """A copy of the campaign letter carrying exactly `total` public signatures."""
    from bench.data import load_signatures
    from letters.campaigns.models import Letter
    from letters.campaigns.services import (
        RecommendationData,
        letter_record_version,
        letter_set_recommendations,
    )
    from letters.signatures.models import ConsentText

    source = Letter.objects.get(slug=LETTER)
    letter = Letter.objects.filter(slug=slug).first()
    if letter is not None:
        return letter
    letter = Letter.objects.create(
        campaign=source.campaign,
        title=source.title,
        slug=slug,
        subtitle=source.subtitle,
        addressee=source.addressee,
        summary=source.summary,
        body=source.body,
        closing=source.closing,
        language=source.language,
        published_on=source.published_on,
        status=Letter.Status.OPEN,
    )
    letter_set_recommendations(
        letter=letter,
        recommendations=[
            RecommendationData(slug=r.slug, title=r.title, body=r.body)
            for r in source.recommendations.all()
        ],
    )
    version = letter_record_version(letter=letter)
    load_signatures(
        letter_id=letter.pk,
        version_id=version.pk,
        consent_id=ConsentText.objects.get(is_current=True).pk,
        total=total,
        seed=total,
        public_only=True,
    )
    return letter


def bench_legislators(count: int) -> list[Any]:
    from letters.legislators.models import Legislator

    if Legislator.objects.filter(ep_id__gte=900_000).count() < count:
        rows = []
        number = 0
        for country, seats in SEATS.items():
            for seat in range(seats):
                given, family = GIVEN[number % len(GIVEN)], FAMILY[(number // 10) % len(FAMILY)]
                rows.append(
                    Legislator(
                        ep_id=900_000 + number,
                        full_name=f"{given} {family} {seat + 1}",
                        sort_name=f"{family} {seat + 1}, {given}",
                        country=country,
                        political_group="Group of the European People's Party",
                        political_group_code="EPP",
                        national_party="Bench Party",
                    )
                )
                number += 1
        Legislator.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Legislator.objects.filter(ep_id__gte=900_000).order_by("ep_id")[:count])


def run_job(
    letter: Any, legislators: list[Any], worker: Process, *, timeout: float = 900
) -> dict[str, Any]:
    from letters.packets.models import PacketJob
    from letters.packets.services import packet_job_create

    with MemorySampler(worker.popen.pid) as memory:
        started = time.perf_counter()
        job = packet_job_create(
            letter=letter, audience=PacketJob.Audience.SELECTED, legislators=legislators
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job.refresh_from_db(fields=["status", "error", "finished_at"])
            if not job.is_active:
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != PacketJob.Status.DONE:
        raise RuntimeError(f"packet job {job.pk} ended {job.status}: {job.error}")
    return {
        "job": job,
        "seconds": wall,
        "peak_rss_mb": memory.peak_rss_kb / 1024,
        "peak_pss_sum_mb": memory.peak_pss_sum_kb / 1024,
        "worker_cpu_s": memory.cpu,
    }


def stages(job: Any) -> dict[str, float]:
    """When each step ended, in seconds after the job started (from the status rows)."""
    from django.db.models import Max

    start = job.started_at
    parts = job.parts.aggregate(end=Max("rendered_at"))["end"]
    packets = job.packets.aggregate(end=Max("rendered_at"))["end"]
    return {
        "parts_done_s": round((parts - start).total_seconds(), 2),
        "packets_done_s": round((packets - start).total_seconds(), 2),
        "finished_s": round((job.finished_at - start).total_seconds(), 2),
    }


def floor(job: Any) -> dict[str, Any]:
    from letters.packets.storage import job_dir

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.packets_floor",
            str(job_dir(job.pk) / "signatories.csv"),
            str(OUT / f"floor-{job.pk}.pdf"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def single_packet(
    letter: Any, legislator: Any, worker: Process, size: int, *, repeat: int
) -> tuple[list[Figure], Any]:
    """The same one-packet job `repeat` times, each followed by the floor: medians of both,
    since other work on this machine comes and goes."""
    runs = []
    for _ in range(repeat):
        measured = run_job(letter, [legislator], worker)
        runs.append((measured, floor(measured["job"])))
    measured, base = sorted(runs, key=lambda run: run[0]["seconds"])[len(runs) // 2]
    job = measured["job"]
    seconds = statistics.median(m["seconds"] for m, _ in runs)
    floor_seconds = statistics.median(b["seconds"] for _, b in runs)
    rss = max(m["peak_rss_mb"] for m, _ in runs)
    name = f"packet_{size // 1000}k"
    seconds_target, rss_target = {10: (6.0, 250), 50: (30.0, 300)}.get(size // 1000, (0, 0))
    params = {
        "signatories": job.signatories,
        "pages": job.total_pages,
        "list_chunks": job.parts.filter(kind="list").count(),
        "worker_processes": 2,
        "runs_s": [round(m["seconds"], 2) for m, _ in runs],
        "floor_runs_s": [round(b["seconds"], 2) for _, b in runs],
        "worker_cpu_s": round(statistics.median(m["worker_cpu_s"] for m, _ in runs), 2),
        "floor_pages": base["pages"],
        **stages(job),
    }
    figures = [
        Figure(
            name=f"{name}_s",
            value=round(seconds, 2),
            unit="s",
            floor=round(floor_seconds, 2),
            floor_name="reportlab canvas drawing the same list",
            target=f"<= {seconds_target:g} s (~3-4x floor)" if seconds_target else "",
            met=seconds <= seconds_target if seconds_target else None,
            params=params,
        ),
        Figure(
            name=f"{name}_rss_mb",
            value=round(rss, 1),
            unit="MB",
            floor=round(max(b["peak_rss_mb"] for _, b in runs), 1),
            floor_name="reportlab canvas, its own process",
            target=f"<= {rss_target} MB per process" if rss_target else "",
            met=rss <= rss_target if rss_target else None,
            params={
                "peak_pss_sum_mb": round(max(m["peak_pss_sum_mb"] for m, _ in runs), 1),
                "what": "largest resident set of any worker process; PSS sum of all of them",
            },
        ),
    ]
    return figures, job


def sign_figure(job: Any) -> Figure:
    """Signing alone, in this process: the packet joined again from the job's parts."""
    from letters.packets import services, signing

    packet = job.packets.get()
    unsigned = services.packet_unsigned_bytes(packet=packet)
    signer = signing.campaign_signer()
    signer.sign(unsigned, reason="bench", location="bench")  # load the key, warm caches
    times = []
    for _ in range(7):
        started = time.perf_counter()
        signer.sign(unsigned, reason="bench", location="bench")
        times.append(time.perf_counter() - started)
    return Figure(
        name="sign_pdf_s",
        value=round(statistics.median(times), 4),
        unit="s",
        target="<= 0.1 s",
        met=statistics.median(times) <= 0.1,
        params={
            "pages": job.total_pages,
            "bytes": len(unsigned),
            "runs": len(times),
            "max_s": round(max(times), 4),
            "key": "RSA 3072 (development certificate)",
        },
    )


def profile_packet(letter: Any, legislator: Any, worker: Process) -> None:
    """One more one-packet job, with py-spy on each of the worker's children; not timed."""
    from bench.profile import Sampler, child_pids

    children = child_pids(worker.popen.pid)
    sampler = Sampler(
        {f"celery-child-{n}": pid for n, pid in enumerate(children, start=1)}, label="packet"
    )
    run_job(letter, [legislator], worker)
    print(f"  profile written to {sampler.stop()}", flush=True)


def run(*, quick: bool = False, profile: bool = False) -> list[Figure]:
    os.environ.update(bench_env())
    # The database starts afresh every run, and job numbers with it: so do their folders.
    shutil.rmtree(OUT / "var" / "packets", ignore_errors=True)
    manage("packets_dev_certificate", "--if-missing")
    sizes = (10_000,) if quick else (10_000, 50_000)
    meps = 12 if quick else 720
    print(f"  loading letters with {', '.join(f'{n:,}' for n in sizes)} signatures...", flush=True)
    letters = {size: bench_letter(f"bench-packets-{size}", size) for size in (500, *sizes)}
    legislators = bench_legislators(meps)
    worker = packet_worker(concurrency=2)
    figures: list[Figure] = []
    try:
        # One short job first, so that the workers' first render pays the imports and the
        # fonts once, as a running worker would have.
        run_job(letters[500], legislators[:1], worker)
        for size in sizes:
            print(f"  one packet, {size:,} signatories...", flush=True)
            repeat = 1 if quick else 3 if size <= 20_000 else 2
            measured_figures, job = single_packet(
                letters[size], legislators[0], worker, size, repeat=repeat
            )
            figures += measured_figures
            if size == sizes[0]:
                figures.append(sign_figure(job))
        if profile:
            profile_packet(letters[sizes[0]], legislators[0], worker)
        print(f"  {meps} packets, {sizes[0]:,} signatories...", flush=True)
        measured = run_job(letters[sizes[0]], legislators, worker)
        job = measured["job"]
        figures.append(
            Figure(
                name="packets_all_meps_s",
                value=round(measured["seconds"], 1),
                unit="s",
                target="<= 180 s for 720 packets" if not quick else "",
                met=measured["seconds"] <= 180 if not quick else None,
                params={
                    "legislators": meps,
                    "signatories": job.signatories,
                    "pages_per_packet": job.total_pages,
                    "signed": job.packets.filter(certificate__isnull=False).count(),
                    "zip_mb": round((job.zip_size or 0) / 1e6, 1),
                    "peak_rss_mb": round(measured["peak_rss_mb"], 1),
                    "peak_pss_sum_mb": round(measured["peak_pss_sum_mb"], 1),
                    "worker_processes": 2,
                    **stages(job),
                    **({"quick": f"{meps} legislators instead of 720"} if quick else {}),
                },
            )
        )
    finally:
        worker.stop()
    if quick:
        for figure in figures:
            figure.params.setdefault("quick", "one run of each; no 50,000 list")
    return figures
