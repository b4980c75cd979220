package jitter

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestTargetFollowsJitterUpFastAndDownSlowly(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		// 20 s with no jitter, 10 s of ±30 ms uniform jitter, 30 s with none.
		tr := trace(seed, 3000,
			phase{Base: 50 * ms},
			phase{From: 20 * time.Second, Base: 50 * ms, Jitter: uniform(30 * ms)},
			phase{From: 30 * time.Second, Base: 50 * ms})
		// The relative delays of the jittered packets, as a receiver that
		// knew them all would measure them.
		var rel []time.Duration
		for i, a := range tr[1000:1500] {
			rel = append(rel, a.At-time.Duration(1000+i)*DefaultFrameDur)
		}
		fastest := slices.Min(rel)
		for i := range rel {
			rel[i] -= fastest
		}
		at := map[time.Duration]Stats{}
		b := New(Config{})
		run(b, tr, 62*time.Second, func(now time.Duration, _ Frame) {
			switch now {
			case 19980 * ms, 22 * time.Second, 30 * time.Second, 30500 * ms, 31 * time.Second, 61980 * ms:
				at[now] = b.Stats()
			}
		})
		if s := at[19980*ms]; s.TargetDelay > 25*ms {
			t.Errorf("seed %d: after 20 s without jitter the target is %v, want it near the 20 ms minimum", seed, s.TargetDelay)
		}
		s := at[22*time.Second]
		covered := 0
		for _, r := range rel {
			if r <= s.TargetDelay {
				covered++
			}
		}
		if frac := float64(covered) / float64(len(rel)); frac < 0.95 {
			t.Errorf("seed %d: 2 s into ±30 ms jitter the target %v covers %.1f%% of arrivals, want at least 95%%", seed, s.TargetDelay, 100*frac)
		}
		if late := at[30*time.Second].Late - at[19980*ms].Late; late > 500*3/100 {
			t.Errorf("seed %d: %d of the 500 jittered packets came too late, want under 3%%", seed, late)
		}
		t30, t305, t31 := at[30*time.Second].TargetDelay, at[30500*ms].TargetDelay, at[31*time.Second].TargetDelay
		if t305 < t30*3/4 || t31 <= DefaultMinDelay {
			t.Errorf("seed %d: when jitter stopped the target went from %v to %v in 0.5 s and %v in 1 s: it should shrink over seconds, not at once", seed, t30, t305, t31)
		}
		end := at[61980*ms]
		if end.TargetDelay > 25*ms || end.Delay >= 60*ms {
			t.Errorf("seed %d: 30 s after the jitter stopped the target is %v and the delay %v, want them back near the minimum", seed, end.TargetDelay, end.Delay)
		}
		checkStats(t, end, Config{})
	}
}

// latenessOver plays traces from seeds 1..n made by mk through cfg and
// returns the share of packets that came after their slot had been played.
func latenessOver(n int, cfg Config, mk func(seed uint64) []Arrival) (late float64, delay time.Duration) {
	var lateN, total int
	for seed := uint64(1); seed <= uint64(n); seed++ {
		tr := mk(seed)
		s := Simulate(tr, cfg)
		lateN += int(s.Late)
		total += len(tr)
		delay += s.MeanDelay
	}
	return float64(lateN) / float64(total), delay / time.Duration(n)
}

func TestLatenessAdaptiveAgainstFixed(t *testing.T) {
	toxav := Config{Fixed: 3, NoFEC: true}
	tests := []struct {
		name         string
		jitter       func(*rand.Rand) time.Duration
		fixedIsWorse bool
	}{
		// 60 ms of fixed delay covers a 60 ms spread exactly, so here the
		// fixed buffer is as good: the adaptive one must simply not lose.
		{"uniform ±30 ms", uniform(30 * ms), false},
		// A long tail with 30 ms of RFC 3550 interarrival jitter.
		{"exponential, 30 ms mean", exponential(30 * ms), true},
		{"uniform ±50 ms", uniform(50 * ms), true},
	}
	for _, tc := range tests {
		mk := func(seed uint64) []Arrival {
			return trace(seed, 1000, phase{Base: 40 * ms, Jitter: tc.jitter})
		}
		a, ad := latenessOver(10, Config{}, mk)
		f, fd := latenessOver(10, toxav, mk)
		t.Logf("%s: late packets adaptive %.2f%% (mean delay %v), Fixed:3 %.2f%% (mean delay %v)", tc.name, 100*a, ad, 100*f, fd)
		if a >= 0.03 {
			t.Errorf("%s: %.2f%% of packets came too late for the adaptive buffer, want under 3%%", tc.name, 100*a)
		}
		if tc.fixedIsWorse && (f < 0.03 || f < 3*a) {
			t.Errorf("%s: the fixed buffer of 3 frames lost %.2f%% to lateness against the adaptive %.2f%%, want clearly more", tc.name, 100*f, 100*a)
		}
	}
}

