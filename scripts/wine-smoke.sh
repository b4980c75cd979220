#!/usr/bin/env bash
# wine-smoke.sh: run the Windows build under Wine (Debian's wine64), no
# display needed.
#
#   scripts/wine-smoke.sh [build/dist/tincan-setup-VERSION.exe | build/dist/tincan.exe]
#
# 0. Given the installer (the default when it exists): a silent per-user
#    install (/S /STARTATLOGIN) is checked on disk and in the registry, and
#    the installed tincan.exe is the one tested below. At the end the
#    uninstaller runs silently twice (after a reinstall): it must keep the
#    data, then remove it when asked (/REMOVEDATA).
# 1. `tincan.exe --version` must print "tincan <FyneApp.toml's Version>".
# 2. core/control's tests, built for Windows, run under Wine (the loopback
#    transport with its token: what the CLI and the daemon talk over).
# 3. Two `tincan.exe daemon --keystore file` on 127.0.0.1 chat through the
#    CLI contract (id --json, status --json, contacts add --addr, send,
#    history --json) until each one's message is in the other's history.
#
# 4. With Xvfb on the machine: the desktop app opens a window on a fresh
#    home (screenshot in build/wine-gui.png) and a second start hands off to
#    it and exits 0 (one instance per home, over the loopback control).
# 5. The uninstaller (see 0).
#
# What Wine cannot check here: the Credential Manager keystore (--keystore
# file is used), the tray's menu, audio devices.
# Wine 8.0 also lacks bcryptprimitives.dll (ProcessPrng), which the Go
# runtime needs and every Windows 10/11 has: a stand-in built here with
# mingw-w64 goes into the throwaway prefix only, never into a package.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ver=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n1)
ARG=${1:-build/dist/tincan-setup-$ver.exe}
[ -n "${1:-}" ] || [ -f "$ARG" ] || ARG=build/dist/tincan.exe
[ -f "$ARG" ] || die "no $ARG (scripts/package-windows.sh builds it)"
ARG=$(realpath "$ARG")
SETUP=
case "$(basename "$ARG")" in tincan-setup-*) SETUP=$ARG ;; *) EXE=$ARG ;; esac
HOST=x86_64-w64-mingw32
DEADLINE=${WINE_SMOKE_DEADLINE:-90} # seconds for each wait
START=$SECONDS

say() { printf '%s\n' "wine-smoke: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

missing=()
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || missing+=(wine64)
command -v $HOST-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]})); then
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
fi
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tincan-wine.XXXXXX")
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEARCH=win64
# No Mono or Gecko download prompts; no display for anything that asks.
export WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
LOGS=$WORK/logs
mkdir -p "$LOGS"

