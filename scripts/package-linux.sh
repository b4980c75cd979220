#!/usr/bin/env bash
# Builds tincan's Linux packages from this checkout, without touching the
# tracked files (no `fyne package`: it bumps FyneApp.toml's Build):
#
#   build/tincan                                 the binary (version + commit)
#   build/dist/tincan_<version>_<arch>.deb        for Debian and Ubuntu
#   build/dist/tincan-<version>-linux-<arch>.tar.xz  same files under usr/,
#                                                 with install.sh, for others
#
# REF=HEAD packages the last commit instead of the working tree. Then runs
# lintian on the .deb (no errors allowed) when lintian is present
# (LINTIAN=0 skips it) and prints each artifact's size.
# Needs: go, gcc and the -dev libraries (scripts/deps.sh), dpkg-dev
# (dpkg-shlibdeps), imagemagick, xz-utils; lintian for the check.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
out=build/dist
work=build/pkg-linux

die() {
	echo "package-linux: $*" >&2
	exit 1
}

for tool in "$GO" dpkg-deb dpkg-shlibdeps convert xz gzip; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install dpkg-dev imagemagick xz-utils)"
done

# What is packaged: the working tree, or with REF=<commit> (REF=HEAD for a
# release) exactly that commit, exported to a scratch directory, so that
# edits in progress cannot end up in a package.
rm -rf "$work"
mkdir -p "$work"
if [ -n "${REF:-}" ]; then
	src=$work/src
	mkdir -p "$src"
	git archive "$REF" | tar -x -C "$src"
	commit=$(git rev-parse --short=12 "$REF")
else
	src=.
	commit=$(git rev-parse --short=12 HEAD)
	git diff --quiet HEAD -- . 2>/dev/null || commit="$commit+dirty"
fi

# The version is FyneApp.toml's; cmd/tincan/version.go must say the same
# (its test checks), and the binary's --version is checked below.
version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$src/FyneApp.toml" | head -1)
[ -n "$version" ] || die "no Version in FyneApp.toml"
arch=$(dpkg --print-architecture)
goarch=$($GO env GOARCH)
# Reproducible timestamps: the commit's time, not the build's.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
maintainer=${MAINTAINER:-"$(git config user.name || echo tincan maintainers) <$(git config user.email || echo maintainers@invalid)>"}

# 1. The binary. -s -w: Debian ships stripped binaries (panics still print
# Go stack traces); relro and bind-now as Debian's hardening asks. nolibopusfile: tincan decodes no Ogg files, so it needs
# neither libopusfile nor libogg.
echo "package-linux: building build/tincan $version (commit $commit)"
mkdir -p build
# -trimpath only for a release (REF=...): a package of the working tree
# (make test) then reuses `make build`'s compiled packages and only links.
trim=""
[ -n "${REF:-}" ] && trim="-trimpath"
nice -n 10 "$GO" -C "$src" build $trim -buildvcs=false -tags nolibopusfile,no_animations \
	-ldflags "-s -w -X main.commitOverride=$commit -extldflags '-Wl,-z,relro -Wl,-z,now'" -o "$PWD/build/tincan" ./cmd/tincan
got=$(./build/tincan --version)
case $got in
"tincan $version (commit $commit"*) echo "package-linux: $got" ;;
*) die "build/tincan --version says \"$got\", expected tincan $version (commit $commit, ...): make cmd/tincan/version.go's version equal FyneApp.toml's Version" ;;
esac

# 2. The tree both packages share, under $root/usr.
root=$work/root
doc=$root/usr/share/doc/tincan
mkdir -p "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/man/man1" "$doc"
install -m 0755 build/tincan "$root/usr/bin/tincan"
# tincan.desktop, not chat.tincan.app.desktop (FyneApp.toml's ID): the notifications name the entry
# "tincan" (ui/callnotify_dbus.go) and the window's class is tincan.
install -m 0644 "$src/packaging/tincan.desktop" "$root/usr/share/applications/tincan.desktop"
for n in 16 24 32 48 64 128 256 512; do
	d=$root/usr/share/icons/hicolor/${n}x${n}/apps
	mkdir -p "$d"
	convert "$src/assets/icon.png" -resize "${n}x${n}" -strip -define png:exclude-chunks=date,time "PNG32:$d/tincan.png"
	chmod 0644 "$d/tincan.png"
done
sed "s/@VERSION@/$version/" "$src/packaging/linux/tincan.1" | gzip -9n >"$root/usr/share/man/man1/tincan.1.gz"
chmod 0644 "$root/usr/share/man/man1/tincan.1.gz"

