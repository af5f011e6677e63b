from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from campaign.celery import app as celery_app
from letters.common import debounce

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # With the cache, what this process remembers of the runs scheduled through it.
    debounce._covered_until.clear()
    cache.clear()
    yield
    cache.clear()
    debounce._covered_until.clear()


@pytest.fixture(scope="session", autouse=True)
def _no_sessions_left_at_the_end(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The live server's request threads can still hold an idle kept-alive connection when
    the session ends, which stops pytest-django from dropping the test database."""
    yield
    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    if name != connection.settings_dict["TEST"].get("NAME") and not name.startswith("test_"):
        return  # no test needed the database, so none was made
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def needs_real_services() -> None:
    if not settings.REDIS_URL:
        pytest.fail("This test needs REDIS_URL (make test sets it; see README)")
    if not settings.USING_POSTGRES:
        pytest.fail("This test needs DATABASE_URL pointing at PostgreSQL (make test sets it)")


class CeleryWorker:
    """A real `celery worker` process on a queue of its own, using the test database."""

    def __init__(self, queue: str, env: dict[str, str], log: Path) -> None:
        self.queue = queue
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, concurrency: int = 2, extra_args: list[str] | None = None) -> None:
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "campaign",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(concurrency),
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                "-n",
                f"{self.queue}@%h",
                *(extra_args or []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker did not start:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Kill the worker and its children at once, as an out-of-memory kill would."""
        if self.process and self.process.poll() is None:
            subprocess.run(["pkill", "-9", "-P", str(self.process.pid)], check=False)
            self.process.kill()
            self.process.wait()


def worker_env(queue: str, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}"
        f"{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    return env


@pytest.fixture
def celery_worker_factory(tmp_path: Path, transactional_db: None) -> Iterator:
    """Start real workers that consume a queue no other test run uses.

    Tests using it need committed data (transactional_db), since the worker is another
    process with its own database connection."""
    needs_real_services()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    workers: list[CeleryWorker] = []
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue

    def start(
        concurrency: int = 2, extra_args: list[str] | None = None, **env: str
    ) -> CeleryWorker:
        worker = CeleryWorker(
            queue, worker_env(queue, **env), tmp_path / f"worker{len(workers)}.log"
        )
        worker.start(concurrency=concurrency, extra_args=extra_args)
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)  # type: ignore[attr-defined]


def wait_for[T](
    predicate: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.1
) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A page in Debian's Chromium driven by Playwright (no browser download needed)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps --test")
    # Playwright's sync API runs an event loop; the ORM calls these tests make around it are
    # ordinary synchronous calls in the test thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