func TestLatePacketsGrowTargetAtOnce(t *testing.T) {
	// The path gets 100 ms slower at 5 s: every packet from then on is
	// late until the buffer grows.
	tr := trace(1, 600, phase{Base: 40 * ms}, phase{From: 5 * time.Second, Base: 140 * ms})
	b := New(Config{})
	var secondLate, lateTarget, caughtUp time.Duration
	run(b, tr, 12*time.Second, func(now time.Duration, _ Frame) {
		s := b.Stats()
		if s.Late >= 2 && secondLate == 0 {
			secondLate, lateTarget = now, s.TargetDelay
		}
		if secondLate > 0 && caughtUp == 0 && s.Delay >= 100*ms {
			caughtUp = now
		}
	})
	s := b.Stats()
	if secondLate == 0 {
		t.Fatalf("no two packets came late after the path slowed by 100 ms: the test does not test anything")
	}
	if lateTarget < 95*ms {
		t.Errorf("right after the second late packet the target was %v, want it raised at once to cover the 100 ms step", lateTarget)
	}
	if caughtUp == 0 || caughtUp-secondLate > 200*ms {
		t.Errorf("the delay reached 100 ms %v after the second late packet, want within 200 ms (by holding)", caughtUp-secondLate)
	}
	if s.Late > 8 {
		t.Errorf("%d packets came late after a 100 ms step, want only those already on their way", s.Late)
	}
	checkStats(t, s, Config{})
}

func TestLoneLatePacketDoesNotMoveTarget(t *testing.T) {
	// One packet 150 ms late in steady traffic: one glitch, not a reason
	// to hold five frames now and skip five later.
	tr := trace(1, 500, phase{Base: 40 * ms})
	tr[250].At += 150 * ms
	s := Simulate(tr, Config{})
	if s.Late != 1 || s.Held != 0 {
		t.Errorf("a lone late packet gave %d late and %d held frames, want 1 and 0", s.Late, s.Held)
	}
}

func TestPopClockJitterDoesNotChurn(t *testing.T) {
	tr := trace(1, 3000, phase{Base: 30 * ms, Jitter: uniform(5 * ms)})
	for _, tc := range []struct {
		name string
		at   func(k int, r *rand.Rand) time.Duration // when Pop k is called
	}{
		{"±4 ms scheduling jitter", func(k int, r *rand.Rand) time.Duration {
			return time.Duration(k)*DefaultFrameDur + time.Duration(r.Int64N(int64(8*ms)))
		}},
		{"a 40 ms device period: two Pops at once", func(k int, _ *rand.Rand) time.Duration {
			return time.Duration(k/2) * 2 * DefaultFrameDur
		}},
	} {
		r := rand.New(rand.NewPCG(2, 2))
		b := New(Config{})
		i := 0
		for k := 0; k < 3100; k++ {
			now := tc.at(k, r)
			for ; i < len(tr) && tr[i].At <= now; i++ {
				b.Push(tr[i].Packet, simEpoch.Add(tr[i].At))
			}
			b.Pop(simEpoch.Add(now))
		}
		s := b.Stats()
		if s.Held+s.Skipped > 6 || s.Late > 0 {
			t.Errorf("%s: over 60 s the buffer held %d and skipped %d frames and %d packets came late; the playout clock's own jitter should barely move it", tc.name, s.Held, s.Skipped, s.Late)
		}
		checkStats(t, s, Config{})
	}
}

func TestHoldsAndSkipsPreferSilence(t *testing.T) {
	// Talk spurts of 1 s with 1 s DTX gaps, and a path that gets 60 ms
	// slower for 4 s in the middle: the buffer has to grow and shrink.
	var tr []Arrival
	seq := uint16(0)
	for slot := 0; slot < 1500; slot++ {
		if (slot/50)%2 == 1 {
			continue // DTX: nothing sent, timestamp still advances
		}
		d := 40 * ms
		if slot >= 500 && slot < 700 {
			d += 60 * ms
		}
		tr = append(tr, Arrival{
			At:     time.Duration(slot)*DefaultFrameDur + d,
			Packet: Packet{Seq: seq, TS: uint32(slot) * DefaultFrameSamples, Payload: []byte{1}},
		})
		seq++
	}
	var held int
	started := false
	s := Play(tr, Config{}, func(_ time.Duration, f Frame) {
		started = started || !f.Held
		if started && f.Held {
			held++
		}
	})
	if s.Lost != s.Late || s.Concealed != 0 {
		t.Errorf("DTX gaps were counted as %d lost packets (%d came late) and %d concealed frames, want only the late ones lost", s.Lost, s.Late, s.Concealed)
	}
	if held == 0 || held > 4 {
		t.Errorf("the buffer held %d frames for a 60 ms step in the path's delay, want 1 to 4", held)
	}
	if s.Skipped == 0 {
		t.Errorf("the buffer never shrank after the slow stretch ended")
	}
	if s.Discarded != 0 {
		t.Errorf("%d packets of speech were skipped when DTX gaps were there to shrink in", s.Discarded)
	}
	checkStats(t, s, Config{})
}
