#!/usr/bin/env bash
# Runs a command in a throwaway desktop session: its own D-Bus session bus, an unlocked
# gnome-keyring as the Secret Service, a private HOME/XDG tree, and an Xvfb display.
# Nothing of the user's own keyring or settings is touched.
#
# The keyring is started by D-Bus activation through a service file of our own (found before
# the system's in $XDG_DATA_HOME): it runs in the foreground as a child of the session bus and
# always unlocks (or creates) the test "login" keyring with a fixed password. So if the daemon
# ends for any reason, the next client starts an unlocked one again instead of the system file
# starting a locked one that waits forever on a password prompt nobody can answer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --keyring-daemon ]; then
  # Started by the session bus on demand.
  printf '%s' heft-test | gnome-keyring-daemon --foreground --unlock --components=secrets
  exit $?
fi
if [ -z "${HEFT_IN_TEST_SESSION:-}" ]; then
  # Keep the toolchain where it is before HOME moves.
  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  tmp=$(mktemp -d -t heft-session.XXXXXX)
  # A process of the session (a webview's helper, the keyring) may still be writing its cache
  # for a moment after the session ends: try again, and never fail a test run over a temp folder.
  cleanup() {
    for _ in 1 2 3 4 5; do rm -rf "$tmp" 2>/dev/null && return 0; sleep 1; done
    echo "heft: could not remove the test session's folder $tmp" >&2
    return 0
  }
  trap cleanup EXIT
  export HEFT_IN_TEST_SESSION=1 HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" \
    XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
  mkdir -p "$HOME" "$XDG_DATA_HOME/dbus-1/services" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s --keyring-daemon\n' "$here/with-test-session.sh" \
    >"$XDG_DATA_HOME/dbus-1/services/org.freedesktop.secrets.service"
  status=0
  xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- "$0" "$@" || status=$?
  exit $status
fi
# Inside the session: prove the Secret Service stores and returns a secret without a prompt,
# so a broken keyring fails here in seconds instead of hanging the tests.
probe() {
  printf '%s' probe | timeout 20 secret-tool store --label="heft session probe" heft-session probe >/dev/null 2>&1 &&
    [ "$(timeout 20 secret-tool lookup heft-session probe 2>/dev/null)" = probe ] &&
    timeout 20 secret-tool clear heft-session probe >/dev/null 2>&1
}
ok=""
for _ in 1 2 3; do
  if probe; then ok=1; break; fi
  sleep 1
done
if [ -z "$ok" ]; then
  echo "heft: the test session's Secret Service (gnome-keyring) does not work; is gnome-keyring installed?" >&2
  exit 1
fi
exec "$@"
