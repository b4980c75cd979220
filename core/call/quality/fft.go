package quality

import (
	"math"
	"math/cmplx"
)

// fft is a radix-2 complex FFT of one power-of-two size with its twiddles.
type fft struct {
	n  int
	tw []complex128 // tw[k] = exp(-2πik/n) for k < n/2
}

// newFFT prepares an FFT of size n, which must be a power of two.
func newFFT(n int) *fft {
	if n < 1 || n&(n-1) != 0 {
		panic("quality: FFT size is not a power of two")
	}
	tw := make([]complex128, n/2)
	for k := range tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		tw[k] = complex(c, s)
	}
	return &fft{n: n, tw: tw}
}

// transform replaces x (of length n) by its DFT, or by its inverse DFT
// (scaled by 1/n) when inverse is set.
func (f *fft) transform(x []complex128, inverse bool) {
	x = x[:f.n]
	if !inverse {
		f.forward(x)
		return
	}
	// The inverse DFT is conj(DFT(conj(x)))/n.
	for i, v := range x {
		x[i] = cmplx.Conj(v)
	}
	f.forward(x)
	s := 1 / float64(f.n)
	for i, v := range x {
		x[i] = complex(real(v)*s, -imag(v)*s)
	}
}

// forward replaces x (of length n) by its DFT.
func (f *fft) forward(x []complex128) {
	n := f.n
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, step := size/2, n/size
		for start := 0; start < n; start += size {
			a, b := x[start:start+half], x[start+half:start+size]
			for k := range a {
				t := b[k] * f.tw[k*step]
				b[k] = a[k] - t
				a[k] += t
			}
		}
	}
}

// nextPow2 is the smallest power of two at least n (and at least 1).
func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}
