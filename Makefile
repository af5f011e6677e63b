# The two commands a newcomer needs:
#   make demo   set everything up and run the site with demo data (SQLite, tasks in-process)
#   make test   run the whole test suite on PostgreSQL and Redis (started if they are down)
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell scripts/ensure-uv)
UV_PYTHON_FOUND := $(shell scripts/python-for-uv)
ifneq ($(UV_PYTHON_FOUND),)
export UV_PYTHON ?= $(UV_PYTHON_FOUND)
endif
RUN := $(UV) run --frozen --no-sync

export DJANGO_SETTINGS_MODULE ?= campaign.settings
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/open_letters
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=1
CHECK_ENV := DEBUG=1 DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)}

.PHONY: help setup demo serve worker test lint format typecheck migrations-check pytest bench bench-quick clean

help:
	@echo "make demo        set up and run the site with demo data on http://127.0.0.1:8000"
	@echo "make test        lint, type-check, migrations check and the whole test suite"
	@echo "make bench       the performance harness (bench/README.md); make bench-quick for a short run"
	@echo "make serve       run gunicorn with the environment's settings (DATABASE_URL, REDIS_URL)"
	@echo "make worker      run a Celery worker and beat with the environment's settings"

setup:
	scripts/system-deps
	$(UV) sync --frozen

demo: setup
	$(DEMO_ENV) $(RUN) python manage.py migrate --noinput
	$(DEMO_ENV) $(RUN) python manage.py load_campaign_content
	$(DEMO_ENV) $(RUN) python manage.py seed_demo
	$(DEMO_ENV) $(RUN) python manage.py runserver 127.0.0.1:8000

serve:
	$(RUN) python manage.py migrate --noinput
	$(RUN) python manage.py collectstatic --noinput -v0
	$(RUN) gunicorn campaign.wsgi  # settings in gunicorn.conf.py (WEB_WORKERS, WEB_THREADS, ...)

worker:
	$(RUN) celery -A campaign worker --beat -l INFO

test: setup
	scripts/system-deps --test
	scripts/services
	$(MAKE) --no-print-directory lint typecheck migrations-check pytest

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format:
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

typecheck:
	$(CHECK_ENV) $(RUN) mypy .

migrations-check:
	$(DEMO_ENV) $(RUN) python manage.py makemigrations --check --dry-run

pytest:
	# pytest-django prefers the environment over pyproject, so name the test settings here.
	$(CHECK_ENV) DJANGO_SETTINGS_MODULE=campaign.settings_test $(RUN) pytest $(PYTEST_ARGS)

bench: setup
	scripts/system-deps --bench
	scripts/services
	$(CHECK_ENV) $(RUN) python -m bench

bench-quick: setup
	scripts/system-deps --bench
	scripts/services
	$(CHECK_ENV) $(RUN) python -m bench --quick

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
