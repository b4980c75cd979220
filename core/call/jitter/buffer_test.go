package jitter

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

func TestDrops(t *testing.T) {
	b := New(Config{})
	at := simEpoch
	push := func(seq uint16, ts uint32, payload []byte) bool {
		return b.Push(Packet{Seq: seq, TS: ts, Payload: payload}, at)
	}
	if !push(10, 9600, []byte{1}) {
		t.Fatalf("the first packet was dropped")
	}
	cases := []struct {
		name    string
		seq     uint16
		ts      uint32
		payload []byte
		field   func(Stats) uint64
	}{
		{"an empty payload", 11, 9600 + 960, nil, func(s Stats) uint64 { return s.Invalid }},
		{"a payload over MaxPayload", 11, 9600 + 960, make([]byte, DefaultMaxPayload+1), func(s Stats) uint64 { return s.Invalid }},
		{"a timestamp off the frame grid", 11, 9600 + 961, []byte{1}, func(s Stats) uint64 { return s.Invalid }},
		{"another packet in a taken slot", 99, 9600, []byte{1}, func(s Stats) uint64 { return s.Invalid }},
		{"a duplicate", 10, 9600, []byte{1}, func(s Stats) uint64 { return s.Duplicate }},
		{"a packet beyond the ring", 11 + DefaultSlots, 9600 + DefaultSlots*960, []byte{1}, func(s Stats) uint64 { return s.TooFar }},
	}
	for _, c := range cases {
		before := c.field(b.Stats())
		if push(c.seq, c.ts, c.payload) {
			t.Fatalf("%s was accepted", c.name)
		}
		if got := c.field(b.Stats()); got != before+1 {
			t.Fatalf("%s was not counted where it belongs (%d, was %d)", c.name, got, before)
		}
	}
	// The last slot of the ring is still inside it.
	if !push(10+DefaultSlots-1, 9600+(DefaultSlots-1)*960, []byte{2}) {
		t.Fatalf("a packet in the last slot of the ring was dropped")
	}
	s := b.Stats()
	if s.Buffered != 2 || s.Depth != DefaultSlots*DefaultFrameDur {
		t.Fatalf("the ring holds %d packets spanning %v, want 2 spanning the whole ring", s.Buffered, s.Depth)
	}
	checkStats(t, s, Config{})
}

func TestPushCopiesPayload(t *testing.T) {
	b := New(Config{Fixed: 1})
	p := []byte{1, 2, 3}
	b.Push(Packet{Seq: 1, TS: 0, Payload: p}, simEpoch)
	p[0] = 9
	f := b.Pop(simEpoch.Add(40 * ms))
	if f.Kind != Normal || !bytes.Equal(f.Payload, []byte{1, 2, 3}) {
		t.Fatalf("the frame played was %v %v, want the payload as it was pushed", f.Kind, f.Payload)
	}
}

func TestResetForgetsEverything(t *testing.T) {
	b := New(Config{})
	run(b, stream(0, 0, 0, 50, 30*ms), time.Second, nil)
	b.Reset()
	if s := b.Stats(); s != (Stats{TargetDelay: DefaultInitialDelay, JitterP95: DefaultInitialDelay}) {
		t.Fatalf("after Reset the stats were %+v, want them zero", s)
	}
	// A stream far from the old one starts cleanly, with no resync.
	p := Play(stream(777, 4_000_000_000, 0, 50, 30*ms), Config{}, nil)
	run(b, stream(777, 4_000_000_000, 0, 50, 30*ms), 2*time.Second, nil)
	if s := b.Stats(); s.Played != p.Played || s.Resyncs != 0 {
		t.Fatalf("after Reset a new stream played %d packets with %d resyncs; a new buffer played %d", s.Played, s.Resyncs, p.Played)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Normal: "normal", FEC: "fec", Conceal: "conceal", Silence: "silence", 0: "Kind(0)", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind %d is named %q, want %q", uint8(k), got, want)
		}
	}
}

func TestConfigClamps(t *testing.T) {
	c := Config{Slots: 100000, MaxDelay: time.Hour, MinDelay: 2 * time.Hour, Quantile: 2, Fixed: 5000}.withDefaults()
	if c.Slots != MaxSlots || c.MaxDelay != MaxSlots*DefaultFrameDur*3/4 || c.MinDelay != c.MaxDelay || c.Quantile != DefaultQuantile || c.Fixed != MaxSlots*3/4 {
		t.Fatalf("out-of-range settings were not clamped: %+v", c)
	}
}

func TestNoAllocationPerPacket(t *testing.T) {
	b := New(Config{})
	i := 0
	now := simEpoch
	step := func() {
		// Every tenth packet lost, every seventh one swapped with the
		// next: the FEC, conceal and reorder paths run too.
		n := i
		switch {
		case n%10 == 9:
		case n%7 == 3:
			b.Push(Packet{Seq: uint16(n + 1), TS: uint32(n+1) * 960, Payload: []byte{1, 2, 3}}, now)
			b.Push(Packet{Seq: uint16(n), TS: uint32(n) * 960, Payload: []byte{1, 2, 3}}, now)
		case n%7 == 4:
		default:
			b.Push(Packet{Seq: uint16(n), TS: uint32(n) * 960, Payload: []byte{1, 2, 3}}, now)
		}
		b.Pop(now)
		_ = b.Stats()
		i++
		now = now.Add(DefaultFrameDur)
	}
	for range 500 {
		step()
	}
	if a := testing.AllocsPerRun(2000, step); a != 0 {
		t.Fatalf("a Push and Pop allocated %.1f times per frame, want never", a)
	}
	if s := b.Stats(); s.RecoveredFEC == 0 || s.Played == 0 {
		t.Fatalf("the allocation test did not exercise FEC and normal play: %+v", s)
	}
}

func TestConcurrentUse(t *testing.T) {
	// The network path pushes, the audio path pops and the UI reads the
	// stats, each on its own goroutine (run with -race).
	b := New(Config{})
	tr := stream(0, 0, 0, 500, 30*ms)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for _, a := range tr {
			b.Push(a.Packet, simEpoch.Add(a.At))
		}
	}()
	go func() {
		defer wg.Done()
		for k := range 500 {
			b.Pop(simEpoch.Add(time.Duration(k) * DefaultFrameDur))
		}
	}()
	go func() {
		defer wg.Done()
		for range 500 {
			if err := statsError(b.Stats(), Config{}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	s := b.Stats()
	if s.Received != 500 || s.Pops != 500 {
		t.Fatalf("%d pushes and %d pops were counted, want 500 each", s.Received, s.Pops)
	}
}
