#!/usr/bin/env bash
# Cross-checks tincan's macOS code from Linux, where no macOS SDK exists:
# for GOOS=darwin on arm64 and amd64 with CGO_ENABLED=0, every package of
# the project whose dependencies need no cgo must build and pass `go vet`
# (which type-checks its tests too), so platform code cannot rot. Packages
# that need cgo (Fyne's darwin driver, miniaudio, libopus, speexdsp) cannot
# be built without a Mac's C toolchain: they are tried anyway and, when they
# fail, listed with the cgo packages they need. The headless daemon
# (`-tags nogui ./cmd/tincan`) is tried and reported the same way.
#
#   scripts/check-darwin.sh            exit 1 if a package that needs no cgo fails
#
# Uses its own build cache ($HOME/.cache/tincan-cross/darwin-gocache): the
# darwin objects never mix with the host's.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOCACHE=${DARWIN_GOCACHE:-$HOME/.cache/tincan-cross/darwin-gocache}
export GOOS=darwin CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false"
mkdir -p "$GOCACHE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# cgo_deps PKG...: for each package, the non-standard packages with C code
# (as the darwin build with cgo would see them) among it and its
# dependencies, tests' imports included: "pkg: dep dep ...".
cgo_deps() {
	CGO_ENABLED=1 "$GO" list -e -deps -test -f '{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}' "$@" |
		sed '/^$/d' | sort -u >"$tmp/cgoset"
	CGO_ENABLED=1 "$GO" list -e -test -f '{{.ImportPath}}|{{join .Deps "|"}}' "$@" |
		awk -F'|' -v set="$tmp/cgoset" 'BEGIN{while((getline l < set)>0) c[l]=1}
		{p=$1; sub(/ \[.*$/,"",p); sub(/\.test$/,"",p)
		 for(i=1;i<=NF;i++){d=$i; sub(/ \[.*$/,"",d); if((d in c) && !seen[p" "d]++) need[p]=need[p]" "d}}
		END{for(p in need) print p":"need[p]}'
}

# modules PKG...: the modules those cgo packages come from, shortened.
short() { tr ' ' '\n' | sed '/^$/d' | sed -E 's#^(fyne\.io/fyne/v2)/.*#\1 (darwin driver)#; s#^(github\.com/go-gl/[^/]+)/.*#\1#' | sort -u | tr '\n' ' '; }

for arch in arm64 amd64; do
	export GOARCH=$arch
	echo "check-darwin: GOOS=darwin GOARCH=$arch CGO_ENABLED=0"
	"$GO" list -e -f '{{.ImportPath}}' ./... | sort >"$tmp/all"
	cgo_deps ./... >"$tmp/needs"
	cut -d: -f1 "$tmp/needs" | sort -u >"$tmp/cgo-roots"
	comm -23 "$tmp/all" "$tmp/cgo-roots" >"$tmp/pure"

	# 1. Packages with no cgo anywhere below them: build and vet, all at once.
	t=$SECONDS
	if ! nice -n 10 "$GO" build $(cat "$tmp/pure") 2>"$tmp/err" || ! nice -n 10 "$GO" vet $(cat "$tmp/pure") 2>>"$tmp/err"; then
		echo "check-darwin: FAIL: packages that need no cgo do not build or vet for darwin/$arch:" >&2
		sed 's/^/  /' "$tmp/err" >&2
		failed=1
	fi
	echo "  built and vetted: $(wc -l <"$tmp/pure") packages in $((SECONDS - t)) s"

	# 2. Packages with cgo below them: tried one by one; the ones that fail
	# are skipped, with what they need.
	built=() skipped=0
	while read -r p; do
		if nice -n 10 "$GO" build "$p" >/dev/null 2>"$tmp/err"; then
			built+=("$p")
		else
			skipped=$((skipped + 1))
			echo "  skipped $p: needs cgo through $(grep "^$p:" "$tmp/needs" | cut -d: -f2 | short)"
		fi
	done <"$tmp/cgo-roots"
	[ ${#built[@]} -eq 0 ] || echo "  built (only their tests need cgo, so not vetted): ${built[*]}"

	# 3. The headless daemon.
	if nice -n 10 "$GO" build -tags nogui -o /dev/null ./cmd/tincan 2>"$tmp/err"; then
		echo "  headless daemon (-tags nogui ./cmd/tincan): builds"
	else
		blockers=$(cgo_deps -tags nogui ./cmd/tincan 2>/dev/null | grep '^tincan/cmd/tincan:' | cut -d: -f2 | short)
		echo "  headless daemon (-tags nogui ./cmd/tincan): does not build without cgo; it needs $blockers"
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "check-darwin: FAIL" >&2
	exit 1
fi
echo "check-darwin: ok"
