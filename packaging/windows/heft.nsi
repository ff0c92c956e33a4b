; Heft's Windows installer, for Debian's makensis (scripts/windows-installer.sh passes the
; defines). Tauri's own NSIS bundler downloads a plugin while it builds, which a machine without
; internet cannot do, so Heft keeps its own script: a per-user install (no administrator
; needed), like Tauri's default.
;
; What it installs, and the uninstaller takes away again:
;   %LOCALAPPDATA%\Programs\Heft\  heft-desktop.exe, WebView2Loader.dll, heft.exe, uninstall.exe
;   the folder on the user's PATH (so `heft` works in a new terminal)
;   a Start-menu entry "Heft"
;   the heft: URL handler (HKCU\Software\Classes\heft), for the OAuth callback by URL scheme
;   an entry in Settings > Apps (HKCU\...\Uninstall\Heft)
; The person's data (%APPDATA%\heft) and tokens (Credential Manager) are theirs: the uninstaller
; leaves them, as `heft disconnect --delete-data` is the way to remove them.
;
; Defines: VERSION, APP_EXE, CLI_EXE, LOADER_DLL, ICON, OUTFILE.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestDPIAware true

!include LogicLib.nsh
!include StrFunc.nsh
!include WinMessages.nsh
${StrStr}
${UnStrRep}

!define NAME "Heft"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Heft"
!define WEBVIEW2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

Name "${NAME}"
OutFile "${OUTFILE}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$LOCALAPPDATA\Programs\${NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "Heft installer"
VIAddVersionKey "LegalCopyright" "The Heft developers"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

; Says `text` to the person: in a message box, or, in a silent install, on the console that
; started the installer (an administrator's deployment script reads it there).
!macro Tell text
  IfSilent 0 +4
    System::Call 'kernel32::GetStdHandle(i -11) p .r9'
    FileWrite $9 "heft installer: ${text}$\r$\n"
    Goto +2
  MessageBox MB_OK|MB_ICONINFORMATION "${text}"
!macroend

Function CheckWebView2
  ; Microsoft's documented check: the runtime's version under EdgeUpdate, per machine or per user.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    DetailPrint "Microsoft Edge WebView2 Runtime: not found"
    IfSilent silent
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "Heft's window needs the Microsoft Edge WebView2 Runtime, which this computer does not have yet (Windows 11 has it; some Windows 10 computers do not).$\r$\n$\r$\nHeft will be installed; its window opens once the runtime is there. Open Microsoft's download page now?" IDNO done
    ExecShell "open" "${WEBVIEW2_URL}"
    Goto done
    silent:
    !insertmacro Tell "Heft's window needs the Microsoft Edge WebView2 Runtime, which this computer does not have: get it from ${WEBVIEW2_URL} (the heft command works without it)"
    done:
  ${Else}
    DetailPrint "Microsoft Edge WebView2 Runtime: $0"
  ${EndIf}
FunctionEnd

Section "Heft"
  SetOutPath "$INSTDIR"
  File "/oname=heft-desktop.exe" "${APP_EXE}"
  File "/oname=WebView2Loader.dll" "${LOADER_DLL}"
  File "/oname=heft.exe" "${CLI_EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${NAME}.lnk" "$INSTDIR\heft-desktop.exe" "" "$INSTDIR\heft-desktop.exe" 0

  ; The heft: URL scheme, for the OAuth callback when the redirect URI is heft://callback.
  WriteRegStr HKCU "Software\Classes\heft" "" "URL:Heft"
  WriteRegStr HKCU "Software\Classes\heft" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\heft\DefaultIcon" "" "$INSTDIR\heft-desktop.exe,0"
  WriteRegStr HKCU "Software\Classes\heft\shell\open\command" "" '"$INSTDIR\heft-desktop.exe" "%1"'

  ; The CLI on the user's PATH. ReadRegStr stops at NSIS's string limit: a PATH that long is
  ; left alone rather than cut short, and the person is told.
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $1 $0
  IntOp $3 ${NSIS_MAX_STRLEN} - 300
  ${StrStr} $2 ";$0;" ";$INSTDIR;"
  ${If} $2 != ""
    DetailPrint "PATH already has $INSTDIR"
  ${ElseIf} $1 > $3
    !insertmacro Tell "Your PATH is too long for this installer to change safely; add $INSTDIR to it to use the heft command in a terminal."
  ${Else}
    ${If} $0 == ""
      WriteRegExpandStr HKCU "Environment" "Path" "$INSTDIR"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$0;$INSTDIR"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
  ${EndIf}

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "The Heft developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\heft-desktop.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  Call CheckWebView2
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\heft-desktop.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\heft.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${NAME}.lnk"
  DeleteRegKey HKCU "Software\Classes\heft"

  ; Take the folder off PATH again, wherever it is in the list.
  ReadRegStr $0 HKCU "Environment" "Path"
  ${UnStrRep} $1 ";$0;" ";$INSTDIR;" ";"
  ${If} $1 != ";$0;"
    StrCpy $1 $1 "" 1
    StrCpy $1 $1 -1
    ${If} $1 == ""
      DeleteRegValue HKCU "Environment" "Path"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$1"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
  ${EndIf}

  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
