"""Warnings as data: a line a report warns with is its English words, as the terminal prints them and files hold
them, with the kind of warning and the figures in it, from which a page words it in its own language."""

from __future__ import annotations


class Notice(str):
    """A warning line: the ``str`` is its English words (what the CLI prints and its files hold); ``kind`` names its
    wording in another language and ``values`` are the figures and names that wording fills in (a value may itself be
    a Notice: a clause that is there or not)."""

    kind: str
    values: dict[str, object]

    def __new__(cls, english: str, kind: str, **values: object) -> Notice:
        notice = super().__new__(cls, english)
        notice.kind, notice.values = kind, values
        return notice

    def __reduce__(self) -> tuple[object, tuple[str, str, dict[str, object]]]:
        return _restored, (str(self), self.kind, self.values)


def _restored(english: str, kind: str, values: dict[str, object]) -> Notice:
    """A Notice read back from a pickle (a kept report, Streamlit's cache)."""
    return Notice(english, kind, **values)


def clause(english: str, kind: str, **values: object) -> Notice | str:
    """A clause of a warning that is there only when ``english`` is not empty: the Notice, or an empty text."""
    return Notice(english, kind, **values) if english else ""


def said(exc: BaseException) -> str:
    """What an error says: the ``Notice`` it was raised with (a page words it in its language), else its text."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Notice) else str(exc)
