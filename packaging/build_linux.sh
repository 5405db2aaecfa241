#!/usr/bin/env bash
# Build Guichet for Linux: the one-folder bundle dist/guichet/ and the tarball
# dist/guichet-<version>-linux-x86_64.tar.gz (see docs/packaging.md).
#
#   bash packaging/build_linux.sh [--python PY] [--dist DIR] [--work DIR] [--no-tarball]
#
# --python  the interpreter of a venv holding the app's pinned dependencies
#           (default: .venv/bin/python, as made by .ci/setup); PyInstaller is
#           installed into it from packaging/requirements.txt.
# --dist    where dist/guichet/ and the tarball go (default: ./dist)
# --work    PyInstaller's work folder (default: ./build)
# Only the package registry is needed, to install PyInstaller (once); the build
# itself is offline.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="$ROOT/dist"
WORK="$ROOT/build"
TARBALL=1
while [ $# -gt 0 ]; do
    case "$1" in
        --python) PYTHON="$2"; shift 2 ;;
        --dist) DIST="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --no-tarball) TARBALL=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$DIST" "$WORK"
DIST="$(cd "$DIST" && pwd)"
WORK="$(cd "$WORK" && pwd)"
cd "$ROOT"

if [ ! -x "$PYTHON" ]; then
    echo "no Python at $PYTHON: run 'bash .ci/setup' first, or pass --python" >&2
    exit 2
fi
started=$(date +%s)
"$PYTHON" -m pip install -q --disable-pip-version-check -r packaging/requirements.txt
version="$("$PYTHON" -c 'from app import __version__; print(__version__)')"
arch="$(uname -m)"

echo "Building Guichet $version for linux-$arch (log: $WORK/pyinstaller.log)"
if ! "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$WORK" packaging/guichet.spec >"$WORK/pyinstaller.log" 2>&1; then
    tail -40 "$WORK/pyinstaller.log" >&2
    echo "PyInstaller failed" >&2
    exit 1
fi

BUNDLE="$DIST/guichet"
# Desktop integration, next to the executable (install.sh puts them in place).
install -m 644 packaging/linux/guichet.desktop "$BUNDLE/guichet.desktop"
install -m 644 packaging/linux/guichet.png "$BUNDLE/guichet.png"
install -m 755 packaging/linux/install.sh "$BUNDLE/install.sh"
install -m 644 packaging/linux/LISEZMOI.txt "$BUNDLE/LISEZMOI.txt"
size="$(du -sh "$BUNDLE" | cut -f1)"
echo "Bundle: $BUNDLE ($size, $(find "$BUNDLE" -type f | wc -l) files)"
if [ "$TARBALL" -eq 1 ]; then
    tarball="$DIST/guichet-$version-linux-$arch.tar.gz"
    tar -C "$DIST" --sort=name --owner=0 --group=0 --numeric-owner -cf - guichet | gzip -6 >"$tarball"
    echo "Tarball: $tarball ($(du -sh "$tarball" | cut -f1))"
fi
echo "Built in $(( $(date +%s) - started )) s"
