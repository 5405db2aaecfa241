"""The window's link to the case database (``app.core.store``): opening it at start
(off the GUI thread: importing the store pulls in the engine's result types), the
start-up checks (read-only second instance, retention notice, purge, pending draft),
and the autosave of the form being edited.

Not a widget: ``MainWindow`` owns one ``CaseSession`` and shows what it reports.

Autosave: ``schedule_draft()`` after each edit restarts a timer; when it fires, the
window's draft builder runs on the GUI thread (reading the form, < 1 ms) and the
write (one synced SQLite transaction, ~1 ms, more on a slow disk) runs on a
one-thread pool, so writes keep their order. ``clear_draft()`` bumps a generation
number: a draft queued before it is dropped, never written after the clear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.core.base.i18n import t
from app.gui.tasks import TaskHandle, run_task

if TYPE_CHECKING:
    from app.core.store import Draft, Store

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 2000  # after the last change


@dataclass(frozen=True)
class StartInfo:
    """What the start-up checks found (computed in a worker thread)."""

    store: Store
    read_only: bool
    notice_needed: bool  # show the retention notice (no purge before it)
    expired: int  # cases the first purge would remove (with the notice)
    retention_days: int
    purged: int  # cases removed by this start's purge
    draft: Draft | None
    encrypted: bool = True  # False: a plain database of an older Guichet (offer to encrypt it)
    purge_to_confirm: int = 0  # the purge would remove this many cases: ask the agent first


def open_and_check(path: Path | None, passphrase: str | None = None) -> StartInfo:
    """Open the store and run the start-up checks; in a worker thread."""
    from app.core.store import PurgeNeedsConfirmation, Store, StoreError

    store = Store.open(path, read_only_if_locked=True, passphrase=passphrase)
    try:
        days = store.retention_days
        notice = store.purge_notice_needed()
        expired = purged = to_confirm = 0
        if notice:
            expired = store.expired_count()
            store.mark_purge_notice_shown()  # shown now; the first purge happens after it
        else:
            try:
                purged = store.purge_expired()
            except PurgeNeedsConfirmation as many:
                to_confirm = many.count
            except StoreError as error:  # keep going: the agent can still work
                log.warning("purge at start failed: %s", type(error).__name__)
        draft = store.pending_draft()
    except BaseException:
        store.close()
        raise
    return StartInfo(store, store.read_only, notice, expired, days, purged, draft, store.encrypted, to_confirm)


def error_text(error: BaseException) -> str:
    """The French text of an error of the store (or the generic apology, logged)."""
    from app.core.store import StoreError

    if isinstance(error, StoreError):
        return str(error)
    from app.core.base.logs import report_unexpected

    return report_unexpected(error)


class CaseSession(QObject):
    """Holds the ``Store`` of the window (None until open, or when it cannot open)."""

    opened = Signal(object)  # StartInfo
    failed = Signal(str)  # French message: the app computes, nothing is stored
    keyNeeded = Signal(bool, str)  # (new database, French message): ask the passphrase, then retry()
    draftSaved = Signal()  # a draft reached the disk (tests, diagnostics)

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.store: Store | None = None
        self.error: str | None = None
        self.info: StartInfo | None = None
        self._handle: TaskHandle | None = None
        self._outcome: tuple[bool, Any] | None = None
        self._closed = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer thread: drafts keep their order
        self._generation = 0
        self._draft_builder: Callable[[], tuple[dict[str, Any], int | None] | None] | None = None
        self.passphrase: str | None = None  # typed by the agent (no keyring on this machine)
        self.key_needed: tuple[bool, str] | None = None  # the last opening wants a passphrase
        self.autosave_enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_draft_now)

    # -- opening -----------------------------------------------------------------------------
    def first_start_expected(self) -> bool:
        """No database yet (a stat, on the GUI thread, before it is opened): this start will
        create it and show the retention notice. The window reserves the notice's room at
        once rather than pushing the form down when the store is open."""
        if self.store is not None or self.error is not None or self.info is not None:
            return False
        from app.core.base.paths import user_data_dir

        path = self.path if self.path is not None else user_data_dir() / "guichet.db"
        try:
            return not path.exists()
        except OSError:
            return False

    @property
    def opening(self) -> bool:
        return self._handle is not None and self.store is None and self.error is None

    @property
    def writable(self) -> bool:
        return self.store is not None and not self.store.read_only

    def open_async(self) -> None:
        """Open in a worker thread; ``opened`` or ``failed`` follows on the GUI thread."""
        if self._handle is not None or self._closed:
            return

        def work() -> StartInfo:
            try:
                info = open_and_check(self.path, self.passphrase)
            except BaseException as error:  # noqa: BLE001 - reported to the GUI thread
                self._outcome = (False, error)
                raise
            self._outcome = (True, info)
            return info

        self._handle = run_task(work, self._adopt, self._adopt_error)

    def open_now(self) -> None:
        """Open on the calling thread (tests, and a save pressed while opening)."""
        if self.store is not None or self.error is not None or self._closed:
            return
        if self._handle is not None:
            self.wait_open()
            return
        self._handle = TaskHandle()
        try:
            info = open_and_check(self.path, self.passphrase)
        except BaseException as error:  # noqa: BLE001
            self._adopt_error(error)
            return
        self._adopt(info)

    def wait_open(self, timeout: float = 30.0) -> None:
        """Wait for an opening in progress and take its outcome now."""
        if self._handle is None or self.store is not None or self.error is not None:
            return
        self._handle.finished.wait(timeout)
        if self._outcome is None:
            return
        ok, value = self._outcome
        if ok:
            self._adopt(value)
        else:
            self._adopt_error(value)

    def _adopt(self, info: StartInfo) -> None:
        if self.store is not None or self.error is not None:
            return  # already taken (wait_open)
        if self._closed:
            info.store.close()
            return
        self.store = info.store
        self.info = info
        log.info("case store open%s", " (read-only)" if info.read_only else "")
        self.opened.emit(info)

    def _adopt_error(self, error: BaseException) -> None:
        from app.core.store import StoreKeyNeeded, StoreWrongKey

        if self.store is not None or self.error is not None:
            return
        self.error = error_text(error)
        log.warning("case store unavailable: %s", type(error).__name__)
        if not self._closed:
            self.failed.emit(self.error)
            if isinstance(error, StoreKeyNeeded) or isinstance(error, StoreWrongKey) and error.source != "env":
                self.key_needed = (isinstance(error, StoreKeyNeeded) and error.new, self.error)
                self.keyNeeded.emit(*self.key_needed)

    def retry(self, passphrase: str | None) -> None:
        """Open again (after the agent typed the passphrase)."""
        if self.store is not None or self._closed:
            return
        self.passphrase = passphrase
        self.error = None
        self.key_needed = None
        self._outcome = None
        self._handle = None
        self.open_async()

    # -- autosave ------------------------------------------------------------------------------
    def set_draft_builder(self, builder: Callable[[], tuple[dict[str, Any], int | None] | None]) -> None:
        """``builder()`` -> (draft JSON object, case id or None), or None for nothing to save."""
        self._draft_builder = builder

    def schedule_draft(self) -> None:
        if self.autosave_enabled and not self._closed:
            self._timer.start()

    def save_draft_now(self) -> None:
        """Build the draft now (GUI thread) and write it on the writer thread."""
        self._timer.stop()
        store = self.store
        if store is None or store.read_only or self._draft_builder is None or not self.autosave_enabled:
            return
        built = self._draft_builder()
        if built is None:
            return
        body, case_id = built
        generation = self._generation

        def work() -> bool:
            if generation != self._generation:
                return False  # cleared since: this draft is obsolete
            store.save_draft(body, case_id)
            return True

        def done(written: bool) -> None:
            if written:
                self.draftSaved.emit()

        run_task(work, done, lambda error: log.warning("autosave failed: %s", type(error).__name__), pool=self._pool)

    def clear_draft(self) -> None:
        """Forget the draft (saved, or discarded): also drops any draft still queued."""
        self._timer.stop()
        self._generation += 1
        store = self.store
        if store is None or store.read_only:
            return
        run_task(store.clear_draft, None, lambda error: log.warning("clearing the draft failed: %s",
                                                                  type(error).__name__), pool=self._pool)

    def flush(self, timeout_ms: int = 10000) -> None:
        """Wait until queued writes are done."""
        self._pool.waitForDone(timeout_ms)

    # -- closing -------------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._pool.waitForDone(10000)
        if self.store is None and self._handle is not None and self.error is None:
            self.wait_open(10.0)  # an opening in progress: close what it opened
        if self.store is not None:
            try:
                self.store.close()
            except Exception as error:  # noqa: BLE001 - closing must not stop the app closing
                log.warning("closing the case store failed: %s", type(error).__name__)


def unavailable_message(session: CaseSession) -> str:
    """Why nothing can be stored right now (French)."""
    if session.error is not None:
        return t("gui.cases.unavailable", reason=session.error)
    if session.store is not None and session.store.read_only:
        return t("gui.cases.read_only_refused")
    return t("gui.cases.opening")


# -- drafts: the form as it is, complete or not -----------------------------------------------
DRAFT_FORMAT = "guichet-draft"
DRAFT_VERSION = 1


def draft_body(case: dict[str, Any], texts: dict[str, str], reference: str | None) -> dict[str, Any]:
    """The draft saved: the case JSON of what the form holds (``casefile.case_to_dict``,
    with stand-ins where a field cannot be read) and the raw texts of those fields."""
    return {"format": DRAFT_FORMAT, "version": DRAFT_VERSION, "case": case, "texts": texts,
            "reference": reference or ""}


def read_draft(data: dict[str, Any]) -> tuple[Any, str | None, dict[str, str]]:
    """(household, month, raw texts) of a draft, without validation (a draft may be
    incomplete). Raises ValueError when it is not a draft of this version."""
    import datetime as dt

    from app.core.model.household import (
        Activity,
        CoupleStatus,
        EventKind,
        Household,
        Housing,
        HousingStatus,
        LifeEvent,
        Person,
        Resource,
        ResourceKind,
        Role,
        Schooling,
    )

    if data.get("format") != DRAFT_FORMAT or data.get("version") != DRAFT_VERSION:
        raise ValueError("not a draft")
    case = data["case"]
    raw = case["household"]

    def number(value: Any) -> float | None:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def day(value: Any) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
        except ValueError:
            return None

    persons = []
    for i, p in enumerate(raw.get("persons") or []):
        resources = []
        for r in p.get("resources") or []:
            monthly = r.get("monthly")
            resources.append(Resource(ResourceKind(r["kind"]), stable=number(r.get("stable")),
                                      monthly=tuple(float(x) for x in monthly) if monthly is not None else None))
        persons.append(Person(
            id=str(p.get("id") or f"p{i + 1}"),
            role=Role(p["role"]),
            birth_date=dt.date.fromisoformat(p["birth_date"]),
            first_name=str(p.get("first_name") or ""),
            activity=Activity(p.get("activity") or Activity.INACTIF),
            disability_rate=number(p.get("disability_rate")),
            pregnant=bool(p.get("pregnant")),
            pregnancy_due_date=day(p.get("pregnancy_due_date")),
            schooling=Schooling(p.get("schooling") or Schooling.AUCUNE),
            resources=tuple(resources),
            taxable_income_last_year=number(p.get("taxable_income_last_year")),
            taxable_income_n2=number(p.get("taxable_income_n2")),
            ass_work_history=bool(p.get("ass_work_history")),
        ))
    def housing_of(h: dict[str, Any]) -> Housing:
        return Housing(
            status=HousingStatus(h.get("status") or HousingStatus.HEBERGE),
            rent=number(h.get("rent")) or 0.0,
            charges=number(h.get("charges")) or 0.0,
            conventionne=bool(h.get("conventionne")),
            commune_insee=str(h.get("commune_insee") or ""),
            postal_code=str(h.get("postal_code") or ""),
        )

    housing = housing_of(raw.get("housing") or {})
    events = tuple(
        LifeEvent(
            EventKind(e["kind"]), str(e.get("month") or "2000-01"), person=str(e.get("person") or ""),
            activity_before=Activity(e["activity_before"]) if e.get("activity_before") else None,
            salary_before=number(e.get("salary_before")) or 0.0,
            unemployment_before=number(e.get("unemployment_before")) or 0.0,
            housing_before=housing_of(e["housing_before"]) if isinstance(e.get("housing_before"), dict) else None,
        )
        for e in raw.get("events") or []
    )
    household = Household(
        persons=tuple(persons),
        couple=CoupleStatus(raw.get("couple") or CoupleStatus.SEUL),
        housing=housing,
        savings=number(raw.get("savings")),
        benefits_received=tuple(str(b) for b in raw.get("benefits_received") or []),
        reference=str(raw.get("reference") or ""),
        separation_date=day(raw.get("separation_date")),
        events=events,
    )
    month = case.get("month")
    texts = {str(k): str(v) for k, v in (data.get("texts") or {}).items()}
    return household, str(month) if month else None, texts
