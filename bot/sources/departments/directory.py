"""The main government departments: GOV.UK slug ↔ name ↔ short forms ↔ Parliament answering bodies.

Pure: no I/O. The departments ship here as data; Parliament's answering-body ids change when
departments are renamed or merged (DIT 202 became DBT 214), so `learn_answering_bodies` folds in
the Members API's current list (matched by name), and statements from an unknown body are still
placed by their `answeringBodyName`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ANY = "any"  # the department part of a follow of every department


@dataclass(frozen=True)
class Department:
    slug: str  # the GOV.UK organisation slug
    name: str
    short: tuple[str, ...]  # common short forms, the first one for buttons
    answering_bodies: tuple[int, ...]  # Members API answering-body ids, current first
    former_names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What a button says: the name, or its first short form when the name is long."""
        return self.short[0] if self.short and len(self.name) > 22 else self.name


# The ids are the ones Parliament's own bots use (reference §9); the Members API refresh adds any
# new ones.
MAIN_DEPARTMENTS = (
    Department(
        "prime-ministers-office-10-downing-street",
        "Prime Minister's Office, 10 Downing Street",
        ("No 10", "PM", "Number 10", "Downing Street", "Prime Minister"),
        (23,),
    ),
    Department("cabinet-office", "Cabinet Office", ("CO",), (53,)),
    Department("hm-treasury", "HM Treasury", ("Treasury", "HMT"), (14,)),
    Department("home-office", "Home Office", ("HO",), (1,)),
    Department(
        "foreign-commonwealth-development-office",
        "Foreign, Commonwealth & Development Office",
        ("FCDO", "Foreign Office", "FCO"),
        (208,),
    ),
    Department("ministry-of-defence", "Ministry of Defence", ("MoD",), (11,)),
    Department("ministry-of-justice", "Ministry of Justice", ("MoJ",), (54,)),
    Department("department-for-education", "Department for Education", ("DfE", "Education"), (60,)),
    Department(
        "department-of-health-and-social-care",
        "Department of Health and Social Care",
        ("DHSC", "Health"),
        (17,),
    ),
    Department("department-for-work-pensions", "Department for Work and Pensions", ("DWP",), (29,)),
    Department("department-for-transport", "Department for Transport", ("DfT", "Transport"), (27,)),
    Department(
        "department-for-environment-food-rural-affairs",
        "Department for Environment, Food & Rural Affairs",
        ("Defra",),
        (13,),
    ),
    Department(
        "ministry-of-housing-communities-local-government",
        "Ministry of Housing, Communities and Local Government",
        ("MHCLG", "DLUHC", "Housing"),
        (7, 211),
        ("Department for Levelling Up, Housing and Communities",),
    ),
    Department(
        "department-for-business-and-trade",
        "Department for Business and Trade",
        ("DBT",),
        (214, 202),
        (
            "Department for International Trade",
            "Department for Business, Energy and Industrial Strategy",
        ),
    ),
    Department(
        "department-for-energy-security-and-net-zero",
        "Department for Energy Security and Net Zero",
        ("DESNZ",),
        (215,),
    ),
    Department(
        "department-for-science-innovation-and-technology",
        "Department for Science, Innovation and Technology",
        ("DSIT",),
        (216,),
    ),
    Department(
        "department-for-culture-media-and-sport",
        "Department for Culture, Media and Sport",
        ("DCMS", "Culture"),
        (217,),
    ),
    Department("northern-ireland-office", "Northern Ireland Office", ("NIO",), (21,)),
    Department("scotland-office", "Scotland Office", ("Scotland",), (2,)),
    Department("wales-office", "Wales Office", ("Wales",), (28,)),
    Department(
        "attorney-generals-office", "Attorney General's Office", ("AGO", "Attorney General"), (88,)
    ),
)


def normalise(text: str) -> str:
    """Lower case, `&` as `and`, punctuation and hyphens as spaces, spaces folded."""
    text = text.lower().replace("&", " and ").replace("\u2019", "'").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


class Directory:
    """Looks departments up by what people and the sources call them."""

    def __init__(self, departments: Iterable[Department] = MAIN_DEPARTMENTS) -> None:
        self.departments = tuple(departments)
        self._by_slug = {d.slug: d for d in self.departments}
        self._names: dict[str, Department] = {}
        for department in self.departments:
            for name in (department.slug, department.name, *department.short):
                self._names.setdefault(normalise(name), department)
            for name in department.former_names:
                self._names.setdefault(normalise(name), department)
        self._by_body = {
            body: department
            for department in self.departments
            for body in department.answering_bodies
        }

    def get(self, slug: str) -> Department | None:
        return self._by_slug.get(slug)

    def find(self, text: str) -> Department | None:
        """The department `text` names: its slug, its name, a short form or a former name."""
        return self._names.get(normalise(text))

    def closest(self, text: str, limit: int = 4) -> list[Department]:
        """The departments whose names look most like `text`, best first."""
        wanted = normalise(text)
        names = difflib.get_close_matches(wanted, self._names, n=limit * 3, cutoff=0.5)
        names += [name for name in self._names if wanted and wanted in name]
        found = list(dict.fromkeys(self._names[name] for name in names))
        return found[:limit]

    def for_answering_body(self, body_id: int | None, name: str = "") -> Department | None:
        """The department of a Parliament answering body, by id, else by its name."""
        if body_id is not None and body_id in self._by_body:
            return self._by_body[body_id]
        return self.find(name) if name else None

    def learn_answering_bodies(self, bodies: Iterable[Mapping[str, Any]]) -> int:
        """Map the Members API's answering bodies (`{id, name, ...}`) by name; returns how many
        ids were new."""
        learned = 0
        for body in bodies:
            body_id, name = body.get("id"), body.get("name")
            if not isinstance(body_id, int) or not isinstance(name, str):
                continue
            department = self.find(name)
            if department is not None and self._by_body.get(body_id) is not department:
                self._by_body[body_id] = department
                learned += 1
        return learned
