# One image for the gateway, the collector and the alert engine:
#   docker run cangjing:latest cangjing gateway|collector|alerts
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/cangjing
COPY pyproject.toml README.md ./
COPY cangjing ./cangjing
COPY gateway ./gateway
COPY collector ./collector
COPY alerts ./alerts
COPY dashboards ./dashboards
COPY firmware_sim ./firmware_sim
COPY config ./config
RUN pip install .

# Not root: the services need no privilege; `dialout` opens serial adapters (gateway).
RUN useradd --system --uid 10001 --gid dialout --home-dir /var/lib/cangjing cangjing \
    && install -d -o cangjing -g dialout -m 750 /var/lib/cangjing
USER cangjing

ENV CANGJING_CONFIG=/opt/cangjing/config/beiqijia.yaml \
    CANGJING_DATA_DIR=/var/lib/cangjing
VOLUME ["/var/lib/cangjing"]
# Service containers override this with their command (docker-compose.yml).
CMD ["cangjing", "--help"]
