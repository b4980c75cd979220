package quality

import "math"

// Align finds how many samples deg lags ref (deg[i+lag] ≈ ref[i]), searching
// lags in [-maxLag, maxLag], and returns the lag with the highest normalised
// cross-correlation and that correlation (1 for an exact delayed copy). The
// correlation at each lag is normalised by the energies of the overlapping
// parts only, and lags where the overlap is shorter than half the shorter
// input are not considered. It computes all lags at once with an FFT, so a
// 15 s signal with a one-second search range takes a fraction of a second.
// With nothing to correlate (an empty or silent input) it returns 0, 0.
func Align(ref, deg []int16, maxLag int) (lag int, corr float64) {
	if len(ref) == 0 || len(deg) == 0 {
		return 0, 0
	}
	maxLag = max(0, min(maxLag, max(len(ref), len(deg))))
	n := nextPow2(max(len(ref), len(deg)) + maxLag)
	// One complex FFT carries both real signals: ref in the real part, deg
	// in the imaginary part.
	z := make([]complex128, n)
	for i, v := range ref {
		z[i] = complex(float64(v)/32768, 0)
	}
	for i, v := range deg {
		z[i] += complex(0, float64(v)/32768)
	}
	f := newFFT(n)
	f.transform(z, false)
	// Cross-correlation c[l] = Σ ref[i] deg[i+l] has the spectrum
	// conj(R[k]) D[k]. Unpack R and D from Z, multiply, and go back.
	c := make([]complex128, n)
	for k := range n {
		zk, zn := z[k], conjAt(z, (n-k)%n)
		r := (zk + zn) * 0.5
		diff := zk - zn // D = diff / 2i
		d := complex(imag(diff)*0.5, -real(diff)*0.5)
		c[k] = complex(real(r), -imag(r)) * d
	}
	f.transform(c, true)

	pr, pd := prefixEnergy(ref), prefixEnergy(deg)
	minOverlap := max(1, min(len(ref), len(deg))/2)
	best, bestLag := math.Inf(-1), 0
	for l := -maxLag; l <= maxLag; l++ {
		lo, hi := max(0, -l), min(len(ref), len(deg)-l)
		if hi-lo < minOverlap {
			continue
		}
		er, ed := pr[hi]-pr[lo], pd[hi+l]-pd[lo+l]
		if er <= 0 || ed <= 0 {
			continue
		}
		v := real(c[(l+n)%n]) / math.Sqrt(er*ed)
		if v > best {
			best, bestLag = v, l
		}
	}
	if math.IsInf(best, -1) {
		return 0, 0
	}
	return bestLag, min(best, 1)
}

// conjAt is the complex conjugate of z[i].
func conjAt(z []complex128, i int) complex128 {
	return complex(real(z[i]), -imag(z[i]))
}

// prefixEnergy returns p with p[i] the energy of s[:i], scaled to [-1, 1).
func prefixEnergy(s []int16) []float64 {
	p := make([]float64, len(s)+1)
	for i, v := range s {
		x := float64(v) / 32768
		p[i+1] = p[i] + x*x
	}
	return p
}
