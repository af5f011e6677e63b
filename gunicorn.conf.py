"""gunicorn's settings for every way the site is served (make serve, Docker, the benchmark).

gunicorn reads this file from the working directory by itself. Threads let a worker overlap
what a request mostly waits for (the PostgreSQL commit, Redis round trips) with other
requests; the application is loaded once before forking, so workers start warm and share
their memory pages."""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
preload_app = True
backlog = 2048
keepalive = 5
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# Recycle workers now and then, jittered so that they do not all restart at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG") or None


def pre_fork(server: object, worker: object) -> None:
    # Everything imported before forking lives as long as the process: keep the garbage
    # collector from walking it again and again in every worker.
    import gc

    gc.freeze()
