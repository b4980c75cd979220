#!/usr/bin/env bash
# Installs the .deb that scripts/package-linux.sh made into a clean Debian 12
# root, as a user would (`apt-get install ./tincan_*.deb`, dependencies from
# the mirror), runs `tincan --version` and a daemon answering `tincan status`
# there, and checks the tarball's install.sh into a scratch PREFIX and its
# --uninstall leaving nothing behind. Root only (chroot, mounts).
#
#   scripts/test-deb-install.sh [DEB [TAR_XZ]]   (default: build/dist/*)
#
# The clean root comes from debootstrap once (minutes) and is kept as a
# tarball under $HOME/.cache/tincan-chroot/ with the downloaded .debs beside
# it; every run unpacks a fresh copy into a throwaway directory (seconds).
# MIRROR overrides the Debian mirror; CHROOT_MAX_AGE_DAYS (default 7) when
# the cached root is rebuilt so its package lists stay current.
set -euo pipefail

cd "$(dirname "$0")/.."
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
cache=${TINCAN_CHROOT_CACHE:-$HOME/.cache/tincan-chroot}
base=$cache/$SUITE-minbase.tar
archives=$cache/apt-archives
max_age_days=${CHROOT_MAX_AGE_DAYS:-7}

die() {
	echo "test-deb-install: FAIL: $*" >&2
	exit 1
}
say() { echo "test-deb-install: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

[ "$(id -u)" -eq 0 ] || die "run as root (it builds a chroot and mounts /proc in it)"
deb=${1:-$(ls -t build/dist/tincan_*.deb 2>/dev/null | head -1)}
tarxz=${2:-$(ls -t build/dist/tincan-*-linux-*.tar.xz 2>/dev/null | head -1)}
[ -f "$deb" ] || die "no .deb: run scripts/package-linux.sh first"
[ -f "$tarxz" ] || die "no .tar.xz: run scripts/package-linux.sh first"
version=$(dpkg-deb -f "$deb" Version)
t_all=$(now)

# Everything this run creates, undone on any exit: mounts first (deepest
# first), then the daemon, then the scratch directories.
root=""
scratch=$(mktemp -d /tmp/tincan-debtest.XXXXXX)
daemon_pid=""
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
	if [ -n "$root" ]; then
		for m in "$root/var/cache/apt/archives" "$root/dev" "$root/proc"; do
			if mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m" || true; fi
		done
		# Only remove the root once nothing is mounted in it.
		if ! grep -q " $root/" /proc/self/mounts; then rm -rf "$root"; else echo "test-deb-install: left $root (still mounted)" >&2; fi
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. A clean root: from the cache, or debootstrap (and cache it).
mkdir -p "$cache" "$archives/partial"
if [ -f "$base" ] && [ -z "$(find "$base" -mtime +"$max_age_days")" ]; then
	t=$(now)
	root=$(mktemp -d /tmp/tincan-chroot.XXXXXX)
	tar -C "$root" -xf "$base"
	say "clean $SUITE root unpacked from the cache in $(since "$t") s"
else
	command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (apt-get install debootstrap)"
	t=$(now)
	root=$(mktemp -d /tmp/tincan-chroot.XXXXXX)
	say "debootstrap --variant=minbase $SUITE (first run, a few minutes)"
	debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$scratch/debootstrap.log" 2>&1 ||
		{ tail -20 "$scratch/debootstrap.log" >&2; die "debootstrap failed"; }
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	chroot "$root" apt-get update -qq || die "apt-get update in the new root failed"
	chroot "$root" apt-get clean
	tar -C "$root" -cf "$base.new" . && mv "$base.new" "$base"
	say "clean $SUITE root made by debootstrap in $(since "$t") s, cached as $base ($(du -h "$base" | cut -f1))"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A throwaway root needs no fsync after every file dpkg writes.
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/tincan-test-unsafe-io"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# The .debs apt downloads are kept between runs.
mount --bind "$archives" "$root/var/cache/apt/archives"

rootenv=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
in_root() { chroot "$root" "${rootenv[@]}" "$@"; }

# 2. apt-get install ./tincan_*.deb: the dependencies come from the mirror.
t=$(now)
cp "$deb" "$root/tmp/"
chmod 0644 "$root/tmp/$(basename "$deb")"
in_root env DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -q --no-install-recommends \
	"/tmp/$(basename "$deb")" >"$scratch/apt.log" 2>&1 || { tail -30 "$scratch/apt.log" >&2; die "apt-get install of $(basename "$deb") failed in a clean $SUITE root"; }
say "apt-get install ./$(basename "$deb") in $(since "$t") s: $(grep -c '^Setting up' "$scratch/apt.log") packages set up"
# The Recommends must resolve too (simulated: nothing is installed).
in_root apt-get -s install -y -q "/tmp/$(basename "$deb")" >"$scratch/apt-rec.log" 2>&1 ||
	{ tail -20 "$scratch/apt-rec.log" >&2; die "the package's Recommends do not resolve in $SUITE"; }
in_root dpkg-query -W -f='${Status}\n' tincan | grep -q "install ok installed" || die "dpkg does not list tincan as installed"

# 3. tincan --version from the installed package.
got=$(in_root tincan --version) || die "tincan --version failed in the clean root"
case $got in
"tincan $version (commit "*) say "in the root: $got" ;;
*) die "tincan --version printed \"$got\", expected \"tincan $version (commit …\"" ;;
esac

