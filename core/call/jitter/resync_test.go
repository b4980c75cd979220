package jitter

import (
	"testing"
	"time"
)

// stream is n packets of one sender, starting at slot from (sent at
// from*20 ms), with its own sequence and timestamp origin, each arriving
// after delay.
func stream(seq0 uint16, ts0 uint32, from, n int, delay time.Duration) []Arrival {
	tr := make([]Arrival, n)
	for i := range tr {
		tr[i] = Arrival{
			At:     time.Duration(from+i)*DefaultFrameDur + delay,
			Packet: Packet{Seq: seq0 + uint16(i), TS: ts0 + uint32(i)*DefaultFrameSamples, Payload: []byte{byte(seq0), byte(i)}},
		}
	}
	return tr
}

func TestSenderRestartResyncs(t *testing.T) {
	a := stream(100, 1_000_000, 0, 100, 30*ms)
	b := stream(5000, 3_000_000_007, 100, 100, 30*ms) // far away and off A's frame grid
	tr := append(a, b...)
	var played []Frame
	s := Play(tr, Config{}, func(_ time.Duration, f Frame) {
		if f.Kind == Normal {
			played = append(played, f)
		}
	})
	if s.Resyncs != 1 {
		t.Fatalf("a sender restart gave %d resyncs, want 1", s.Resyncs)
	}
	if dropped := s.Late + s.TooFar + s.Invalid; dropped > resyncRun-1 {
		t.Errorf("%d packets of the new stream were dropped before the resync, want at most %d", dropped, resyncRun-1)
	}
	if s.Lost != 0 || s.Concealed != 0 || s.SeqJumps != 0 {
		t.Errorf("the restart was counted as %d lost, %d concealed, %d sequence jumps; want none", s.Lost, s.Concealed, s.SeqJumps)
	}
	inB := false
	for _, f := range played {
		fromB := f.Seq >= 5000
		if inB && !fromB {
			t.Fatalf("packet seq %d of the old stream was played after the new one began", f.Seq)
		}
		inB = inB || fromB
	}
	if s.Played < 190 {
		t.Errorf("%d of 200 packets were played across a restart, want nearly all", s.Played)
	}
	checkStats(t, s, Config{})
}

func TestStrayPacketDoesNotResync(t *testing.T) {
	tr := stream(0, 0, 0, 100, 30*ms)
	tr = append(tr, Arrival{At: 1 * time.Second, Packet: Packet{Seq: 40000, TS: 2_000_000_000, Payload: []byte{9}}})
	var kinds []Kind
	s := Play(tr, Config{}, func(_ time.Duration, f Frame) {
		if !f.Held {
			kinds = append(kinds, f.Kind)
		}
	})
	if s.Resyncs != 0 || s.Played != 100 || s.Lost != 0 {
		t.Errorf("one stray packet gave %d resyncs, %d played of 100, %d lost; want 0, 100, 0", s.Resyncs, s.Played, s.Lost)
	}
	checkStats(t, s, Config{})
}

func TestLongDTXGapIsNotAResync(t *testing.T) {
	// 1 s of speech, 10 s of DTX (timestamps jump, sequence numbers do
	// not), 1 s of speech.
	a := stream(7, 0, 0, 50, 30*ms)
	b := stream(57, 550*DefaultFrameSamples, 550, 50, 30*ms)
	var after []Kind
	s := Play(append(a, b...), Config{}, func(now time.Duration, f Frame) {
		if now > 11*time.Second+200*ms && !f.Held {
			after = append(after, f.Kind)
		}
	})
	if s.Resyncs != 0 || s.Lost != 0 || s.Concealed != 0 || s.Silence < 500 {
		t.Errorf("a 10 s DTX gap gave %d resyncs, %d lost, %d concealed, %d silence frames; want 0, 0, 0, at least 500", s.Resyncs, s.Lost, s.Concealed, s.Silence)
	}
	if s.Played != 100 {
		t.Errorf("%d of 100 packets were played around a 10 s DTX gap", s.Played)
	}
	checkStats(t, s, Config{})
}

func TestIdleThenNewStreamResyncsAtOnce(t *testing.T) {
	b := New(Config{})
	run(b, stream(0, 0, 0, 50, 30*ms), 1200*ms, nil)
	// Three seconds later a restarted sender: its first packet is taken.
	now := simEpoch.Add(4 * time.Second)
	if !b.Push(Packet{Seq: 999, TS: 123_456_789, Payload: []byte{1}}, now) {
		t.Fatalf("the first packet of a new stream after 3 s of nothing was dropped")
	}
	if s := b.Stats(); s.Resyncs != 1 || s.Buffered != 1 {
		t.Fatalf("after the new stream's first packet there were %d resyncs and %d buffered, want 1 and 1", s.Resyncs, s.Buffered)
	}
}

func TestStalledPlayoutRecovers(t *testing.T) {
	// The playout clock stops for 3 s (a device glitch) while packets keep
	// coming; then it resumes. The ring must stay bounded and playout must
	// pick up the live stream again.
	tr := stream(0, 0, 0, 400, 30*ms)
	b := New(Config{})
	i := 0
	var resumed []Kind
	for now := time.Duration(0); now < 8*time.Second; now += DefaultFrameDur {
		for ; i < len(tr) && tr[i].At <= now; i++ {
			b.Push(tr[i].Packet, simEpoch.Add(tr[i].At))
			if s := b.Stats(); s.Buffered > DefaultSlots {
				t.Fatalf("the ring held %d packets, more than its %d slots", s.Buffered, DefaultSlots)
			}
		}
		if now >= 2*time.Second && now < 5*time.Second {
			continue // no Pop
		}
		f := b.Pop(simEpoch.Add(now))
		if now >= 5500*ms && now < 7*time.Second {
			resumed = append(resumed, f.Kind)
		}
	}
	s := b.Stats()
	normal := 0
	for _, k := range resumed {
		if k == Normal {
			normal++
		}
	}
	if normal < len(resumed)*9/10 {
		t.Errorf("after the playout clock resumed only %d of %d frames were normal", normal, len(resumed))
	}
	if s.Resyncs == 0 && s.Skipped == 0 {
		t.Errorf("a 3 s stall was neither resynced nor skipped through: %+v", s)
	}
	checkStats(t, s, Config{})
}

func TestShortStallCatchesUp(t *testing.T) {
	// A 400 ms stall of the playout clock leaves playout 400 ms behind;
	// it must not take twenty one-a-second skips to get back.
	tr := stream(0, 0, 0, 300, 30*ms)
	b := New(Config{})
	i := 0
	var before, after Stats
	for now := time.Duration(0); now < 6*time.Second; now += DefaultFrameDur {
		for ; i < len(tr) && tr[i].At <= now; i++ {
			b.Push(tr[i].Packet, simEpoch.Add(tr[i].At))
		}
		if now >= 2*time.Second && now < 2400*ms {
			continue
		}
		b.Pop(simEpoch.Add(now))
		if now == 1980*ms {
			before = b.Stats()
		}
		if now == 3*time.Second {
			after = b.Stats()
		}
	}
	if after.Delay > before.Delay+DefaultFrameDur || after.Resyncs != 1 {
		t.Errorf("0.6 s after a 400 ms stall the delay is %v (%d resyncs), against %v before it", after.Delay, after.Resyncs, before.Delay)
	}
	s := b.Stats()
	if s.Played < 270 {
		t.Errorf("%d of 300 packets were played around a 400 ms stall", s.Played)
	}
	checkStats(t, s, Config{})
}
