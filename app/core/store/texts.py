"""French sentences about the store that depend on a count (singular/plural)."""

from __future__ import annotations

from app.core.base.i18n import t


def purge_notice(days: int, count: int | None = None) -> str:
    """The retention notice shown once, before the first purge; with how many cases it concerns."""
    text = t("store.purge.notice", days=days)
    if count:
        text += " " + (t("store.purge.notice_count_one") if count == 1 else t("store.purge.notice_count_many", count=count))
    return text


def purge_done(count: int, days: int) -> str:
    """What the purge at start removed (empty text when nothing)."""
    if count <= 0:
        return ""
    return t("store.purge.done_one", days=days) if count == 1 else t("store.purge.done_many", count=count, days=days)
