package quality

import "math"

// SampleRate is the rate of the signals SegSNR, LSD and Compare take.
const SampleRate = 48000

// floats copies s into a new slice scaled to [-1, 1).
func floats(s []int16) []float64 {
	f := make([]float64, len(s))
	for i, v := range s {
		f[i] = float64(v) / 32768
	}
	return f
}

// hann is the n-point Hann window without its zero end points (MATLAB's
// hanning(n), numpy's hanning(n+2)[1:-1]), which STOI's definition uses.
func hann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i+1)/float64(n+1))
	}
	return w
}

// Overlap returns the parts of ref and deg that line up when deg lags ref
// by lag samples (ref[i] pairs with deg[i+lag]), cut to the same length.
// They share the callers' arrays; nothing is copied.
func Overlap(ref, deg []int16, lag int) (r, d []int16) {
	switch {
	case lag >= len(deg) || -lag >= len(ref):
		return nil, nil
	case lag >= 0:
		r, d = ref, deg[lag:]
	default:
		r, d = ref[-lag:], deg
	}
	n := min(len(r), len(d))
	return r[:n:n], d[:n:n]
}
