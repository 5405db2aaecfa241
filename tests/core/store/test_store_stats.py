"""Activity statistics: counts and amounts per day, no personal data, CSV export; store texts."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from store_helpers import REPO, FakeClock, household, raw_connection, result

from app.core.base.i18n import has
from app.core.store import Store


def test_simulations_and_benefits_are_counted_per_day_with_exact_totals(store: Store, clock: FakeClock) -> None:
    first = store.save_case(household("Ana"), "2026-11", result=result(rsa=412.37))
    store.add_simulation(first.id, household("Ana"), result(rsa=0.1))
    store.record_activity(result(rsa=100.0, housing_aid=0.0))  # computed, not saved
    clock.advance(days=1)
    store.save_case(household("Bea"), "2026-11", result=result(rsa=50.0))
    days = store.activity()
    assert [(d.day, d.simulations) for d in days] == [(dt.date(2026, 11, 2), 3), (dt.date(2026, 11, 3), 1)]
    rsa = {b.benefit_id: b for b in days[0].benefits}["rsa"]
    # 412.37 + 0.10 + 100.00, added in cents: no float drift.
    assert rsa.eligible == 3 and rsa.amount_total == 512.47 and rsa.amount_period == "month"
    assert rsa.not_claimed == 3
    ars = {b.benefit_id: b for b in days[0].benefits}["allocation_rentree_scolaire"]
    assert ars.amount_period == "year" and ars.amount_total == round(3 * 423.48, 2) == 1270.44
    aah = {b.benefit_id: b for b in days[0].benefits}["aah"]
    assert (aah.eligible, aah.to_check, aah.amount_total) == (0, 3, 0.0)
    benefit_ids = {b.benefit_id for d in days for b in d.benefits}
    assert "allocations_familiales" not in benefit_ids and "aspa" not in benefit_ids  # not eligible, error
    assert store.activity(dt.date(2026, 11, 3), dt.date(2026, 11, 30))[0].simulations == 1


def test_csv_export_is_french_spreadsheet_ready(store: Store, tmp_path: Path) -> None:
    store.save_case(household(), "2026-11", result=result(rsa=1234.5))
    path = store.export_activity_csv(tmp_path / "activite.csv")
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][0] == "Date" and rows[0][1] == "Simulations du jour"
    by_id = {row[3]: row for row in rows[1:]}
    assert by_id["rsa"] == ["02/11/2026", "1", "Revenu de solidarité active (RSA)", "rsa", "1", "0", "1", "1234,50", "par mois"]
    assert by_id["allocation_rentree_scolaire"][7:] == ["423,48", "par an"]


def test_statistics_tables_hold_no_personal_data(store: Store) -> None:
    store.save_case(household("Gwendoline", partner="Anatole", commune="33063", postal_code="33000"), "2026-11",
                    result=result())
    conn = raw_connection(store.path)
    try:
        for table in ("activity_days", "activity_benefits"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            assert set(columns) <= {"day", "simulations", "benefit_id", "amount_period", "eligible", "to_check",
                                    "not_claimed", "amount_cents"}
            text = repr(conn.execute(f"SELECT * FROM {table}").fetchall())
            for personal in ("Gwendoline", "Anatole", "33063", "G-2026", "1988"):
                assert personal not in text
    finally:
        conn.close()


def test_every_store_text_key_used_in_the_code_exists() -> None:
    used = set()
    for path in [*(REPO / "app/core/store").glob("*.py"), REPO / "app/core/io/results_json.py"]:
        used |= set(re.findall(r"""["'](store\.[a-z_.]+[a-z_])["']""", path.read_text(encoding="utf-8")))
    # Keys built from a class attribute or an f-string prefix.
    used |= {f"store.stats.column.{name}" for name in ("day", "simulations", "benefit", "benefit_id", "eligible",
                                                       "to_check", "not_claimed", "amount", "period")}
    assert len(used) > 40
    missing = sorted(key for key in used if not has(key))
    assert missing == []
