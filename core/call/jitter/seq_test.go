package jitter

import "testing"

func TestWrapSafeDistances(t *testing.T) {
	seqs := []struct {
		a, b uint16
		want int
	}{{0, 65535, 1}, {65535, 0, -1}, {5, 65530, 11}, {65535, 65534, 1}, {100, 100, 0}, {32767, 0, 32767}}
	for _, c := range seqs {
		if got := seqDiff(c.a, c.b); got != c.want {
			t.Errorf("sequence %d minus %d came out %d, want %d", c.a, c.b, got, c.want)
		}
	}
	tss := []struct {
		a, b uint32
		want int64
	}{{0, 1<<32 - 960, 960}, {1<<32 - 960, 0, -960}, {1920, 1<<32 - 960, 2880}, {7, 7, 0}}
	for _, c := range tss {
		if got := tsDiff(c.a, c.b); got != c.want {
			t.Errorf("timestamp %d minus %d came out %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
