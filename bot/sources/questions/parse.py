"""Parliament's written questions (list results or one question) to `Question`s.

Pure: no I/O. Days come as `YYYY-MM-DDT00:00:00` with no offset: UK calendar days. The
question's and the answer's texts come as HTML in places; both become one plain line. The member
who asked is named with their party and seat (`askingMember`, present when the request asks
`expandMember`). A question without what the bot needs (an integer id, a UIN, a tabled day) is
noted as schema drift by the caller.
"""

from __future__ import annotations

from typing import Any

from bot.sources.departments.directory import Directory
from bot.sources.questions.model import Question
from bot.sources.text import one_line, plain_text
from bot.sources.values import day_of, text_of
from bot.sources.written_statements.parse import UNKNOWN_BODY

NEEDED = "an integer id, a uin and a dateTabled"  # what parse_question cannot do without


def parse_question(value: dict[str, Any], directory: Directory) -> Question | None:
    question_id, uin, tabled = (
        value.get("id"),
        text_of(value.get("uin")),
        day_of(value.get("dateTabled")),
    )
    if not isinstance(question_id, int) or not uin or tabled is None:
        return None
    body = value.get("answeringBodyId")
    body = body if isinstance(body, int) else 0
    body_name = text_of(value.get("answeringBodyName"))
    department = directory.for_answering_body(body or None, body_name)
    house = "Lords" if value.get("house") == "Lords" or uin.upper().startswith("HL") else "Commons"
    return Question(
        id=question_id,
        uin=uin.upper(),
        house=house,
        heading=text_of(value.get("heading")) or "Written question",
        text=_line(value.get("questionText")),
        asker=_member(value.get("askingMember")),
        department=department.slug if department else f"{UNKNOWN_BODY}{body}",
        department_name=department.name if department else (body_name or "Parliament"),
        body=body,
        tabled=tabled,
        due=day_of(value.get("dateForAnswer")),
        named_day=value.get("isNamedDay") is True,
        answered=day_of(value.get("dateAnswered")),
        answer=_line(value.get("answerText")),
        holding=value.get("answerIsHolding") is True,
        holding_day=day_of(value.get("dateHoldingAnswer")),
        corrected=day_of(value.get("dateAnswerCorrected"))
        if value.get("answerIsCorrection") is True
        else None,
        withdrawn=value.get("isWithdrawn") is True,
        answerer=_member(value.get("answeringMember")),
    )


def _line(value: Any) -> str:
    text = text_of(value)
    return one_line(plain_text(text) if "<" in text else text, 2000)


def _member(value: Any) -> str:
    """ "Name (Party, seat)" from an expanded member; "" when not expanded."""
    if not isinstance(value, dict):
        return ""
    name = text_of(value.get("name"))
    about = ", ".join(
        part for part in (text_of(value.get("party")), text_of(value.get("memberFrom"))) if part
    )
    return f"{name} ({about})" if name and about else name
