"""The department directory: names, short forms, former names, and answering bodies that move."""

from __future__ import annotations

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
