"""End to end: a follow's alert settings (groups, count granularity, silent) and the chat's
(/settings: quiet hours, time zone, defaults), changed by buttons and commands, and what then
arrives. The clock is scripted where the hour matters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from handlers.commands import SETTINGS_SENT_PRIVATELY
from tests.conftest import running_bot
from tests.e2e import LONDON, ScriptedClock, ask, say_date
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K

ANN, BOB = 1001, 1002
GROUP, ADMIN, MEMBER = -100200, 7, 8
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
PANEL = (
    f"⚙️ <b>Alerts for</b> petition 300412 “{TITLE}”\n"
    "Tap to switch: ✅ on, ⬜ off. Alerts of a type switched off aren't sent, and aren't kept "
    "for later."
)


async def open_panel(telegram, chat_id: int, **kwargs):
    """Follow 300412 and open its alert settings from the card; the panel message."""
    await ask(telegram, chat_id, "/follow 300412", **kwargs)
    await tap(telegram, telegram.last_to(chat_id), "⚙️ Alerts", user_id=kwargs.get("user_id"))
    return telegram.last_to(chat_id)


async def tap(telegram, message, label: str, *, user_id: int | None = None) -> None:
    """Tap `label` and wait for the tap to be answered: the bot answers once its reply is out."""
    answered = len(telegram.toasts)
    telegram.user_taps(message, label, user_id=user_id)
    await telegram.wait_until(lambda: len(telegram.toasts) > answered)


async def quiet_cycles(petitions, telegram, chat_id: int, petition_id: int = 300412) -> None:
    """Let three polls of the petition pass, and check nothing reached the chat meanwhile."""
    seen = len(telegram.messages_to(chat_id))
    await petitions.wait_for_petition_requests(petition_id, petitions.requests[petition_id] + 3)
    assert telegram.messages_to(chat_id)[seen:] == []


def labels(message) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


async def test_a_muted_group_sends_nothing_and_keeps_nothing_for_later(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        panel = await open_panel(telegram, ANN)
        assert panel.text == PANEL
        assert labels(panel) == [
            "✅ Signatures", "✅ Government response", "✅ Debate", "✅ Petition state",
            "⬜ Surges", "✅ Milestones only", "⬜ Every 1,000", "⬜ Every 10,000", "⬜ Every 10%",
            "⬜ Silent (no sound)",
        ]  # fmt: skip
        await tap(telegram, panel, "✅ Signatures")
        edited = telegram.edits[-1]
        assert edited.message_id == panel.message_id  # in place, not a new message
        assert "⬜ Signatures" in labels(edited) and "✅ Debate" in labels(edited)

        petitions.update(300412, signature_count=5_002)
        await quiet_cycles(petitions, telegram, ANN)
        reached = datetime.now(UTC) - timedelta(days=2)
        petitions.update(300412, signature_count=10_001, response_threshold_reached_at=iso(reached))
        await quiet_cycles(petitions, telegram, ANN)
        # Other groups still come: the first message after the mute is the response.
        petitions.update(
            300412,
            government_response_at=iso(reached + timedelta(days=1)),
            government_response={
                "responded_on": (reached + timedelta(days=1)).date().isoformat(),
                "summary": "We will look at it.",
                "details": "",
                "created_at": iso(reached),
                "updated_at": iso(reached),
            },
        )
        alert = await telegram.next_message(ANN)
        assert alert.startswith("📝 <b>The government has responded</b>")
        # Switched back on, the muted milestone and threshold don't turn up late.
        await tap(telegram, telegram.last_to(ANN), "⚙️ Settings")
        await tap(telegram, telegram.last_to(ANN), "⬜ Signatures")
        await quiet_cycles(petitions, telegram, ANN)
        petitions.update(300412, signature_count=25_050)
        alert = await telegram.next_message(ANN)
        assert alert.startswith("📈 <b>25,000 signatures</b>")


async def test_every_thousand_alerts_at_each_thousand_and_never_again_after_a_dip(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)  # 1,289 signatures
    async with running_bot(make_config()):
        panel = await open_panel(telegram, ANN)
        await tap(telegram, panel, "⬜ Every 1,000")
        assert "✅ Every 1,000" in labels(telegram.edits[-1])
        assert "⬜ Milestones only" in labels(telegram.edits[-1])
        await ask(telegram, BOB, "/follow 300412")  # milestones only, the default
        bob_seen = len(telegram.messages_to(BOB))

        petitions.update(300412, signature_count=2_050)
        assert await telegram.next_message(ANN) == (
            f"📈 <b>2,000 signatures</b> for “{TITLE}”\nIt now has 2,050. Next step: 3,000.\n\n"
            "https://petition.parliament.uk/petitions/300412\n"
            "<i>Stop these alerts: /unfollow 300412</i>"
        )
        petitions.update(300412, signature_count=3_010)
        assert (await telegram.next_message(ANN)).startswith("📈 <b>3,000 signatures</b>")
        petitions.update(300412, signature_count=2_980)  # signatures removed
        await quiet_cycles(petitions, telegram, ANN)
        petitions.update(300412, signature_count=3_020)  # 3,000 again: old news
        await quiet_cycles(petitions, telegram, ANN)
        petitions.update(300412, signature_count=5_001)
        ann = await telegram.next_message(ANN)
        assert ann.startswith("📈 <b>5,000 signatures</b>")
        assert "Next step: 6,000." in ann
        bob = await telegram.next_message(BOB, after=bob_seen)
        assert bob.startswith("📈 <b>5,000 signatures</b>") and "Next milestone: 10,000." in bob
        await quiet_cycles(petitions, telegram, ANN)
        assert len(telegram.messages_to(BOB)) == bob_seen + 1  # nothing at 2,000 or 3,000


async def test_quiet_hours_deliver_silently_and_on_time(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # 23:00 in London
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config(), clock):
        saved = await ask(telegram, ANN, "/settings quiet 10pm-7:30am")
        assert saved.startswith("✅ Saved.\n⚙️ <b>Settings for this chat</b>")
        assert (
            "🌙 Quiet hours: 22:00\u201307:30, on London time (alerts still come, without a sound)"
            in saved
        )
        await ask(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        night = await telegram.next_message(ANN)
        assert night.startswith("📈 <b>5,000 signatures</b>")
        assert telegram.last_to(ANN).silent
        clock.now = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # quiet hours are over
        reached = iso(clock.now - timedelta(minutes=5))
        petitions.update(300412, signature_count=10_050, response_threshold_reached_at=reached)
        morning = await telegram.next_message(ANN)
        assert morning.startswith("🎯 <b>10,000 signatures")
        assert not telegram.last_to(ANN).silent


async def test_a_follow_set_silent_is_silent_at_any_hour(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        panel = await open_panel(telegram, ANN)
        await tap(telegram, panel, "⬜ Silent (no sound)")
        assert "✅ Silent (no sound)" in labels(telegram.edits[-1])
        petitions.update(300412, signature_count=5_002)
        assert (await telegram.next_message(ANN)).startswith("📈 <b>5,000 signatures</b>")
        assert telegram.last_to(ANN).silent


async def test_settings_by_command_explain_mistakes_and_keep_what_was_saved(
    telegram, petitions, make_config
):
    clock = ScriptedClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    async with running_bot(make_config(), clock):
        shown = await ask(telegram, ANN, "/settings")
        assert shown.startswith(
            "⚙️ <b>Settings for this chat</b>\n"
            "🕰 Time zone: Europe/London (it's 12:00 there)\n"
            "🌙 Quiet hours: off\n"
            "📬 Alerts: as they happen\n"
            "🗓 Weekly lists: on Mondays\n"
            "📍 Constituency: not set\n"
            "🆕 New follows: milestones only · with sound · surges off\n"
        )
        friday = await ask(telegram, ANN, "/settings day Fri")
        assert "🗓 Weekly lists: on Fridays" in friday
        wrong = await ask(telegram, ANN, "/settings day someday")
        assert wrong.startswith("⚠️ Name a day of the week, such as <code>friday</code>")
        assert "🗓 Weekly lists: on Fridays" in wrong
        paris = await ask(telegram, ANN, "/settings timezone paris")
        assert "🕰 Time zone: Europe/Paris (it's 13:00 there)" in paris
        wrong = await ask(telegram, ANN, "/settings quiet 25:00-07:00")
        assert wrong.startswith(
            "⚠️ Hours go from 00 to 23 and minutes from 00 to 59. Nothing changed.\n"
            "⚙️ <b>Settings for this chat</b>\n"
        )
        assert telegram.last_to(ANN).buttons  # the panel, to put it right
        wrong = await ask(telegram, ANN, "/settings timezone <b>Mars</b>")
        assert wrong.startswith("⚠️ I don't know that time zone. Name a city or a country")
        wrong = await ask(telegram, ANN, "/settings timezone " + "Europe/" * 70)
        assert wrong.startswith("⚠️ I don't know that time zone.")
        several = await ask(telegram, ANN, "/settings timezone us")
        assert several.startswith(
            "⚠️ “us” has several time zones: name a city, such as <code>new york</code>, "
            "<code>chicago</code>, <code>denver</code>"
        )
        unknown = await ask(telegram, ANN, "/settings colour <blue>")
        assert unknown.startswith("⚠️ I don't have a setting called “colour”.")
        new_york = await ask(telegram, ANN, "/settings time zone New York")
        assert "🕰 Time zone: America/New_York (it's 07:00 there)" in new_york
        uk = await ask(telegram, ANN, "/settings timezone uk")
        assert "🕰 Time zone: Europe/London" in uk
        quiet = await ask(telegram, ANN, "/settings quiet hours 11pm to 7am")
        assert "🌙 Quiet hours: 23:00\u201307:00, on London time" in quiet
        await ask(telegram, ANN, "/settings timezone Europe/Paris")
        digest = await ask(telegram, ANN, "/settings digest 8pm")
        assert "📬 Alerts: a daily digest at 20:00" in digest
        assert "🕰 Time zone: Europe/Paris" in digest  # the mistakes changed nothing
        defaults = await ask(telegram, ANN, "/settings counts 10k")
        assert "🆕 New follows: every 10,000 · with sound · surges off" in defaults
        petitions.add(300412, OPEN_BELOW_10K)
        await ask(telegram, ANN, "/follow 300412")
        panel = await tap_settings_of_last_follow(telegram, ANN)
        assert "✅ Every 10,000" in labels(panel)


async def tap_settings_of_last_follow(telegram, chat_id: int):
    await tap(telegram, telegram.last_to(chat_id), "⚙️ Alerts")
    return telegram.last_to(chat_id)


async def test_the_settings_buttons_edit_the_panel_in_place(telegram, make_config):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/settings")
        panel = telegram.last_to(ANN)
        assert labels(panel)[:3] == ["🌙 Quiet hours: off", "✅ As they happen", "⬜ Daily digest"]
        await tap(telegram, panel, "🌙 Quiet hours: off")
        assert labels(telegram.last_to(ANN))[0] == "🌙 Quiet hours: 22:00\u201307:00"
        await tap(telegram, panel, "⬜ Daily digest")
        panel = telegram.last_to(ANN)
        assert "📬 Alerts: a daily digest at 08:00" in panel.text
        assert labels(panel)[1:5] == ["⬜ As they happen", "✅ Daily digest", "◀ 07:00", "09:00 ▶"]
        await tap(telegram, panel, "09:00 ▶")
        assert "📬 Alerts: a daily digest at 09:00" in telegram.last_to(ANN).text
        await tap(telegram, panel, "⬜ New: Every 1,000")
        assert "🆕 New follows: every 1,000" in telegram.last_to(ANN).text
        assert len(telegram.messages_to(ANN)) == 1  # every change edited the one panel


async def test_in_a_group_only_admins_change_settings(telegram, petitions, make_config):
    telegram.admins[GROUP] = {ADMIN}
    petitions.add(300412, OPEN_BELOW_10K)
    group = {"chat_type": "supergroup"}
    clock = ScriptedClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    async with running_bot(make_config(), clock):
        chat_panel = await ask(telegram, GROUP, "/settings", user_id=ADMIN, **group)
        assert chat_panel.startswith("⚙️ <b>Settings for this chat</b>")
        chat_panel = telegram.last_to(GROUP)
        # A member may look, privately: never the admins' panel in the group.
        said = await ask(telegram, GROUP, "/settings", user_id=MEMBER, **group)
        assert said == SETTINGS_SENT_PRIVATELY
        assert telegram.messages_to(MEMBER) == [
            "⚙️ <b>Settings of Campaign group</b>\n"
            "🕰 Time zone: Europe/London (it's 12:00 there)\n"
            "🌙 Quiet hours: off\n📬 Alerts: as they happen\n🗓 Weekly lists: on Mondays\n"
            "📍 Constituency: not set\n"
            "🆕 New follows: milestones only · with sound · surges off\n"
            "Only the group's admins can change them."
        ]
        telegram.blocked.add(MEMBER)  # never opened a chat with the bot: a few lines, no panel
        said = await ask(telegram, GROUP, "/settings quiet 22-7", user_id=MEMBER, **group)
        assert said.startswith("⚙️ <b>Settings of Campaign group</b>\n")
        assert not telegram.last_to(GROUP).buttons
        await tap(telegram, chat_panel, "🌙 Quiet hours: off", user_id=MEMBER)
        assert telegram.toasts[-1] == "Only this group's admins can change its settings."
        saved = await ask(telegram, GROUP, "/settings quiet 22-7", user_id=ADMIN, **group)
        assert "🌙 Quiet hours: 22:00\u201307:00" in saved

        panel = await open_panel(telegram, GROUP, user_id=ADMIN, **group)
        await tap(telegram, panel, "✅ Debate", user_id=MEMBER)
        assert telegram.toasts[-1] == "Only this group's admins can change its settings."
        assert "✅ Debate" in labels(telegram.last_to(GROUP))
        await tap(telegram, panel, "✅ Debate", user_id=ADMIN)
        assert "⬜ Debate" in labels(telegram.last_to(GROUP))


async def test_a_surge_alerts_the_follows_that_opted_in(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K, signature_count=1_000)
    async with running_bot(make_config(), clock):
        panel = await open_panel(telegram, ANN)
        await tap(telegram, panel, "⬜ Surges")
        assert "✅ Surges" in labels(telegram.edits[-1])
        await ask(telegram, BOB, "/follow 300412")  # surges are opt-in: Bob has them off
        bob_seen = len(telegram.messages_to(BOB))
        petitions.update(300412, signature_count=1_240)  # 10 an hour for a day
        clock.advance(hours=23)
        await quiet_cycles(petitions, telegram, ANN)
        petitions.update(300412, signature_count=1_840)  # then 600 in an hour
        clock.advance(hours=1)
        assert await telegram.next_message(ANN) == (
            f"🚀 <b>Signing \u00d717 faster</b> than its 24-hour average: “{TITLE}”\n"
            "+600 in the last hour, against about 35 an hour over the day. It now has 1,840.\n\n"
            "https://petition.parliament.uk/petitions/300412\n"
            "<i>Stop these alerts: /unfollow 300412</i>"
        )
        await quiet_cycles(petitions, telegram, ANN)  # one surge alert a day at most
        assert len(telegram.messages_to(BOB)) == bob_seen


async def test_a_statements_follow_without_updates_gets_new_items_only(
    telegram, govuk, parliament, make_config
):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements Home Office")
        # A minute old, so the update's timestamp (to the second) is sure to differ.
        published = govuk.publish(
            "Grooming gangs: national audit published", at=datetime.now(UTC) - timedelta(minutes=1)
        )
        assert (await telegram.next_message(ANN)).startswith(
            "🏛 <b>Grooming gangs: national audit published</b>"
        )
        await ask(telegram, ANN, "/status statements home-office")
        await tap(telegram, telegram.last_to(ANN), "⚙️ Alerts")
        panel = telegram.last_to(ANN)
        assert labels(panel) == [
            "✅ New items", "✅ Updates, withdrawals and corrections", "⬜ Silent (no sound)"
        ]  # fmt: skip
        await tap(telegram, panel, "✅ Updates, withdrawals and corrections")
        assert "⬜ Updates, withdrawals and corrections" in labels(telegram.edits[-1])

        # The update is seen no later than the sentinel: two searches after it, it would be here.
        seen = len(telegram.messages_to(ANN))
        govuk.update(published, "Corrected the figures in paragraph 3.")
        govuk.publish("Knife crime: sentinel")
        await telegram.next_message(ANN)
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        assert [m.split("\n")[0] for m in telegram.messages_to(ANN)[seen:]] == [
            "🏛 <b>Knife crime: sentinel</b>"
        ]


async def test_deadline_days_are_londons_in_every_chat_and_other_dates_the_chats_zones(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, BOB, "/settings timezone pacific/auckland")
        for chat in (ANN, BOB):
            await ask(telegram, chat, "/follow 300412")
        # 20:00 in London is 09:00 the next day in Auckland (13 hours ahead in summer). The
        # response deadline is London's calendar for everyone: its days agree with its dates.
        reached = (datetime.now(UTC) - timedelta(days=2)).replace(hour=20, minute=0, second=0)
        due = reached.astimezone(LONDON).date() + timedelta(days=21)
        had = {chat: len(telegram.messages_to(chat)) for chat in (ANN, BOB)}
        petitions.update(300412, signature_count=10_001, response_threshold_reached_at=iso(reached))
        alerts = [await telegram.next_message(chat, after=had[chat]) for chat in (ANN, BOB)]
        for alert in alerts:
            assert f"within 21 days, by {say_date(due)}." in alert
        # An instant, the closing at the end of its London day, is on each chat's calendar.
        day = reached.astimezone(LONDON).date()
        closed = datetime.combine(day, time(23, 59, 59, 999000), tzinfo=LONDON)
        had = {chat: len(telegram.messages_to(chat)) for chat in (ANN, BOB)}
        petitions.update(300412, state="closed", closed_at=iso(closed))
        for chat in (ANN, BOB):
            await telegram.next_message(chat, after=had[chat])
        cards = {chat: await ask(telegram, chat, "/status 300412") for chat in (ANN, BOB)}
        assert f"Closed on {say_date(closed)}" in cards[ANN]
        assert f"Closed on {say_date(closed + timedelta(days=1))}" in cards[BOB]
        assert f"due by {say_date(due)}" in cards[BOB]
