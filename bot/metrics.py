"""The bot's Prometheus metrics, served at `/metrics` (bot.server) in the text format.

prometheus-client's own way: each family is defined once here, at module level on its default
registry (which adds the process's CPU, memory and file descriptors), and the part of the bot that
sees an event counts it where it happens. What is read rather than counted (follows and chats by
kind, the delivery queue) is set from the store just before each scrape (`scrape`). Nothing here
imports the rest of the bot at run time, so every part of it can import this. Names follow
Prometheus's conventions: an `alertbot_` prefix, base units, `_total` on counters (added by the
library). docs/operations.md says what each means and what to alert on.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:  # the store's module imports this one
    from bot.storage.port import Storage

# Upstream answers take 50 ms to a few seconds; a timeout is 15 s by default.
REQUEST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0)
# Commands answer in milliseconds from memory, seconds when they look something up.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A store write is a journal line (under a millisecond) or a transaction (a few).
WRITE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)

POLL_CYCLES = Counter(
    "alertbot_poll_cycles",
    "Poll cycles by source and outcome: read (what it had to), failed, led_elsewhere (another "
    "process polls)",
    ["source", "outcome"],
)
UPSTREAM_REQUESTS = Counter(
    "alertbot_upstream_requests",
    "Requests to the sources by host and HTTP status (timeout or error when none came)",
    ["host", "status"],
)
UPSTREAM_SECONDS = Histogram(
    "alertbot_upstream_request_duration_seconds",
    "How long a request to a source took, by host",
    ["host"],
    buckets=REQUEST_BUCKETS,
)
ALERTS = Counter(
    "alertbot_alerts",
    "Alerts by target kind and event: created (by a poll), sent, failed (Telegram refused), "
    "held (the chat blocked the bot; sent when it is back), dropped (unfollowed meanwhile)",
    ["kind", "event"],
)
QUEUE_DEPTH = Gauge("alertbot_delivery_queue_depth", "Deliveries waiting to be sent")
QUEUE_OLDEST = Gauge(
    "alertbot_delivery_queue_oldest_age_seconds",
    "How long the oldest delivery waiting has waited (0 when none waits)",
)
TELEGRAM_SENT = Counter(
    "alertbot_telegram_messages_sent", "Messages Telegram accepted: alerts and replies"
)
TELEGRAM_FLOODS = Counter(
    "alertbot_telegram_flood_waits", "429s from Telegram (flood waits), each waited out"
)
COMMAND_SECONDS = Histogram(
    "alertbot_command_duration_seconds",
    "How long a user action took to handle, by handler (command, tap, message)",
    ["command"],
    buckets=COMMAND_BUCKETS,
)
STORE_WRITE_SECONDS = Histogram(
    "alertbot_store_write_duration_seconds",
    "How long a durable store write took, by operation",
    ["operation"],
    buckets=WRITE_BUCKETS,
)
SCHEMA_DRIFT = Counter(
    "alertbot_schema_drift",
    "Answers of an unexpected shape (a missing field, a wrong type, an empty list where items "
    "are expected), by source",
    ["source"],
)
FOLLOWS = Gauge("alertbot_follows", "Follows by target kind", ["kind"])
CHATS = Gauge("alertbot_chats", "Chats that follow a target of the kind", ["kind"])


async def scrape(store: Storage, now: datetime) -> tuple[bytes, str]:
    """Every family in the text format, and its content type, with what the store holds now."""
    pending = await store.pending_deliveries()
    QUEUE_DEPTH.set(len(pending))
    oldest = min((d.created for d in pending if d.created is not None), default=None)
    QUEUE_OLDEST.set((now - oldest).total_seconds() if oldest is not None else 0.0)
    counts = await store.follow_counts()
    for gauge, by_kind in ((FOLLOWS, counts.follows), (CHATS, counts.chats)):
        gauge.clear()  # a kind nobody follows any more is not kept at its last figure
        for kind, count in by_kind.items():
            gauge.labels(kind).set(count)
    return generate_latest(), CONTENT_TYPE_LATEST
