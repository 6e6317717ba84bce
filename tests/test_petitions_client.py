"""The petitions client against a fake site: status codes, redirects, retries, 304 safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import HttpConfig
from bot.http import HttpClient, UpstreamError
from bot.sources.petitions.client import FetchStatus, PetitionClient
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K


@pytest.fixture
async def client(petitions):
    http = HttpClient(
        HttpConfig(timeout_seconds=0.3, retries=2, backoff_seconds=0.01), [petitions.base_url]
    )
    yield PetitionClient(http, petitions.base_url)
    await http.close()


async def test_a_fresh_change_gets_no_validator_so_the_next_change_is_not_hidden(petitions, client):
    petitions.add(1, OPEN_BELOW_10K)  # updated just now: its 10-second bucket is still open
    first = await client.fetch(1)
    assert first.status is FetchStatus.OK and first.validator is None
    petitions.update(1, signature_count=1_300)  # same bucket: If-Modified-Since would say 304
    second = await client.fetch(1, if_modified_since=first.validator)
    assert second.document["data"]["attributes"]["signature_count"] == 1_300
    assert petitions.conditional_requests[1] == 0


async def test_a_settled_petition_is_fetched_conditionally(petitions, client):
    petitions.add(1, OPEN_BELOW_10K)
    old = iso(datetime.now(UTC) - timedelta(minutes=5))
    petitions.documents[1]["data"]["attributes"]["updated_at"] = old
    first = await client.fetch(1)
    assert first.validator is not None
    second = await client.fetch(1, if_modified_since=first.validator)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert petitions.conditional_requests[1] == 1


async def test_archived_redirect_is_followed(petitions, client):
    petitions.add(1, OPEN_BELOW_10K)
    petitions.archived.add(1)
    fetched = await client.fetch(1)
    assert fetched.status is FetchStatus.OK and fetched.archived
    assert fetched.document["data"]["type"] == "archived-petition"


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        (lambda fake: fake.in_moderation.add(1), FetchStatus.NOT_PUBLIC),
        (lambda fake: fake.gone.add(1), FetchStatus.GONE),
        (lambda fake: fake.documents.pop(1), FetchStatus.NOT_FOUND),
    ],
)
async def test_answers_that_are_not_a_petition(petitions, client, setup, status):
    petitions.add(1, OPEN_BELOW_10K)
    setup(petitions)
    assert (await client.fetch(1)).status is status


async def test_server_errors_are_retried_with_backoff(petitions, client):
    petitions.add(1, OPEN_BELOW_10K)
    petitions.errors_before_success[1] = 2
    assert (await client.fetch(1)).status is FetchStatus.OK
    assert petitions.requests[1] == 3


# "html": a maintenance page in place of the JSON is the site's trouble, not "not public".
@pytest.mark.parametrize("fault", ["500", "timeout", "malformed", "html"])
async def test_persistent_faults_raise_upstream_error(petitions, client, fault):
    petitions.add(1, OPEN_BELOW_10K)
    petitions.faults[1] = fault
    petitions.hang_seconds = 1
    with pytest.raises(UpstreamError):
        await client.fetch(1)


async def test_other_hosts_are_never_contacted(petitions):
    http = HttpClient(HttpConfig(), [petitions.base_url])
    try:
        with pytest.raises(UpstreamError, match="not a configured source"):
            await http.get("https://evil.example.com/petitions/1.json")
    finally:
        await http.close()
