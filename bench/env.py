"""The benchmark's own world: a PostgreSQL database and a Redis database of its own, and the
server processes (gunicorn, Celery) started and stopped around the measurements."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST = "127.0.0.1"
# Overridable so that two checkouts on one machine can measure without meeting.
PORT = int(os.environ.get("BENCH_PORT", "8077"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "ol_bench")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "9")


def _base_urls() -> tuple[str, str]:
    database = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/open_letters")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    db = urlsplit(database)
    bench_db = db._replace(path=f"/{DB_NAME}").geturl()
    bench_redis = urlsplit(redis)._replace(path=f"/{REDIS_DB}").geturl()
    return bench_db, bench_redis


BENCH_DATABASE_URL, BENCH_REDIS_URL = _base_urls()


def process_ticks(pid: int) -> tuple[int, int]:
    """CPU clock ticks of a process from /proc: its own (user + system), and those of its
    children that have ended (cutime + cstime)."""
    return _stat_ticks(Path(f"/proc/{pid}/stat").read_text())


def _stat_ticks(stat: str) -> tuple[int, int]:
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def bench_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings",
        "DATABASE_URL": BENCH_DATABASE_URL,
        "REDIS_URL": BENCH_REDIS_URL,
        "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": f"http://{HOST}:{PORT}",
        "VAR_DIR": str(OUT / "var"),
        "BENCH_FLOOR": "1",
        # One client address stands in for thousands of signers: the per-network limit
        # would turn it away. The per-address limit stays on (every cycle uses a new address).
        "RATE_LIMIT_SIGN": "",
        # The browser solves the proof of work; the server checks a solution in constant
        # time whatever the cost (altcha's key-signature path), so the harness keeps it cheap
        # to solve its thousands of challenges.
        "ALTCHA_COST": "1",
        "ALTCHA_COUNTER": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
        # Packet tasks go to a worker of their own (bench/packets.py), not behind the
        # confirmation emails the signing run leaves queued.
        "PACKET_QUEUE": "packets",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(extra)
    return env


def reset_database() -> None:
    import psycopg

    admin = urlsplit(BENCH_DATABASE_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or bench_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {HOST}:{port}")


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = OUT / f"{name}.log"
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def gunicorn(*, workers: int = 2, worker_class: str = "gthread", threads: int = 4) -> Process:
    """The server as `make serve` runs it (gunicorn.conf.py), on the benchmark's port."""
    env = bench_env(
        WEB_BIND=f"{HOST}:{PORT}",
        WEB_WORKERS=str(workers),
        WEB_WORKER_CLASS=worker_class,
        WEB_THREADS=str(threads),
        # Recycling after 20,000 requests would replace, in the middle of a run, the worker
        # processes whose CPU time the signing figure reports.
        WEB_MAX_REQUESTS="0",
    )
    process = Process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "campaign.wsgi", "--config", "gunicorn.conf.py"],
        env,
    )
    wait_for_port(PORT)
    return process


def celery_worker(
    *, concurrency: int = 1, queues: str = "celery", name: str = "celery", wait: bool = False
) -> Process:
    """A Celery worker; with `wait`, returned once it says it is ready."""
    # The worker competes with the web server for the same two cores, as it would on a
    # single machine (nice and SCHED_IDLE make no measurable difference on this kernel).
    process = Process(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "campaign",
            "worker",
            "-c",
            str(concurrency),
            "-Q",
            queues,
            "-l",
            "INFO" if wait else "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        bench_env(),
    )
    if not wait:
        time.sleep(2)
        return process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b"ready." in process.log_path.read_bytes():
            return process
        time.sleep(0.2)
    raise RuntimeError(f"The {name} worker did not start; see {process.log_path}")


def cpu_by_component(groups: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds (user + system) spent so far by every process on the machine, summed per
    component: the named groups of process ids, then PostgreSQL, Redis, and everything
    else. The difference of two readings says what a phase cost each part of the system."""
    ticks = os.sysconf("SC_CLK_TCK")
    owner = {pid: name for name, pids in groups.items() for pid in pids}
    totals = dict.fromkeys(groups, 0.0) | {"postgres": 0.0, "redis": 0.0, "other": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        # Own time and that of ended children (PostgreSQL's postmaster reaps its backends).
        spent = sum(_stat_ticks(raw))
        if int(entry.name) in owner:
            name = owner[int(entry.name)]
        elif comm == "postgres":
            name = "postgres"
        elif comm.startswith("redis"):
            name = "redis"
        else:
            name = "other"
        totals[name] += spent / ticks
    return totals
