#!/usr/bin/env bash
# Builds Heft's Linux packages with the Tauri CLI from the npm registry (pinned in
# package.json; prebuilt, so it installs in seconds) and prints their paths.
#   scripts/package.sh          release build: the .deb and the .rpm (`make package`)
#   scripts/package.sh --debug  the debug build the tests already made, as a .deb only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=release bundles=deb,rpm cargo_flags=(--release) tauri_flags=()
if [ "${1:-}" = --debug ]; then
  profile=debug bundles=deb cargo_flags=() tauri_flags=(--debug)
fi
if ! [ -x node_modules/.bin/tauri ]; then
  echo "heft: installing the Tauri CLI from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi
cargo build "${cargo_flags[@]}" -p heft-desktop -p heft --bin heft-desktop --bin heft
# The `heft` CLI of the same build goes into the package beside the app.
cli="../target/$profile/heft"
config=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/heft":"%s"}},"rpm":{"files":{"/usr/bin/heft":"%s"}}}}}' "$cli" "$cli")
rm -rf "target/$profile/bundle/deb" "target/$profile/bundle/rpm"
(cd src-tauri && ../node_modules/.bin/tauri bundle "${tauri_flags[@]}" --ci --bundles "$bundles" --config "$config")
find "target/$profile/bundle" -maxdepth 2 \( -name '*.deb' -o -name '*.rpm' \) -printf 'heft: built %p (%s bytes)\n'
