//go:build linux

package main

import (
	"strings"
	"testing"
	"time"

	"tincan/natlab"
)

func TestSmallNetworkVerdicts(t *testing.T) {
	ok := smallResult{Kind: natlab.PortRestricted, Online: 200 * time.Millisecond, Message: 30 * time.Millisecond, PathA: "punched-tcp", PathB: "punched-tcp"}
	if f := ok.failures(); len(f) != 0 {
		t.Fatalf("a good small network fails: %v", f)
	}
	slow := ok
	slow.Online = 3 * time.Second
	if f := slow.failures(); len(f) != 0 || !strings.Contains(slow.line(), "slower than the 1 s target") {
		t.Fatalf("a slow one should be printed as slow, not failed: %v, %q", f, slow.line())
	}
	for name, r := range map[string]smallResult{
		"dropped":         {Kind: natlab.SymmetricRandom, Online: time.Second, Message: time.Millisecond, PathA: "relay", PathB: "relay", Dropped: true},
		"relayed":         {Kind: natlab.PortRestricted, Online: time.Second, Message: time.Millisecond, PathA: "relay", PathB: "relay"},
		"never online":    {Kind: natlab.PortRestricted},
		"message missing": {Kind: natlab.PortRestricted, Online: time.Second},
	} {
		if len(r.failures()) == 0 {
			t.Errorf("a small network that is %s passes", name)
		}
	}
}
