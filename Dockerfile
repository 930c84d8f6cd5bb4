# syntax=docker/dockerfile:1
# The portal's production image, in two stages. The build stage installs the runtime lock only
# (requirements.lock: no pytest, playwright, ruff or uv; those are in requirements-dev.lock) into
# a virtualenv and collects static files in production mode, so the manifest of hashed names the
# pages need is written here; the runtime stage copies the virtualenv, the code and the collected
# files, and runs as a non-root user. web runs the CMD below; worker and beat run the same image
# with another command (docker-compose.yml). tests/portal/test_production.py runs this CMD and
# this collectstatic against a restored database in CI.
FROM python:3.11-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
# Dependencies before the code, so that a code change doesn't reinstall them.
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

WORKDIR /app
COPY . .
# Production settings need their secrets to load, but collectstatic neither connects to the
# database nor signs anything: these values exist for this step only and never reach the image.
RUN PORTAL_ENV=production \
        SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
        ALLOWED_HOSTS=build.invalid \
        DATABASE_URL=postgres://build@build.invalid/build \
        /opt/venv/bin/python manage.py collectstatic --noinput -v0 \
    && test -s staticfiles/staticfiles.json

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code stays root-owned and read-only to the app; only var/ (file cache, uploads under
# var/media) is the app's to write.
COPY --from=build /app /app
RUN mkdir -p var/media && chown -R portal:portal var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
