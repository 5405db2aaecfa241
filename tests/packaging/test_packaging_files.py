"""The packaging files that need no build: desktop entry, icons, installer scripts.

The bundle itself is built and run by ``packaging/ci_bundle.sh`` (minutes, not a unit test).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / "guichet.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_bundle_with_the_app_icon() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "guichet"  # install.sh rewrites it to the absolute path
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    # the icon install.sh copies from the bundle
    assert (ROOT / "resources" / "icons" / f"{entry['Icon']}.svg").is_file()


@pytest.mark.parametrize("script", ["build_linux.sh", "ci_bundle.sh", "linux/install.sh"])
def test_shell_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", str(PACKAGING / script)], check=True)


def test_windows_icon_has_every_size_windows_asks_for() -> None:
    with Image.open(PACKAGING / "windows" / "guichet.ico") as icon:
        sizes = set(icon.info["sizes"])
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_installer_names_the_executables_the_spec_builds() -> None:
    spec = (PACKAGING / "guichet.spec").read_text(encoding="utf-8")
    built = set(re.findall(r'name="(guichet[\w-]*)"', spec))
    assert built == {"guichet", "guichet-console"}
    iss = (PACKAGING / "windows" / "guichet.iss").read_text(encoding="utf-8-sig")
    used = set(re.findall(r"\{app\}\\(guichet[\w-]*)\.exe", iss))
    assert used == {"guichet", "guichet-console"}
    icons = iss.split("[Icons]", 1)[1].split("\n[", 1)[0]
    assert '"{group}\\Guichet"; Filename: "{app}\\guichet.exe"' in icons  # Start-menu shortcut
    assert "{uninstallexe}" in icons  # and the uninstaller's
    assert "--self-test" in icons


@pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="POSIX shell script")
def test_install_sh_installs_and_uninstalls_per_user(tmp_path: Path) -> None:
    bundle = tmp_path / "unpacked" / "guichet"
    (bundle / "_internal" / "resources" / "icons").mkdir(parents=True)
    (bundle / "guichet").write_text("#!/bin/sh\necho bundle\n", encoding="utf-8")
    (bundle / "guichet").chmod(0o755)
    shutil.copy(ROOT / "resources" / "icons" / "guichet.svg", bundle / "_internal" / "resources" / "icons")
    for name in ("guichet.desktop", "guichet.png", "install.sh"):
        shutil.copy(PACKAGING / "linux" / name, bundle / name)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    subprocess.run(["bash", str(bundle / "install.sh")], env=env, check=True, capture_output=True)
    app_dir = home / ".local" / "opt" / "guichet"
    desktop = home / ".local" / "share" / "applications" / "guichet.desktop"
    assert (app_dir / "guichet").is_file()
    assert (home / ".local" / "bin" / "guichet").resolve() == (app_dir / "guichet").resolve()
    assert f'Exec="{app_dir}/guichet"' in desktop.read_text(encoding="utf-8").splitlines()
    assert (home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "guichet.svg").is_file()
    assert bundle.is_dir()  # the unpacked copy is left alone

    subprocess.run(["bash", str(app_dir / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not app_dir.exists()
    assert not desktop.exists()
    assert not (home / ".local" / "bin" / "guichet").exists()