# The copyright file: ours, then every Go module compiled into the binary
# with its licence (Apache-2.0 by reference, as Debian policy asks).
{
	cat "$src/packaging/linux/copyright.head"
	printf '\nThe Go standard library (Go %s):\n\n' "$($GO env GOVERSION)"
	sed 's/^/ /; s/^ $/ ./' "$($GO env GOROOT)/LICENSE"
	modcache=$($GO env GOMODCACHE)
	"$GO" version -m build/tincan | awk '$1=="dep"{print $2, $3}' | while read -r mod ver; do
		# The module cache escapes capitals as !lower.
		dir="$modcache/$(printf '%s' "$mod" | sed 's/[A-Z]/!\L&/g')@$ver"
		printf '\n%s %s:\n\n' "$mod" "$ver"
		found=0
		for f in "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* "$dir"/UNLICENSE*; do
			[ -f "$f" ] || continue
			found=1
			if grep -q 'Apache License' "$f" && grep -q 'Version 2.0' "$f"; then
				echo " Apache License 2.0: see /usr/share/common-licenses/Apache-2.0"
			else
				sed 's/^/ /; s/^ $/ ./; s/[[:space:]]*$//' "$f"
			fi
		done
		[ "$found" = 1 ] || die "no licence file for $mod $ver in $dir"
	done
} >"$doc/copyright"
chmod 0644 "$doc/copyright"

# A native package's changelog (Debian's format, for lintian and apt).
date_rfc=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
printf 'tincan (%s) unstable; urgency=medium\n\n  * Release %s, built from commit %s.\n\n -- %s  %s\n' \
	"$version" "$version" "$commit" "$maintainer" "$date_rfc" | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# 3. The .deb. Depends: what the binary links (dpkg-shlibdeps reads its
# NEEDED entries and the shlibs files of the libraries found), plus what it
# loads with dlopen that no tool can see: miniaudio needs ALSA or PulseAudio
# for calls. GLFW dlopens the X extension libraries (cursor shapes, screens,
# input), which every X desktop has: Recommends.
shl=$work/shlibs
mkdir -p "$shl/debian"
printf 'Source: tincan\n\nPackage: tincan\nArchitecture: any\n' >"$shl/debian/control"
shlibs=$(cd "$shl" && dpkg-shlibdeps -O "$OLDPWD/$root/usr/bin/tincan" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no libraries for build/tincan"
depends="$shlibs, libasound2 | libpulse0"
recommends="gnome-keyring | keepassxc | libkf5wallet-bin, dbus-user-session | dbus-x11, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: tincan
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Recommends: $recommends
Section: net
Priority: optional
Description: serverless, end-to-end encrypted chat and voice calls
 tincan is a peer-to-peer desktop chat and voice-call app with no server in
 the middle. Every message travels over a TLS 1.3 session pinned to the
 contact's key; the private key is sealed under a master key kept in the
 desktop keychain (the Secret Service). Contacts find each other through an
 overlay of tincan nodes, through NATs by hole punching and port mapping,
 with relays only when the user consents. Calls use Opus with forward error
 correction, an adaptive jitter buffer and echo cancellation.
 .
 The same program runs as a headless daemon and as a command-line client.
EOF
chmod 0644 "$root/DEBIAN/control"
(cd "$root" && find usr -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
deb=$out/tincan_${version}_${arch}.deb
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

# 4. The tarball: the same usr/ tree, install.sh beside it.
tdir=tincan-$version-linux-$goarch
tgz=$out/$tdir.tar.xz
stage=$work/tar/$tdir
mkdir -p "$stage"
cp -a "$root/usr" "$stage/"
install -m 0755 "$src/packaging/linux/install.sh" "$stage/install.sh"
touch -d "@$SOURCE_DATE_EPOCH" "$stage" "$stage/install.sh"
rm -f "$tgz"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
	-cf - "$tdir" | xz -9 -T1 >"$tgz"

# 5. lintian: no errors allowed; warnings and notes are printed.
if [ "${LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null 2>&1; then
	echo "package-linux: lintian $deb"
	report=$(lintian --no-cfg --display-info "$deb" 2>&1 || true)
	[ -z "$report" ] || printf '%s\n' "$report"
	if printf '%s\n' "$report" | grep -q '^E: '; then
		die "lintian reports errors in $deb"
	fi
elif [ "${LINTIAN:-1}" != 0 ]; then
	echo "package-linux: lintian is not installed; the .deb was not checked (apt-get install lintian)"
fi

echo "package-linux: artifacts"
for f in build/tincan "$deb" "$tgz"; do
	printf '  %-48s %6s  (%s bytes)\n' "$f" "$(du -h --apparent-size "$f" | cut -f1)" "$(stat -c %s "$f")"
done
