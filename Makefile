# tincan: `make run` builds and starts the app; `make test` runs every test.
# Both install what is missing first (Debian/Ubuntu, apt).

GO          ?= go
BIN         := build/tincan
STATICCHECK := build/bin/staticcheck
FUZZTIME    ?= 20000x

.PHONY: all run build deps deps-test test lint unit fuzz screenshot bench bench-call sim sim-quick natlab soak clean \
	package package-linux package-windows package-macos check-darwin test-packages windows-smoke

all: build

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

# The commit goes in by -ldflags: GOFLAGS may carry -buildvcs=false.
COMMIT      := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)
LDFLAGS     := -X main.commitOverride=$(COMMIT)
# nolibopusfile: tincan decodes no Ogg files; no_animations: Fyne's cursor
# fade repaints the whole window about 12 times a second while the composer
# has focus (8% of a core at rest, 1.2% without; make bench measures both)
TAGS        := nolibopusfile,no_animations

build: deps
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/tincan

## run: build and start the desktop app (pass ARGS="--home DIR" for a second instance)
run: build
	./$(BIN) $(ARGS)

## test: lint, unit and integration tests under -race with a real keychain
## and a real X display, short fuzzing, a screenshot of the real window, and
## the NAT lab (real daemons across kernel NATs; needs root).
test: deps-test lint unit fuzz sim-quick screenshot natlab check-darwin test-packages windows-smoke
	@echo "make test: all passed"

$(STATICCHECK):
	GOBIN=$(CURDIR)/build/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.7.0

lint: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>&1); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# checkptr (on by default under -race) costs most of the CPU in the pure-Go
# SQLite driver; turning it off there alone keeps the race detector.
RACEFLAGS := -race -gcflags='modernc.org/...=-d=checkptr=0'

unit:
	scripts/with-session.sh $(GO) test $(RACEFLAGS) -count=1 -timeout 20m ./...

## fuzz: each fuzz target for FUZZTIME (the corpora under testdata/ run in `unit` too).
## A count (20000x), not a duration: a duration trips golang/go#75804 in Go 1.26
## ("context deadline exceeded" with no crasher).
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

## screenshot: the real window under Xvfb, saved under build/ and checked
## (its title, not blank), and the ui tests' pictures of every view and
## dialog (build/*.png), which -race runs leave out because painting is slow
screenshot: build
	scripts/with-session.sh $(GO) test -count=1 -run Screenshot ./ui/
	scripts/with-session.sh scripts/screenshot.sh $(BIN)

## sim: the real overlay code over an in-memory network, N = 1k, 10k, 50k
## (about 8 minutes and 2.5 GB); fails if a target is missed
sim:
	$(GO) run ./cmd/tincan-sim -n 1000,10000,50000

## sim-quick: the same at N = 300 and 1,000, part of `make test`
sim-quick:
	$(GO) run ./cmd/tincan-sim -quick

## bench: round trip and burst against bare and durable (fsync) TLS echoes,
## idle memory and traffic, and the window's idle CPU and its memory with a
## 100,000-message conversation
bench: build deps-test
	scripts/bench.sh $(BIN)
	@echo
	@echo "== the window at rest (composer focused and not; the shipped build has no_animations) and with 100,000 messages"
	scripts/with-session.sh $(GO) run -tags no_animations ./cmd/tincan-bench-ui -measure idle
	scripts/with-session.sh $(GO) run ./cmd/tincan-bench-ui -measure idle
	scripts/with-session.sh $(GO) run -tags no_animations ./cmd/tincan-bench-ui -measure rss -messages 100000

## bench-call: the real call pipeline between two engines over loopback UDP
## through an impairing proxy (0%, 5%, 15% loss + 30 ms jitter), against
## Opus alone and a ToxAV-style fixed 3-frame buffer; BENCH_CALL_ARGS go to
## cmd/tincan-bench-call. Prints the table in docs/CALLS.md.
bench-call: deps-test
	$(GO) run ./cmd/tincan-bench-call $(BENCH_CALL_ARGS)

## natlab: tincan daemons across kernel NATs in network namespaces, as root:
## every pair of NAT kinds must deliver both ways, directly where the NATs
## allow it (relay otherwise); NATLAB_ARGS go to cmd/tincan-natlab. The
## daemons are the headless (nogui) build of the same code.
NATLAB_BIN := build/tincan-nogui
natlab: deps-test
	$(GO) build -tags nogui -o $(NATLAB_BIN) ./cmd/tincan
	GO=$(GO) scripts/natlab.sh $(NATLAB_BIN) $(NATLAB_ARGS)

## soak: three real daemons (namespaces, tmpfs homes; root) exchange messages
## for 10 minutes while a seeded chaos loop SIGKILLs and restarts one, drops
## its network (nft) and fills its disk, after a run as long without faults;
## prints both and fails on any lost, doubled or reordered message. Its short
## form (75 s) runs in `make unit`. SOAK_ARGS go to cmd/tincan-soak (-d 3m,
## -n 5, -seed N, -rate 2).
soak: deps-test
	$(GO) build -tags nogui -o $(NATLAB_BIN) ./cmd/tincan
	GO=$(GO) scripts/soak.sh $(NATLAB_BIN) -n 3 -d 10m -compare $(SOAK_ARGS)

## package: the Linux .deb and .tar.xz and the Windows installer in
## build/dist, sizes printed (REF=HEAD packages the last commit exactly)
package: package-linux package-windows

package-linux: deps
	@scripts/deps.sh package
	GO=$(GO) REF=$(REF) scripts/package-linux.sh

## package-windows: tincan.exe (mingw-w64, static libopus and libspeexdsp from
## Debian's sources, icon and version resource) and the NSIS installer
package-windows:
	scripts/package-windows.sh all

## windows-smoke: the installer and tincan.exe under Wine 8: install, --version,
## two daemons chatting through the CLI, the single-instance handoff, uninstall
windows-smoke: package-windows
	scripts/wine-smoke.sh

## package-macos: tincan.app on a Mac (see README, Install)
package-macos:
	GO=$(GO) scripts/package-macos.sh

## check-darwin: every package that needs no cgo built for macOS (arm64, amd64)
check-darwin:
	GO=$(GO) scripts/check-darwin.sh

## test-packages: the .deb installed into a clean Debian root, --version and a
## daemon run there; the tarball's install.sh and --uninstall (root)
test-packages: package-linux
	scripts/test-deb-install.sh

clean:
	rm -rf build
