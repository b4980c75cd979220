#!/usr/bin/env bash
# package-windows.sh: the Windows build of tincan, made on Debian.
#
#   scripts/package-windows.sh [all|tools|libs|exe|check|installer]
#
# tools      installs what is missing (mingw-w64, nsis, imagemagick, dpkg-dev)
# libs       builds libopus and libspeexdsp from Debian's sources as static
#            mingw libraries under $TINCAN_CROSS (default ~/.cache/tincan-cross),
#            one prefix per source version, reused when already built
# exe        cross-builds build/dist/tincan.exe (GUI subsystem, icon, version
#            resource, C libraries linked statically) with its own GOCACHE
# check      fails if tincan.exe imports a DLL that is not part of Windows
# installer  build/dist/tincan-setup-<version>.exe (NSIS, per-user)
# all        every step above, in order (the default)
#
# Environment: GOCACHE_CROSS overrides the cross build's Go cache (a cold
# build is timed with a fresh one); JOBS the make jobs for the C libraries.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
HOST=x86_64-w64-mingw32
CROSS=${TINCAN_CROSS:-$HOME/.cache/tincan-cross}
GOCACHE_CROSS=${GOCACHE_CROSS:-$CROSS/gocache}
DIST=$ROOT/build/dist
EXE=$DIST/tincan.exe
JOBS=${JOBS:-$(nproc)}
# RECIPE changes when the way the libraries are built changes, so an old
# prefix is not reused for a new recipe.
RECIPE=r1
# The .syso the Go linker picks up; _windows_amd64 keeps every other build
# from ever seeing it, and it exists only while `go build` runs.
SYSO=$ROOT/cmd/tincan/zz_tincan_resources_windows_amd64.syso

say() { printf '%s\n' "package-windows: $*" >&2; }
die() { say "$*"; exit 1; }

# version is FyneApp.toml's Version (cmd/tincan's version_test keeps the
# binary's equal to it).
version() {
	sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n1
}

# commit is what `make build` stamps: the short commit, +dirty if the tree
# has uncommitted changes.
commit() {
	local c
	c=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD 2>/dev/null || c="$c+dirty"
	echo "$c"
}

size() { printf '%s  %s bytes (%s)\n' "${1#"$ROOT"/}" "$(stat -c %s "$1")" "$(du -h "$1" | cut -f1)"; }

