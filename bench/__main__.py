"""make bench: the toolkit measured at viral scale on this machine (see bench/README.md).

Every figure is printed with a floor measured in the same run; the table goes to the
terminal and bench/results.json."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import sysconfig
import time

from bench.env import OUT, ROOT, bench_env, celery_worker, gunicorn, manage, reset_database
from bench.figures import Figure, print_table, write_results
from bench.profile import child_pids

LETTER = "protect-open-source-ai-in-europe"  # carries the big list
SIGN_LETTER = "supporting-open-source-and-open-science"  # receives the signing load


def prepare(total: int) -> int:
    print(f"Preparing the benchmark database (letter with {total:,} signatures)...", flush=True)
    reset_database()
    # Workers import what they need on first use; with no bytecode on disk (uv installs
    # none, and PYTHONDONTWRITEBYTECODE is common) every fresh process would compile it all
    # again inside the measured window.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j0",
            sysconfig.get_paths()["purelib"],
            str(ROOT / "campaign"),
            str(ROOT / "letters"),
        ],
        check=False,
    )
    manage("migrate", "--noinput")
    manage("load_campaign_content")
    manage("collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    from django.db import connection

    from bench.data import load_signatures
    from letters.campaigns.models import Letter
    from letters.signatures.models import ConsentText
    from letters.signatures.stats import letter_stats_refresh

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, email text)")
    letter = Letter.objects.get(slug=LETTER)
    assert letter.current_version_id is not None
    consent = ConsentText.objects.get(is_current=True)
    started = time.perf_counter()
    load_signatures(
        letter_id=letter.pk,
        version_id=letter.current_version_id,
        consent_id=consent.pk,
        total=total,
    )
    print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    for each in Letter.objects.all():
        letter_stats_refresh(letter_id=each.pk)
    return letter.pk


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="a smaller run, under 2 minutes")
    parser.add_argument(
        "--only", default="", help="comma-separated: sign,letter,signatories,admin,packets"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the workers with py-spy during the signing run and one more packet",
    )
    args = parser.parse_args()
    only = {part.strip() for part in args.only.split(",") if part.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    total = 20_000 if args.quick else 100_000
    figures: list[Figure] = []

    from bench import web

    letter_id = prepare(total)
    # Two workers as the issue fixes, threaded as in production (gunicorn.conf.py);
    # BENCH_WORKER_CLASS=sync BENCH_THREADS=1 compares with plain sync workers.
    server = gunicorn(
        workers=2,
        worker_class=os.environ.get("BENCH_WORKER_CLASS", "gthread"),
        threads=int(os.environ.get("BENCH_THREADS", "4")),
    )
    # Waited for: a worker still starting (importing Django, forking its child) would take
    # its seconds of CPU from whatever is measured first.
    worker = celery_worker(concurrency=1, wait=True)
    try:
        if wanted("letter"):
            print("Letter page under load...", flush=True)
            figures.append(
                web.letter_page_figure(
                    slug=LETTER, quick=args.quick, web_pids=child_pids(server.popen.pid)
                )
            )
        if wanted("signatories"):
            print("Signatory page...", flush=True)
            figures.append(web.signatory_page_figure(slug=LETTER, total=total, quick=args.quick))
        if wanted("admin"):
            print("Admin list...", flush=True)
            from bench.admin import admin_cookie

            figures.append(
                web.admin_changelist_figure(
                    letter_id=letter_id, total=total, cookie=admin_cookie(), quick=args.quick
                )
            )
        if wanted("sign"):
            print("Signing cycles...", flush=True)
            web_pids = child_pids(server.popen.pid)
            pids = None
            if args.profile:
                pids = {f"gunicorn-{n}": pid for n, pid in enumerate(web_pids, start=1)}
                pids["celery"] = worker.popen.pid
                for n, pid in enumerate(child_pids(worker.popen.pid), start=1):
                    pids[f"celery-child-{n}"] = pid
            figures.extend(
                web.sign_figures(
                    slug=SIGN_LETTER,
                    quick=args.quick,
                    web_pids=web_pids,
                    celery_pids=[worker.popen.pid, *child_pids(worker.popen.pid)],
                    profile_pids=pids,
                )
            )
    finally:
        server.stop()
        worker.stop()

    if wanted("packets"):
        print("Packets...", flush=True)
        try:
            packets = importlib.import_module("bench.packets")
        except ImportError:
            print("  (bench/packets.py is not there yet)")
        else:
            figures.extend(packets.run(quick=args.quick, profile=args.profile))

    elapsed = time.perf_counter() - started
    print(f"\nFinished in {elapsed:.0f} s\n")
    print_table(figures)
    results = ROOT / "bench" / ("results-quick.json" if args.quick else "results.json")
    write_results(figures, results, quick=args.quick)
    print(f"\nWritten to {results.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
