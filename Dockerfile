# syntax=docker/dockerfile:1

# --- build: install Yagona and its dependencies into a virtual environment -----------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/yagona
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY infrastructure ./infrastructure
COPY projections ./projections
COPY api ./api
RUN /opt/yagona/bin/pip install .

# --- runtime: the virtual environment only, run as an unprivileged user ---------------------
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 yagona \
    && useradd --system --uid 10001 --gid yagona --home-dir /var/lib/yagona --create-home yagona
COPY --from=build /opt/yagona /opt/yagona
ENV PATH=/opt/yagona/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    YAGONA_ENV=production \
    YAGONA_HOST=0.0.0.0 \
    YAGONA_PORT=8000 \
    YAGONA_DATA_DIR=/var/lib/yagona
USER 10001
WORKDIR /var/lib/yagona
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# Serves the API and runs the projections in-process; docker-compose.yml runs them apart.
CMD ["yagona", "serve"]
