"""A fake of Parliament's APIs on 127.0.0.1: Written Statements and Questions, What's On and
Members.

Written statements come out as the real list does (reference §9): ordered Lords then Commons,
`uin` descending; `text` the HTML body with its tags dropped and no separator, cut to 255
characters plus "..."; `linkedStatements` always empty in the list, filled only by
`/statements/{id}`; `links[].href` a per-response counter. Written questions have every key of
the real captures (tests/fixtures/questions_*), `YYYY-MM-DDT00:00:00` days, newest tabled first;
the list filters by the date windows, answering bodies, `answered`, `uIN` and `searchTerm` the
spec gives, and one question is at `/questions/{date}/{uin}`. What's On answers a flat, unordered
array of events in the asked window (31 days at most). Members answers the answering bodies.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer

ANSWERING_BODIES = [
    {"id": 1, "name": "Home Office", "shortName": "Home Office", "target": "Home Office"},
    {"id": 60, "name": "Department for Education", "shortName": "DfE", "target": "Education"},
    {"id": 14, "name": "HM Treasury", "shortName": "Treasury", "target": "Treasury"},
]
# id, name, MP, party, a postcode in it; one abolished in 2024 (the search keeps it, ended).
CONSTITUENCIES = [
    (4061, "Croydon North", "Steve Reed", "Labour", "CR7 8AA", None),
    (3898, "Hornchurch and Upminster", "Julia Lopez", "Conservative", "RM14 1AA", None),
    (4129, "Bristol Central", "Carla Denyer", "Green Party", "BS8 1AA", None),
    (4130, "Bristol East", "Kerry McCarthy", "Labour", "BS5 6AA", None),
    (3500, "Bristol West", "Thangam Debbonaire", "Labour", "", "2024-05-30T00:00:00"),
]
MINISTERS = {
    "Commons": {"id": 4066, "name": "Priti Patel", "listAs": "Patel, Priti"},
    "Lords": {"id": 4876, "name": "Baroness Williams of Trafford", "listAs": "Williams"},
}


class FakeParliament(FakeServer):
    STATEMENTS = "/api/writtenstatements/statements"
    EVENTS = "/calendar/events/list.json"
    BODIES = "/api/Reference/AnsweringBodies"
    QUESTIONS = "/api/writtenquestions/questions"
    PLACES = "/api/Location/Constituency"

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[dict[str, Any]] = []
        self.questions: list[dict[str, Any]] = []
        self._question_ids = itertools.count(1282600)
        self._question_uins = {"Commons": itertools.count(146900), "Lords": itertools.count(12800)}
        self.events: list[dict[str, Any]] = []
        self.failing: set[str] = set()  # paths that answer 500
        self.answering_bodies = list(ANSWERING_BODIES)
        self._ids = itertools.count(1282200)
        self._counter = itertools.count(261475)
        self._event_ids = itertools.count(60001)
        self._uins = {"Commons": itertools.count(751), "Lords": itertools.count(745)}

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.STATEMENTS, self._list)
        app.router.add_get(self.STATEMENTS + "/{id}", self._single)
        app.router.add_get(self.EVENTS, self._events)
        app.router.add_get(self.BODIES, self._bodies)
        app.router.add_get(self.PLACES + "/Search", self._places)
        app.router.add_get(self.PLACES + "/{id}", self._place)
        app.router.add_get(self.QUESTIONS, self._questions)
        app.router.add_get(self.QUESTIONS + "/{date}/{uin}", self._question)

    # --- what a test does ---------------------------------------------------------------------

    def lay(
        self,
        title: str,
        html: str,
        *,
        body: tuple[int, str] = (1, "Home Office"),
        house: str = "Commons",
        made: date | None = None,
        corrects: int | None = None,
        linked: bool = False,
    ) -> dict[str, Any]:
        """A written statement laid today (or on `made`); returns it."""
        statement_id = next(self._ids)
        links = []
        if corrects is not None:
            links.append(
                {"linkedStatementId": corrects, "linkType": "CorrectedStatement", "linkDate": None}
            )
        statement = {
            "id": statement_id,
            "memberId": MINISTERS[house]["id"],
            "member": {**MINISTERS[house], "party": "Conservative", "partyAbbreviation": "Con"},
            "memberRole": "Minister of State, Home Office",
            "uin": f"{'HC' if house == 'Commons' else 'HL'}WS{next(self._uins[house])}",
            "dateMade": f"{(made or date.today()).isoformat()}T00:00:00",
            "answeringBodyId": body[0],
            "answeringBodyName": body[1],
            "title": title,
            "text": html,
            "house": house,
            "noticeNumber": 0 if house == "Lords" else 1,
            "hasAttachments": False,
            "hasLinkedStatements": bool(links) or linked,
            "linkedStatements": links,
            "attachments": [],
        }
        self.statements.append(statement)
        return statement

    def lay_in_both_houses(self, title: str, html: str, **kwargs: Any) -> None:
        self.lay(title, html, house="Lords", linked=True, **kwargs)
        self.lay(title, html, house="Commons", linked=True, **kwargs)

    def list_debate(
        self, petition_id: int, day: date, time: str = "16:30", topic: str = "a topic"
    ) -> dict[str, Any]:
        """A Westminster Hall e-petition debate in What's On; returns it for later changes."""
        event = {
            "Id": next(self._event_ids),
            "StartDate": f"{day.isoformat()}T00:00:00",
            "EndDate": f"{day.isoformat()}T00:00:00",
            "CancelledDate": None,
            "StartTime": time,
            "EndTime": "",
            "Description": f"e-petition {petition_id} relating to {topic}",
            "Notes": None,
            "SortOrder": 1,
            "EventActivities": [],
            "Type": "Westminster Hall",
            "House": "Commons",
            "LeadHouse": "Commons",
            "Category": "Debate",
            "Location": "Westminster Hall",
            "HasSpeakers": True,
            "Members": [],
            "Tags": [],
            "Metadata": [],
            "SummarisedDetails": "Commons - Westminster Hall",
        }
        self.events.append(event)
        return event

    def table(
        self,
        heading: str,
        text: str,
        *,
        tabled: date,
        due: date,
        named_day: bool = False,
        body: tuple[int, str] = (1, "Home Office"),
        house: str = "Commons",
    ) -> dict[str, Any]:
        """A written question tabled on `tabled`, due on `due`; returns it for later changes."""
        number = next(self._question_uins[house])
        asker = (
            {
                "id": 4651,
                "name": "Jess Phillips",
                "party": "Labour",
                "memberFrom": "Birmingham Yardley",
            }
            if house == "Commons"
            else {
                "id": 4216,
                "name": "Lord Empey",
                "party": "Ulster Unionist Party",
                "memberFrom": "Life peer",
            }
        )
        question = {
            "id": next(self._question_ids),
            "askingMemberId": asker["id"],
            "askingMember": {
                **asker,
                "listAs": asker["name"],
                "partyAbbreviation": "",
                "partyColour": "",
                "thumbnailUrl": "",
            },
            "house": house,
            "memberHasInterest": False,
            "dateTabled": _day(tabled),
            "dateForAnswer": _day(due),
            "uin": str(number) if house == "Commons" else f"HL{number}",
            "questionText": text,
            "answeringBodyId": body[0],
            "answeringBodyName": body[1],
            "isWithdrawn": False,
            "isNamedDay": named_day,
            "groupedQuestions": [],
            "answerIsHolding": None,
            "answerIsCorrection": None,
            "answeringMemberId": None,
            "answeringMember": None,
            "correctingMemberId": None,
            "correctingMember": None,
            "dateAnswered": None,
            "answerText": None,
            "originalAnswerText": None,
            "comparableAnswerText": None,
            "dateAnswerCorrected": None,
            "dateHoldingAnswer": None,
            "attachmentCount": 0,
            "heading": heading,
            "attachments": [],
            "groupedQuestionsDates": [],
        }
        self.questions.append(question)
        return question

    def answer(self, question: dict[str, Any], text: str, on: date, holding: bool = False) -> None:
        """An answer (or a holding one) given on `on`; a full answer keeps the holding day."""
        minister = MINISTERS[question["house"]]
        question.update(
            answerIsHolding=holding,
            answerIsCorrection=False,
            dateAnswered=_day(on),
            answerText=f"<p>{text}</p>",
            answeringMemberId=minister["id"],
            answeringMember={**minister, "party": "Conservative", "memberFrom": "Witham"},
        )
        if holding:
            question["dateHoldingAnswer"] = _day(on)

    def correct(self, question: dict[str, Any], text: str, on: date) -> None:
        question.update(
            answerIsCorrection=True,
            dateAnswerCorrected=_day(on),
            originalAnswerText=question["answerText"],
            answerText=f"<p>{text}</p>",
        )

    # --- the APIs -----------------------------------------------------------------------------

    async def _list(self, request: web.Request) -> web.Response:
        if self.STATEMENTS in self.failing:
            return web.Response(status=500, text="Internal Server Error")
        query = request.query
        since = query.get("madeWhenFrom", "0000-00-00")
        until = query.get("madeWhenTo", "9999-99-99")
        bodies = {int(b) for b in query.getall("answeringBodies", [])}
        words = query.get("searchTerm", "").lower().split()
        found = [
            s
            for s in self.statements
            if since <= s["dateMade"][:10] <= until
            and (not bodies or s["answeringBodyId"] in bodies)
            and (not words or any(w in f"{s['title']} {s['text']}".lower() for w in words))
        ]
        found.sort(key=lambda s: (s["house"] != "Lords", -int(s["uin"][4:])))
        skip, take = int(query.get("skip", 0)), int(query.get("take", 20))
        results = [
            {
                "value": {**s, "text": _list_text(s["text"]), "linkedStatements": []},
                "links": [
                    {"rel": "self", "href": f"/Statements/{next(self._counter)}", "method": "GET"}
                ],
            }
            for s in found[skip : skip + take]
        ]
        return web.json_response({"totalResults": len(found), "results": results})

    async def _single(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for statement in self.statements:
            if statement["id"] == wanted:
                return web.json_response({"value": statement, "links": []})
        return web.json_response({"title": "Not Found", "status": 404}, status=404)

    async def _places(self, request: web.Request) -> web.Response:
        """The spec's constituency search: names containing the text; a postcode, as the live
        service reads one, gives the constituency it is in."""
        text = request.query.get("searchText", "").lower()
        found = [
            _constituency(*row)
            for row in CONSTITUENCIES
            if text in row[1].lower() or text.replace(" ", "") == row[4].lower().replace(" ", "")
        ]
        take = min(int(request.query.get("take", 20)), 20)
        return web.json_response(
            {
                "items": found[:take],
                "totalResults": len(found),
                "skip": 0,
                "take": take,
                "resultContext": text,
                "links": [],
            }
        )

    async def _place(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for row in CONSTITUENCIES:
            if row[0] == wanted:
                return web.json_response(_constituency(*row))
        return web.json_response({"title": "Not Found", "status": 404}, status=404)

    async def _questions(self, request: web.Request) -> web.Response:
        query = request.query
        bodies = {int(b) for b in query.getall("answeringBodies", [])}
        words = query.get("searchTerm", "").lower().split()
        found = [
            q
            for q in self.questions
            if _in_window(query, "tabledWhen", q["dateTabled"])
            and _in_window(query, "answeredWhen", q["dateAnswered"])
            and _in_window(query, "correctedWhen", q["dateAnswerCorrected"])
            and _in_window(query, "dateForAnswerWhen", q["dateForAnswer"])
            and (not bodies or q["answeringBodyId"] in bodies)
            and (query.get("answered") != "Unanswered" or q["dateAnswered"] is None)
            and query.get("uIN", q["uin"]).upper() == q["uin"].upper()
            and (
                not words or all(w in f"{q['heading']} {q['questionText']}".lower() for w in words)
            )
        ]
        found.sort(key=lambda q: (q["dateTabled"], q["id"]), reverse=True)
        skip, take = int(query.get("skip", 0)), int(query.get("take", 20))
        results = [
            {
                "value": q,
                "links": [{"rel": "self", "href": f"/Questions/{q['id']}", "method": "GET"}],
            }
            for q in found[skip : skip + take]
        ]
        return web.json_response({"totalResults": len(found), "results": results})

    async def _question(self, request: web.Request) -> web.Response:
        day, uin = request.match_info["date"], request.match_info["uin"].upper()
        for question in self.questions:
            if question["dateTabled"][:10] == day and question["uin"].upper() == uin:
                return web.json_response({"value": question, "links": []})
        return web.json_response({"title": "Not Found", "status": 404}, status=404)

    async def _events(self, request: web.Request) -> web.Response:
        if self.EVENTS in self.failing:
            return web.Response(status=500, text="Internal Server Error")
        start = date.fromisoformat(request.query["queryParameters.startDate"])
        end = date.fromisoformat(request.query["queryParameters.endDate"])
        if (end - start).days >= 31:
            return web.json_response({"message": "The request is invalid."}, status=400)
        found = [
            e
            for e in self.events
            if start <= datetime.fromisoformat(e["StartDate"]).date() <= end
            and e["House"] == request.query.get("queryParameters.house", e["House"])
        ]
        return web.json_response(list(reversed(found)))  # in no particular order

    async def _bodies(self, request: web.Request) -> web.Response:
        if self.BODIES in self.failing:
            return web.Response(status=500, text="Internal Server Error")
        return web.json_response(self.answering_bodies)


def _constituency(
    constituency_id: int, name: str, mp: str, party: str, postcode: str, ended: str | None
) -> dict[str, Any]:
    """A ConstituencyItem as the spec gives it."""
    member = {"value": {"id": constituency_id + 1000, "nameDisplayAs": mp,
                        "latestParty": {"id": 1, "name": party}}, "links": []}  # fmt: skip
    return {
        "value": {
            "id": constituency_id,
            "name": name,
            "startDate": "2024-07-04T00:00:00",
            "endDate": ended,
            "currentRepresentation": None if ended else {"member": member},
        },
        "links": [],
    }


def _day(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def _in_window(query: Any, name: str, value: str | None) -> bool:
    """Whether a question's day (`value`, or none) is in the `<name>From/To` window, if asked."""
    since, until = query.get(f"{name}From"), query.get(f"{name}To")
    if since is None and until is None:
        return True
    day = (value or "")[:10]
    return bool(day) and (since or "0000") <= day <= (until or "9999")


def _list_text(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html)
    return text[:255] + "..." if len(text) > 255 else text
