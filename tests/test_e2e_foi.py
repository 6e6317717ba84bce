"""End to end: following FOI requests on WhatDoTheyKnow, on a scripted clock: an authority's
requests on keywords, one request by its link, every alert once, overdue after 20 working days
across the Christmas bank holidays; conditional reads and the bot's User-Agent."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.http import USER_AGENT
from bot.sources.text import LONDON
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask

ANN, BOB = 1001, 1002
SITE = "https://www.whatdotheyknow.com/request/"


async def cycles(site, count: int = 2) -> None:
    """Until the FOI source has read the Home Office's feed `count` more times."""
    path = site.feed_path("home_office")
    await site.wait_for_requests(path, site.count(path) + count)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


async def test_an_authoritys_requests_from_sending_to_a_late_refusal(
    telegram, whatdotheyknow, make_config
):
    clock = ScriptedClock(london(2026, 11, 30, 9))
    async with running_bot(make_config(), clock):
        reply = await ask(telegram, ANN, "/foi home office asylum")
        assert reply.startswith(
            "🔔 Following <b>FOI requests to Home Office on “asylum”</b>. I'll tell this chat "
            "about each new request, each response"
        )
        url_title = whatdotheyknow.make_request("Asylum hotel contracts", london(2026, 12, 1, 10))
        whatdotheyknow.make_request("Knife crime figures", london(2026, 12, 1, 10, 5))
        clock.now = london(2026, 12, 1, 10, 10)
        new = await telegram.next_message(ANN)
        assert new == (
            "📨 <b>New FOI request: Asylum hotel contracts</b>\nTo Home Office, sent 1 December "
            "2026. Response due by 31 December 2026.\n" + SITE + url_title + "\n\n"
            "<i>Stop these alerts: /unfollow foi https://www.whatdotheyknow.com/body/home_office "
            "asylum</i>"
        )
        one = await ask(telegram, BOB, f"/follow {SITE}{url_title}")
        assert one.startswith("🔔 Following <b>the FOI request “Asylum hotel contracts”</b>.")
        assert "awaiting a response, due 31 December 2026" in one
        clock.now = london(2026, 12, 31, 23, 0)
        await cycles(whatdotheyknow)
        assert len(telegram.messages_to(ANN)) == 2  # still in time on its due day
        clock.now = london(2027, 1, 1, 0, 5)
        late = await telegram.next_message(ANN)
        assert late.startswith(
            "⏰ <b>FOI response overdue: Asylum hotel contracts</b>\nHome Office had 20 working "
            "days from 1 December 2026, until 31 December 2026, to respond, and has not.\n"
        )
        assert (await telegram.next_message(BOB)).startswith("⏰ <b>FOI response overdue")
        whatdotheyknow.respond(url_title, london(2027, 1, 6, 9), state="rejected")
        clock.now = london(2027, 1, 6, 9, 5)
        response = await telegram.next_message(ANN)
        assert response.startswith(
            "📬 <b>Response received: Asylum hotel contracts</b>\nFrom Home Office, 6 January "
            "2027, 3 working days late. Status: Refused."
        )
        refused = await telegram.next_message(ANN, after=4)
        assert refused.startswith(
            "🚫 <b>Refused: Asylum hotel contracts</b>\nHome Office refused the request "
            "(6 January 2027)."
        )
        whatdotheyknow.ask_review(url_title, london(2027, 1, 8, 9))
        clock.now = london(2027, 1, 8, 9, 5)
        review = await telegram.next_message(BOB, after=4)
        assert review.startswith("🔁 <b>Internal review: Asylum hotel contracts</b>")
        await cycles(whatdotheyknow)
        # Follow reply, new, overdue, response, refused, review: once each; none for knives.
        assert len(telegram.messages_to(ANN)) == 6
        card = await ask(telegram, ANN, "/status foi home_office asylum")
        assert "Asylum hotel contracts</a>: internal review" in card
    feed = whatdotheyknow.feed_path("home_office")
    assert whatdotheyknow.count(feed) > 3 and whatdotheyknow.not_modified > 0
    assert set(whatdotheyknow.user_agents) == {USER_AGENT}


async def test_an_authority_or_request_the_site_does_not_know(
    telegram, whatdotheyknow, make_config
):
    async with running_bot(make_config()):
        unknown = await ask(telegram, ANN, "/foi nowhere_at_all")
        assert unknown.startswith("WhatDoTheyKnow has no such authority at /body/nowhere_at_all.")
        missing = await ask(telegram, ANN, f"/foi {SITE}no_such_request")
        assert missing.startswith("WhatDoTheyKnow has no such request.")
        how = await ask(telegram, ANN, "/foi")
        assert how.startswith("Which authority, or which request?")
