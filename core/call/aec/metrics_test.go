package aec

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestConvolveMatchesDirectSum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sizes := range [][2]int{{10000, 300}, {5000, 1}, {100, 700}} {
		x := make([]float64, sizes[0])
		h := make([]float64, sizes[1])
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for i := range h {
			h[i] = rng.NormFloat64()
		}
		got := convolve(x, h)
		if len(got) != len(x) {
			t.Fatalf("convolve returned %d samples for %d", len(got), len(x))
		}
		for n := range x {
			var want float64
			for k := 0; k < len(h) && k <= n; k++ {
				want += h[k] * x[n-k]
			}
			if math.Abs(got[n]-want) > 1e-9 {
				t.Fatalf("x of %d by h of %d: sample %d is %g, want %g", len(x), len(h), n, got[n], want)
			}
		}
	}
}

func TestLSDOfAFrameWithItselfIsZero(t *testing.T) {
	t.Parallel()
	sp := newSpectra(960)
	rng := rand.New(rand.NewPCG(8, 8))
	ref, half := make([]float64, 960), make([]float64, 960)
	for i := range ref {
		ref[i] = rng.NormFloat64() * 1000
		half[i] = ref[i] / 2
	}
	pr, pg := make([]float64, sp.hi-sp.lo+1), make([]float64, sp.hi-sp.lo+1)
	if d := sp.lsd(ref, ref, pr, pg); d > 1e-9 {
		t.Errorf("a frame is %g dB from itself, want 0", d)
	}
	if d := sp.lsd(ref, half, pr, pg); math.Abs(d-6.02) > 0.01 {
		t.Errorf("a frame at half amplitude is %.3f dB away, want 6.02", d)
	}
}
