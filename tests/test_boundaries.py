"""Import boundaries: the core never imports Qt, so the CLI, the batch screener and
the tests can use it without a display (qutebrowser-style enforcement)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_PACKAGES = ("PySide6", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_qt_or_the_gui() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in QT_PACKAGES or name.startswith("app.gui")
        )
        for path in (ROOT / "app" / "core").rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}, f"the core must not import Qt or the GUI: {offenders}"


def test_cli_and_core_load_without_qt() -> None:
    code = (
        "import sys, app.cli, app.core.compute.engine, app.core.io.casefile, app.core.model.validation, app.core.openfisca.situation;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6') or m.startswith('app.gui')];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_detector_sees_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport os\n", encoding="utf-8")
    assert "PySide6.QtCore" in imported_modules(sample)
