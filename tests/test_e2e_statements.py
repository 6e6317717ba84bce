"""End to end: following government statements in Telegram, from GOV.UK and Parliament.

The real Application runs against the fake Bot API, GOV.UK search and Parliament's APIs.
"None arrives" is shown by publishing a matching sentinel after the items that must not alert:
the cycle that sees them all sends the sentinel's alert, and nothing else may come with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import running_bot
from tests.e2e import ask, say_date
from tests.fakes.telegram import SentMessage
from tests.test_e2e_buttons import tap

ANN, BOB = 1001, 1002
STOP = "\n\n<i>Stop these alerts: /unfollow statements home-office grooming gangs</i>"


async def test_follow_a_department_with_keywords_then_exactly_the_matching_items_alert(
    telegram, govuk, parliament, make_config
):
    govuk.publish_backlog("Grooming gangs inquiry update", 4)
    async with running_bot(make_config()):
        reply = await ask(telegram, ANN, "/statements Home Office grooming gangs")
        assert reply.startswith(
            "🔔 Following <b>Home Office statements on “grooming gangs”</b>. I'll tell this chat "
            "about new written and oral statements"
        )
        # The latest three matching items show that it works; nothing is sent as a backlog.
        assert all(f"Grooming gangs inquiry update {n}</a>" in reply for n in (1, 2, 3))
        assert "inquiry update 4" not in reply
        assert reply.endswith("<i>Stop: /unfollow statements home-office grooming gangs</i>")

        published = govuk.publish(
            "Grooming gangs: national audit published",
            description="<p>The Home Secretary has published the national audit on grooming "
            "gangs & <b>its</b> 12 recommendations.</p>",
            people=("Yvette Cooper",),
        )
        alert = await telegram.next_message(ANN)
        assert alert == (
            "🏛 <b>Grooming gangs: national audit published</b>\n"
            "Home Office · Written statement to Parliament\n"
            "👤 Yvette Cooper\n"
            f"🗓 {say_date(datetime.now(UTC))}: The Home Secretary has published the national "
            "audit on grooming gangs &amp; its 12 recommendations.\n"
            f"https://www.gov.uk{published['link']}" + STOP
        )

        seen = len(telegram.messages_to(ANN))
        govuk.publish("Knife crime statistics", description="Figures for the year.")
        govuk.publish("Grooming gangs in schools", organisations=("department-for-education",))
        govuk.publish("Grooming gangs: sentinel", kind="press_release")
        sentinel = await telegram.next_message(ANN)
        assert sentinel.startswith("🏛 <b>Grooming gangs: sentinel</b>\nHome Office · Press release")
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        assert len(telegram.messages_to(ANN)) == seen + 1

        govuk.update(published, "Corrected the figures in paragraph 3.")
        updated = await telegram.next_message(ANN)
        assert updated.startswith(
            "✏️ <b>Updated: Grooming gangs: national audit published</b>\n"
            "Home Office · Written statement to Parliament\n👤 Yvette Cooper\n"
            "What changed: “Corrected the figures in paragraph 3.”\n"
        )


async def test_the_same_news_reaches_a_chat_once(telegram, govuk, parliament, make_config):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements home-office")
        await ask(telegram, ANN, "/statements any grooming")
        seen = len(telegram.messages_to(ANN))
        # Through both follows; then laid in both Houses; then on GOV.UK and in Parliament.
        govuk.publish("Grooming gangs: new taskforce")
        parliament.lay_in_both_houses(
            "Asylum Accommodation",
            "<p>My right hon. Friend has made the following statement.</p><p>Today we publish "
            "the plan.</p>",
        )
        govuk.publish("Police Grant Report", description="The police funding settlement.")
        parliament.lay("Police Grant Report", "<p>The police funding settlement.</p>")
        await telegram.wait_until(lambda: len(telegram.messages_to(ANN)) >= seen + 3)
        # Both sources and every follow have had another look: still one message per story.
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        statements = parliament.STATEMENTS
        await parliament.wait_for_requests(statements, parliament.count(statements) + 2)
        news = telegram.messages_to(ANN)[seen:]
        assert sorted(m.splitlines()[0] for m in news) == [
            "🏛 <b>Asylum Accommodation</b>",
            "🏛 <b>Grooming gangs: new taskforce</b>",
            "🏛 <b>Police Grant Report</b>",
        ]
        asylum = next(m for m in news if "Asylum" in m)
        assert "Home Office · Written statement to Parliament (" in asylum
        assert "My right hon. Friend has made the following statement. Today we publish" in asylum


async def test_a_correction_in_parliament_alerts(telegram, govuk, parliament, make_config):
    original = parliament.lay("Prison Capacity", "<p>Measures to ease prison capacity.</p>")
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements home-office prison")
        parliament.lay(
            "Correction: Prison Capacity",
            "<p>The figure given was wrong.</p>",
            corrects=original["id"],
        )
        alert = await telegram.next_message(ANN)
        assert alert.startswith("✏️ <b>Correction: Correction: Prison Capacity</b>")
        assert "This corrects an earlier written statement." in alert
        assert "https://questions-statements.parliament.uk/written-statements/detail/" in alert


async def test_pick_a_department_with_buttons_then_keywords(
    telegram, govuk, parliament, make_config
):
    async with running_bot(make_config()):
        menu = await ask(telegram, ANN, "/statements")
        assert menu.startswith("🏛 <b>Follow government statements</b>")
        picker = telegram.last_to(ANN)
        labels = [label for row in picker.buttons for label, _ in row]
        assert labels[:4] == ["No 10", "Cabinet Office", "HM Treasury", "Home Office"]
        assert labels[-1] == "All departments"
        assert all(len(row) <= 2 for row in picker.buttons)

        telegram.user_taps(picker, "Home Office")
        await telegram.wait_until(lambda: len(telegram.edits) == 1)
        assert picker.text == (
            "Reply with keywords to look for in <b>Home Office</b> statements (an item must "
            "contain all of them), or tap Any statement."
        )
        telegram.user_says(ANN, "Grooming gangs")
        followed = await telegram.next_message(ANN)
        assert followed.startswith("🔔 Following <b>Home Office statements on “grooming gangs”</b>")

        await ask(telegram, ANN, "/statements")
        telegram.user_taps(telegram.last_to(ANN), "DfE")
        await telegram.wait_until(lambda: len(telegram.edits) == 2)
        question = telegram.last_to(ANN)
        telegram.user_taps(question, "Any statement")
        await telegram.wait_until(lambda: len(telegram.edits) == 3)
        assert question.text.startswith("🔔 Following <b>Department for Education statements</b>.")

        listing = await ask(telegram, ANN, "/list")
        assert listing == (
            "<b>What this chat follows (2)</b>\n"
            "1. 🏛 <b>Home Office statements on “grooming gangs”</b>\n"
            "    /unfollow statements home-office grooming gangs\n"
            "2. 🏛 <b>Department for Education statements</b>\n"
            "    /unfollow statements department-for-education\n"
            "Tap one for its card: unfollow, mute, alert settings and sharing are there."
        )
        asked = await ask(telegram, ANN, "/unfollow 2")
        assert asked == "Stop alerts for Department for Education statements?"
        question = telegram.last_to(ANN)
        await tap(telegram, question, "🔕 Yes, unfollow")
        assert question.text == (
            "🔕 Stopped following Department for Education statements. "
            "No more alerts about it here."
        )
        await ask(telegram, ANN, "/unfollow statements home-office grooming gangs")
        question = telegram.last_to(ANN)
        await tap(telegram, question, "🔕 Yes, unfollow")
        assert question.text.startswith(
            "🔕 Stopped following Home Office statements on “grooming gangs”"
        )
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow anything")


async def test_status_shows_the_last_eight_matching_items(telegram, govuk, parliament, make_config):
    govuk.publish_backlog("Border security update", 10)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements HO border")
        card = await ask(telegram, ANN, "/status statements home-office border")
        assert card.startswith("🏛 <b>Home Office statements on “border”</b>\n")
        assert [n for n in range(1, 11) if f"Border security update {n}</a>" in card] == [
            1, 2, 3, 4, 5, 6, 7, 8,
        ]  # fmt: skip


async def test_unknown_departments_and_refusals_get_clear_replies(
    telegram, govuk, parliament, make_config
):
    async with running_bot(make_config()):
        unknown = await ask(telegram, ANN, "/statements home offise grooming")
        assert unknown.startswith(
            "I don't know a department called “home offise grooming”. Did you mean one of these?"
        )
        suggestions = [label for row in telegram.last_to(ANN).buttons for label, _ in row]
        assert "Home Office" in suggestions
        await ask(telegram, ANN, "/statements HO children's homes")
        twice = await ask(telegram, ANN, "/follow statements home-office children's homes")
        assert twice == (
            "This chat already follows Home Office statements on “children&#x27;s homes”. "
            "/status statements home-office children&#x27;s homes shows where it stands."
        )
        too_many = await ask(telegram, ANN, "/statements HO a b c d e f g h i")
        assert too_many.startswith("That's a lot of keywords")
        govuk.refusal = "Query is too long"
        refused = await ask(telegram, ANN, "/statements home-office grooming")
        assert refused == (
            "GOV.UK's search refused that (“Query is too long”). Try fewer or plainer keywords."
        )
        assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (1)</b>")


async def test_a_restart_repeats_nothing(telegram, govuk, parliament, make_config):
    config = make_config()
    async with running_bot(config):
        await ask(telegram, ANN, "/statements home-office")
        govuk.publish("Visa fees", kind="news_story")
        parliament.lay("Visa Fees Order", "<p>An order on visa fees.</p>")
        await telegram.wait_until(lambda: len(telegram.messages_to(ANN)) == 3)
    async with running_bot(config):
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        statements = parliament.STATEMENTS
        await parliament.wait_for_requests(statements, parliament.count(statements) + 2)
        govuk.publish("Visa fees: sentinel")
        sentinel = await telegram.next_message(ANN)
        assert sentinel.startswith("🏛 <b>Visa fees: sentinel</b>")
        assert len(telegram.messages_to(ANN)) == 4


async def test_an_upstream_fault_sends_nothing_and_the_loop_carries_on(
    telegram, govuk, parliament, make_config
):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements home-office")
        seen = len(telegram.messages_to(ANN))
        govuk.failing = True
        parliament.failing.add(parliament.STATEMENTS)
        govuk.publish("Published while GOV.UK is down")
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 3)
        assert len(telegram.messages_to(ANN)) == seen
        govuk.failing = False
        parliament.failing.clear()
        caught_up = await telegram.next_message(ANN)
        assert caught_up.startswith("🏛 <b>Published while GOV.UK is down</b>")


async def test_a_stale_button_is_read_like_typed_text(telegram, govuk, parliament, make_config):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/help")
        stale = SentMessage(
            ANN,
            "an old menu",
            telegram.last_to(ANN).message_id,
            [[("Magic", "f:statements:department-of-magic:"), ("Gone", "b:nothing:x")]],
        )
        seen = len(telegram.messages_to(ANN))
        telegram.user_taps(stale, "Magic")
        assert (await telegram.next_message(ANN, after=seen)).startswith(
            "I don't know a department called “department-of-magic”."
        )
        seen = len(telegram.messages_to(ANN))
        telegram.user_taps(stale, "Gone")
        assert (await telegram.next_message(ANN, after=seen)).startswith(
            "That button is out of date: here is the current list.\n"
            "This chat doesn't follow anything yet."
        )
        await telegram.wait_until(lambda: len(telegram.toasts) == 2)  # every tap is answered
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow anything")


async def test_a_withdrawal_after_the_item_left_the_first_page_is_told(
    telegram, govuk, parliament, make_config
):
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/statements Home Office asylum")
        item = govuk.publish("Asylum accommodation: contingency hotels")
        assert (await telegram.next_message(ANN)).startswith(
            "🏛 <b>Asylum accommodation: contingency hotels</b>"
        )
        for n in range(120):  # newer items push it off the first page of 100
            govuk.publish(f"Visa statistics {n}")
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        seen = len(telegram.messages_to(ANN))
        govuk.withdraw(item)
        withdrawn = await telegram.next_message(ANN, after=seen)
        assert withdrawn.startswith(
            "🗑 <b>Withdrawn: Asylum accommodation: contingency hotels</b>\n"
            "Home Office · Written statement to Parliament\n"
            "The government has withdrawn this item; it stays on record as withdrawn."
        )
        # The search of the items indexed again since the last read found it.
        assert any("filter_updated_at" in query for query in govuk.searches)
