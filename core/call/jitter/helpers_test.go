package jitter

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// pk is one packet of a recorded pattern.
type pk struct {
	seq   int // offset from the pattern's first sequence number
	slot  int // frame slot: timestamp ts0 + slot*960, sent at slot*20 ms
	delay int // milliseconds from sending to arrival
}

// pattern turns packets into a trace; each payload is the packet's index in
// pkts (4 bytes) so a test can tell which packet a frame carries.
func pattern(seq0 uint16, ts0 uint32, pkts ...pk) []Arrival {
	tr := make([]Arrival, len(pkts))
	for i, p := range pkts {
		pl := make([]byte, 4)
		binary.BigEndian.PutUint32(pl, uint32(i))
		tr[i] = Arrival{
			At: time.Duration(p.slot)*20*time.Millisecond + time.Duration(p.delay)*time.Millisecond,
			Packet: Packet{
				Seq:     seq0 + uint16(p.seq),
				TS:      ts0 + uint32(p.slot)*DefaultFrameSamples,
				Payload: pl,
			},
		}
	}
	return tr
}

// inOrder is n packets sent back to back, each arriving 5 ms after it was sent.
func inOrder(n int) []pk {
	ps := make([]pk, n)
	for i := range ps {
		ps[i] = pk{seq: i, slot: i, delay: 5}
	}
	return ps
}

// without removes the packets at the given slots.
func without(ps []pk, slots ...int) []pk {
	return slices.DeleteFunc(slices.Clone(ps), func(p pk) bool { return slices.Contains(slots, p.slot) })
}

// with replaces or adds packets (matched by slot, first match).
func with(ps []pk, add ...pk) []pk {
	out := slices.Clone(ps)
	for _, a := range add {
		i := slices.IndexFunc(out, func(p pk) bool { return p.slot == a.slot })
		if i >= 0 {
			out[i] = a
		} else {
			out = append(out, a)
		}
	}
	return out
}

// played is what a run of Play produced.
type played struct {
	kinds  string  // one letter per frame that used up a slot, trailing silence trimmed
	frames []Frame // those frames (payloads copied)
	stats  Stats
}

// playPattern runs a trace through Play and checks the invariants every run
// must keep: Normal frames in strictly increasing timestamp order, each
// packet played at most once, FEC carrying the next slot's packet, and the
// Stats identities.
func playPattern(t *testing.T, tr []Arrival, cfg Config) played {
	t.Helper()
	var p played
	var sb strings.Builder
	p.stats = Play(tr, cfg, func(_ time.Duration, f Frame) {
		if f.Held {
			return
		}
		f.Payload = slices.Clone(f.Payload)
		p.frames = append(p.frames, f)
		sb.WriteByte("?NFCS"[f.Kind])
	})
	p.kinds = strings.TrimRight(sb.String(), "S")
	checkFrames(t, tr, p.frames)
	checkStats(t, p.stats, cfg)
	return p
}

// checkFrames checks the order and identity of played frames against the
// trace they came from (payload = index into the trace).
func checkFrames(t *testing.T, tr []Arrival, frames []Frame) {
	t.Helper()
	seen := map[uint32]bool{}
	var last uint32
	haveLast := false
	for _, f := range frames {
		if f.Kind != Normal && f.Kind != FEC {
			continue
		}
		if len(f.Payload) != 4 {
			t.Fatalf("a %v frame carried a payload of %d bytes, not one of the 4-byte test payloads", f.Kind, len(f.Payload))
		}
		i := binary.BigEndian.Uint32(f.Payload)
		src := tr[i].Packet
		if haveLast && int32(f.TS-last) <= 0 {
			t.Fatalf("a %v frame with timestamp %d came after one with %d: frames were played out of order", f.Kind, f.TS, last)
		}
		last, haveLast = f.TS, true
		switch f.Kind {
		case Normal:
			if seen[i] {
				t.Fatalf("packet seq %d was played twice", src.Seq)
			}
			seen[i] = true
			if src.Seq != f.Seq || src.TS != f.TS {
				t.Fatalf("a Normal frame said seq %d ts %d but carried packet seq %d ts %d", f.Seq, f.TS, src.Seq, src.TS)
			}
		case FEC:
			if src.TS != f.TS+DefaultFrameSamples || src.Seq != f.Seq+1 {
				t.Fatalf("an FEC frame for seq %d ts %d carried packet seq %d ts %d, not the next one", f.Seq, f.TS, src.Seq, src.TS)
			}
		}
	}
}

// checkStats checks the identities Stats documents.
func checkStats(t *testing.T, s Stats, cfg Config) {
	t.Helper()
	if err := statsError(s, cfg); err != nil {
		t.Fatal(err)
	}
}

// statsError says which identity of Stats s breaks, if any.
func statsError(s Stats, cfg Config) error {
	if got := s.Accepted + s.Late + s.Duplicate + s.TooFar + s.Invalid; got != s.Received {
		return fmt.Errorf("%d packets were received but accepted+late+duplicate+too far+invalid is %d: %+v", s.Received, got, s)
	}
	if got := s.Played + s.Discarded + uint64(s.Buffered); got != s.Accepted {
		return fmt.Errorf("%d packets were accepted but played+discarded+buffered is %d: %+v", s.Accepted, got, s)
	}
	if got := s.Played + s.RecoveredFEC + s.Concealed + s.Silence + s.Held + s.Buffering; got != s.Pops {
		return fmt.Errorf("%d frames were popped but the kinds add up to %d: %+v", s.Pops, got, s)
	}
	c := cfg.withDefaults()
	if s.Buffered > c.Slots || s.Depth > time.Duration(c.Slots)*c.FrameDur {
		return fmt.Errorf("the buffer holds %d packets spanning %v, more than its ring of %d frames", s.Buffered, s.Depth, c.Slots)
	}
	return nil
}
