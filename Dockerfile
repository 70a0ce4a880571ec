# textmine with the Elasticsearch client: `docker compose up` runs it against the node in
# docker-compose.yml; alone, point TEXTMINE_STORE at any cluster (see docs/elasticsearch.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (this layer is reused while only the code changes).
COPY pyproject.toml README.md* ./
COPY textmine ./textmine
RUN pip install ".[es]" \
    && useradd --create-home --uid 10001 textmine \
    && mkdir -p /data && chown textmine /data

USER textmine
WORKDIR /data
ENV TEXTMINE_STORE=es://elasticsearch:9200
ENTRYPOINT ["textmine"]
CMD ["stats"]
