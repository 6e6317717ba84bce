"""The department directory: names, short forms, former names, and answering bodies that move."""

from __future__ import annotations

from bot.config import HttpConfig
from bot.http import HttpClient
from bot.sources.departments.client import MembersClient, refresh_directory
from bot.sources.departments.directory import Directory


def test_departments_are_found_by_slug_name_short_form_and_former_name():
    directory = Directory()
    for text in ("home-office", "Home Office", "HOME OFFICE", "HO", "ho"):
        assert directory.find(text).slug == "home-office"  # type: ignore[union-attr]
    assert directory.find("Foreign, Commonwealth and Development Office").slug == (  # type: ignore[union-attr]
        "foreign-commonwealth-development-office"
    )
    assert directory.find("Department for International Trade").slug == (  # type: ignore[union-attr]
        "department-for-business-and-trade"
    )
    assert directory.find("Ministry of Magic") is None
    assert [d.slug for d in directory.closest("Depratment for Educaton")][:1] == [
        "department-for-education"
    ]


def test_answering_bodies_map_by_id_then_by_name_and_learn_renamed_ids():
    directory = Directory()
    assert directory.for_answering_body(1).slug == "home-office"  # type: ignore[union-attr]
    assert directory.for_answering_body(999, "HM Treasury").slug == "hm-treasury"  # type: ignore[union-attr]
    assert directory.for_answering_body(999) is None
    learned = directory.learn_answering_bodies(
        [
            {"id": 230, "name": "Home Office", "shortName": "HO"},  # a new id after a reshuffle
            {"id": 1, "name": "Home Office"},  # already known
            {"id": 231, "name": "Department for Nothing"},  # not a main department
            {"id": "x", "name": "junk"},
        ]
    )
    assert learned == 1
    assert directory.for_answering_body(230).slug == "home-office"  # type: ignore[union-attr]


async def test_the_daily_refresh_learns_new_ids_from_the_members_api_and_survives_faults(
    parliament,
):
    http = HttpClient(HttpConfig(retries=0), [], [parliament.base_url])
    directory = Directory()
    members = MembersClient(http, parliament.base_url)
    try:
        parliament.answering_bodies.append({"id": 240, "name": "Home Office"})
        await refresh_directory(members, directory)
        assert directory.for_answering_body(240).slug == "home-office"  # type: ignore[union-attr]
        parliament.failing.add(parliament.BODIES)
        await refresh_directory(members, directory)  # logged, and what it knew stays
        assert directory.for_answering_body(240).slug == "home-office"  # type: ignore[union-attr]
    finally:
        await http.close()
