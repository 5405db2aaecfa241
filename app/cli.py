"""Command line: ``guichet simulate``, ``guichet export-openfisca``, ``guichet screen``,
``guichet --version``, ``guichet --self-test``.

Everything printed for people is French (through ``t``); JSON output is for machines.
Exit codes: 0 success, 1 unexpected error (apology printed, details in the local
log), 2 bad input (every problem printed, each naming its field).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from app import __version__
from app.core.base import formats
from app.core.base.files import private_by_default
from app.core.base.i18n import t
from app.core.base.logs import report_unexpected, setup_logging
from app.core.model.periods import current_month, parse_month
from app.core.model.validation import InvalidHousehold


class UsageError(Exception):
    """A French message for a bad command line or input file."""


def _month(text: str) -> str:
    try:
        parse_month(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.bad_month", value=text)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guichet", description=t("cli.description"))
    parser.add_argument("--version", action="store_true", help=t("cli.help_version"))
    parser.add_argument("--self-test", action="store_true", help=t("cli.help_self_test"))
    sub = parser.add_subparsers(dest="command")

    simulate = sub.add_parser("simulate", help=t("cli.help_simulate"))
    simulate.add_argument("case", nargs="?", type=Path, help=t("cli.help_case"))
    simulate.add_argument("more_cases", nargs="*", type=Path, metavar="case", help=t("cli.help_more_cases"))
    simulate.add_argument("--openfisca", type=Path, metavar="SITUATION.json", help=t("cli.help_openfisca"))
    simulate.add_argument("--month", type=_month, help=t("cli.help_month"))
    simulate.add_argument("--format", choices=("table", "json"), default="table", help=t("cli.help_format"))
    simulate.add_argument("--pdf", type=Path, metavar="OUT.pdf", help=t("cli.help_pdf"))
    simulate.add_argument("--service-point", type=Path, metavar="POINT.json", help=t("cli.help_service_point"))
    from app.core.base.i18n import LANGUAGES

    simulate.add_argument("--lang", choices=LANGUAGES, default="fr", help=t("cli.help_lang"))
    simulate.add_argument("--detailed", action="store_true", help=t("cli.help_detailed"))

    export = sub.add_parser("export-openfisca", help=t("cli.help_export"))
    export.add_argument("case", type=Path, help=t("cli.help_case"))
    export.add_argument("--month", type=_month, help=t("cli.help_month"))
    export.add_argument("-o", "--output", type=Path, help=t("cli.help_output"))

    from app.core.batch.screen import add_screen_arguments

    screen = sub.add_parser("screen", help=t("cli.help_screen"))
    add_screen_arguments(screen)
    from app.core.benefits.rules_pack import add_rules_arguments

    add_rules_arguments(sub)

    purge = sub.add_parser("purge", help=t("cli.help_purge"))
    purge.add_argument("--yes", action="store_true", help=t("cli.help_purge_yes"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    private_by_default()  # every file written (handouts, exports, screening outputs) 0600
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            print(version_text())
            return 0
        if args.self_test:
            return self_test()
        if args.command in ("simulate", "screen"):
            purge_cases(confirmed=False, explicit=False)  # the retention rule, as at the GUI's start
        if args.command == "purge":
            return purge_cases(confirmed=args.yes, explicit=True)
        if args.command == "simulate":
            return simulate(args)
        if args.command == "export-openfisca":
            return export_openfisca(args)
        if args.command == "screen":
            from app.core.batch.screen import run_screen

            return int(run_screen(args) or 0)
        if args.command == "rules":
            from app.core.benefits.rules_pack import run_rules

            return int(run_rules(args) or 0)
        parser.print_help()
        return 0
    except InvalidHousehold as error:
        print(t("cli.invalid_case"), file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem.message}", file=sys.stderr)
        return 2
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - no traceback ever reaches a person
        print(report_unexpected(error), file=sys.stderr)
        return 1


# --------------------------------------------------------------------------- commands


def version_text() -> str:
    from importlib import metadata

    from app.core.benefits.catalogue import load_catalogue
    from app.core.rules.folder import version_label

    catalogue = load_catalogue()
    version = getattr(catalogue, "version", "")
    return t(
        "cli.version",
        app=__version__,
        core=metadata.version("openfisca-core"),
        france=metadata.version("openfisca-france"),
        catalogue=version_label(version) if version else t("cli.catalogue_bundled", count=len(catalogue)),
    )


def _engine() -> Any:
    from app.core.compute.engine import shared_engine

    return shared_engine()


def _load(path: Path, month: str | None) -> tuple[Any, str]:
    from app.core.io.casefile import load_case

    household, case_month = load_case(path)
    return household, month or case_month or current_month()


def simulate(args: argparse.Namespace) -> int:
    """One case file, or several computed together (the system is loaded once): one
    block per file, headed by its path; in JSON, a list of objects with ``file``."""
    if args.openfisca is not None:
        return simulate_openfisca(args)
    if args.case is None:
        raise UsageError(t("cli.case_required"))
    files = [args.case, *getattr(args, "more_cases", ())]
    if args.pdf is not None and len(files) > 1:
        raise UsageError(t("cli.pdf_one_case"))
    loaded = []
    for path in files:
        try:
            loaded.append(_load(path, args.month))
        except InvalidHousehold:
            if len(files) > 1:
                print(t("cli.case_file", path=str(path)), file=sys.stderr)
            raise
    service_point = _service_point(args.service_point) if args.pdf is not None else None
    engine = _engine()
    from app.core.openfisca.loading import gc_paused

    by_month: dict[str, list[int]] = {}
    for i, (_household, month) in enumerate(loaded):
        by_month.setdefault(month, []).append(i)
    results: list[Any] = [None] * len(files)
    with gc_paused(freeze=False):  # no collector walking the per-date parameter trees being built
        for month, indexes in by_month.items():
            for i, result in zip(indexes, engine.compute_many([loaded[i][0] for i in indexes], month)):
                results[i] = result
    if len(files) == 1:
        household, result = loaded[0][0], results[0]
        if args.format == "json":
            print(json.dumps(result_json(result, engine.catalogue), ensure_ascii=False, indent=2))
        else:
            print(result_table(result, engine.catalogue, household))
    elif args.format == "json":
        blocks = [{"file": str(path), **result_json(result, engine.catalogue)} for path, result in zip(files, results)]
        print(json.dumps(blocks, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(
            t("cli.case_file", path=str(path)) + "\n" + result_table(result, engine.catalogue, household)
            for path, (household, _month), result in zip(files, loaded, results)
        ))
    if args.pdf is not None:
        write_handout(args.pdf, loaded[0][0], results[0], engine.catalogue, service_point,
                      language=args.lang, detailed=args.detailed)
        print(t("cli.pdf_written", path=str(args.pdf)), file=sys.stderr)
    return 0


def simulate_openfisca(args: argparse.Namespace) -> int:
    """A situation in OpenFisca's format, read as openfisca-core reads it or refused (every
    problem printed, exit 2, nothing written): ``openfisca_input``."""
    from app.core.openfisca.input import (
        SituationRefused,
        choose_month,
        load_situation_file,
        read_situation,
        requested_json,
        requested_lines,
    )

    if args.pdf is not None:
        raise UsageError(t("openfisca_input.no_pdf"))
    try:
        data = load_situation_file(args.openfisca)
        engine = _engine()
        read = read_situation(engine.tbs, data)
        month, month_line = choose_month(read, args.month)
        result, requested = engine.compute_openfisca(read, month)
    except SituationRefused as error:
        print(t("openfisca_input.refused"), file=sys.stderr)
        for line in error.lines():
            print(f"  - {line}", file=sys.stderr)
        return 2
    if args.format == "json":
        data = result_json(result, engine.catalogue)
        data["month_reason"] = month_line
        data["notices"] = list(read.notices)
        data["requested"] = requested_json(requested)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    lines = result_table(result, engine.catalogue, None).split("\n")
    lines[1:1] = [month_line]
    lines.extend(f"\n{notice}" for notice in read.notices)
    extra = requested_lines(requested)
    if extra:
        lines.append("")
        lines.extend(extra)
    print("\n".join(lines))
    return 0


def export_openfisca(args: argparse.Namespace) -> int:
    household, month = _load(args.case, args.month)
    situation = _engine().situation(household, month)
    text = json.dumps(situation.data, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        write_output(args.output, text)
        print(t("cli.situation_written", path=str(args.output), month=formats.month(month)), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _service_point(path: Path | None) -> Any:
    """The desk printed on the handout: ``--service-point`` (checked before computing),
    else « Point d'accueil »."""
    from app.core.handout.citizen import ServicePoint

    if path is None:
        return ServicePoint.from_values({})
    try:
        return ServicePoint.from_file(path)
    except ValueError as error:
        raise UsageError(str(error)) from None


