# Production image: the same pinned dependencies as scripts/_venv.sh, served by gunicorn.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY laborexport ./laborexport
COPY apps ./apps
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEY=build BLIND_INDEX_KEY=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app laborexport && mkdir -p /app/var && chown laborexport /app/var
USER laborexport
EXPOSE 8000
CMD ["gunicorn", "laborexport.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
