# syntax=docker/dockerfile:1
# The portal's production image: gunicorn serving portal.wsgi, static files collected at build
# time (WhiteNoise serves them). The Celery worker and beat run from the same image with another
# command; see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies before the code, so that a code change doesn't reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# collectstatic needs settings but no secrets or database: development mode is enough here and
# the key never leaves this build step. The code stays root-owned and read-only to the app; only
# var/ (file cache, uploads under var/media) is the app's to write.
RUN SECRET_KEY=build-only DJANGO_SETTINGS_MODULE=portal.settings PORTAL_ENV=development \
        python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R portal:portal var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