def write_handout(path: Path, household: Any, result: Any, catalogue: Any, service_point: Any = None,
                  language: str = "fr", detailed: bool = False) -> None:
    from app.core.handout.citizen import HandoutOptions
    from app.core.handout.build import build_handout

    options = HandoutOptions(language=language, detailed=detailed)
    write_output(path, build_handout(household, result, catalogue, service_point or _service_point(None), options))


def write_output(path: Path, data: bytes | str) -> None:
    """Write a file the agent asked for: complete or not at all, ``0600``; a full disk
    or a refused folder is a French message (``UsageError``), never a half file."""
    from app.core.base.files import atomic_write
    from app.core.base.os_errors import write_failed

    try:
        atomic_write(path, data)
    except OSError as error:
        raise UsageError(write_failed(path, error)) from None


def purge_cases(confirmed: bool, explicit: bool) -> int:
    """Apply the retention rule to the case database (``guichet purge``, and before
    ``simulate`` and ``screen``): the cases untouched for longer than the period are
    deleted, up to ``PURGE_CONFIRM_ABOVE`` of them without asking; more only with
    ``--yes`` (otherwise nothing is deleted and the command to run is printed).

    Automatic runs (``explicit`` False) stay silent when there is no database, when
    the GUI has it open (it purges itself) or when its key is not at hand without
    asking (no keyring, no ``GUICHET_DB_KEY``), and open the database at most once a
    day (the period counts in days; importing the store and opening it cost about
    0.2 s of CPU); ``guichet purge`` always runs and asks for the passphrase on a
    terminal."""
    from app.core.base.paths import case_database_path

    path = case_database_path()
    if not path.exists():  # checked before importing the store (0.1 s of CPU more than simulate's)
        if explicit:
            print(t("cli.purge_no_database"), file=sys.stderr)
        return 0
    if not explicit and _purged_today():  # store import + opening: about 0.2 s of CPU
        return 0
    from app.core.store import (
        PurgeNeedsConfirmation,
        Store,
        StoreError,
        StoreKeyNeeded,
        StoreLocked,
        purge_done,
        purge_notice,
    )

    passphrase = None
    while True:
        try:
            store = Store.open(path, passphrase=passphrase)
            break
        except StoreKeyNeeded as error:
            if not explicit:
                return 0
            if passphrase is not None or not sys.stdin.isatty():
                raise UsageError(str(error) + " " + t("cli.passphrase_env")) from None
            import getpass

            passphrase = getpass.getpass(t("cli.passphrase_prompt"))
        except StoreError as error:  # locked by the GUI, damaged (moved aside), wrong key…
            if explicit:
                raise UsageError(str(error)) from None
            if not isinstance(error, StoreLocked):
                print(str(error), file=sys.stderr)
            return 0
    if not explicit:
        _mark_purged_today()
    with store:
        days = store.retention_days
        if store.purge_notice_needed():  # as in the GUI: the first purge only after the notice
            print(purge_notice(days, store.expired_count()), file=sys.stderr)
            store.mark_purge_notice_shown()
            return 0
        try:
            purged = store.purge_expired(confirmed=confirmed)
        except PurgeNeedsConfirmation as many:
            print(f"{many} {t('store.purge.confirm_cli')}", file=sys.stderr)
            return 2 if explicit else 0
        if purged:
            print(t("store.purge.cli_done", text=purge_done(purged, days)), file=sys.stderr)
        elif explicit:
            print(t("store.purge.cli_nothing", days=days), file=sys.stderr)
    return 0


