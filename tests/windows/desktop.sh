#!/usr/bin/env bash
# The desktop app for Windows, started under Wine on a virtual display: it loads (its
# WebView2Loader.dll found beside it), opens its "Heft" window, and, as Wine has no WebView2
# runtime, says so in a message box that names where to get it (Tauri's own dialog). The window's
# content cannot be tested here; that needs a Windows with WebView2 (see the README).
# Usage: tests/windows/desktop.sh HEFT_DESKTOP_EXE [SCREENSHOT.png]
set -euo pipefail
if [ -z "${HEFT_WINE_DISPLAY:-}" ]; then
  HEFT_WINE_DISPLAY=1 exec xvfb-run -a -s "-screen 0 1280x900x24" "$0" "$@"
fi
exe=$1 shot=${2:-}
fail() { echo "heft windows desktop: FAILED: $*" >&2; exit 1; }
data=$(mktemp -d -t heft-wine-desktop.XXXXXX)
# A Wine server still running from an earlier step knows no display: end it, so this one
# starts on the virtual display.
wineserver -k 2>/dev/null || true
wineserver -w 2>/dev/null || true
HEFT_DATA_DIR=$(winepath -w "$data") wine "$exe" >/dev/null 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wineserver -k 2>/dev/null; rm -rf "$data"' EXIT
windows() { xwininfo -root -tree | grep '("heft-desktop.exe"' || true; }
for _ in $(seq 120); do
  w=$(windows)
  grep -q '"Heft":' <<<"$w" && grep -q '"Error":' <<<"$w" && break
  kill -0 $app 2>/dev/null || fail "heft-desktop.exe ended: $w"
  sleep 0.5
done
grep -q '"Heft":' <<<"$w" || fail "no Heft window within 60 s"
grep -q '"Error":' <<<"$w" || fail "no message about the missing WebView2 runtime within 60 s"
[ -n "$shot" ] && command -v import >/dev/null && sleep 1 && import -window root "$shot"
echo "heft windows desktop: heft-desktop.exe opened its window and said the WebView2 runtime is missing"
