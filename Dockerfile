# Constellation's container image: the wheel built in one stage, installed alone in a small
# image that runs as an unprivileged user. docs/operations.md ("Containers") says how to run it;
# compose.yaml runs PostgreSQL, `okr migrate` once, two app servers and a worker.

# --- build: the wheel, exactly as `python -m build --wheel` makes it for a release
FROM python:3.11-slim AS build
WORKDIR /src
COPY constraints.txt ./
RUN pip install --no-cache-dir --disable-pip-version-check -c constraints.txt build
COPY pyproject.toml README.md LICENSE ./
COPY constellation ./constellation
RUN python -m build --wheel --outdir /dist .

# --- run: the wheel and the locked versions of its libraries, nothing else
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OKR_DATA_DIR=/data
COPY --from=build /dist/ /tmp/dist/
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir --disable-pip-version-check -c /tmp/constraints.txt /tmp/dist/*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin okr \
    && mkdir -p /data \
    && chown okr:okr /data \
    && chmod 700 /data
USER okr
WORKDIR /data
# The SQLite database (when DATABASE_URL is unset), the secret key file and collected files.
VOLUME ["/data"]
EXPOSE 8000
# The image has no curl: Python itself asks the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# Migrations run once, before the servers start: `okr migrate` (compose.yaml's `migrate`).
CMD ["okr", "serve", "--no-migrate", "--host", "0.0.0.0", "--port", "8000"]
