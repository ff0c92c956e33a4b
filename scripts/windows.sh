#!/usr/bin/env bash
# make windows: Heft for Windows, built and tested from Linux with MinGW and Wine
# (target x86_64-pc-windows-gnu). What it does today: installs what is missing (MinGW, Wine, the
# Rust target), builds the CLI, and runs the core's tests under Wine. What it does not do yet is
# said in the README's Windows section.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-pc-windows-gnu

pkgs=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "heft windows: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "heft windows: adding the Rust target $TARGET"
  if ! rustup target add "$TARGET"; then
    echo "heft windows: rustup could not fetch the standard library for $TARGET (no connection to" >&2
    echo "its server from this machine?); nothing was built. Linux builds and tests are unaffected." >&2
    exit 1
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

echo "heft windows: building the CLI"
cargo build --release --target "$TARGET" -p heft --bin heft
exe="target/$TARGET/release/heft.exe"
echo "heft windows: $(wine "$exe" --version) ($(du -h "$exe" | cut -f1)) at $exe"

echo "heft windows: the core's tests under Wine"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
cargo test --target "$TARGET" -p heft
echo "heft windows: passed (the CLI built, the core's tests pass under Wine)"
