package jitter

import (
	"fmt"
	"testing"
)

// configs are the two ways of running the pattern tests: the adaptive
// default and ToxAV's fixed buffer of three frames (with FEC allowed, so the
// same patterns give the same frames).
var configs = []struct {
	name string
	cfg  Config
}{
	{"adaptive", Config{}},
	{"fixed3", Config{Fixed: 3}},
}

func TestPatterns(t *testing.T) {
	const wrapTS = 1<<32 - 3*960
	tests := []struct {
		name  string
		seq0  uint16
		ts0   uint32
		pkts  []pk
		kinds string // N normal, F FEC, C conceal, S silence; one per slot
		// counters expected
		lost, late, dup, concealed, fec, silence uint64
	}{
		{name: "in order", pkts: inOrder(12), kinds: "NNNNNNNNNNNN"},
		{name: "single loss, next present: FEC", pkts: without(inOrder(10), 5),
			kinds: "NNNNNFNNNN", lost: 1, fec: 1},
		{name: "single loss, next not yet there: conceal",
			pkts:  with(without(inOrder(10), 5), pk{seq: 6, slot: 6, delay: 70}),
			kinds: "NNNNNCNNNN", lost: 1, concealed: 1},
		{name: "burst loss of 3", pkts: without(inOrder(12), 4, 5, 6),
			kinds: "NNNNCCFNNNNN", lost: 3, concealed: 2, fec: 1},
		{name: "reorder by one", pkts: with(inOrder(10), pk{seq: 5, slot: 5, delay: 25}),
			kinds: "NNNNNNNNNN"},
		{name: "the first two packets swapped", pkts: with(inOrder(8), pk{seq: 0, slot: 0, delay: 30}),
			kinds: "NNNNNNNN"},
		{name: "reorder by three", pkts: with(inOrder(12), pk{seq: 5, slot: 5, delay: 66}),
			kinds: "NNNNNNNNNNNN"},
		{name: "duplicates, buffered and already played",
			pkts:  append(inOrder(10), pk{seq: 3, slot: 3, delay: 15}, pk{seq: 1, slot: 1, delay: 200}),
			kinds: "NNNNNNNNNN", dup: 2},
		{name: "DTX gap: sequence contiguous, timestamp jumps",
			pkts:  []pk{{0, 0, 5}, {1, 1, 5}, {2, 2, 5}, {3, 3, 5}, {4, 4, 5}, {5, 10, 5}, {6, 11, 5}, {7, 12, 5}},
			kinds: "NNNNNSSSSSNNN", silence: 5},
		{name: "DTX gap ending in a loss",
			pkts:  []pk{{0, 0, 5}, {1, 1, 5}, {2, 2, 5}, {4, 8, 5}, {5, 9, 5}},
			kinds: "NNNSSSSFNN", lost: 1, fec: 1, silence: 4},
		{name: "late packet dropped", pkts: with(inOrder(10), pk{seq: 5, slot: 5, delay: 105}),
			kinds: "NNNNNFNNNN", lost: 1, late: 1, fec: 1},
		{name: "seq wrap, no loss", seq0: 65530, pkts: inOrder(12), kinds: "NNNNNNNNNNNN"},
		{name: "seq wrap, loss at 65535", seq0: 65530, pkts: without(inOrder(12), 5),
			kinds: "NNNNNFNNNNNN", lost: 1, fec: 1},
		{name: "seq wrap, loss of 65535 and 0", seq0: 65530, pkts: without(inOrder(12), 5, 6),
			kinds: "NNNNNCFNNNNN", lost: 2, concealed: 1, fec: 1},
		{name: "timestamp wrap", ts0: wrapTS, pkts: inOrder(12), kinds: "NNNNNNNNNNNN"},
		{name: "timestamp wrap with a loss on the wrap", ts0: wrapTS, pkts: without(inOrder(12), 3),
			kinds: "NNNFNNNNNNNN", lost: 1, fec: 1},
		{name: "both wrap at once with a DTX gap across", seq0: 65534, ts0: wrapTS,
			pkts:  []pk{{0, 0, 5}, {1, 1, 5}, {2, 5, 5}, {3, 6, 5}},
			kinds: "NNSSSNN", silence: 3},
	}
	for _, tc := range tests {
		for _, c := range configs {
			t.Run(fmt.Sprintf("%s/%s", tc.name, c.name), func(t *testing.T) {
				tr := pattern(tc.seq0, tc.ts0, tc.pkts...)
				p := playPattern(t, tr, c.cfg)
				if p.kinds != tc.kinds {
					t.Fatalf("the slots played as %q, want %q", p.kinds, tc.kinds)
				}
				s := p.stats
				got := []uint64{s.Lost, s.Late, s.Duplicate, s.Concealed, s.RecoveredFEC}
				want := []uint64{tc.lost, tc.late, tc.dup, tc.concealed, tc.fec}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("lost, late, duplicate, concealed, FEC were %v, want %v", got, want)
				}
				if tc.silence > 0 && s.Silence < tc.silence {
					t.Fatalf("%d Silence frames were counted, want at least the %d of the gap", s.Silence, tc.silence)
				}
				for i, f := range p.frames[:len(p.kinds)] {
					if want := tc.ts0 + uint32(i)*DefaultFrameSamples; f.TS != want {
						t.Fatalf("slot %d played with timestamp %d, want %d", i, f.TS, want)
					}
				}
				// Every slot of a loss names the lost packet's sequence number.
				for _, f := range p.frames[:len(p.kinds)] {
					if f.Kind == FEC || f.Kind == Conceal {
						want := tc.seq0 + uint16((f.TS-tc.ts0)/DefaultFrameSamples)
						if tc.name == "DTX gap ending in a loss" {
							want = 3
						}
						if f.Seq != want {
							t.Fatalf("a %v frame named seq %d, want %d", f.Kind, f.Seq, want)
						}
					}
				}
			})
		}
	}
}

func TestSequence65535IsPlayed(t *testing.T) {
	tr := pattern(65533, 0, inOrder(6)...)
	p := playPattern(t, tr, Config{})
	var seqs []uint16
	for _, f := range p.frames {
		if f.Kind == Normal {
			seqs = append(seqs, f.Seq)
		}
	}
	if fmt.Sprint(seqs) != "[65533 65534 65535 0 1 2]" {
		t.Fatalf("the packets played were %v, want 65533 to 2 across the wrap", seqs)
	}
}

func TestNoFECConcealsInstead(t *testing.T) {
	tr := pattern(0, 0, without(inOrder(10), 5)...)
	p := playPattern(t, tr, Config{NoFEC: true})
	if p.kinds != "NNNNNCNNNN" || p.stats.RecoveredFEC != 0 {
		t.Fatalf("with NoFEC a single loss played as %q with %d FEC frames, want a conceal and none", p.kinds, p.stats.RecoveredFEC)
	}
}

func TestSingleLossDoesNotStall(t *testing.T) {
	// The lost packet is the last before a long pause in arrivals: the
	// buffer must keep playing, and play what comes after once it comes.
	tr := pattern(0, 0, append(without(inOrder(10), 5), pk{seq: 10, slot: 10, delay: 5}, pk{seq: 11, slot: 11, delay: 5})...)
	p := playPattern(t, tr, Config{})
	if p.kinds != "NNNNNFNNNNNN" {
		t.Fatalf("after a single loss the slots played as %q", p.kinds)
	}
	if p.stats.Buffered != 0 {
		t.Fatalf("%d packets were still buffered at the end: the buffer stalled", p.stats.Buffered)
	}
}
