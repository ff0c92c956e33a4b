#!/usr/bin/env bash
# The desktop app opens a window titled "Heft", paints its page (drawn on the CPU, the
# default: the WebDriver tests run the GPU path, see src-tauri/tests/driver/mod.rs) and keeps
# running (run inside scripts/with-test-session.sh, which provides the display and session bus).
set -euo pipefail
bin=${1:?path to heft-desktop}
log=$(mktemp)
"$bin" >"$log" 2>&1 &
pid=$!
# Wait for the app to end so nothing of it writes into the session after the test.
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  id=$(xwininfo -root -tree 2>/dev/null | awk '/"Heft"/ {print $1; exit}')
  if [ -n "$id" ]; then
    kill -0 $pid || { echo "desktop-smoke: app exited"; cat "$log"; exit 1; }
    # The welcome page painted: text, buttons and cards, not one flat colour.
    for _ in $(seq 1 50); do
      colours=$(import -window "$id" png:- 2>/dev/null | convert - -format %k info: 2>/dev/null || echo 0)
      [ "${colours:-0}" -ge 16 ] && break
      sleep 0.2
    done
    if [ "${colours:-0}" -lt 16 ]; then
      echo "desktop-smoke: the window shows ${colours:-0} colours: its page was not painted"; cat "$log"; exit 1
    fi
    echo "desktop-smoke: 1 passed, 0 failed (the page painted, $colours colours)"
    exit 0
  fi
  kill -0 $pid 2>/dev/null || { echo "desktop-smoke: app exited early:"; cat "$log"; exit 1; }
  sleep 0.2
done
echo "desktop-smoke: no window titled Heft within 20 s"; cat "$log"; exit 1
