#!/usr/bin/env bash
# CI check of the installable build: build the Linux bundle from a clean copy of
# the repository in a temporary folder, then run it the way an agent's machine would:
#
#   * with no network (its own empty network namespace, when run as root),
#   * with no Python (as the unprivileged user 'nobody' when run as root: /root,
#     where the build's Python and venv live, is out of its reach),
#   * with HOME, GUICHET_DATA_DIR and TMPDIR in a temporary folder, from an empty
#     working folder, the bundle folder read-only;
#
# and check: `guichet --version`; `guichet --self-test` twice (the first builds the
# engine's parameter cache in the data folder, the second must use it); the window
# shown offscreen; nothing written anywhere but the data folder (HOME, TMPDIR and
# the working folder stay empty, the bundle's files are unchanged).
#
#   bash packaging/ci_bundle.sh            (QT_QPA_PLATFORM=offscreen is set here)
#
# Needs the venv of .ci/setup (.venv; made when missing) or PYTHON=/path/to/python.
# GUICHET_CI_KEEP=1 keeps the temporary folder. Prints the time of each step.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
if [ ! -x "$PYTHON" ]; then
    bash .ci/setup
fi
export QT_QPA_PLATFORM=offscreen
t_start=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - t_start )) s)"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

WORK_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/guichet-ci-bundle.XXXXXX")"
cleanup() {
    chmod -R u+w "$WORK_ROOT" 2>/dev/null || true
    if [ "${GUICHET_CI_KEEP:-0}" = 1 ]; then echo "kept: $WORK_ROOT"; else rm -rf "$WORK_ROOT"; fi
}
trap cleanup EXIT

# --------------------------------------------------------------------------- clean source
step "clean copy of the repository"
SRC="$WORK_ROOT/src"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # What a clone holds: tracked files plus new files not ignored (none in CI's clean clone).
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' path; do [ -f "$path" ] && printf '%s\0' "$path"; done \
        | tar --null -T - -cf - | tar -xf - -C "$SRC"
else
    tar --exclude=.venv --exclude=build --exclude=dist --exclude=__pycache__ -cf - . | tar -xf - -C "$SRC"
fi

# --------------------------------------------------------------------------- build
step "build (PyInstaller)"
t_build=$(date +%s)
bash "$SRC/packaging/build_linux.sh" --python "$PYTHON" --dist "$WORK_ROOT/dist" --work "$WORK_ROOT/build" --no-tarball
build_seconds=$(( $(date +%s) - t_build ))
BUNDLE="$WORK_ROOT/dist/guichet"
[ -x "$BUNDLE/guichet" ] || fail "no executable in $BUNDLE"

# --------------------------------------------------------------------------- sandbox
RUN="$WORK_ROOT/run"
mkdir -p "$RUN/home" "$RUN/data" "$RUN/tmp" "$RUN/cwd"
chmod -R a-w,a+rX "$BUNDLE"
AS_USER=()
NO_NET=()
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$WORK_ROOT"
    chown -R 65534:65534 "$RUN"
    AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    if unshare --net true 2>/dev/null; then
        NO_NET=(unshare --net --)
    else
        echo "note: cannot make a network namespace here; running with the machine's network"
    fi
else
    echo "note: not root: running as $(id -un), with the machine's network"
fi
SANDBOX_ENV=(env -i PATH=/usr/bin:/bin HOME="$RUN/home" GUICHET_DATA_DIR="$RUN/data" TMPDIR="$RUN/tmp"
             QT_QPA_PLATFORM=offscreen LANG=C.UTF-8)
in_sandbox() {
    (cd "$RUN/cwd" && "${NO_NET[@]}" "${AS_USER[@]}" "${SANDBOX_ENV[@]}" "$@")
}
manifest() { (cd "$BUNDLE" && find . -printf '%p %s %m %T@\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1); }
before="$(manifest)"

# --------------------------------------------------------------------------- checks
step "guichet --version"
in_sandbox "$BUNDLE/guichet" --version || fail "--version"

step "guichet --self-test (first start: builds the parameter cache)"
t0=$(date +%s)
in_sandbox "$BUNDLE/guichet" --self-test || fail "--self-test (first start)"
first_seconds=$(( $(date +%s) - t0 ))
ls "$RUN/data/cache/"parameters_*.pickle >/dev/null 2>&1 || fail "no parameter cache in the data folder"

step "guichet --self-test (second start: reads the parameter cache)"
t0=$(date +%s)
in_sandbox "$BUNDLE/guichet" --self-test || fail "--self-test (second start)"
second_seconds=$(( $(date +%s) - t0 ))
if grep -E "parameter cache .* (stale|unreadable)|could not write the parameter cache" "$RUN/data/logs/guichet.log"; then
    fail "the parameter cache does not work in the bundle"
fi

step "window shown offscreen"
shown=0
(cd "$RUN/cwd" && exec setsid "${NO_NET[@]}" "${AS_USER[@]}" "${SANDBOX_ENV[@]}" GUICHET_EXIT_WHEN_SHOWN=1 \
    "$BUNDLE/guichet" >"$WORK_ROOT/gui.out" 2>&1) &
gui_pid=$!
for _ in $(seq 1 600); do
    if grep -q "^GUICHET_WINDOW_SHOWN" "$WORK_ROOT/gui.out" 2>/dev/null \
        || grep -q "window shown" "$RUN/data/logs/guichet.log" 2>/dev/null; then
        shown=1
        break
    fi
    kill -0 "$gui_pid" 2>/dev/null || break
    sleep 0.1
done
sleep 1
kill -TERM -- "-$gui_pid" 2>/dev/null || true  # its own session: the group is exactly what we started
wait "$gui_pid" 2>/dev/null || true
[ "$shown" -eq 1 ] || { cat "$WORK_ROOT/gui.out" >&2; fail "the window was not shown within 60 s"; }
grep "window shown" "$RUN/data/logs/guichet.log" | tail -1 | sed 's/^/   log: /'

step "nothing written outside the data folder"
stray="$(find "$RUN/home" "$RUN/tmp" "$RUN/cwd" -mindepth 1 2>/dev/null)"
[ -z "$stray" ] || fail "files written outside the data folder: $stray"
[ "$(manifest)" = "$before" ] || fail "the bundle folder changed while running"
echo "   data folder: $(cd "$RUN/data" && find . -type f | LC_ALL=C sort | tr '\n' ' ')"

step "start-up time (bench/startup.py)"
chmod -R u+w "$BUNDLE"
"$PYTHON" "$SRC/bench/startup.py" --bundle "$BUNDLE" --runs 3 || fail "bench/startup.py: the window was not shown"

echo
echo "bundle: $(du -sh "$BUNDLE" | cut -f1), $(find "$BUNDLE" -type f | wc -l) files; built in ${build_seconds} s;" \
     "self-test ${first_seconds} s (first start), ${second_seconds} s (with the parameter cache)"
echo "ci_bundle: OK in $(( $(date +%s) - t_start )) s"
