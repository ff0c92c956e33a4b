#!/usr/bin/env bash
# Installs what Heft needs on Debian/Ubuntu, skipping what is already there.
#   scripts/deps.sh build   - to build the core, the simulator and the desktop app
#   scripts/deps.sh test    - also what the tests need (Xvfb, WebKit driver, a Secret Service)
#   scripts/deps.sh windows - also what `make windows` needs (MinGW, Wine, NSIS, Xvfb)
set -euo pipefail
what=${1:-build}

build_pkgs=(build-essential pkg-config libssl-dev libfontconfig1-dev libfreetype-dev
            libwebkit2gtk-4.1-dev libdbus-1-dev curl)
# The Tauri CLI that bundles the packages comes from npm.
command -v npm >/dev/null 2>&1 || build_pkgs+=(nodejs npm)
test_pkgs=(xvfb xauth imagemagick x11-utils webkit2gtk-driver gnome-keyring libsecret-tools
           dbus dbus-x11 xdg-utils desktop-file-utils appstream dunst)
windows_pkgs=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 nsis xvfb xauth x11-utils)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$what" = windows ] && pkgs+=("${windows_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "heft: please install these packages with your system's package manager: ${missing[*]}" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "heft: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "heft: system packages present"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "heft: Rust is missing; install it from https://rustup.rs and run this again" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

if [ "$what" = test ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "heft: installing tauri-driver (WebDriver for the desktop end-to-end tests)"
  cargo install tauri-driver --locked
fi