# 4. A daemon in the root answers tincan status --json, then stops cleanly.
# chroot and env exec, so $! is the daemon itself (a function run with &
# would put a subshell in between).
chroot "$root" "${rootenv[@]}" tincan daemon --keystore file --home /tmp/h --name Ann --listen 127.0.0.1:0 --no-overlay --no-lan \
	>"$scratch/daemon.log" 2>&1 &
daemon_pid=$!
t=$(now)
deadline=$((SECONDS + 90))
status=""
while [ $SECONDS -lt $deadline ]; do
	if status=$(in_root tincan --home /tmp/h status --json 2>/dev/null); then break; fi
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$scratch/daemon.log" >&2; die "the daemon exited before answering"; }
	status=""
	sleep 0.2
done
[ -n "$status" ] || { cat "$scratch/daemon.log" >&2; die "the daemon did not answer tincan status within 90 s"; }
printf '%s' "$status" | grep -q '"name":"Ann"' || die "tincan status --json does not name Ann: $status"
say "daemon in the root answered status --json after $(since "$t") s (identity created on first start)"
t=$(now)
kill -TERM "$daemon_pid"
deadline=$((SECONDS + 20))
while kill -0 "$daemon_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
kill -0 "$daemon_pid" 2>/dev/null && die "the daemon did not stop within 20 s of SIGTERM"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
[ "$rc" -eq 0 ] || { cat "$scratch/daemon.log" >&2; die "the daemon exited with $rc on SIGTERM, not 0"; }
say "daemon stopped cleanly on SIGTERM (exit 0) in $(since "$t") s"

# 5. The tarball's install.sh into a scratch PREFIX, then --uninstall.
t=$(now)
tar -C "$scratch" -xJf "$tarxz"
dir=$(find "$scratch" -mindepth 1 -maxdepth 1 -type d -name 'tincan-*' | head -1)
[ -x "$dir/install.sh" ] || die "the tarball has no install.sh at its top"
prefix=$scratch/prefix
mkdir -p "$prefix/share/applications"
echo keep >"$prefix/share/applications/other.desktop" # someone else's file
PREFIX=$prefix "$dir/install.sh" >/dev/null
"$prefix/bin/tincan" --version | grep -q "^tincan $version " || die "the tarball's tincan --version does not say $version"
grep -qx "Exec=$prefix/bin/tincan" "$prefix/share/applications/tincan.desktop" || die "install.sh did not point the menu entry at $prefix/bin/tincan"
for n in 16 24 32 48 64 128 256 512; do
	[ -f "$prefix/share/icons/hicolor/${n}x${n}/apps/tincan.png" ] || die "install.sh did not install the ${n}x${n} icon"
done
[ -f "$prefix/share/man/man1/tincan.1.gz" ] || die "install.sh did not install the man page"
PREFIX=$prefix "$dir/install.sh" --uninstall >/dev/null
left=$(cd "$prefix" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$left" = "./share ./share/applications ./share/applications/other.desktop " ] ||
	die "after --uninstall the PREFIX should hold only what was there before; it holds: $left"
say "tarball: install.sh into a scratch PREFIX and --uninstall left only what was there before, in $(since "$t") s"

say "all passed in $(since "$t_all") s"
