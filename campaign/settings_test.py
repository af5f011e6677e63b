"""Test speed-ups, all in one place. Everything else comes from the environment as usual:
with DATABASE_URL and REDIS_URL set (CI sets them) the suite runs on PostgreSQL and Redis."""

import os

os.environ.setdefault("ALLOW_INSECURE_SECRET", "1")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if not os.environ.get("EMAIL_BACKEND"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run in-process unless a test starts a real worker: that test turns eagerness off in
# its own process and starts the worker with CELERY_TASK_ALWAYS_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", True)  # noqa: F405
STATS_REFRESH_SECONDS = 0
CONFIRMATION_BATCH_SECONDS = 0
# Rate limits and counters live in the cache: a per-process cache that each test starts
# empty keeps tests independent. Redis is exercised by the tests that start a real worker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Proof of work costs the browser (and the test client) almost nothing in tests.
ALTCHA_COST = 1
ALTCHA_COUNTER = 4
# Pages are rendered afresh in tests; the page cache has its own test.
PAGE_CACHE_SECONDS = 0
