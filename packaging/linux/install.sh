#!/usr/bin/env bash
# Install (or remove) the Guichet bundle this script sits in, with its menu entry
# and icon. Per user by default (nothing needs root); --system for every user.
#
#   ./install.sh                 -> ~/.local/opt/guichet, ~/.local/bin/guichet, menu entry
#   sudo ./install.sh --system   -> /opt/guichet, /usr/local/bin/guichet, menu entry
#   ./install.sh --uninstall     (add --system for a system-wide install)
#
# The user's own data (~/.local/share/Guichet: cases, log, cache) is never touched.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SCOPE=user
ACTION=install
for arg in "$@"; do
    case "$arg" in
        --system) SCOPE=system ;;
        --uninstall) ACTION=uninstall ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "Option inconnue : $arg" >&2; exit 2 ;;
    esac
done

if [ "$SCOPE" = system ]; then
    APPDIR=/opt/guichet
    BINDIR=/usr/local/bin
    SHARE=/usr/local/share
else
    APPDIR="$HOME/.local/opt/guichet"
    BINDIR="$HOME/.local/bin"
    SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
DESKTOP="$SHARE/applications/guichet.desktop"
ICON_SVG="$SHARE/icons/hicolor/scalable/apps/guichet.svg"
ICON_PNG="$SHARE/icons/hicolor/256x256/apps/guichet.png"

refresh_menus() {
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
    fi
}

if [ "$ACTION" = uninstall ]; then
    rm -f "$DESKTOP" "$ICON_SVG" "$ICON_PNG"
    if [ -L "$BINDIR/guichet" ]; then rm -f "$BINDIR/guichet"; fi
    if [ -x "$APPDIR/guichet" ]; then rm -rf "$APPDIR"; fi
    refresh_menus
    echo "Guichet est désinstallé. Les données de l'utilisateur (dossiers, journal) sont conservées."
    exit 0
fi

if [ ! -x "$HERE/guichet" ] || [ ! -d "$HERE/_internal" ]; then
    echo "Ce script doit rester dans le dossier de Guichet (à côté du programme « guichet »)." >&2
    exit 1
fi

if [ "$HERE" != "$APPDIR" ]; then
    mkdir -p "$(dirname "$APPDIR")"
    staging="$APPDIR.new.$$"
    rm -rf "$staging"
    cp -a "$HERE" "$staging"
    rm -rf "$APPDIR"
    mv "$staging" "$APPDIR"
fi
mkdir -p "$BINDIR" "$(dirname "$DESKTOP")" "$(dirname "$ICON_SVG")" "$(dirname "$ICON_PNG")"
ln -sfn "$APPDIR/guichet" "$BINDIR/guichet"
sed "s|^Exec=.*|Exec=\"$APPDIR/guichet\"|" "$APPDIR/guichet.desktop" >"$DESKTOP"
chmod 644 "$DESKTOP"
install -m 644 "$APPDIR/_internal/resources/icons/guichet.svg" "$ICON_SVG"
install -m 644 "$APPDIR/guichet.png" "$ICON_PNG"
refresh_menus

echo "Guichet est installé dans $APPDIR."
echo "Il apparaît dans le menu des applications ; en ligne de commande : $BINDIR/guichet"
case ":$PATH:" in
    *":$BINDIR:"*) ;;
    *) echo "(ajoutez $BINDIR à la variable PATH pour taper simplement « guichet »)" ;;
esac