def _auto_purge_marker() -> Path:
    from app.core.base.paths import cache_dir

    return cache_dir() / "automatic_purge_day.txt"


def _purged_today() -> bool:
    """Whether the automatic purge already opened the database today (the retention
    period counts in days: once a day is enough; ``guichet purge`` always runs)."""
    try:
        return _auto_purge_marker().read_text(encoding="ascii").strip() == _today()
    except (OSError, UnicodeDecodeError):
        return False


def _mark_purged_today() -> None:
    try:
        _auto_purge_marker().write_text(_today(), encoding="ascii")
    except OSError:  # the purge runs again next time: only slower
        pass


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


# --------------------------------------------------------------------------- output


def amount_text(result: Any, benefit: Any) -> str:
    """``257,38 € par mois`` / ``429,01 € par an`` / ``oui`` — one wording everywhere."""
    from app.core.benefits.local_aids import amount_note

    note = amount_note(result)
    if note is not None:
        return note
    if benefit.value == "boolean":
        return t("cli.answer_yes") if result.status == "eligible" else t("cli.answer_no")
    from app.core.benefits.results import paid_note

    key = f"results.amount_{result.amount_period}"
    if benefit.value == "contribution":
        return t("results.contribution_month", amount=formats.euros(result.amount))
    text = t(key, amount=formats.euros(result.amount))
    paid = paid_note(result)
    return f"{text} ({paid})" if paid else text


