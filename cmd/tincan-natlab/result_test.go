//go:build linux

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tincan/natlab"
)

func delivered(ms int) direction {
	d := time.Duration(ms) * time.Millisecond
	return direction{State: "delivered", Received: d, Acked: d + 10*time.Millisecond}
}

func TestResultVerdicts(t *testing.T) {
	direct := contactView{Path: "direct"}
	relay := contactView{Path: "relay"}
	for _, c := range []struct {
		name     string
		r        pairResult
		cell     string
		failures int
	}{
		{"direct", pairResult{AB: delivered(300), BA: delivered(420), ViewA: direct, ViewB: direct, ExpectDirect: true}, "direct 420ms", 0},
		{"relay allowed", pairResult{AB: delivered(900), BA: delivered(800), ViewA: relay, ViewB: relay}, "relay 900ms", 0},
		{"relay not allowed", pairResult{AB: delivered(900), BA: delivered(800), ViewA: relay, ViewB: direct, ExpectDirect: true}, "relay/direct 900ms !", 1},
		{"one lost", pairResult{AB: delivered(300), BA: direction{State: "queued"}, ViewA: direct, ViewB: direct, ExpectDirect: true}, "FAIL b>a", 1},
		{"both lost", pairResult{AB: direction{State: "sent"}, BA: direction{State: "queued"}}, "FAIL", 2},
		{"received, never acked", pairResult{AB: direction{State: "sent", Received: time.Second}, BA: delivered(10), ViewA: direct, ViewB: direct}, "FAIL a>b", 1},
	} {
		if got := c.r.cell(); got != c.cell {
			t.Errorf("%s: cell %q, want %q", c.name, got, c.cell)
		}
		if got := c.r.failures(); len(got) != c.failures {
			t.Errorf("%s: failures %q, want %d", c.name, got, c.failures)
		}
	}
}

func TestWriteMatrix(t *testing.T) {
	kinds := []natlab.Kind{natlab.Public, natlab.PortRestricted}
	results := []pairResult{
		{KindA: natlab.Public, KindB: natlab.Public, AB: delivered(5), BA: delivered(7), ViewA: contactView{Path: "direct"}, ViewB: contactView{Path: "direct"}},
		{KindA: natlab.Public, KindB: natlab.PortRestricted, AB: delivered(5)},
		{KindA: natlab.PortRestricted, KindB: natlab.PortRestricted},
	}
	var b bytes.Buffer
	writeMatrix(&b, kinds, results)
	lines := strings.Split(b.String(), "\n")
	if f := strings.Fields(lines[0]); len(f) != 5 || f[3] != "pub" || f[4] != "pr" {
		t.Errorf("header %q", lines[0])
	}
	if f := strings.Fields(lines[1]); len(f) != 6 || f[2]+" "+f[3] != "direct 7ms" || f[4]+" "+f[5] != "FAIL b>a" {
		t.Errorf("row pub %q", lines[1])
	}
	if f := strings.Fields(lines[2]); len(f) != 4 || f[2] != "." || f[3] != "FAIL" {
		t.Errorf("row pr %q", lines[2])
	}
}

// A pair relayed first and direct after its upgrade counts as direct, and
// its line says how it got there.
func TestAPairThatUpgradedSaysSo(t *testing.T) {
	r := pairResult{A: "pr-a", B: "ar-b", AB: delivered(1000), BA: delivered(1000), ExpectDirect: true,
		ViewA: contactView{Path: "punched-tcp"}, ViewB: contactView{Path: "punched-tcp"},
		FirstA: "relay", FirstB: "relay", DirectAfter: 3200 * time.Millisecond}
	if r.notDirect() || len(r.failures()) != 0 {
		t.Fatalf("an upgraded pair is judged %v", r.failures())
	}
	var b strings.Builder
	writeDetails(&b, []pairResult{r})
	if !strings.Contains(b.String(), "(first relay/relay, direct after 3200ms)") {
		t.Fatalf("the pair's line does not say it upgraded: %s", b.String())
	}
}
