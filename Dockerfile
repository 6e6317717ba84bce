# The bot in a container: slim Python, a user of its own, the store on a volume, and a health
# check on /healthz (docs/operations.md#in-a-container).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The dependencies first: a change to the code alone does not reinstall them.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin alerts \
    && mkdir -p /data /etc/accountability-alerts \
    && chown alerts:alerts /data
COPY deploy/container.toml /etc/accountability-alerts/config.toml

USER alerts
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 503 when a source has failed for three intervals or sending is stuck.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=5)"]
# TELEGRAM_BOT_TOKEN comes from the environment; mount another config over this one to change it.
CMD ["python", "-m", "bot", "--config", "/etc/accountability-alerts/config.toml"]
