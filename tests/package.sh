#!/usr/bin/env bash
# The installed app, as a person gets it. Bundles the debug build as a .deb (the release
# packages come from `make package`; the contents are the same), checks the package, installs
# it with apt-get, runs the installed app through WebDriver (src-tauri/tests/installed.rs),
# then removes it and checks that nothing of Heft's is left in /usr. The machine is left as it
# was found, also when a step fails. Run inside scripts/with-test-session.sh, as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { echo "package-test: $*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "installing a package needs root (CI runs as root)"
if dpkg-query -W -f='${Status}' heft 2>/dev/null | grep -q "install ok installed"; then
  fail "a heft package is already installed here; this test would remove it — remove it first"
fi

scripts/package.sh --debug
deb=$(find target/debug/bundle/deb -maxdepth 1 -name '*.deb' | head -1)
[ -n "$deb" ] || fail "no .deb was built"

installed=""
cleanup() {
  if [ -n "$installed" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq heft >/dev/null 2>&1 || true
  fi
  rm -rf "$unpacked"
}
unpacked=$(mktemp -d)
trap cleanup EXIT

say "checking $deb ($(stat -c %s "$deb") bytes)"
dpkg-deb -x "$deb" "$unpacked"
for f in usr/bin/heft-desktop usr/bin/heft usr/share/applications/Heft.desktop \
         usr/share/icons/hicolor/32x32/apps/heft-desktop.png \
         usr/share/icons/hicolor/64x64/apps/heft-desktop.png \
         usr/share/icons/hicolor/128x128/apps/heft-desktop.png \
         usr/share/icons/hicolor/256x256/apps/heft-desktop.png \
         usr/share/icons/hicolor/512x512/apps/heft-desktop.png \
         usr/share/icons/hicolor/scalable/apps/heft-desktop.svg \
         usr/share/metainfo/app.heft.desktop.metainfo.xml; do
  [ -e "$unpacked/$f" ] || fail "the package lacks /$f"
done
desktop="$unpacked/usr/share/applications/Heft.desktop"
desktop-file-validate "$desktop" || fail "desktop-file-validate refused the desktop entry"
grep -qx 'MimeType=x-scheme-handler/heft;' "$desktop" || fail "the desktop entry does not claim heft: links"
grep -q '^Exec=.* %u$' "$desktop" || fail "the desktop entry does not pass the link (%u)"
appstreamcli validate --no-net "$unpacked/usr/share/metainfo/app.heft.desktop.metainfo.xml" \
  || fail "appstreamcli refused the metainfo"
depends=$(dpkg-deb -f "$deb" Depends)
say "depends: $depends"
echo "$depends" | grep -q -- '-dev' && fail "the package depends on a -dev package: $depends"
echo "$depends" | grep -q 'libwebkit2gtk-4.1-0' || fail "the package does not depend on WebKitGTK's runtime"

say "installing"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
[ "$(command -v heft)" = /usr/bin/heft ] || fail "heft is not on PATH"
version=$(heft --version)
[ "$version" = "heft $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" ] || fail "heft --version says $version"
say "$version on PATH"
handler=$(xdg-mime query default x-scheme-handler/heft)
[ "$handler" = Heft.desktop ] || fail "heft: links open with '$handler', not Heft.desktop"
say "heft: links open with $handler"

HEFT_INSTALLED_APP=/usr/bin/heft-desktop timeout 600 \
  cargo test -p heft-desktop --test installed -- --include-ignored --nocapture

files=$(dpkg -L heft)
say "removing"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq heft >/dev/null
installed=""
left=""
while read -r f; do
  case "$f" in /usr/*) [ -e "$f" ] && [ ! -d "$f" ] && left+="$f " ;; esac
done <<<"$files"
[ -z "$left" ] || fail "left behind after removal: $left"
say "1 passed, 0 failed"
