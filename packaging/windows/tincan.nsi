; tincan's Windows installer (NSIS 3, Modern UI 2), built by
; scripts/package-windows.sh with makensis on Linux:
;   makensis -DVERSION=0.1.0 -DEXE=path/tincan.exe -DICON=path/tincan.ico
;            -DOUTFILE=path/tincan-setup-0.1.0.exe tincan.nsi
;
; Per-user: no administrator rights, installs under
; %LocalAppData%\Programs\tincan, shortcuts and registry entries in the
; current user's profile only. Starting at login is the same HKCU Run value
; the app's own settings switch writes (core/autostart), so either can undo
; the other. The uninstaller keeps the user's data (%AppData%\tincan) unless
; the user ticks the box that removes it.
;
; Unattended: tincan-setup-X.exe /S [/STARTATLOGIN] [/D=DIR] installs;
; uninstall.exe /S [/REMOVEDATA] removes (the data only with /REMOVEDATA).

; A 64-bit installer for a 64-bit app (it also runs under Debian's wine64,
; which has no 32-bit side).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestDPIAware true

!ifndef VERSION
  !error "VERSION is not defined (makensis -DVERSION=...)"
!endif
!ifndef EXE
  !error "EXE is not defined (makensis -DEXE=path/to/tincan.exe)"
!endif
!ifndef ICON
  !error "ICON is not defined (makensis -DICON=path/to/tincan.ico)"
!endif
!ifndef OUTFILE
  !define OUTFILE "tincan-setup-${VERSION}.exe"
!endif

!define APPNAME "tincan"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\tincan"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "CompanyName" "${APPNAME}"
VIAddVersionKey "LegalCopyright" "${APPNAME} authors"

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!define MUI_FINISHPAGE_RUN "$INSTDIR\tincan.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start tincan now"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

Section "tincan" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=tincan.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\tincan.lnk" "$INSTDIR\tincan.exe" "" "$INSTDIR\tincan.exe" 0

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\tincan.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  SectionGetSize ${SecApp} $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

; Off by default; the app's settings switch turns it on or off later.
Section /o "Start tincan when I log in (in the tray)" SecLogin
  WriteRegStr HKCU "${RUNKEY}" "tincan" '"$INSTDIR\tincan.exe" --hidden'
SectionEnd

Section "un.tincan" UnSecApp
  SectionIn RO
  ; A running tincan holds its .exe open: ask the user to quit it first.
  retry:
  ClearErrors
  Delete "$INSTDIR\tincan.exe"
  IfErrors 0 deleted
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "tincan is still running. Quit it (its tray icon, Quit), then press Retry." /SD IDCANCEL IDRETRY retry
    Abort "tincan is still running."
  deleted:
  DeleteRegValue HKCU "${RUNKEY}" "tincan"
  Delete "$SMPROGRAMS\tincan.lnk"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd

; Off by default: messages, contacts and keys stay for a later install.
Section /o "un.Also remove my messages, contacts and keys" UnSecData
  RMDir /r "$APPDATA\tincan"
SectionEnd

; After the sections: these select them by their index.
Function .onInit
  SetShellVarContext current
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/STARTATLOGIN" $R1
  IfErrors +2
    SectionSetFlags ${SecLogin} ${SF_SELECTED}
FunctionEnd

Function un.onInit
  SetShellVarContext current
  ${un.GetParameters} $R0
  ClearErrors
  ${un.GetOptions} $R0 "/REMOVEDATA" $R1
  IfErrors +2
    SectionSetFlags ${UnSecData} ${SF_SELECTED}
FunctionEnd
