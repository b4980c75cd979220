package quality

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func TestFFTMatchesTheDefinitionAndInvertsItself(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 4, 8, 64, 512} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		want := make([]complex128, n)
		for k := range n {
			for i, v := range x {
				want[k] += v * cmplx.Exp(complex(0, -2*math.Pi*float64(k*i)/float64(n)))
			}
		}
		got := append([]complex128(nil), x...)
		f := newFFT(n)
		f.transform(got, false)
		for k := range n {
			if cmplx.Abs(got[k]-want[k]) > 1e-9*float64(n) {
				t.Fatalf("the %d-point FFT gives %v in bin %d; the DFT's definition gives %v", n, got[k], k, want[k])
			}
		}
		f.transform(got, true)
		for i := range n {
			if cmplx.Abs(got[i]-x[i]) > 1e-12*float64(n) {
				t.Fatalf("the %d-point inverse FFT gives %v at %d instead of the original %v", n, got[i], i, x[i])
			}
		}
	}
}

func TestNextPow2(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 4, 1000: 1024, 1024: 1024, 1025: 2048} {
		if got := nextPow2(n); got != want {
			t.Errorf("the next power of two from %d is %d, not %d", n, want, got)
		}
	}
}
