"""The case store: cases, simulations, drafts, retention, export/import, statistics.

The only place of Guichet that speaks SQL. Typical use (see docs/storage.md)::

    from app.core.store import Store, StoreLocked, CaseQuery

    store = Store.open(read_only_if_locked=True)      # paths.user_data_dir()/guichet.db
    if store.purge_notice_needed(): ...               # show t("store.purge.notice", days=...)
    purged = store.purge_expired()
    draft = store.pending_draft()                     # offer it back after a crash
    summary = store.save_case(household, "2026-11", result=result, note="RDV CAF")
    page = store.search_cases(CaseQuery(text="lea lyon"))
    store.close()
"""

from app.core.store.cases import (
    CasePage,
    CaseQuery,
    CaseRecord,
    CaseSort,
    CaseSummary,
    DateField,
    Draft,
    SimulationSummary,
    StoredSimulation,
)
from app.core.store.database import DEFAULT_RETENTION_DAYS, Store, default_path
from app.core.store.errors import (
    CaseNotFound,
    PurgeNeedsConfirmation,
    RetentionRefused,
    ImportConflict,
    ImportRefused,
    SimulationNotFound,
    StoreCorrupt,
    StoreDiskFull,
    StoreEmpty,
    StoreError,
    StoreIOError,
    StoreKeyNeeded,
    StoreLocked,
    StoreOutdated,
    StoreReadOnly,
    StoreTooNew,
    StoreUnavailable,
    StoreWrongKey,
)
from app.core.store.exchange import EXPORT_FORMAT, EXPORT_VERSION, FILE_SUFFIX, ImportResult
from app.core.store.schema import SCHEMA_VERSION
from app.core.store.stats import BenefitActivity, DayActivity
from app.core.store.texts import purge_done, purge_notice

__all__ = [
    "BenefitActivity",
    "CaseNotFound",
    "CasePage",
    "CaseQuery",
    "CaseRecord",
    "CaseSort",
    "CaseSummary",
    "DEFAULT_RETENTION_DAYS",
    "DateField",
    "DayActivity",
    "Draft",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "FILE_SUFFIX",
    "ImportConflict",
    "ImportRefused",
    "ImportResult",
    "PurgeNeedsConfirmation",
    "RetentionRefused",
    "SCHEMA_VERSION",
    "SimulationNotFound",
    "SimulationSummary",
    "Store",
    "StoreCorrupt",
    "StoreDiskFull",
    "StoreEmpty",
    "StoreError",
    "StoreIOError",
    "StoreKeyNeeded",
    "StoreLocked",
    "StoreOutdated",
    "StoreReadOnly",
    "StoreTooNew",
    "StoreUnavailable",
    "StoreWrongKey",
    "StoredSimulation",
    "default_path",
    "purge_done",
    "purge_notice",
]
