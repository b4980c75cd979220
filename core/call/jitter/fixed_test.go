package jitter

import (
	"testing"
	"time"
)

func TestFixedThreeNoFECIsToxAVLike(t *testing.T) {
	cfg := Config{Fixed: 3, NoFEC: true}
	// Long-tailed jitter and a loss every 50 packets whose successor is
	// there: ToxAV would run PLC, never FEC, and never move its playout.
	tr := trace(3, 1500, phase{Base: 40 * ms, Jitter: exponential(20 * ms)})
	var lossy []Arrival
	for i, a := range tr {
		if i%50 != 25 {
			lossy = append(lossy, a)
		}
	}
	b := New(cfg)
	var first time.Duration = -1
	var drift []time.Duration // when each slot was played, less when it would be with no hold or skip
	var kinds [5]int
	run(b, lossy, 31*time.Second, func(now time.Duration, f Frame) {
		s := b.Stats()
		if s.TargetDelay != 60*ms {
			t.Fatalf("at %v the fixed buffer's target was %v, want always 60 ms", now, s.TargetDelay)
		}
		if !f.Held && first < 0 {
			first = now
		}
		if first >= 0 {
			if f.Held {
				t.Fatalf("at %v the fixed buffer held a frame after playout had started", now)
			}
			drift = append(drift, now-first-time.Duration(f.TS/DefaultFrameSamples)*DefaultFrameDur)
		}
		kinds[f.Kind]++
	})
	s := b.Stats()
	if kinds[FEC] != 0 || s.RecoveredFEC != 0 {
		t.Errorf("with NoFEC the buffer returned %d FEC frames", kinds[FEC])
	}
	if s.Concealed == 0 || s.Lost < 29 {
		t.Errorf("30 losses gave %d conceal frames and %d lost, want PLC for them", s.Concealed, s.Lost)
	}
	if s.Skipped != 0 || s.Held != 0 {
		t.Errorf("the fixed buffer skipped %d and held %d slots, want none", s.Skipped, s.Held)
	}
	// Playout starts at the first Pop 3 frames after the first arrival.
	if want := lossy[0].At + 60*ms; first < want || first >= want+DefaultFrameDur {
		t.Errorf("the first packet (arrived at %v) was played at %v, want the first Pop at or after %v", lossy[0].At, first, want)
	}
	for _, d := range drift {
		if d != 0 {
			t.Fatalf("a slot was played %v off the fixed schedule set by the first packet", d)
		}
	}
	if s.Late == 0 {
		t.Errorf("no packet came later than 60 ms under a 20 ms-mean exponential jitter: the test tests nothing")
	}
	checkStats(t, s, cfg)
}
