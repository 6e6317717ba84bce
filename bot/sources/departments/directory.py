"""The main government departments: GOV.UK slug ↔ name ↔ short forms ↔ Parliament answering bodies.

Pure: no I/O. The departments ship here as data, with what they were called before a
machinery-of-government change: former names and former GOV.UK slugs (items published before a
rename keep the old slug, and one source can lag the other). Every slug a department had resolves
to it (`canonical`), so a follow keeps matching across a rename, whatever short form was typed.
Parliament's answering-body ids change too (DIT 202 became DBT 214): `learn_answering_bodies`
folds in the Members API's current list (matched by name), and statements from an unknown body
are still placed by their `answeringBodyName`.
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
    former_slugs: tuple[str, ...] = ()  # GOV.UK organisation slugs it had before

    @property
    def slugs(self) -> tuple[str, ...]:
        """Every GOV.UK slug its items may carry, the current first."""
        return (self.slug, *self.former_slugs)

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
    Department(
        "cabinet-office",
        "Cabinet Office",
        ("CO",),
        (53,),
        ("Department for Exiting the European Union",),
        ("department-for-exiting-the-european-union",),
    ),
    Department("hm-treasury", "HM Treasury", ("Treasury", "HMT"), (14,)),
    Department("home-office", "Home Office", ("HO",), (1,)),
    Department(
        "foreign-commonwealth-development-office",
        "Foreign, Commonwealth & Development Office",
        ("FCDO", "Foreign Office", "FCO"),
        (208,),
        ("Foreign and Commonwealth Office", "Department for International Development"),
        ("foreign-commonwealth-office", "department-for-international-development"),
    ),
    Department("ministry-of-defence", "Ministry of Defence", ("MoD",), (11,)),
    Department("ministry-of-justice", "Ministry of Justice", ("MoJ",), (54,)),
    Department("department-for-education", "Department for Education", ("DfE", "Education"), (60,)),
    Department(
        "department-of-health-and-social-care",
        "Department of Health and Social Care",
        ("DHSC", "Health"),
        (17,),
        ("Department of Health",),
        ("department-of-health",),
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
        ("MHCLG", "DLUHC", "DCLG", "Housing"),
        (7, 211),
        (
            "Department for Levelling Up, Housing and Communities",
            "Department for Communities and Local Government",
        ),
        (
            "department-for-levelling-up-housing-and-communities",
            "ministry-of-housing-communities-and-local-government",
            "department-for-communities-and-local-government",
        ),
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
        (
            "department-for-international-trade",
            "department-for-business-energy-and-industrial-strategy",
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
        ("Department for Digital, Culture, Media and Sport",),
        ("department-for-digital-culture-media-sport",),
    ),
    Department("northern-ireland-office", "Northern Ireland Office", ("NIO",), (21,)),
    Department(
        "office-of-the-secretary-of-state-for-scotland",
        "Scotland Office",
        ("Scotland",),
        (2,),
        ("Office of the Secretary of State for Scotland",),
        ("scotland-office",),
    ),
    Department(
        "office-of-the-secretary-of-state-for-wales",
        "Wales Office",
        ("Wales",),
        (28,),
        ("Office of the Secretary of State for Wales",),
        ("wales-office",),
    ),
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
        self._by_slug = {slug: d for d in self.departments for slug in d.slugs}
        self._names: dict[str, Department] = {}
        for department in self.departments:
            for name in (*department.slugs, department.name, *department.short):
                self._names.setdefault(normalise(name), department)
            for name in department.former_names:
                self._names.setdefault(normalise(name), department)
        self._by_body = {
            body: department
            for department in self.departments
            for body in department.answering_bodies
        }

    def get(self, slug: str) -> Department | None:
        """The department with this GOV.UK slug, current or former."""
        return self._by_slug.get(slug)

    def canonical(self, slug: str) -> str:
        """The current slug of the department that had `slug`; an unknown slug as it is."""
        department = self._by_slug.get(slug)
        return department.slug if department is not None else slug

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
