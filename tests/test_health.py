"""Whether the bot is working, as an operator's monitor asks it: `/healthz` names a source that has
failed for three of its intervals, and is well again once it is read; `/readyz` says whether the
process is up; `/metrics` counts a scripted cycle. The judging itself (bot.health) on a scripted
clock; the endpoints end to end, on the real Application in polling mode with `[server] listen`
set."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.health import SENDING_STUCK_AFTER, CycleReport, Health
from tests.conftest import running_bot
from tests.e2e import ask
from tests.processes import free_port
from tests.samples import OPEN_BELOW_10K

START = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CYCLE = CycleReport(targets=10, refreshed=10, skipped=0, queued=0)


def test_a_source_read_within_three_intervals_is_well():
    health = Health({"petitions": 60, "govuk": 300}, START)
    health.read("petitions", START + MINUTE, CYCLE)
    health.failed("petitions", START + 2 * MINUTE, CYCLE, "HTTP 503")
    healthy, body = health.report(START + 4 * MINUTE)  # read 3 minutes ago: still in time
    assert healthy and body["status"] == "ok" and body["problems"] == []
    assert body["sources"]["petitions"]["read_at"] == "2026-12-06T12:01:00+00:00"


def test_a_source_failing_for_three_intervals_is_named_with_since_when_and_why():
    health = Health({"petitions": 60, "govuk": 300}, START)
    health.read("petitions", START + MINUTE, CYCLE)
    health.read("govuk", START + MINUTE, CYCLE)
    health.failed("petitions", START + 2 * MINUTE, CYCLE, "HTTP 502")
    health.failed("petitions", START + 3 * MINUTE, CYCLE, "HTTP 503")
    healthy, body = health.report(START + 4 * MINUTE + timedelta(seconds=1))
    assert not healthy and body["status"] == "failing"
    assert body["problems"] == [
        {
            "source": "petitions",
            "problem": "failing",
            "since": "2026-12-06T12:02:00+00:00",
            "last_error": "HTTP 503",
        }
    ]
    health.read("petitions", START + 5 * MINUTE, CYCLE)
    assert health.report(START + 5 * MINUTE)[0]


def test_a_source_never_read_is_stale_three_intervals_after_start():
    health = Health({"petitions": 60}, START)
    assert health.report(START + 3 * MINUTE)[0]
    healthy, body = health.report(START + 3 * MINUTE + timedelta(seconds=1))
    assert not healthy
    assert body["problems"][0] == {
        "source": "petitions",
        "problem": "stale",
        "since": "2026-12-06T12:00:00+00:00",
        "last_error": None,
    }


def test_a_source_another_process_polls_is_not_this_ones_to_judge():
    health = Health({"petitions": 60}, START)
    health.led_elsewhere("petitions")
    healthy, body = health.report(START + 10 * MINUTE)
    assert healthy and body["sources"]["petitions"]["polled_by"] == "another process"


def test_a_paused_source_is_not_judged_until_resumed_and_then_from_then():
    health = Health({"govuk": 60}, START)
    health.read("govuk", START, CYCLE)
    health.pause("govuk", START + MINUTE)
    healthy, body = health.report(START + 30 * MINUTE)
    assert healthy and body["sources"]["govuk"]["paused_since"] == "2026-12-06T12:01:00+00:00"
    health.resume("govuk", START + 30 * MINUTE)
    assert health.report(START + 33 * MINUTE)[0]  # three intervals from the resume
    assert not health.report(START + 33 * MINUTE + timedelta(seconds=1))[0]


def test_sending_is_stuck_when_messages_wait_and_nothing_goes_out():
    health = Health({}, START)
    health.queued(5, START)
    assert health.report(START + SENDING_STUCK_AFTER)[0]  # a fan-out takes a while
    health.sent(START + SENDING_STUCK_AFTER)  # and something goes out meanwhile
    assert health.report(START + 2 * SENDING_STUCK_AFTER)[0]
    healthy, body = health.report(START + 2 * SENDING_STUCK_AFTER + timedelta(seconds=1))
    assert not healthy
    assert body["problems"][0]["source"] == "telegram"
    assert body["problems"][0]["last_error"] == "5 messages waiting"
    health.queued(0, None)  # drained
    assert health.report(START + 3 * SENDING_STUCK_AFTER)[0]


async def _get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_healthz_names_a_failing_source_within_three_intervals_and_recovers(
    telegram, petitions, make_config
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    petitions.add(1, OPEN_BELOW_10K)
    config = make_config(server={"listen": f"127.0.0.1:{port}"})  # 0.5 s intervals
    async with running_bot(config):
        await ask(telegram, 1001, "/follow 1")
        assert await _get(f"{base}/readyz") == (200, {"status": "ready"})
        await petitions.wait_for_petition_requests(1, petitions.requests[1] + 1)
        status, body = await _get(f"{base}/healthz")
        assert status == 200 and body["status"] == "ok"
        assert set(body["sources"]) == {
            "petitions",
            "overdue",
            "govuk",
            "consultations",
            "wms",
            "questions",
            "foi",
            "debates",
        }

        petitions.fail("/petitions/1.json", "503")
        failed = time.monotonic()
        while (found := await _get(f"{base}/healthz"))[0] == 200:
            assert time.monotonic() - failed < 3 * 0.5 + 1.5, "still healthy"
        status, body = found
        assert status == 503 and body["status"] == "failing"
        [problem] = body["problems"]
        assert problem["source"] == "petitions" and problem["problem"] == "failing"
        assert "petition:1" in problem["last_error"] and "503" in problem["last_error"]

        petitions.heal("/petitions/1.json")
        healed = time.monotonic()
        while (found := await _get(f"{base}/healthz"))[0] == 503:
            assert time.monotonic() - healed < 3.0, "still failing"
        assert found[1]["problems"] == []


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_a_scripted_cycle_its_alert_and_the_commands(
    telegram, petitions, make_config
):
    port = free_port()
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    config = make_config(server={"listen": f"127.0.0.1:{port}"})
    before = _samples(generate_latest().decode())  # other tests in this process count too

    def grew(after: dict, name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    async with running_bot(config):
        await ask(telegram, 1001, "/follow 1")
        petitions.update(1, signature_count=5_002)
        await telegram.next_message(1001)  # the milestone
        # The cycle that found it has ended once the next one reads the petition.
        await petitions.wait_for_petition_requests(1, petitions.requests[1] + 1)
        url = f"http://127.0.0.1:{port}/metrics"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200 and response.content_type == "text/plain"
            after = _samples(await response.text())

    assert grew(after, "alertbot_poll_cycles_total", source="petitions", outcome="read") >= 1
    # One per way of counting (each follow gets the one it chose), one of them sent.
    assert grew(after, "alertbot_alerts_total", kind="petition", event="created") >= 1
    assert grew(after, "alertbot_alerts_total", kind="petition", event="sent") == 1
    host = "127.0.0.1"
    assert grew(after, "alertbot_upstream_requests_total", host=host, status="200") >= 2
    assert grew(after, "alertbot_upstream_request_duration_seconds_count", host=host) >= 2
    assert grew(after, "alertbot_telegram_messages_sent_total") == 2  # the reply and the alert
    assert grew(after, "alertbot_command_duration_seconds_count", command="follow") == 1
    assert grew(after, "alertbot_store_write_duration_seconds_count", operation="add_follow") == 1
    assert after[("alertbot_follows", (("kind", "petition"),))] == 1
    assert after[("alertbot_chats", (("kind", "petition"),))] == 1
    assert after[("alertbot_delivery_queue_depth", ())] == 0
    assert ("process_cpu_seconds_total", ()) in after
