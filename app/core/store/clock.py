"""Timestamps of the store: aware UTC datetimes, stored as fixed-width text.

``2026-11-29T16:22:50.123456Z`` sorts as it reads, so SQL compares them as
strings. Days (statistics, date searches) are the workstation's local days.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

Clock = Callable[[], dt.datetime]

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def to_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store needs aware datetimes")
    return moment.astimezone(dt.timezone.utc).strftime(_FORMAT)


def from_text(text: str) -> dt.datetime:
    if len(text) != 27 or not text.endswith("Z"):
        raise ValueError(f"not a store timestamp: {text!r}")
    return dt.datetime.fromisoformat(text)


def is_timestamp(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        from_text(text)
    except ValueError:
        return False
    return True


def local_day(moment: dt.datetime) -> dt.date:
    """The workstation's calendar day of an aware datetime."""
    return moment.astimezone().date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a local calendar day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time()).astimezone()
