#!/usr/bin/env bash
# Runs a command in a throwaway desktop session: its own D-Bus session bus, an unlocked
# gnome-keyring as the Secret Service, a private HOME/XDG tree, and an Xvfb display.
# Nothing of the user's own keyring or settings is touched.
set -euo pipefail
if [ -z "${HEFT_IN_TEST_SESSION:-}" ]; then
  # Keep the toolchain where it is before HOME moves.
  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  tmp=$(mktemp -d -t heft-session.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  export HEFT_IN_TEST_SESSION=1 HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" \
    XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
  mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  status=0
  xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- "$0" "$@" || status=$?
  exit $status
fi
# Inside the session: start an unlocked keyring and wait until it owns the Secret Service name.
echo -n "heft-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
  if dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q "boolean true"; then
    break
  fi
  sleep 0.1
done
exec "$@"
