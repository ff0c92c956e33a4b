#!/usr/bin/env bash
# The desktop app opens a window titled "Heft" and keeps running (run inside
# scripts/with-test-session.sh, which provides the display and session bus).
set -euo pipefail
bin=${1:?path to heft-desktop}
log=$(mktemp)
"$bin" >"$log" 2>&1 &
pid=$!
# Wait for the app to end so nothing of it writes into the session after the test.
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  if xwininfo -root -tree 2>/dev/null | grep -q '"Heft"'; then
    kill -0 $pid || { echo "desktop-smoke: app exited"; cat "$log"; exit 1; }
    echo "desktop-smoke: 1 passed, 0 failed"
    exit 0
  fi
  kill -0 $pid 2>/dev/null || { echo "desktop-smoke: app exited early:"; cat "$log"; exit 1; }
  sleep 0.2
done
echo "desktop-smoke: no window titled Heft within 20 s"; cat "$log"; exit 1