XVFB=
cleanup() {
	local rc=$?
	[ -z "$XVFB" ] || kill "$XVFB" 2>/dev/null || true
	# Ends every process of this prefix (and only of it): the daemons too.
	"$WINESERVER" -k 2>/dev/null || true
	if ((rc != 0)); then
		for f in "$LOGS"/*.log; do
			[ -s "$f" ] && { say "--- $(basename "$f")"; tail -n 40 "$f" >&2; }
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# Xvfb from the start: Wine's desktop for the whole prefix is made by its
# first program, and one made without a display never shows a window.
if command -v Xvfb >/dev/null; then
	Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$WORK/display" 2>"$LOGS/xvfb.log" &
	XVFB=$!
	end=$((SECONDS + DEADLINE))
	until [ -s "$WORK/display" ]; do
		((SECONDS < end)) || die "Xvfb did not start"
		sleep 0.2
	done
	export DISPLAY=:$(cat "$WORK/display")
fi

t0=$SECONDS
"$WINE" wineboot --init >"$LOGS/wineboot.log" 2>&1 || die "wineboot could not make a prefix"
"$WINESERVER" -w
cat >"$WORK/bcp.c" <<'C'
/* ProcessPrng as Windows 10+'s bcryptprimitives.dll has it (Wine 8 lacks
   the DLL; the Go runtime cannot start without it). */
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
C
printf 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n' >"$WORK/bcp.def"
sys32=$WINEPREFIX/drive_c/windows/system32
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
	$HOST-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" "$WORK/bcp.c" "$WORK/bcp.def" -lbcrypt
fi
say "Wine prefix ready in $((SECONDS - t0)) s ($("$WINE" --version))"

# Where Wine keeps the user's profile, seen from Linux.
PROFILE=$WINEPREFIX/drive_c/users/$(id -un)
APPDATA=$PROFILE/AppData/Roaming
INSTDIR=$PROFILE/AppData/Local/Programs/tincan
UNINSTKEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\tincan'
RUNKEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'

# regvalue KEY NAME prints a registry value (empty if there is none).
regvalue() {
	"$WINE" reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' |
		sed -n "s/^[[:space:]]*$2[[:space:]]*REG_[A-Z_]*[[:space:]]*//p"
}

# install runs the installer silently and waits for it.
install() {
	timeout 120 "$WINE" "$SETUP" /S "$@" </dev/null >"$LOGS/install.log" 2>&1 || die "the installer failed"
	"$WINESERVER" -w
}

# uninstall runs the uninstaller silently and waits for it (it copies
# itself to a temporary file and runs from there).
uninstall() {
	timeout 120 "$WINE" "$INSTDIR/uninstall.exe" /S "$@" </dev/null >"$LOGS/uninstall.log" 2>&1 || die "the uninstaller failed"
	"$WINESERVER" -w
}

# 0. The installer.
if [ -n "$SETUP" ]; then
	t0=$SECONDS
	install /STARTATLOGIN
	EXE=$INSTDIR/tincan.exe
	[ -f "$EXE" ] || die "the installer put no tincan.exe in $INSTDIR"
	[ -f "$INSTDIR/uninstall.exe" ] || die "the installer wrote no uninstaller"
	[ -f "$APPDATA/Microsoft/Windows/Start Menu/Programs/tincan.lnk" ] || die "no Start-menu shortcut"
	[ "$(regvalue "$UNINSTKEY" DisplayVersion)" = "$ver" ] || die "Add/Remove Programs has no tincan $ver"
	case "$(regvalue "$RUNKEY" tincan)" in
	*'tincan.exe" --hidden') ;;
	*) die "/STARTATLOGIN wrote no Run value starting tincan --hidden: '$(regvalue "$RUNKEY" tincan)'" ;;
	esac
	say "installed per-user in $((SECONDS - t0)) s: tincan.exe, uninstaller, Start-menu shortcut, Add/Remove Programs entry, start at login"
fi

# tincan runs tincan.exe with a time limit, stdin closed.
tincan() { timeout 60 "$WINE" "$EXE" "$@" </dev/null; }

# 1. --version
out=$(tincan --version 2>"$LOGS/version.log") || die "tincan.exe --version failed"
case "$out" in
"tincan $ver "*) say "--version: $out" ;;
*) die "tincan.exe --version printed '$out', want it to start with 'tincan $ver'" ;;
esac

# 2. core/control's Windows tests (pure Go: a few seconds to build).
t0=$SECONDS
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOCACHE=${GOCACHE_CROSS:-$HOME/.cache/tincan-cross/gocache} \
	go test -c -o "$WORK/control.test.exe" ./core/control
timeout 120 "$WINE" "$WORK/control.test.exe" -test.count=1 -test.run 'Windows|Endpoint|Decode' \
	>"$LOGS/control-test.log" 2>&1 </dev/null || die "core/control's tests failed under Wine"
say "core/control's Windows tests passed under Wine ($((SECONDS - t0)) s)"

# 3. Two daemons chatting over loopback through the CLI.
# poll WHAT CMD... retries CMD until it succeeds; it fails when DEADLINE
# passes or a daemon has exited.
DAEMONS=()
poll() {
	local what=$1 end=$((SECONDS + DEADLINE)) p
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || die "timed out after ${DEADLINE} s waiting for $what"
		for p in "${DAEMONS[@]}"; do
			kill -0 "$p" 2>/dev/null || die "a daemon exited while waiting for $what"
		done
		sleep 0.5
	done
}

# Ana's home is where the app keeps its data (%AppData%\tincan), so that
# the uninstaller has real data to keep or remove.
homeA='C:\users\'"$(id -un)"'\AppData\Roaming\tincan'
homeB='C:\tincan-smoke\ben'
t0=$SECONDS
"$WINE" "$EXE" daemon --keystore file --home "$homeA" --name Ana --listen 127.0.0.1:0 \
	--no-overlay --no-lan --no-portmap >"$LOGS/ana.log" 2>&1 </dev/null &
