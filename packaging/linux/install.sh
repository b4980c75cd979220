#!/bin/sh
# Installs tincan from this unpacked tarball on any Linux distribution, or
# removes what an earlier run installed.
#
#   ./install.sh                  install under /usr/local (as root)
#   PREFIX=~/.local ./install.sh  install for yourself only, no root needed
#   ./install.sh --uninstall      remove it again (same PREFIX)
#
# Needs, from your distribution: libopus, libspeexdsp, libGL, libX11 (and for
# calls ALSA or PulseAudio); for the keychain a Secret Service provider
# (gnome-keyring, KeePassXC, KWallet) on a D-Bus session bus.
set -eu

PREFIX=${PREFIX:-/usr/local}
here=$(cd "$(dirname "$0")" && pwd)
manifest="$PREFIX/share/tincan/install-manifest"

usage() {
	echo "usage: [PREFIX=DIR] $0 [--uninstall]   (PREFIX defaults to /usr/local)" >&2
	exit 2
}

# refresh asks the desktop to notice new or removed entries and icons, only
# where the system keeps such caches already (it never creates one).
refresh() {
	if [ -f "$PREFIX/share/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
		update-desktop-database -q "$PREFIX/share/applications" || true
	fi
	if [ -f "$PREFIX/share/icons/hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
		gtk-update-icon-cache -q -t -f "$PREFIX/share/icons/hicolor" || true
	fi
}

uninstall() {
	if [ ! -f "$manifest" ]; then
		echo "tincan is not installed under $PREFIX (no $manifest)" >&2
		exit 1
	fi
	# Files first, then the directories this install created, deepest first,
	# and only while they are empty.
	dirs=$(grep '^d ' "$manifest.dirs" 2>/dev/null | cut -c3- | sort -r || true)
	grep '^f ' "$manifest" | cut -c3- | while IFS= read -r p; do rm -f "$PREFIX/$p"; done
	rm -f "$manifest" "$manifest.dirs"
	printf '%s\n' "$dirs" | while IFS= read -r p; do
		[ -n "$p" ] && rmdir "$PREFIX/$p" 2>/dev/null || true
	done
	refresh
	echo "tincan removed from $PREFIX (your chats and keys in ~/.config/tincan are kept)"
}

install_all() {
	if [ ! -x "$here/usr/bin/tincan" ]; then
		echo "run this script from the unpacked tincan tarball (no usr/bin/tincan beside it)" >&2
		exit 1
	fi
	mkdir -p "$PREFIX"
	# Directories this install creates (parents first), recorded so
	# --uninstall can remove them; directories that already existed are left
	# alone.
	created=$( (cd "$here/usr" && find . -mindepth 1 -type d | sed 's|^\./||'; echo share; echo share/tincan) |
		while IFS= read -r d; do
			if [ ! -d "$PREFIX/$d" ]; then
				mkdir -p "$PREFIX/$d"
				echo "d $d"
			fi
		done)
	: >"$manifest.new"
	printf '%s\n' "$created" | grep '^d ' >"$manifest.dirs.new" || true
	if [ -f "$manifest.dirs" ]; then cat "$manifest.dirs" >>"$manifest.dirs.new"; fi
	(cd "$here/usr" && find . -type f | sed 's|^\./||') | while IFS= read -r f; do
		mode=0644
		case $f in bin/*) mode=0755 ;; esac
		install -m "$mode" "$here/usr/$f" "$PREFIX/$f"
		echo "f $f" >>"$manifest.new"
	done
	# The menu entry names the installed binary, so it starts even when
	# $PREFIX/bin is not on the desktop session's PATH.
	desktop="$PREFIX/share/applications/tincan.desktop"
	sed "s|^Exec=tincan|Exec=$PREFIX/bin/tincan|" "$desktop" >"$desktop.new" && mv "$desktop.new" "$desktop"
	chmod 0644 "$desktop"
	sort -u "$manifest.dirs.new" >"$manifest.dirs" && rm -f "$manifest.dirs.new"
	mv "$manifest.new" "$manifest"
	refresh
	echo "tincan installed under $PREFIX: run $PREFIX/bin/tincan or pick tincan in your desktop's menu"
	echo "remove it with: PREFIX=$PREFIX $0 --uninstall"
}

case ${1:-} in
"") install_all ;;
--uninstall) uninstall ;;
*) usage ;;
esac
