//go:build linux

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTincan builds the headless tincan binary the daemons run
// (TINCAN_SOAK_BIN names one already built instead).
func buildTincan(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("TINCAN_SOAK_BIN"); bin != "" {
		return bin
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the soak builds tincan with the go command, which is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tincan-nogui")
	cmd := exec.Command(goBin, "build", "-tags", "nogui", "-o", bin, "tincan/cmd/tincan")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the tincan binary failed: %v\n%s", err, out)
	}
	return bin
}

// logWriter passes progress lines to t.Log.
type logWriter struct {
	t  *testing.T
	mu sync.Mutex
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// The soak's short form: three real daemons exchange messages for 75 s
// while each kind of fault (SIGKILL and restart, a dropped network, a full
// disk) strikes at least once; every accepted message must then be in both
// histories exactly once and in order, no refused or unanswered send may be
// in one history only, and a send on a full disk must fail with a plain
// sentence and succeed again once space returns.
func TestSoakWithFaultsLosesAndDoublesNothing(t *testing.T) {
	cfg := config{
		bin:      buildTincan(t),
		daemons:  3,
		duration: 75 * time.Second,
		rate:     1,
		seed:     uint64(time.Now().UnixNano()),
		faults:   true,
		gapMin:   2 * time.Second,
		gapMax:   5 * time.Second,
		drain:    90 * time.Second,
		tmpfs:    "16m",
		logLevel: "info",
	}
	t.Logf("chaos seed %d (go run ./cmd/tincan-soak -n 3 -d 75s -rate 1 -gap-min 2s -gap-max 5s -compare=false -seed %d)", cfg.seed, cfg.seed)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	res, err := runSoak(ctx, cfg, &logWriter{t: t})
	if err != nil {
		t.Fatalf("the soak could not run: %v", err)
	}
	var report bytes.Buffer
	printReport(&report, []result{res})
	t.Log("\n" + report.String())
	for _, k := range faultKinds {
		if res.faults[k] == 0 {
			t.Errorf("no %s fault struck in %v: the short soak must try every kind", k, cfg.duration)
		}
	}
	if res.v.accepted == 0 || res.v.delivered != res.v.accepted {
		t.Errorf("%d messages were accepted and %d delivered: every accepted message must be delivered", res.v.accepted, res.v.delivered)
	}
	if len(res.diskMsgs) == 0 {
		t.Error("no send was refused while a disk was full, so the refusal was never checked")
	}
	if !res.ok() {
		t.Errorf("the soak found failures (see the report above): %d lost, %d half-delivered, %d duplicates, %d out of order; %s",
			res.v.lost, res.v.halves, res.v.duplicates, res.v.misordered, strings.Join(res.problems, "; "))
	}
	// Nothing of the lab may stay behind: namespaces or tmpfs mounts.
	if ents, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), res.prefix+"-") {
				t.Errorf("namespace %s is left behind after the soak", e.Name())
			}
		}
	}
	if mounts, err := os.ReadFile("/proc/self/mounts"); err == nil && strings.Contains(string(mounts), "tincan-soak-"+res.prefix) {
		t.Errorf("a tmpfs home of soak %s is still mounted after the soak", res.prefix)
	}
}
