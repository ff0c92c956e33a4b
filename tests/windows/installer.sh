#!/usr/bin/env bash
# Heft's Windows installer under Wine, silently, as an administrator's deployment would run it:
# it installs the files, the Start-menu entry, the heft: URL handler, the PATH entry and the
# Settings > Apps entry; says the WebView2 runtime is missing (Wine has none) and how to get it;
# the installed heft.exe runs; the uninstaller takes every one of those away again and leaves
# the person's PATH as it was. Run by scripts/windows.sh with WINEPREFIX set.
# Usage: tests/windows/installer.sh INSTALLER_EXE
set -euo pipefail
installer=$1
fail() { echo "heft windows installer: FAILED: $*" >&2; exit 1; }
step() { echo "heft windows installer: $*"; }
reg_value() { wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v v="$2" '$1 == v { $1 = ""; $2 = ""; sub(/^ +/, ""); print }'; }
reg_default() { wine reg query "$1" /ve 2>/dev/null | tr -d '\r' | awk '/REG_SZ/ { sub(/.*REG_SZ +/, ""); print }'; }
has_key() { wine reg query "$1" >/dev/null 2>&1; }

appdata=$(wine cmd /c echo %LOCALAPPDATA% 2>/dev/null | tr -d '\r')
dir_win="$appdata\\Programs\\Heft"
dir=$(winepath -u "$dir_win")
start_menu=$(winepath -u "$(wine cmd /c echo %APPDATA% 2>/dev/null | tr -d '\r')\\Microsoft\\Windows\\Start Menu\\Programs")
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Heft'

# A run that failed half-way may have left Heft installed in this prefix (Heft's own): start clean.
if [ -e "$dir" ]; then
  wine "$dir/uninstall.exe" /S "_?=$dir_win" >/dev/null 2>&1 || true
  rm -rf "$dir"
fi
wine reg delete 'HKCU\Software\Microsoft\EdgeUpdate' /f >/dev/null 2>&1 || true

# A PATH of the person's own before, to prove the installer appends and the uninstaller restores.
wine reg add 'HKCU\Environment' /v Path /t REG_EXPAND_SZ /d 'C:\Tools;C:\Other Tools' /f >/dev/null 2>&1
[ ! -e "$dir" ] || fail "$dir exists before the install"

step "installing silently ($(du -h "$installer" | cut -f1))"
said=$(wine "$installer" /S 2>/dev/null | tr -d '\r') || fail "the installer failed"
for f in heft-desktop.exe WebView2Loader.dll heft.exe uninstall.exe; do
  [ -s "$dir/$f" ] || fail "$f is not in $dir"
done
[ -f "$start_menu/Heft.lnk" ] || fail "no Start-menu entry"
[ "$(reg_default 'HKCU\Software\Classes\heft')" = "URL:Heft" ] || fail "the heft: URL handler is not registered"
reg_value 'HKCU\Software\Classes\heft' "URL Protocol" >/dev/null || fail "heft: is not marked as a URL protocol"
command=$(reg_default 'HKCU\Software\Classes\heft\shell\open\command')
[ "$command" = "\"$dir_win\\heft-desktop.exe\" \"%1\"" ] || fail "the heft: handler runs $command"
path=$(reg_value 'HKCU\Environment' Path)
[ "$path" = "C:\\Tools;C:\\Other Tools;$dir_win" ] || fail "PATH after the install: $path"
[ "$(reg_value "$uninstall_key" DisplayName)" = "Heft" ] || fail "no Settings > Apps entry"
[ "$(reg_value "$uninstall_key" QuietUninstallString)" = "\"$dir_win\\uninstall.exe\" /S" ] || fail "no quiet uninstall"
grep -q "WebView2 Runtime.*go.microsoft.com" <<<"$said" \
  || fail "the missing WebView2 runtime was not reported; the installer said: $said"
step "  said: $said"
version=$(wine "$dir/heft.exe" --version 2>/dev/null | tr -d '\r')
[[ "$version" == heft* ]] || fail "the installed heft.exe does not run: $version"
step "  installed: $(du -sh "$dir" | cut -f1) in $dir_win; $version runs"

"$(dirname "$0")/desktop.sh" "$dir/heft-desktop.exe" "${HEFT_WINDOWS_SHOT:-}"

step "installing again over it (an upgrade), now with the WebView2 runtime: one PATH entry, nothing to say"
webview2='HKCU\Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}'
wine reg add "$webview2" /v pv /d 131.0.2903.86 /f >/dev/null 2>&1
said=$(wine "$installer" /S 2>/dev/null | tr -d '\r') || fail "the second install failed"
wine reg delete 'HKCU\Software\Microsoft\EdgeUpdate' /f >/dev/null 2>&1
[ -z "$said" ] || fail "with the runtime there, the installer said: $said"
path=$(reg_value 'HKCU\Environment' Path)
[ "$path" = "C:\\Tools;C:\\Other Tools;$dir_win" ] || fail "PATH after a second install: $path"

step "uninstalling silently"
# _?= runs the uninstaller in place, so this waits until it has finished.
wine "$dir/uninstall.exe" /S "_?=$dir_win" >/dev/null 2>&1 || fail "the uninstaller failed"
rm -f "$dir/uninstall.exe" # run in place, the uninstaller cannot delete itself
rmdir "$dir" 2>/dev/null || true
[ ! -e "$dir" ] || fail "left behind: $(ls -A "$dir")"
[ ! -e "$start_menu/Heft.lnk" ] || fail "the Start-menu entry is still there"
! has_key 'HKCU\Software\Classes\heft' || fail "the heft: URL handler is still registered"
! has_key "$uninstall_key" || fail "the Settings > Apps entry is still there"
path=$(reg_value 'HKCU\Environment' Path)
[ "$path" = "C:\\Tools;C:\\Other Tools" ] || fail "PATH after the uninstall: $path"
wine reg delete 'HKCU\Environment' /v Path /f >/dev/null 2>&1
step "passed: installed, checked, upgraded, uninstalled, nothing left"
