package aec

import (
	"math"
	"math/bits"
)

// fftPlan is an in-place radix-2 complex FFT of one power-of-two size, for
// the measurement (never the audio path).
type fftPlan struct {
	n   int
	tw  []complex128 // exp(-2πik/n), k < n/2
	rev []int        // bit-reversed index
}

// newFFT plans an FFT of n points; n must be a power of two.
func newFFT(n int) *fftPlan {
	if n < 2 || n&(n-1) != 0 {
		panic("aec: FFT size is not a power of two")
	}
	p := &fftPlan{n: n, tw: make([]complex128, n/2), rev: make([]int, n)}
	for k := range p.tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.tw[k] = complex(c, s)
	}
	shift := 64 - bits.Len(uint(n-1))
	for i := range p.rev {
		p.rev[i] = int(bits.Reverse64(uint64(i)) >> shift)
	}
	return p
}

// forward transforms x (len n) in place.
func (p *fftPlan) forward(x []complex128) { p.run(x, false) }

// inverse transforms x (len n) in place, scaled by 1/n.
func (p *fftPlan) inverse(x []complex128) {
	p.run(x, true)
	s := complex(1/float64(p.n), 0)
	for i := range x {
		x[i] *= s
	}
}

func (p *fftPlan) run(x []complex128, inv bool) {
	for i, j := range p.rev {
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= p.n; size <<= 1 {
		half, step := size/2, p.n/size
		for start := 0; start < p.n; start += size {
			for k := range half {
				w := p.tw[k*step]
				if inv {
					w = complex(real(w), -imag(w))
				}
				a, b := x[start+k], x[start+k+half]*w
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
}

// convolve returns the first len(x) samples of x convolved with h, by
// overlap-add, two real blocks per complex FFT (one in the real part, one in
// the imaginary part: h is real, so they come out apart).
func convolve(x, h []float64) []float64 {
	n := 4096
	for n < 8*len(h) {
		n <<= 1
	}
	p := newFFT(n)
	hf := make([]complex128, n)
	for i, v := range h {
		hf[i] = complex(v, 0)
	}
	p.forward(hf)
	block := n - len(h) + 1
	y := make([]float64, len(x)+2*n)
	buf := make([]complex128, n)
	at := func(i int) float64 {
		if i < len(x) {
			return x[i]
		}
		return 0
	}
	for start := 0; start < len(x); start += 2 * block {
		clear(buf)
		for i := range block {
			buf[i] = complex(at(start+i), at(start+block+i))
		}
		p.forward(buf)
		for i := range buf {
			buf[i] *= hf[i]
		}
		p.inverse(buf)
		for i, v := range buf {
			y[start+i] += real(v)
			y[start+block+i] += imag(v)
		}
	}
	return y[:len(x)]
}
