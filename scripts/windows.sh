#!/usr/bin/env bash
# make windows: Heft for Windows, built and tested from Linux with MinGW and Wine (target
# x86_64-pc-windows-gnu). Installs what is missing (MinGW, Wine, NSIS, the Rust target), builds
# the CLI and the desktop app, runs the core's tests under Wine (session tests included: the
# keychain there is Wine's Credential Manager), runs heft.exe end to end against the simulator,
# starts the desktop app, builds the installer and installs, checks and uninstalls it silently.
# What it cannot test here is said in the README's Windows section.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-pc-windows-gnu

scripts/deps.sh windows
if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "heft windows: adding the Rust target $TARGET"
  if ! rustup target add "$TARGET"; then
    echo "heft windows: rustup could not fetch the standard library for $TARGET (no connection to" >&2
    echo "its server from this machine?); nothing was built. Linux builds and tests are unaffected." >&2
    exit 3 # .ci/run tells this apart from a failure
  fi
fi

# A Wine prefix of Heft's own, so nothing of the person's Wine is touched. Wine before 9 lacks
# bcryptprimitives.dll, which Rust's standard library needs: a stand-in built here forwards its
# one function to RtlGenRandom (tests/windows/bcryptprimitives.c; Windows has the real one).
export WINEPREFIX="$PWD/target/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WINEPREFIX"
[ -d "$WINEPREFIX/drive_c/windows/system32" ] || wineboot --init >/dev/null 2>&1 || true
wine_version=$(wine --version | sed 's/^wine-//; s/[^0-9].*//')
if [ "${wine_version:-0}" -lt 9 ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    tests/windows/bcryptprimitives.c -ladvapi32
fi

# The tests' keychain entries of earlier runs (Heft's own prefix only).
wine reg delete 'HKCU\Software\Wine\Credential Manager' /f >/dev/null 2>&1 || true
step() { echo "heft windows: $* ($((SECONDS / 60)) min $((SECONDS % 60)) s so far)"; }

step "building the CLI and the desktop app"
cargo build --release --target "$TARGET" -p heft --bins -p heft-desktop
cargo build --release -p withings-sim
out="target/$TARGET/release"
echo "heft windows: $(wine "$out/heft.exe" --version | tr -d '\r')"

step "the core's tests under Wine"
# nextest, because Wine now and then fails to start a process under load (CreateProcess: os
# error 1359, "Internal error"; seen once in four full runs): a test that fails is run again, up
# to twice, and nextest names every test that needed it (FLAKY) in its summary.
command -v cargo-nextest >/dev/null 2>&1 || cargo install cargo-nextest --locked
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
cargo nextest run --target "$TARGET" -p heft --run-ignored all --no-run
# HEFT_IN_TEST_SESSION: the keychain the session tests may use is this prefix's Credential Manager.
HEFT_IN_TEST_SESSION=1 timeout --kill-after=30s 20m \
  cargo nextest run --target "$TARGET" -p heft --run-ignored all --retries 2 --no-fail-fast

step "heft.exe end to end against the simulator"
timeout --kill-after=10s 5m tests/windows/cli-e2e.sh "$out/heft.exe" "$out/heft-test-browser.exe" target/release/withings-sim

step "the installer"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' src-tauri/Cargo.toml | head -1)
stage=target/windows-installer
rm -rf "$stage" && mkdir -p "$stage"
# Symbols stay in target/; the installed programs do without them.
x86_64-w64-mingw32-strip -o "$stage/heft-desktop.exe" "$out/heft-desktop.exe"
x86_64-w64-mingw32-strip -o "$stage/heft.exe" "$out/heft.exe"
# webview2-com-sys ships the loader the GNU target needs beside the program.
loader=$(ls -t "$out"/build/webview2-com-sys-*/out/x64/WebView2Loader.dll | head -1)
cp "$loader" "$stage/WebView2Loader.dll"
installer="$stage/heft-$version-setup.exe"
makensis -V2 -DVERSION="$version" -DAPP_EXE="$PWD/$stage/heft-desktop.exe" -DCLI_EXE="$PWD/$stage/heft.exe" \
  -DLOADER_DLL="$PWD/$stage/WebView2Loader.dll" -DICON="$PWD/src-tauri/icons/icon.ico" \
  -DOUTFILE="$PWD/$installer" packaging/windows/heft.nsi
HEFT_WINDOWS_SHOT=target/windows-desktop.png timeout --kill-after=10s 5m tests/windows/installer.sh "$installer"

step "passed"
echo "heft windows: the installer is $installer ($(du -h "$installer" | cut -f1))"
