"""End to end: following written parliamentary questions in Telegram.

The real Application runs against the fake Bot API and the fake of Parliament's questions API.
Overdue runs on a scripted clock: the bot's "now" moves, the fake's questions keep their days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.sources.text import LONDON
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask, say_date

ANN, BOB = 1001, 1002
SITE = "https://questions-statements.parliament.uk/written-questions/detail"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


async def cycles(parliament, count: int = 2) -> None:
    """Until the questions source has read the windows `count` more times."""
    path = parliament.QUESTIONS
    await parliament.wait_for_requests(path, parliament.count(path) + 3 * count)


async def test_a_departments_questions_tabled_and_answered_are_told_once(
    telegram, parliament, make_config
):
    today = datetime.now(LONDON).date()
    parliament.table(
        "Child Sexual Exploitation: Grooming Gangs",
        "To ask the Secretary of State for the Home Department, what progress she has made on "
        "the grooming gangs audit.",
        tabled=today - timedelta(days=2),
        due=today + timedelta(days=3),
    )
    async with running_bot(make_config()):
        reply = await ask(telegram, ANN, "/questions home office grooming gangs")
        assert reply.startswith(
            "🔔 Following <b>Home Office written questions on “grooming gangs”</b>. I'll tell "
            "this chat about each question tabled, its answer (with how late it came)"
        )
        # What was already there shows that it works; nothing is sent as a backlog.
        assert "Child Sexual Exploitation: Grooming Gangs</a>" in reply
        assert reply.endswith("<i>Stop: /unfollow questions home-office grooming gangs</i>")

        question = parliament.table(
            "Grooming Gangs: Research",
            "To ask the Secretary of State for the Home Department, when she plans to publish the "
            "research on grooming gangs & <i>child</i> sexual exploitation.",
            tabled=today,
            due=today + timedelta(days=5),
        )
        tabled = await telegram.next_message(ANN)
        link = f"{SITE}/{today.isoformat()}/{question['uin']}"
        assert tabled == (
            "✍️ <b>New written question: Grooming Gangs: Research</b>\n"
            f"Home Office · Commons question {question['uin']} · tabled {say_date(today)}\n"
            "👤 Asked by Jess Phillips (Labour, Birmingham Yardley)\n"
            "“To ask the Secretary of State for the Home Department, when she plans to publish "
            "the research on grooming gangs &amp; child sexual exploitation.”\n"
            f"📅 Answer expected by {say_date(today + timedelta(days=5))}\n"
            f"{link}\n\n"
            "<i>Stop these alerts: /unfollow questions home-office grooming gangs</i>"
        )

        seen = len(telegram.messages_to(ANN))
        parliament.table("Knife Crime", "To ask about knives.", tabled=today, due=today)
        parliament.table(
            "Schools: Grooming Gangs",
            "To ask about grooming gangs in schools.",
            tabled=today,
            due=today,
            body=(60, "Department for Education"),
        )
        parliament.answer(question, "The research will be published <b>shortly</b>.", on=today)
        answered = await telegram.next_message(ANN)
        assert answered == (
            "✅ <b>Answered: Grooming Gangs: Research</b>\n"
            f"Home Office · Commons question {question['uin']} · answered {say_date(today)}, "
            "on time\n"
            "👤 Priti Patel (Conservative, Witham)\n"
            "💬 “The research will be published shortly.”\n"
            f"{link}\n\n"
            "<i>Stop these alerts: /unfollow questions home-office grooming gangs</i>"
        )
        await cycles(parliament)
        assert len(telegram.messages_to(ANN)) == seen + 1

        card = await ask(telegram, ANN, "/status questions home-office grooming gangs")
        assert card.startswith(
            "✍️ <b>Home Office written questions on “grooming gangs”</b>\n"
            "From Parliament's written questions. The latest:\n"
            f'• {say_date(today)} · <a href="{link}">Grooming Gangs: Research</a> '
            f"({question['uin']}): answered {say_date(today)}\n"
        )
        listing = await ask(telegram, ANN, "/list")
        assert "1. ✍️ <b>Home Office written questions on “grooming gangs”</b>\n" in listing


async def test_one_question_by_its_link_holding_answer_overdue_then_answered_late(
    telegram, parliament, make_config
):
    clock = ScriptedClock(london(2026, 12, 1, 10))
    question = parliament.table(
        "Asylum: Hotels",
        "To ask the Secretary of State for the Home Department, how many hotels are in use.",
        tabled=date(2026, 11, 26),
        due=date(2026, 12, 1),
        named_day=True,
    )
    uin = question["uin"]
    async with running_bot(make_config(), clock):
        reply = await ask(telegram, ANN, f"/questions {SITE}/2026-11-26/{uin}")
        assert reply.startswith("🔔 Following <b>written question ")
        assert "📅 Named day: to be answered on 1 December 2026\nNow: due 1 December 2026" in reply
        stop = f"\n\n<i>Stop these alerts: /unfollow questions 2026-11-26/{uin}</i>"

        parliament.answer(question, "I will reply as soon as possible.", date(2026, 12, 1), True)
        holding = await telegram.next_message(ANN)
        assert holding == (
            "⏳ <b>Holding answer: Asylum: Hotels</b>\n"
            f"Home Office · Commons question {uin}\n"
            "On 1 December 2026 the department said it will answer in full later: no answer "
            "yet. Named day: to be answered on 1 December 2026.\n"
            f"{SITE}/2026-11-26/{uin}" + stop
        )
        clock.now = london(2026, 12, 2, 11, 59)
        await cycles(parliament)
        assert len(telegram.messages_to(ANN)) == 2  # not late until noon the next day

        clock.now = london(2026, 12, 2, 12, 0)
        overdue = await telegram.next_message(ANN)
        assert overdue == (
            "⏰ <b>Written question overdue: Asylum: Hotels</b>\n"
            f"Home Office · Commons question {uin}\n"
            "Asked by Jess Phillips (Labour, Birmingham Yardley) on 26 November 2026; no answer "
            "by its named day, 1 December 2026: 1 day late. It has only a holding answer (given "
            "1 December 2026).\n"
            f"{SITE}/2026-11-26/{uin}" + stop
        )
        card = await ask(telegram, ANN, f"/status questions 2026-11-26/{uin}")
        assert "Now: ⏰ overdue: due 1 December 2026, 1 day late, holding answer only" in card

        clock.now = london(2026, 12, 4, 17, 0)
        parliament.answer(question, "There are 200 hotels in use.", date(2026, 12, 4))
        answered = await telegram.next_message(ANN)
        assert answered.startswith(
            "✅ <b>Answered: Asylum: Hotels</b>\n"
            f"Home Office · Commons question {uin} · answered 4 December 2026, 3 days after its "
            "named day (1 December 2026)\n"
        )
        assert "💬 “There are 200 hotels in use.”" in answered
        await cycles(parliament)
        # The follow reply, the card and three alerts, each once.
        assert len(telegram.messages_to(ANN)) == 5


async def test_a_question_by_its_number_and_a_correction(telegram, parliament, make_config):
    today = datetime.now(LONDON).date()
    question = parliament.table(
        "Armed Forces: Gibraltar",
        "To ask His Majesty's Government about movements to Gibraltar.",
        tabled=today - timedelta(days=20),
        due=today - timedelta(days=6),
        house="Lords",
        body=(11, "Ministry of Defence"),
    )
    parliament.answer(question, "No notice is needed.", today - timedelta(days=8))
    async with running_bot(make_config()):
        reply = await ask(telegram, ANN, f"/questions {question['uin'].lower()}")
        assert "Now: answered" in reply and "💬 “No notice is needed.”" in reply
        parliament.correct(question, "Notice is given to the Governor.", today)
        corrected = await telegram.next_message(ANN)
        assert corrected.startswith(
            "✏️ <b>Answer corrected: Armed Forces: Gibraltar</b>\n"
            f"Ministry of Defence · Lords question {question['uin']} · "
            f"corrected {say_date(today)}\n"
            "💬 Now: “Notice is given to the Governor.”\n"
        )
        unknown = await ask(telegram, BOB, "/questions HL99999")
        assert unknown.startswith("I can't find written question HL99999.")
        assert (await ask(telegram, BOB, "/list")).startswith("This chat doesn't follow anything")


async def test_pick_a_department_with_buttons_then_keywords(telegram, parliament, make_config):
    async with running_bot(make_config()):
        menu = await ask(telegram, ANN, "/questions")
        assert menu.startswith("✍️ <b>Follow written questions</b>")
        picker = telegram.last_to(ANN)
        telegram.user_taps(picker, "Home Office")
        await telegram.wait_until(lambda: len(telegram.edits) == 1)
        assert picker.text.startswith(
            "Reply with keywords to look for in the written questions to the <b>Home Office</b>"
        )
        telegram.user_says(ANN, "asylum hotels")
        followed = await telegram.next_message(ANN)
        assert followed.startswith(
            "🔔 Following <b>Home Office written questions on “asylum hotels”"
        )
        wrong = await ask(telegram, ANN, "/questions home offise asylum")
        assert wrong.startswith("I don't know a department called “home offise asylum”.")
        share = await ask(telegram, ANN, "/share questions home-office asylum hotels")
        assert "?start=wq_" in share


async def test_overdue_lists_the_departments_late_with_answers(telegram, parliament, make_config):
    clock = ScriptedClock(london(2026, 12, 4, 15))
    for due in (date(2026, 12, 1), date(2026, 11, 20)):
        parliament.table("Asylum: Hotels", "How many?", tabled=date(2026, 11, 16), due=due)
    parliament.table(
        "Schools: Funding",
        "How much?",
        tabled=date(2026, 11, 20),
        due=date(2026, 11, 30),
        body=(60, "Department for Education"),
    )
    answered = parliament.table(
        "Police", "How many?", tabled=date(2026, 11, 16), due=date(2026, 11, 30)
    )
    parliament.answer(answered, "Enough.", date(2026, 11, 30))
    # Due today: not late yet.
    parliament.table("Borders", "When?", tabled=date(2026, 11, 30), due=date(2026, 12, 4))
    async with running_bot(make_config(), clock):
        late = await ask(telegram, ANN, "/overdue")
        assert late.endswith(
            "✍️ <b>Written questions past their due day without an answer</b> (3 in all, due in "
            "the last four weeks):\n"
            "• Home Office: 2 (oldest due 20 November 2026)\n"
            "• Department for Education: 1 (oldest due 30 November 2026)\n"
            "Follow a department's: <code>/questions home-office</code>"
        )
        parliament.fail(parliament.QUESTIONS, "500")
        clock.advance(hours=1)  # past the half hour the late list is kept
        late = await ask(telegram, ANN, "/overdue")
        assert late.endswith(
            "✍️ I couldn't read Parliament's written questions just now to list late answers."
        )


async def test_a_follow_never_read_is_baselined_silently(telegram, parliament, make_config):
    today = datetime.now(LONDON).date()
    parliament.table("Visas", "About visas.", tabled=today, due=today + timedelta(days=5))
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/questions home-office")
        await cycles(parliament)
        assert len(telegram.messages_to(ANN)) == 1
