"""Reading a department from what a person typed, and the buttons to pick one.

Pure: no I/O. Every kind that follows a department (statements, written questions) reads its
first words the same way: the longest run of words that names a department (its slug, name, a
short form or a former name), else a kind refusal with buttons for the closest names.
"""

from __future__ import annotations

from html import escape

from bot.sources.base import BadReference, Button
from bot.sources.departments.directory import Department, Directory

_LONGEST_DEPARTMENT_WORDS = 8


def read_department(
    text: str, directory: Directory, kind: str, example: str
) -> tuple[Department, str]:
    """The department `text` starts with, and the words after it; raises BadReference (with
    `b:<kind>:<slug>` buttons for the likely departments) when it names none. `example` is a
    command to show, such as `/statements home-office grooming gangs`."""
    words = text.split()
    if not words:
        raise BadReference(
            f"Which department? Send /{kind} to pick one, or for example <code>{example}</code>."
        )
    for size in range(min(len(words), _LONGEST_DEPARTMENT_WORDS), 0, -1):
        department = directory.find(" ".join(words[:size]))
        if department is not None:
            return department, " ".join(words[size:])
    unknown = " ".join(words[:3])
    suggestions = directory.closest(unknown) or list(directory.departments[:4])
    raise BadReference(
        f"I don't know a department called “{escape(unknown[:40])}”. Did you mean one of these? "
        "Tap it, then send your keywords.",
        pick_buttons(suggestions, kind),
    )


def pick_buttons(departments: list[Department], kind: str) -> tuple[tuple[Button, ...], ...]:
    """Department buttons (`b:<kind>:<slug>`), two to a row."""
    buttons = [
        Button(department.label, f"b:{kind}:{department.slug}") for department in departments
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
