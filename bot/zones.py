"""Reading a time zone as people type it: an IANA name (`Europe/Paris`), a city (`paris`, `new
york`), a country (`france`, `uk`), in any case.

Pure: no I/O beyond reading the tz database's own tables, which the tzdata package ships
(`zone.tab`: the zones of each country; `iso3166.tab`: country names), once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

NAME_LIMIT = 60  # the longest IANA name is 32 characters; longer text is no zone
# Names people use that the tables spell otherwise, or don't have (the UK's nations and cities).
_ALIASES = {
    "uk": "GB",
    "united kingdom": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states": "US",
    "united states of america": "US",
    "netherlands": "NL",
    "holland": "NL",
    "czech republic": "CZ",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
}
_CITIES = {
    name: "Europe/London"
    for name in ("edinburgh", "glasgow", "cardiff", "manchester", "birmingham", "leeds", "bristol")
}
_CITIES |= {"gmt": "Europe/London", "bst": "Europe/London"}


class ZoneChoice(ValueError):
    """The text names a country that keeps several clocks; `zones` has one zone for each."""

    def __init__(self, place: str, zones: tuple[str, ...]) -> None:
        super().__init__(place)
        self.place = place
        self.zones = zones


def find_zone(text: str) -> str | None:
    """The IANA zone `text` names, or None. Raises ZoneChoice for a country with several."""
    wanted = " ".join(text.replace("_", " ").split()).lower()
    if not wanted or len(wanted) > NAME_LIMIT:
        return None
    exact = _by_lower().get(wanted.replace(" ", "_"))
    if exact is not None:
        return exact
    city = _CITIES.get(wanted) or _by_city().get(wanted)
    if city is not None:
        return city
    country = _ALIASES.get(wanted) or _countries().get(wanted)
    if country is None:
        return None
    zones = _zones_of().get(country, ())
    if not zones:
        return None
    clocks: dict[tuple[timedelta | None, ...], str] = {}
    for zone in zones:  # one zone for each clock the country keeps (Germany keeps one)
        clocks.setdefault(_offsets(zone), zone)
    if len(clocks) == 1:
        return zones[0]
    raise ZoneChoice(text.strip(), tuple(clocks.values()))


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine knows (any other text, however long, not)."""
    if not name or len(name) > NAME_LIMIT or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _offsets(zone: str) -> tuple[timedelta | None, ...]:
    """A zone's UTC offsets in January and July: zones that agree on both keep one clock."""
    tz = ZoneInfo(zone)
    return tuple(datetime(2026, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7))


def city_of(zone: str) -> str:
    """`America/New_York` as `New York`."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def _by_city() -> dict[str, str]:
    """The last part of each zone's name (`new york`), for the zones a country uses."""
    cities: dict[str, str] = {}
    for zones in _zones_of().values():
        for zone in zones:
            cities.setdefault(city_of(zone).lower(), zone)
    return cities


@cache
def _zones_of() -> dict[str, tuple[str, ...]]:
    """Each country code's zones, as `zone.tab` lists them (most populous first)."""
    found: dict[str, list[str]] = {}
    for code, zone in _rows("zone.tab", 0, 2):
        found.setdefault(code, []).append(zone)
    return {code: tuple(zones) for code, zones in found.items()}


@cache
def _countries() -> dict[str, str]:
    """Country names in lower case (`france`; `britain (uk)` also as `britain`) to codes."""
    names: dict[str, str] = {}
    for code, name in _rows("iso3166.tab", 0, 1):
        lower = name.lower()
        names[lower] = code
        names.setdefault(re.sub(r"\s*\(.*\)$", "", lower), code)
    return names


def _rows(table: str, *columns: int) -> list[tuple[str, ...]]:
    text = (files("tzdata") / "zoneinfo" / table).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            cells = line.split("\t")
            rows.append(tuple(cells[c] for c in columns))
    return rows
