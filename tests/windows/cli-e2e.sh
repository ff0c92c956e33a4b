#!/usr/bin/env bash
# heft.exe end to end under Wine, as a person on Windows uses it: connect to the simulator (the
# stand-in browser approves), tokens in the Windows Credential Manager, sync, list, chart,
# export, disconnect. Run by scripts/windows.sh with WINEPREFIX set; the simulator runs
# natively on 127.0.0.1, which Wine's programs reach as their own loopback.
# Usage: tests/windows/cli-e2e.sh HEFT_EXE BROWSER_EXE SIM_BIN
set -euo pipefail
heft_exe=$1 browser_exe=$2 sim_bin=$3
fail() { echo "heft windows e2e: FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d -t heft-wine-e2e.XXXXXX)
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$sim_bin" --port 0 --seed 7 --years 3 --users 1 --auto-approve >"$tmp/sim.url" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$tmp/sim.url" ] && break; sleep 0.1; done
sim=$(head -1 "$tmp/sim.url")
[ -n "$sim" ] || fail "the simulator did not start: $(cat "$tmp/sim.log")"

# Windows paths for the data folder and the browser, as Heft on Windows sees them.
data=$(winepath -w "$tmp/data")
service="heft-wine-e2e-$$"
export HEFT_DATA_DIR="$data" HEFT_WITHINGS_API_URL="$sim" HEFT_WITHINGS_AUTH_URL="$sim" \
  HEFT_WITHINGS_CLIENT_ID=heft-demo-client HEFT_WITHINGS_CLIENT_SECRET=heft-demo-secret \
  HEFT_REDIRECT_URI=http://localhost:0/callback HEFT_BROWSER="$(winepath -w "$browser_exe")" \
  HEFT_KEYRING_SERVICE="$service" HEFT_CALLBACK_TIMEOUT_SECS=30
export WINEPATH="$(winepath -w "$(dirname "$browser_exe")")"
heft() { wine "$heft_exe" "$@" 2>"$tmp/stderr" | tr -d '\r'; }
step() { echo "heft windows e2e: $*"; }
# The account's tokens in the Credential Manager, which Wine keeps in the prefix's registry (the
# developer app's client secret, stored beside them, stays after a disconnect by design).
credentials() {
  wine reg query 'HKCU\Software\Wine\Credential Manager' 2>/dev/null | tr -d '\r' | grep -c "Generic: withings:.*\.$service\$" || true
}

step "connect"
heft connect >"$tmp/out" || fail "connect: $(cat "$tmp/stderr")"
grep -q "Connected" "$tmp/out" || fail "connect said: $(cat "$tmp/out")"
[ "$(credentials)" -ge 1 ] || fail "no token in the Credential Manager after connect"
grep -rqs "access_token\|refresh_token" "$tmp/data" && fail "a token was written to the data folder"

step "sync"
heft sync >"$tmp/out" || fail "sync: $(cat "$tmp/stderr")"
grep -Eq "[1-9][0-9]* (new|added)" "$tmp/out" || fail "the first sync stored nothing: $(cat "$tmp/out")"
step "  $(head -1 "$tmp/out")"

step "list"
heft list --limit 100000 --format json >"$tmp/list.json" || fail "list: $(cat "$tmp/stderr")"
python3 - "$tmp/list.json" <<'PY' || fail "list: $(head -c 300 "$tmp/list.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows if isinstance(rows, list) else next(v for v in rows.values() if isinstance(v, list))
assert len(rows) > 100, f"{len(rows)} weigh-ins listed"
print(f"heft windows e2e:   {len(rows)} weigh-ins listed")
PY

step "chart"
heft chart --out "$(winepath -w "$tmp/chart.svg")" >/dev/null || fail "chart: $(cat "$tmp/stderr")"
grep -q "<svg" "$tmp/chart.svg" || fail "the chart is not an SVG"

step "export"
heft export --format csv >"$tmp/export.csv" || fail "export: $(cat "$tmp/stderr")"
[ "$(wc -l <"$tmp/export.csv")" -gt 100 ] || fail "the export has $(wc -l <"$tmp/export.csv") lines"

step "a second sync finds nothing new"
heft sync >"$tmp/out" || fail "second sync: $(cat "$tmp/stderr")"

step "disconnect"
heft disconnect >"$tmp/out" || fail "disconnect: $(cat "$tmp/stderr")"
[ "$(credentials)" -eq 0 ] || fail "the token is still in the Credential Manager after disconnect"
heft sync >"$tmp/out" && fail "a sync after disconnect succeeded"
step "passed: connect, sync, list, chart, export and disconnect, tokens in the Credential Manager"
