#!/usr/bin/env bash
# Builds tincan.app on a Mac: build/dist/tincan.app and
# build/dist/tincan-<version>-macos-<arch>.zip. Runs only on macOS (Linux
# has no macOS SDK; there scripts/check-darwin.sh cross-checks the code).
#
# Needs: Go 1.26+, Xcode's command line tools (xcode-select --install),
# Homebrew's opus, speexdsp and pkg-config (brew install opus speexdsp
# pkg-config). libopus and libspeexdsp are linked statically, so the app
# needs nothing from Homebrew on the Macs it is copied to. The fyne CLI
# (fyne.io/tools v1.7.4) is installed into build/bin if missing.
#
# UNIVERSAL=1 makes one app for Apple silicon and Intel (lipo), which needs
# both architectures' static libraries (a universal Homebrew is rare; by
# default the app is for this Mac's architecture).
#
# FyneApp.toml is never written: `fyne package` adds one to its Build on
# every run, so it runs on a copy in a scratch directory.
set -euo pipefail

if [ "$(uname -s)" != Darwin ]; then
	echo "package-macos: this builds the macOS app and runs only on a Mac (this is $(uname -s))." >&2
	echo "package-macos: on Linux, scripts/check-darwin.sh checks that the darwin code builds." >&2
	exit 2
fi

cd "$(dirname "$0")/.."
GO=${GO:-go}
FYNE_TOOLS_VERSION=v1.7.4
die() {
	echo "package-macos: $*" >&2
	exit 1
}
command -v "$GO" >/dev/null 2>&1 || die "Go is missing: install Go 1.26 or newer from https://go.dev/dl/"
xcode-select -p >/dev/null 2>&1 || die "the C compiler is missing: run xcode-select --install"
command -v pkg-config >/dev/null 2>&1 || die "pkg-config is missing: brew install pkg-config opus speexdsp"
pkg-config --exists opus speexdsp || die "libopus or libspeexdsp is missing: brew install opus speexdsp"

field() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -1; }
version=$(field Version)
build_no=$(field Build)
appid=$(field ID)
name=$(field Name)
[ -n "$version" ] && [ -n "$appid" ] && [ -n "$name" ] || die "FyneApp.toml lacks Version, ID or Name"
commit=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . 2>/dev/null || commit="$commit+dirty"
toml_before=$(shasum FyneApp.toml)

fyne=build/bin/fyne
if [ ! -x "$fyne" ]; then
	echo "package-macos: installing the fyne CLI $FYNE_TOOLS_VERSION into build/bin"
	GOBIN="$PWD/build/bin" "$GO" install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Static libopus and libspeexdsp: a private pkg-config directory whose .pc
# files point at a directory holding only the .a files, so the linker
# cannot pick Homebrew's .dylib.
static=$tmp/static
mkdir -p "$static/lib" "$static/pkgconfig"
for lib in opus speexdsp; do
	libdir=$(pkg-config --variable=libdir "$lib")
	a=$libdir/lib$lib.a
	[ -f "$a" ] || die "$a is missing: Homebrew's $lib should ship it (brew reinstall $lib)"
	cp "$a" "$static/lib/"
	cat >"$static/pkgconfig/$lib.pc" <<EOF
Name: $lib
Description: $lib, static, for tincan.app
Version: $(pkg-config --modversion "$lib")
Libs: -L$static/lib -l$lib
Cflags: $(pkg-config --cflags "$lib")
EOF
done

# The binary (the version and commit as `make build` sets them).
build_arch() {
	echo "package-macos: building tincan $version (commit $commit) for darwin/$1"
	CGO_ENABLED=1 GOOS=darwin GOARCH=$1 PKG_CONFIG_PATH="$static/pkgconfig" PKG_CONFIG_LIBDIR="$static/pkgconfig" \
		MACOSX_DEPLOYMENT_TARGET=11.0 CGO_CFLAGS="-mmacosx-version-min=11.0" CGO_LDFLAGS="-mmacosx-version-min=11.0" \
		"$GO" build -trimpath -tags nolibopusfile -ldflags "-s -w -X main.commitOverride=$commit" -o "$2" ./cmd/tincan
}
arch=$("$GO" env GOARCH)
if [ "${UNIVERSAL:-0}" = 1 ]; then
	build_arch arm64 "$tmp/tincan-arm64"
	build_arch amd64 "$tmp/tincan-amd64"
	lipo -create -output "$tmp/tincan" "$tmp/tincan-arm64" "$tmp/tincan-amd64"
	arch=universal
