#!/usr/bin/env bash
# Heft on Windows or macOS, on a developer's machine or on the GitHub Actions runners of
# .github/workflows/platforms.yml: the workflow runs these and nothing else, so what it runs is
# what a developer can run (in Git Bash on Windows).
#   scripts/platform.sh test                   the core's and the simulator's tests, session tests
#       included: they use this machine's own keychain (the Credential Manager, the macOS
#       Keychain) under throwaway service names (heft-test-…), which a runner throws away with
#       it; on a machine of your own they may leave such entries behind
#   scripts/platform.sh bundle nsis,msi        the desktop app and its installers, with Tauri's
#   scripts/platform.sh bundle app,dmg         own bundler (the Tauri CLI from npm, pinned)
# On Linux, `make test` and `make package` do this and more; `make windows` builds and tests for
# Windows from Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  test)
    cargo test -p heft -p withings-sim --no-run
    HEFT_IN_TEST_SESSION=1 cargo test -p heft -p withings-sim -- --include-ignored
    ;;
  bundle)
    bundles=${2:?which bundles: nsis,msi on Windows, app,dmg on macOS}
    [ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund --loglevel=error
    npm run build # the window's front end (ui/dist), which the app embeds
    (cd src-tauri && ../node_modules/.bin/tauri build --ci --bundles "$bundles")
    find target/release/bundle -maxdepth 2 -type f \( -name '*.exe' -o -name '*.msi' -o -name '*.dmg' \) \
      -exec ls -l {} \;
    find target/release/bundle -maxdepth 2 -type d -name '*.app' -exec du -sh {} \;
    ;;
  *)
    echo "usage: scripts/platform.sh test | bundle BUNDLES" >&2
    exit 2
    ;;
esac
