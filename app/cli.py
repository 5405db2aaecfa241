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
from app.core import formats
from app.core.i18n import t
from app.core.logs import report_unexpected, setup_logging
from app.core.periods import current_month, parse_month
from app.core.validation import InvalidHousehold


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
    simulate.add_argument("--openfisca", type=Path, metavar="SITUATION.json", help=t("cli.help_openfisca"))
    simulate.add_argument("--month", type=_month, help=t("cli.help_month"))
    simulate.add_argument("--format", choices=("table", "json"), default="table", help=t("cli.help_format"))
    simulate.add_argument("--pdf", type=Path, metavar="OUT.pdf", help=t("cli.help_pdf"))
    simulate.add_argument("--service-point", type=Path, metavar="POINT.json", help=t("cli.help_service_point"))
    from app.core.i18n import LANGUAGES

    simulate.add_argument("--lang", choices=LANGUAGES, default="fr", help=t("cli.help_lang"))
    simulate.add_argument("--detailed", action="store_true", help=t("cli.help_detailed"))

    export = sub.add_parser("export-openfisca", help=t("cli.help_export"))
    export.add_argument("case", type=Path, help=t("cli.help_case"))
    export.add_argument("--month", type=_month, help=t("cli.help_month"))
    export.add_argument("-o", "--output", type=Path, help=t("cli.help_output"))

    from app.core.batch import add_screen_arguments

    screen = sub.add_parser("screen", help=t("cli.help_screen"))
    add_screen_arguments(screen)
    from app.core.rules_pack import add_rules_arguments

    add_rules_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            print(version_text())
            return 0
        if args.self_test:
            return self_test()
        if args.command == "simulate":
            return simulate(args)
        if args.command == "export-openfisca":
            return export_openfisca(args)
        if args.command == "screen":
            from app.core.batch import run_screen

            return int(run_screen(args) or 0)
        if args.command == "rules":
            from app.core.rules_pack import run_rules

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

    from app.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    return t(
        "cli.version",
        app=__version__,
        core=metadata.version("openfisca-core"),
        france=metadata.version("openfisca-france"),
        catalogue=getattr(catalogue, "version", "") or t("cli.catalogue_bundled", count=len(catalogue)),
    )


def _engine() -> Any:
    from app.core.engine import shared_engine

    return shared_engine()


def _load(path: Path, month: str | None) -> tuple[Any, str]:
    from app.core.casefile import load_case

    household, case_month = load_case(path)
    return household, month or case_month or current_month()


def simulate(args: argparse.Namespace) -> int:
    if args.openfisca is not None:
        return simulate_openfisca(args)
    if args.case is None:
        raise UsageError(t("cli.case_required"))
    household, month = _load(args.case, args.month)
    service_point = _service_point(args.service_point) if args.pdf is not None else None
    engine = _engine()
    result = engine.compute(household, month)
    if args.format == "json":
        print(json.dumps(result_json(result, engine.catalogue), ensure_ascii=False, indent=2))
    else:
        print(result_table(result, engine.catalogue, household))
    if args.pdf is not None:
        write_handout(args.pdf, household, result, engine.catalogue, service_point,
                      language=args.lang, detailed=args.detailed)
        print(t("cli.pdf_written", path=str(args.pdf)), file=sys.stderr)
    return 0


def simulate_openfisca(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.openfisca.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(t("cli.bad_situation", path=str(args.openfisca), reason=type(error).__name__)) from None
    if not isinstance(data, dict) or "individus" not in data:
        raise UsageError(t("cli.bad_situation", path=str(args.openfisca), reason="individus"))
    month = args.month or current_month()
    engine = _engine()
    from app.core.simulation_build import SituationError

    try:
        result = engine.compute_situations([data], month)[0]
    except SituationError as error:
        raise UsageError(str(error)) from None
    if args.format == "json":
        print(json.dumps(result_json(result, engine.catalogue), ensure_ascii=False, indent=2))
    else:
        print(result_table(result, engine.catalogue, None))
    return 0


def export_openfisca(args: argparse.Namespace) -> int:
    household, month = _load(args.case, args.month)
    situation = _engine().situation(household, month)
    text = json.dumps(situation.data, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(t("cli.situation_written", path=str(args.output), month=formats.month(month)), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _service_point(path: Path | None) -> Any:
    """The desk printed on the handout: ``--service-point`` (checked before computing),
    else « Point d'accueil »."""
    from app.core.handout import ServicePoint

    if path is None:
        return ServicePoint.from_values({})
    try:
        return ServicePoint.from_file(path)
    except ValueError as error:
        raise UsageError(str(error)) from None


def write_handout(path: Path, household: Any, result: Any, catalogue: Any, service_point: Any = None,
                  language: str = "fr", detailed: bool = False) -> None:
    from app.core.handout import HandoutOptions, build_handout

    options = HandoutOptions(language=language, detailed=detailed)
    path.write_bytes(build_handout(household, result, catalogue, service_point or _service_point(None), options))


# --------------------------------------------------------------------------- output


def amount_text(result: Any, benefit: Any) -> str:
    """``257,38 € par mois`` / ``429,01 € par an`` / ``oui`` — one wording everywhere."""
    from app.core.local_aids import amount_note

    note = amount_note(result)
    if note is not None:
        return note
    if benefit.value == "boolean":
        return t("cli.answer_yes") if result.status == "eligible" else t("cli.answer_no")
    key = "results.amount_month" if result.amount_period == "month" else "results.amount_year"
    if benefit.value == "contribution":
        return t("results.contribution_month", amount=formats.euros(result.amount))
    return t(key, amount=formats.euros(result.amount))


def result_table(result: Any, catalogue: Any, household: Any | None) -> str:
    lines = [
        t(
            "cli.table_title",
            month=formats.month(result.month),
            version=result.openfisca_france,
            until=formats.date(_iso(result.legislation_until)),
        ),
        "",
    ]
    rows = [(t("cli.col_benefit"), t("cli.col_amount"), t("cli.col_status"), t("cli.col_payer"))]
    from app.core.local_aids import is_outside_territory

    for item in result.benefits:
        if is_outside_territory(item):
            continue  # a local aid of another territory
        benefit = catalogue.get(item.benefit_id)
        status = t(f"status.{item.status.value}")
        if item.already_received:
            status += " · " + t("results.already_received")
        elif item.not_claimed and benefit.counts_in_total:
            status += " · " + t("results.not_claimed")
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
    for warning in result.warnings:
        lines.append("")
        lines.append(warning)
    if result.assumptions:
        lines.append("")
        lines.append(t("cli.assumptions"))
        lines.extend(f"  - {t('assumption.' + code)}" for code in result.assumptions)
    return "\n".join(lines)


def result_json(result: Any, catalogue: Any) -> dict[str, Any]:
    data = asdict(result)
    data.pop("totals_ids", None)
    for item in data["benefits"]:
        benefit = catalogue.get(item["benefit_id"])
        item["label"] = benefit.label
        item["paying_body"] = benefit.paying_body.short
        item["counts_in_total"] = benefit.counts_in_total
        item["not_claimed"] = result.get(item["benefit_id"]).not_claimed
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

    from app.core.examples import warm_up_household

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