else
	build_arch "$arch" "$tmp/tincan"
fi
got=$("$tmp/tincan" --version)
case $got in
"tincan $version (commit $commit"*) echo "package-macos: $got" ;;
*) die "the binary says \"$got\", expected tincan $version (commit $commit, ...)" ;;
esac
if otool -L "$tmp/tincan" | tail -n +2 | grep -Ev '^[[:space:]]*(/usr/lib/|/System/Library/)'; then
	die "the binary links libraries outside macOS itself (above): it would not run on another Mac"
fi

# The bundle: fyne package on a scratch copy of FyneApp.toml and the icon
# (it wants a directory with Go code in it: an empty main package).
meta=$tmp/meta
mkdir -p "$meta" "$tmp/out"
cp FyneApp.toml "$meta/FyneApp.toml"
cp assets/icon.png "$meta/icon.png"
sed -i '' 's|^\([[:space:]]*Icon[[:space:]]*=\).*|\1 "icon.png"|' "$meta/FyneApp.toml"
printf 'package main\n\nfunc main() {}\n' >"$meta/main.go"
(cd "$tmp/out" && "$OLDPWD/$fyne" package --target darwin --src "$meta" --executable "$tmp/tincan" \
	--name "$name" --app-id "$appid" --app-version "$version" --app-build "${build_no:-1}" --icon "$meta/icon.png")
app=$tmp/out/$name.app
[ -d "$app" ] || die "fyne package made no $name.app"

# What fyne's Info.plist lacks: no Dock icon (tincan lives in the menu-bar
# tray; LSUIElement), and the sentence macOS shows when a call first asks
# for the microphone (without it macOS refuses the microphone).
plist=$app/Contents/Info.plist
pb=/usr/libexec/PlistBuddy
"$pb" -c "Delete :LSUIElement" "$plist" 2>/dev/null || true
"$pb" -c "Add :LSUIElement bool true" "$plist"
"$pb" -c "Delete :NSMicrophoneUsageDescription" "$plist" 2>/dev/null || true
"$pb" -c "Add :NSMicrophoneUsageDescription string tincan uses the microphone for the calls you start or accept." "$plist"
"$pb" -c "Delete :LSMinimumSystemVersion" "$plist" 2>/dev/null || true
"$pb" -c "Add :LSMinimumSystemVersion string 11.0" "$plist"
plutil -lint "$plist" >/dev/null || die "Info.plist is not valid"
[ "$("$pb" -c "Print :CFBundleShortVersionString" "$plist")" = "$version" ] || die "Info.plist's CFBundleShortVersionString is not $version"
[ "$("$pb" -c "Print :CFBundleIdentifier" "$plist")" = "$appid" ] || die "Info.plist's CFBundleIdentifier is not $appid"
[ -f "$app/Contents/Resources/icon.icns" ] || die "the bundle has no icon.icns"
# Ad hoc signature (Apple silicon runs nothing unsigned); a Developer ID and
# notarization are for whoever publishes the app.
codesign --force --deep --sign - "$app"
codesign --verify --deep --strict "$app" || die "the bundle's signature does not verify"

mkdir -p build/dist
rm -rf "build/dist/$name.app"
cp -R "$app" build/dist/
zip=build/dist/tincan-$version-macos-$arch.zip
rm -f "$zip"
ditto -c -k --keepParent "build/dist/$name.app" "$zip"

[ "$(shasum FyneApp.toml)" = "$toml_before" ] || die "FyneApp.toml changed during packaging (it must not)"
echo "package-macos: artifacts"
printf '  %-44s %s\n' "build/dist/$name.app" "$(du -sh "build/dist/$name.app" | cut -f1)" "$zip" "$(du -h "$zip" | cut -f1)"
echo "package-macos: open it with: open build/dist/$name.app   (or copy it to /Applications)"
