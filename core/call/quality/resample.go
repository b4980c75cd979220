package quality

import "math"

// resample converts x from rate `from` to rate `to` with a polyphase
// Kaiser-windowed sinc low-pass filter: stop band from half the lower rate,
// 60 dB rejection, transition a tenth of the cut-off (the same design as
// MATLAB's resample, which STOI's reference results were made with). The
// output has ceil(len(x)·to/from) samples and no delay.
func resample(x []float64, from, to int) []float64 {
	if from == to {
		return append([]float64(nil), x...)
	}
	g := gcd(from, to)
	p, q := to/g, from/g // up by p, down by q
	h := lowpass(p, q)
	half := (len(h) - 1) / 2
	// Output m is Σ_j h[j]·up[m·q + half - j], where up holds x[i] at i·p
	// and zeros between: only the taps j ≡ t (mod p), t = m·q + half, meet
	// a sample, x[(t-j)/p]. Split h into p branches by j mod p, reversed,
	// so each output is a dot product of one branch with a run of x.
	taps := (len(h) + p - 1) / p
	banks := make([][]float64, p)
	for ph := range p {
		b := make([]float64, taps)
		for k := range taps {
			if j := ph + k*p; j < len(h) {
				b[taps-1-k] = h[j]
			}
		}
		banks[ph] = b
	}
	// Zeros around x so every run is in range.
	padded := make([]float64, taps+len(x)+taps)
	copy(padded[taps:], x)
	out := make([]float64, (len(x)*p+q-1)/q)
	for m := range out {
		t := m*q + half
		ph := t % p
		last := (t-ph)/p + taps // index in padded of x[(t-ph)/p]
		out[m] = dot(banks[ph], padded[last-taps+1:last+1])
	}
	return out
}

// dot is the dot product of two slices of the same length.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	i := 0
	for ; i+1 < len(a); i += 2 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
	}
	if i < len(a) {
		s0 += a[i] * b[i]
	}
	return s0 + s1
}

// lowpass designs the anti-aliasing filter for up-sampling by p and
// down-sampling by q, scaled so each polyphase branch has a DC gain of 1.
func lowpass(p, q int) []float64 {
	const rejectionDB = 60.0
	cutoff := 1 / (2 * float64(max(p, q))) // cycles per up-sampled sample
	rollOff := cutoff / 10
	half := int(math.Ceil((rejectionDB - 8) / (28.714 * rollOff)))
	beta := 0.1102 * (rejectionDB - 8.7)
	h := make([]float64, 2*half+1)
	sum := 0.0
	for i := range h {
		t := float64(i - half)
		r := t / float64(half)
		h[i] = 2 * cutoff * sinc(2*cutoff*t) * bessel0(beta*math.Sqrt(1-r*r)) / bessel0(beta)
		sum += h[i]
	}
	for i := range h {
		h[i] *= float64(p) / sum
	}
	return h
}

// sinc is sin(πx)/(πx).
func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// bessel0 is the zeroth-order modified Bessel function of the first kind.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 500; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// gcd is the greatest common divisor of two positive integers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