def result_table(result: Any, catalogue: Any, household: Any | None) -> str:
    from app.core.openfisca.staleness import short_notes

    stale = [(item, p) for item in result.benefits for p in item.stale_parameters]
    title = t(
        "cli.table_title",
        month=formats.month(result.month),
        version=result.openfisca_france,
        until=formats.date(_iso(result.legislation_until)),
    )
    lines = [title + (f" ({t('staleness.header_hint')})" if stale else ""), ""]
    rows = [(t("cli.col_benefit"), t("cli.col_amount"), t("cli.col_status"), t("cli.col_payer"))]
    from app.core.benefits.local_aids import is_outside_territory

    to_request = {b.benefit_id for b in result.not_claimed()}
    for item in result.benefits:
        if is_outside_territory(item):
            continue  # a local aid of another territory
        benefit = catalogue.get(item.benefit_id)
        status = t(f"status.{item.status.value}")
        if item.already_received:  # also when not found eligible: the agent sees the mismatch
            status += " · " + t("results.already_received")
        elif item.claim == "automatic" or item.benefit_id in to_request:
            status += " · " + item.claim.label  # « Versée automatiquement », « Non demandée »
        rows.append((benefit.label, amount_text(item, benefit), status, benefit.paying_body.short))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    lines.append("")
    lines.append(f"{t('results.total_monthly')} : {formats.euros(result.total_monthly())}")
    if result.total_yearly_extra():
        lines.append(f"{t('results.total_yearly_extra')} : {formats.euros(result.total_yearly_extra())}")
    not_claimed = [catalogue.get(b.benefit_id).label for b in result.not_claimed()]
    if household is not None and household.benefits_received and not_claimed:
        lines.append(t("cli.not_claimed_list", benefits=", ".join(not_claimed)))
    from app.core.model.validation import notices

    told = notices(household) if household is not None else ()
    for warning in (*result.warnings, *(n.message for n in told)):
        lines.append("")
        lines.append(warning)
    if stale:
        lines.append("")
        lines.append(t("staleness.title"))
        for item in result.benefits:  # a scale read whole (the HLM ceilings) in a few lines
            for note in short_notes(item.stale_parameters):
                lines.append(f"  - {catalogue.get(item.benefit_id).short_label} : {note}.")
    if result.assumptions:
        lines.append("")
        lines.append(t("cli.assumptions"))
        lines.extend(f"  - {t('assumption.' + code)}" for code in result.assumptions)
    return "\n".join(lines)


def result_json(result: Any, catalogue: Any) -> dict[str, Any]:
    from app.core.openfisca.staleness import note_text

    data = asdict(result)
    data.pop("totals_ids", None)
    for item in data["benefits"]:
        benefit = catalogue.get(item["benefit_id"])
        item["label"] = benefit.label
        item["paying_body"] = benefit.paying_body.short
        item["counts_in_total"] = benefit.counts_in_total
        item["not_claimed"] = result.get(item["benefit_id"]).not_claimed
        item["claim"] = result.get(item["benefit_id"]).claim.value
        for parameter, own in zip(item["stale_parameters"], result.get(item["benefit_id"]).stale_parameters):
            parameter["text"] = note_text(own)
    data["total_monthly"] = result.total_monthly()
    data["total_yearly_extra"] = result.total_yearly_extra()
    data["assumptions"] = [{"code": code, "text": t("assumption." + code)} for code in result.assumptions]
    return data


def _iso(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


# --------------------------------------------------------------------------- self-test


def self_test() -> int:
    """A fixed household through the engine and the handout; 0 when both work."""
    import tempfile

    from app.core.model.examples import warm_up_household

    household = warm_up_household()
    engine = _engine()
    result = engine.compute(household, "2026-11")
    ok = result.get("prime_activite").amount > 0 and result.get("aide_logement").amount > 0
    print(t("cli.self_test_engine", status=t("cli.ok") if ok else t("cli.failed")))
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "test.pdf"
            write_handout(path, household, result, engine.catalogue)
            pdf_ok = path.read_bytes().startswith(b"%PDF")
    except ImportError:
        pdf_ok = False
    print(t("cli.self_test_handout", status=t("cli.ok") if pdf_ok else t("cli.failed")))
    return 0 if ok and pdf_ok else 1


if __name__ == "__main__":
    sys.exit(main())
