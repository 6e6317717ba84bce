"""Written questions: parsing the real captures, reading what people type, detecting and
wording each alert, overdue on the London clock."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, date, datetime

import pytest

from bot.sources.base import BadReference
from bot.sources.departments.directory import Directory
from bot.sources.questions.detect import QuestionEventKind, detect_questions
from bot.sources.questions.kind import QuestionsKind
from bot.sources.questions.model import QuestionsFollow
from bot.sources.questions.parse import parse_question
from bot.sources.questions.render import render_alert, render_card
from bot.sources.text import LONDON
from bot.sources.written_statements.parse import statement_values
from tests.fakes.petitions import load_fixture

TABLED_MOD = "questions_tabled_2021-02-01_answeringBodies_11_MoD_captured_2021-03-18.json"
ANSWERED_MOD = "questions_answered_2021-02-01_answeringBodies_11_MoD_captured_2021-03-18.json"
BY_MEMBER = "questions_tabled_2021-02-01_askingMember_4651_captured_2021-03-18.json"
BY_MINISTER = "questions_answered_2021-02-01_answeringMember_4485_captured_2021-03-18.json"
DIRECTORY = Directory()
MOD = QuestionsFollow("ministry-of-defence")
KIND = QuestionsKind(source=None, directory=DIRECTORY)  # type: ignore[arg-type]


def values(fixture: str) -> list[dict]:
    return statement_values(load_fixture(fixture), "written questions")


def question(fixture: str, uin: str, **changes):
    value = next(v for v in values(fixture) if v["uin"] == uin)
    parsed = parse_question({**deepcopy(value), **changes}, DIRECTORY)
    assert parsed is not None
    return parsed


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


@pytest.mark.parametrize("fixture", [TABLED_MOD, ANSWERED_MOD, BY_MEMBER, BY_MINISTER])
def test_every_captured_question_parses_and_is_placed_in_its_department(fixture):
    found = [parse_question(value, DIRECTORY) for value in values(fixture)]
    assert found and all(q is not None for q in found)
    # Every answering body in the captures is a department the directory knows.
    assert not [q.department for q in found if q.department.startswith("answering-body-")]


def test_a_lords_question_reads_as_parliament_gives_it():
    q = question(TABLED_MOD, "HL12792")
    assert (q.id, q.house, q.heading) == (1282225, "Lords", "Armed Forces: Gibraltar")
    assert q.asker == "Lord Empey (Ulster Unionist Party, Life peer)"
    assert (q.department, q.department_name) == ("ministry-of-defence", "Ministry of Defence")
    assert (q.tabled, q.due, q.answered) == (date(2021, 2, 1), date(2021, 2, 15), date(2021, 2, 9))
    assert q.text.startswith("To ask Her Majesty's Government whether they are required to notify")
    assert q.answerer == "Baroness Goldie (Conservative, Life peer)"
    assert q.url == (
        "https://questions-statements.parliament.uk/written-questions/detail/2021-02-01/HL12792"
    )


def test_a_named_day_question_answered_after_a_holding_answer_counts_as_fully_answered():
    q = question(TABLED_MOD, "146793")
    assert q.named_day and q.due == date(2021, 2, 4)
    assert q.holding_day == date(2021, 2, 4) and not q.holding
    assert q.full_answer == date(2021, 2, 5)


def test_a_question_without_an_id_uin_or_day_is_not_a_question():
    value = values(TABLED_MOD)[0]
    for broken in ({"id": "x"}, {"uin": None}, {"dateTabled": "soon"}):
        assert parse_question({**value, **broken}, DIRECTORY) is None


def test_following_from_before_the_day_tells_each_question_tabled_and_answered_once():
    begun, _ = detect_questions(MOD, None, [], london(2021, 1, 31, 9))
    seen = [parse_question(v, DIRECTORY) for v in values(TABLED_MOD)]
    state, events = detect_questions(MOD, begun, seen, london(2021, 3, 18, 9))
    kinds = [(e.kind, e.question.uin) for e in events]
    assert kinds.count((QuestionEventKind.TABLED, "146793")) == 1
    assert (QuestionEventKind.ANSWERED, "146793") in kinds
    assert sum(kind is QuestionEventKind.TABLED for kind, _ in kinds) == 23
    assert sum(kind is QuestionEventKind.ANSWERED for kind, _ in kinds) == 23
    late = next(
        e for e in events if e.kind is QuestionEventKind.ANSWERED and e.question.uin == "146793"
    )
    assert late.days_late == 1
    # The next look at the same questions is quiet, and so is a fresh baseline.
    assert detect_questions(MOD, state, seen, london(2021, 3, 18, 10))[1] == []
    assert detect_questions(MOD, None, seen, london(2021, 3, 18, 10))[1] == []


def test_answers_to_questions_tabled_before_the_follow_are_news_but_their_tabling_is_not():
    begun, _ = detect_questions(MOD, None, [], london(2021, 2, 1, 8))
    seen = [parse_question(v, DIRECTORY) for v in values(ANSWERED_MOD)]
    _, events = detect_questions(MOD, begun, seen, london(2021, 2, 1, 19))
    answered = [e for e in events if e.kind is QuestionEventKind.ANSWERED]
    assert len(answered) == len(seen) == 20
    tabled = {e.question.uin for e in events if e.kind is QuestionEventKind.TABLED}
    assert tabled == {q.uin for q in seen if q.tabled == date(2021, 2, 1)}
    assert tabled and len(tabled) < 20


def test_a_question_is_overdue_from_noon_the_day_after_its_named_day_and_said_once():
    unanswered = question(
        TABLED_MOD, "146793", dateAnswered=None, answerText=None, dateHoldingAnswer=None
    )
    begun, _ = detect_questions(MOD, None, [], london(2021, 1, 31, 9))
    state, events = detect_questions(MOD, begun, [unanswered], london(2021, 2, 1, 18))
    assert [e.kind for e in events] == [QuestionEventKind.TABLED]
    state, events = detect_questions(MOD, state, [], london(2021, 2, 5, 11, 59))
    assert events == []
    state, events = detect_questions(MOD, state, [], london(2021, 2, 5, 12))
    assert [(e.kind, e.days_late) for e in events] == [(QuestionEventKind.OVERDUE, 1)]
    assert render_alert(events[0], MOD) == (
        "⏰ <b>Written question overdue: Armed Forces: Northern Ireland</b>\n"
        "Ministry of Defence · Commons question 146793\n"
        "Asked by Mr Kevan Jones (Labour, North Durham) on 1 February 2021; no answer by its "
        "named day, 4 February 2021: 1 day late.\n"
        "https://questions-statements.parliament.uk/written-questions/detail/2021-02-01/146793"
        "\n\n<i>Stop these alerts: /unfollow questions ministry-of-defence</i>"
    )
    state, events = detect_questions(MOD, state, [], london(2021, 2, 6, 12))
    assert events == []
    answered = question(
        TABLED_MOD, "146793", dateAnswered="2021-02-08T00:00:00", dateHoldingAnswer=None
    )
    state, events = detect_questions(MOD, state, [answered], london(2021, 2, 8, 17))
    [event] = events
    assert (event.kind, event.days_late) == (QuestionEventKind.ANSWERED, 4)
    assert render_alert(event, MOD).splitlines()[:2] == [
        "✅ <b>Answered: Armed Forces: Northern Ireland</b>",
        "Ministry of Defence · Commons question 146793 · answered 8 February 2021, 4 days after "
        "its named day (4 February 2021)",
    ]


def test_a_holding_answer_is_told_and_does_not_stop_the_question_falling_overdue():
    holding = question(
        TABLED_MOD, "146793", answerIsHolding=True, dateAnswered="2021-02-04T00:00:00"
    )
    begun, _ = detect_questions(MOD, None, [], london(2021, 2, 2, 9))
    state, events = detect_questions(MOD, begun, [holding], london(2021, 2, 4, 18))
    assert [e.kind for e in events] == [QuestionEventKind.HOLDING]
    state, events = detect_questions(MOD, state, [holding], london(2021, 2, 5, 13))
    [overdue] = events
    assert overdue.kind is QuestionEventKind.OVERDUE
    assert "It has only a holding answer (given 4 February 2021)." in render_alert(overdue, MOD)


def test_late_before_the_follow_began_is_where_it_stands_not_news():
    unanswered = question(TABLED_MOD, "146793", dateAnswered=None, dateHoldingAnswer=None)
    state, events = detect_questions(MOD, None, [unanswered], london(2021, 2, 20, 9))
    assert events == []
    assert detect_questions(MOD, state, [unanswered], london(2021, 2, 21, 9))[1] == []
    card = render_card(MOD, [unanswered], [unanswered], DIRECTORY, london(2021, 2, 21, 9))
    assert "⏰ overdue: due 4 February 2021, 17 days late" in card


def test_a_correction_is_told_with_the_new_answer():
    answered = question(TABLED_MOD, "HL12792")
    begun, _ = detect_questions(MOD, None, [answered], london(2021, 2, 10, 9))
    corrected = question(
        TABLED_MOD,
        "HL12792",
        answerIsCorrection=True,
        dateAnswerCorrected="2021-02-12T00:00:00",
        answerText="<p>Gibraltar is a <b>British</b> overseas territory.</p>",
    )
    state, events = detect_questions(MOD, begun, [corrected], london(2021, 2, 12, 16))
    [event] = events
    assert event.key == "question:1282225:corrected:2021-02-12"
    text = render_alert(event, MOD)
    assert text.startswith("✏️ <b>Answer corrected: Armed Forces: Gibraltar</b>\n")
    assert "💬 Now: “Gibraltar is a British overseas territory.”" in text
    assert detect_questions(MOD, state, [corrected], london(2021, 2, 12, 17))[1] == []


def test_keywords_match_the_heading_or_the_question():
    follow = QuestionsFollow("ministry-of-defence", ("veterans",))
    seen = [parse_question(v, DIRECTORY) for v in values(TABLED_MOD)]
    begun, _ = detect_questions(follow, None, [], london(2021, 1, 31, 9))
    _, events = detect_questions(follow, begun, seen, london(2021, 2, 1, 20))
    assert {e.question.uin for e in events if e.kind is QuestionEventKind.TABLED} == {
        "146794",
        "146885",
        "146886",
        "146888",
        "911632",
        "911634",
    }
    assert all("veteran" in f"{e.question.heading} {e.question.text}".lower() for e in events)


@pytest.mark.parametrize(
    ("typed", "ident"),
    [
        ("questions home office grooming gangs", "home-office:grooming gangs"),
        ("questions MoD", "ministry-of-defence:"),
        ("questions HL12792", "uin:HL12792"),
        ("question hl12792", "uin:HL12792"),
        ("questions 146793", "uin:146793"),
        ("questions 2021-02-01/146793", "uin:2021-02-01/146793"),
        (
            "questions https://questions-statements.parliament.uk/written-questions/detail/"
            "2021-02-01/HL12792",
            "uin:2021-02-01/HL12792",
        ),
        ("statements home-office", None),
        ("300412", None),
    ],
)
def test_what_people_type_names_a_follow(typed, ident):
    assert KIND.read_reference(typed) == ident
    if ident is not None:
        assert KIND.read_reference(KIND.reference(ident)) == ident
        assert KIND.read_deep_link(KIND.deep_link(ident)) == ident


@pytest.mark.parametrize(
    "typed",
    ["questions home offise", "questions 2021-02-30/146793", "questions", "questions 12/34"],
)
def test_wrong_references_get_a_kind_reason(typed):
    with pytest.raises(BadReference):
        KIND.read_reference(typed)


def test_a_pasted_link_names_its_question():
    link = "https://questions-statements.parliament.uk/written-questions/detail/2021-02-01/146793"
    text = f"see {link} please"
    assert KIND.find_in_text(text) == "uin:2021-02-01/146793"
    assert KIND.find_in_text("https://petition.parliament.uk/petitions/300412") is None