tools() {
	local missing=()
	command -v $HOST-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
	command -v $HOST-windres >/dev/null || missing+=(binutils-mingw-w64-x86-64)
	command -v makensis >/dev/null || missing+=(nsis)
	command -v convert >/dev/null || missing+=(imagemagick)
	command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
	command -v pkg-config >/dev/null || missing+=(pkg-config)
	command -v make >/dev/null || missing+=(make)
	if ((${#missing[@]})); then
		say "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" ||
			{ apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"; }
	fi
}

# srcversion PKG prints the Debian version of the source package that the
# candidate binary package PKG comes from (a binNMU's +bN dropped). It needs
# no deb-src line, so a cached prefix is found with no network at all.
srcversion() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1 | sed 's/+b[0-9]*$//'
}

# debsrc makes sure apt knows source packages: a deb-src line for the suite
# the machine runs, in a file of our own.
debsrc() {
	if apt-cache showsrc opus 2>/dev/null | grep -q '^Version:'; then
		return
	fi
	local list=/etc/apt/sources.list.d/tincan-deb-src.sources suite
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	say "adding deb-src for $suite in $list"
	cat >"$list" <<SRC
# Added by tincan's scripts/package-windows.sh: source packages (opus,
# speexdsp) for static Windows libraries built with mingw-w64.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get -o DPkg::Lock::Timeout=600 update
}

# buildlib NAME BINPKG CONFIGURE-ARGS... builds the Debian source package
# NAME at the version BINPKG has into $CROSS/NAME-VERSION-RECIPE and prints
# that prefix. A prefix with its .done marker is reused as it is.
buildlib() {
	local name=$1 bin=$2 ver prefix work src
	shift 2
	ver=$(srcversion "$bin")
	[ -n "$ver" ] || die "apt knows no package $bin (run apt-get update)"
	prefix=$CROSS/$name-$ver-$RECIPE
	if [ -f "$prefix/.done" ]; then
		echo "$prefix"
		return
	fi
	debsrc
	rm -rf "$prefix"
	work=$(mktemp -d "${TMPDIR:-/tmp}/tincan-$name.XXXXXX")
	chmod 755 "$work" # apt-get source downloads as _apt
	say "building $name $ver for $HOST into $prefix (log: $work/build.log)"
	local start=$SECONDS
	if ! (
		cd "$work"
		apt-get source -qq "$name=$ver"
		src=$(find . -maxdepth 1 -mindepth 1 -type d -name "$name-*" | head -n1)
		cd "$src"
		# -D_FORTIFY_SOURCE=0: Debian's compiler defaults would otherwise
		# call __memcpy_chk, which mingw's C runtime does not have.
		./configure --host=$HOST --prefix="$prefix" --enable-static --disable-shared \
			CFLAGS="-O2 -D_FORTIFY_SOURCE=0" "$@"
		nice -n 10 make -j"$JOBS"
		make install
	) >"$work/build.log" 2>&1; then
		tail -n 30 "$work/build.log" >&2
		die "building $name failed; the whole log is $work/build.log"
	fi
	rm -rf "$work"
	echo "$name $ver $RECIPE built in $((SECONDS - start)) s" >"$prefix/.done"
	say "$(cat "$prefix/.done")"
	echo "$prefix"
}

OPUS_PREFIX=
SPEEX_PREFIX=
libs() {
	mkdir -p "$CROSS"
	OPUS_PREFIX=$(buildlib opus libopus-dev \
		--disable-doc --disable-extra-programs --disable-stack-protector)
	SPEEX_PREFIX=$(buildlib speexdsp libspeexdsp-dev --disable-examples)
}

# resources writes the .syso with tincan.exe's icon, manifest and version
# resource into cmd/tincan, where only a windows/amd64 build picks it up.
# The caller removes it (see exe's trap).
resources() {
	local dir=$1 ver=$2 c=$3 nums
	convert assets/icon.png -define icon:auto-resize=256,128,64,48,32,16 "$dir/tincan.ico"
	IFS=. read -r a b d _ <<<"$ver"
	nums="${a:-0},${b:-0},${d:-0},0"
	sed -e "s|@VERSION@|$ver|g" -e "s|@VERSION_COMMAS@|$nums|g" -e "s|@COMMIT@|$c|g" \
		-e "s|@ICON@|$dir/tincan.ico|g" -e "s|@MANIFEST@|$ROOT/packaging/windows/tincan.exe.manifest|g" \
		packaging/windows/tincan.rc.in >"$dir/tincan.rc"
	$HOST-windres -O coff -i "$dir/tincan.rc" -o "$SYSO"
}

exe() {
	[ -n "$OPUS_PREFIX" ] || libs
	local ver c tmp start
	ver=$(version)
	c=$(commit)
	[ -n "$ver" ] || die "no Version in FyneApp.toml"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tincan-win.XXXXXX")
	# The .syso must sit in the main package's directory while go builds;
	# it goes again however the build ends.
	trap 'rm -f "$SYSO"; rm -rf "$tmp"' EXIT
	rm -f "$SYSO"
	resources "$tmp" "$ver" "$c"
	mkdir -p "$DIST"
	say "cross-building $EXE ($ver, commit $c, GOCACHE $GOCACHE_CROSS)"
	start=$SECONDS
	# Its own GOCACHE: the cache does not key cgo packages on
	# PKG_CONFIG_LIBDIR, so sharing the default one could mix host and mingw
	# objects. Cleared never; later builds take seconds.
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$HOST-gcc CXX=$HOST-g++ \
		PKG_CONFIG_LIBDIR="$OPUS_PREFIX/lib/pkgconfig:$SPEEX_PREFIX/lib/pkgconfig" \
		GOCACHE="$GOCACHE_CROSS" \
		nice -n 10 "$GO" build -trimpath -tags nolibopusfile,no_animations \
		-ldflags "-H=windowsgui -s -w -X main.commitOverride=$c" \
		-o "$EXE" ./cmd/tincan
	rm -f "$SYSO"
	rm -rf "$tmp"
	trap - EXIT
	say "tincan.exe built in $((SECONDS - start)) s"
	size "$EXE"
}

# ALLOWED are the DLLs every Windows 10/11 has in System32: tincan.exe may
# import these and nothing else (no libopus, libgcc, libwinpthread or other
# lib*.dll that a user would have to carry along).
ALLOWED="advapi32 bcrypt bcryptprimitives cfgmgr32 comctl32 comdlg32 crypt32
dnsapi dwmapi gdi32 hid imm32 iphlpapi kernel32 msvcrt ntdll ole32 oleaut32
opengl32 powrprof psapi secur32 setupapi shcore shell32 shlwapi user32 userenv
uxtheme version winhttp winmm winspool ws2_32 wsock32 xinput1_4"

check() {
	[ -f "$EXE" ] || die "no $EXE: build it first"
	local dlls bad=() d
	dlls=$($HOST-objdump -p "$EXE" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
	[ -n "$dlls" ] || die "objdump found no imports in $EXE"
	for d in $dlls; do
		case " $(echo $ALLOWED) " in
		*" ${d%.dll} "*) ;;
		*) bad+=("$d") ;;
		esac
	done
	if ((${#bad[@]})); then
		die "tincan.exe needs DLLs Windows does not ship: ${bad[*]}"
	fi
	say "tincan.exe imports only system DLLs: $(echo $dlls)"
}

installer() {
	[ -f "$EXE" ] || die "no $EXE: build it first"
	local ver tmp out
	ver=$(version)
	out=$DIST/tincan-setup-$ver.exe
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tincan-nsis.XXXXXX")
	convert assets/icon.png -define icon:auto-resize=256,128,64,48,32,16 "$tmp/tincan.ico"
	makensis -V2 -DVERSION="$ver" -DEXE="$EXE" -DICON="$tmp/tincan.ico" -DOUTFILE="$out" \
		packaging/windows/tincan.nsi >&2
	rm -rf "$tmp"
	size "$out"
}

case "${1:-all}" in
tools) tools ;;
libs) tools && libs && say "opus in $OPUS_PREFIX, speexdsp in $SPEEX_PREFIX" ;;
exe) tools && libs && exe ;;
check) check ;;
installer) tools && installer ;;
all) tools && libs && exe && check && installer ;;
*) die "unknown step $1 (tools, libs, exe, check, installer or all)" ;;
esac