DAEMONS+=($!)
"$WINE" "$EXE" daemon --keystore file --home "$homeB" --name Ben --listen 127.0.0.1:0 \
	--no-overlay --no-lan --no-portmap >"$LOGS/ben.log" 2>&1 </dev/null &
DAEMONS+=($!)
poll "Ana's daemon to answer" tincan --home "$homeA" id
poll "Ben's daemon to answer" tincan --home "$homeB" id
say "two daemons answer ($((SECONDS - t0)) s)"

cardA=$(tincan --home "$homeA" id --json | jq -er .card)
cardB=$(tincan --home "$homeB" id --json | jq -er .card)
addrA=$(tincan --home "$homeA" status --json | jq -er .listen)
addrB=$(tincan --home "$homeB" status --json | jq -er .listen)
[ "$cardA" != "$cardB" ] || die "both daemons have the same card"
case "$addrA$addrB" in 127.0.0.1:*127.0.0.1:*) ;; *) die "daemons listen on $addrA and $addrB, not loopback" ;; esac

tincan --home "$homeA" contacts add Ben "$cardB" --addr "$addrB" >/dev/null
tincan --home "$homeB" contacts add Ana "$cardA" --addr "$addrA" >/dev/null
tincan --home "$homeA" send Ben "hello from Ana under Wine" >/dev/null
tincan --home "$homeB" send Ana "hi Ana" >/dev/null

# has HOME PEER DIR TEXT: PEER's history in HOME holds message TEXT going DIR,
# and an outgoing one delivered.
has() {
	tincan --home "$1" history "$2" --json |
		jq -e --arg d "$3" --arg t "$4" \
			'any(.[]; .direction == $d and .text == $t and (.direction == "in" or .state == "delivered"))'
}
poll "Ana's message in Ben's history" has "$homeB" Ana in "hello from Ana under Wine"
poll "Ben's message in Ana's history" has "$homeA" Ben in "hi Ana"
poll "Ana's message delivered" has "$homeA" Ben out "hello from Ana under Wine"
say "two daemons chatted over loopback ($((SECONDS - t0)) s)"

# 4. The desktop app under Xvfb.
if [ -n "$XVFB" ]; then
	t0=$SECONDS
	"$WINE" "$EXE" --home 'C:\tincan-gui' --keystore file >"$LOGS/gui.log" 2>&1 </dev/null &
	DAEMONS=($!)
	poll "the app to claim its home" test -s "$WINEPREFIX/drive_c/tincan-gui/control.sock"
	sleep 3 # let the window paint: a picture for people, nothing waits on it
	import -window root "$ROOT/build/wine-gui.png" 2>/dev/null || true
	timeout 60 "$WINE" "$EXE" --home 'C:\tincan-gui' --keystore file >"$LOGS/gui2.log" 2>&1 </dev/null ||
		die "a second start of the app did not hand off and exit 0"
	kill -0 "${DAEMONS[0]}" 2>/dev/null || die "the first app exited when the second started"
	say "the app runs under Xvfb and a second start handed off to it ($((SECONDS - t0)) s; build/wine-gui.png)"
fi

# 5. The uninstaller: keeps the data, then removes it when asked.
if [ -n "$SETUP" ]; then
	"$WINESERVER" -k # the daemons and the app; the .exe cannot go while it runs
	"$WINESERVER" -w
	DAEMONS=()
	[ -f "$APPDATA/tincan/tincan.db" ] || die "Ana's data is not in %AppData%\\tincan"
	uninstall
	[ ! -e "$EXE" ] || die "the uninstaller left tincan.exe"
	[ ! -e "$APPDATA/Microsoft/Windows/Start Menu/Programs/tincan.lnk" ] || die "the uninstaller left the shortcut"
	[ -z "$(regvalue "$UNINSTKEY" DisplayVersion)" ] || die "the uninstaller left the Add/Remove Programs entry"
	[ -z "$(regvalue "$RUNKEY" tincan)" ] || die "the uninstaller left the Run value"
	[ -f "$APPDATA/tincan/tincan.db" ] || die "the uninstaller removed the data without being asked"
	install
	[ -z "$(regvalue "$RUNKEY" tincan)" ] || die "start at login was on without /STARTATLOGIN"
	uninstall /REMOVEDATA
	[ ! -e "$APPDATA/tincan" ] || die "the uninstaller kept the data with /REMOVEDATA"
	say "uninstalled: data kept by default, removed with /REMOVEDATA"
fi

say "passed in $((SECONDS - START)) s"
