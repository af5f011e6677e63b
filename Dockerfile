FROM python:3.12-slim-bookworm

# WeasyPrint needs Pango; DejaVu covers Latin, Greek and Cyrillic names; HarfBuzz subsetting
# makes font embedding faster.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra fonts-wqy-microhei curl \
 && rm -rf /var/lib/apt/lists/*

COPY --from=ghcr.io/astral-sh/uv:latest /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH" PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=campaign.settings

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN ALLOW_INSECURE_SECRET=1 python manage.py collectstatic --noinput -v0

RUN useradd --system --home /app campaign && mkdir -p /app/var && chown campaign /app/var
USER campaign
EXPOSE 8000
ENV WEB_BIND=0.0.0.0:8000 WEB_ACCESS_LOG=-
CMD ["gunicorn", "campaign.wsgi"]
