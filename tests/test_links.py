"""Petition references typed or pasted in chat."""

from __future__ import annotations

import pytest

from bot.sources.petitions.links import (
    BadPetitionReference,
    find_petition_reference,
    parse_petition_reference,
)


@pytest.mark.parametrize(
    "reference",
    [
        "300412",
        " 300412 ",
        "#300412",
        "https://petition.parliament.uk/petitions/300412",
        "https://petition.parliament.uk/petitions/300412.json",
        "https://petition.parliament.uk/petitions/300412?utm_source=share",
        "https://petition.parliament.uk/petitions/300412/",
        "http://petition.parliament.uk/petitions/300412",
        "https://www.petition.parliament.uk/petitions/300412",
        "https://petition.parliament.uk/archived/petitions/300412",
        "https://petition.parliament.uk/archived/petitions/300412.json?x=1#top",
        "petition.parliament.uk/petitions/300412",
        "HTTPS://PETITION.PARLIAMENT.UK/petitions/300412",
        "https://petition.parliament.uk/petitions/300412/signatures/new",
        "please sign https://petition.parliament.uk/petitions/300412 !",
        "<https://petition.parliament.uk/petitions/300412>",
        "Sign it: https://petition.parliament.uk/petitions/300412.",
        "(see petition.parliament.uk/petitions/300412?utm_source=x), thanks",
    ],
)
def test_every_form_of_reference_names_the_petition(reference):
    assert parse_petition_reference(reference) == 300412


def test_links_to_the_configured_host_are_accepted():
    link = "http://127.0.0.1:8080/petitions/12"
    assert parse_petition_reference(link, frozenset({"127.0.0.1"})) == 12


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("", "Tell me which petition"),
        ("grooming gangs", "is not a petition number"),
        ("0", "start at 1"),
        ("https://evil.example.com/petitions/300412", "only follow petitions on"),
        ("https://petition.parliament.uk.evil.com/petitions/1", "only follow petitions on"),
        ("ftp://petition.parliament.uk/petitions/1", "only follow petitions on"),
        ("https://petition.parliament.uk/petitions", "not to one petition"),
        ("https://petition.parliament.uk/petitions/1/moderation-info", "not to one petition"),
        ("read https://evil.example.com/petitions/300412 now", "only follow petitions on"),
        ("http://[::1/petitions/1", "doesn't look right"),
    ],
)
def test_bad_references_are_explained(reference, says):
    with pytest.raises(BadPetitionReference, match=says):
        parse_petition_reference(reference)


@pytest.mark.parametrize(
    ("message", "petition"),
    [
        ("621078", 621078),
        ("have you seen https://petition.parliament.uk/petitions/621078?", 621078),
        ("hello there", None),
        ("my number is 07700 900123", None),
        ("https://example.com/petitions/1", None),
        ("", None),
    ],
)
def test_a_pasted_message_names_a_petition_or_nothing(message, petition):
    assert find_petition_reference(message) == petition
