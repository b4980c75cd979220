package aec

import "math"

// eqFFT is the block length of the linear-response estimate: 8192 samples
// (170 ms) holds a processor's latency of up to two frames and the ringing
// of a DC-blocking filter.
const eqFFT = 8192

// equalise returns the clean near end passed through the processor's
// average linear response (estimated on the near-only frames as the cross
// spectrum of output and clean near end over the clean near end's power
// spectrum). Comparing the output with it leaves out what a fixed filter
// explains (latency, a DC notch's phase shift, a steady gain) and keeps
// what varies with time: residual echo, noise gating, suppression of speech.
func equalise(sc *scene, got []float64) []float64 {
	p := newFFT(eqFFT)
	win := make([]float64, eqFFT)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/eqFFT)
	}
	x := make([]complex128, eqFFT)
	y := make([]complex128, eqFFT)
	sxy := make([]complex128, eqFFT)
	sxx := make([]float64, eqFFT)
	n := len(sc.near)
	for start := 0; start+eqFFT <= n; start += eqFFT / 2 {
		if !allNearOnly(sc, start, start+eqFFT) {
			continue
		}
		for i := range x {
			x[i] = complex(sc.near[start+i]*win[i], 0)
			y[i] = complex(got[start+i]*win[i], 0)
		}
		p.forward(x)
		p.forward(y)
		for k := range x {
			sxy[k] += complex(real(x[k]), -imag(x[k])) * y[k]
			sxx[k] += real(x[k])*real(x[k]) + imag(x[k])*imag(x[k])
		}
	}
	peak := 0.0
	for _, v := range sxx {
		peak = max(peak, v)
	}
	if peak == 0 {
		return append([]float64(nil), sc.near...)
	}
	for k := range sxy {
		// Bins the near end hardly excites are left at zero response.
		if sxx[k] > peak*1e-8 {
			sxy[k] /= complex(sxx[k], 0)
		} else {
			sxy[k] = 0
		}
	}
	p.inverse(sxy)
	// Circular impulse response: its end is negative time. Keep eqPre
	// samples before zero and eqPost after (the output is already aligned,
	// so what is left is short), delay it by eqPre to make it causal, and
	// take the result back by as much.
	h := make([]float64, eqPre+eqPost)
	for i := range h {
		h[i] = real(sxy[(i-eqPre+eqFFT)%eqFFT])
	}
	wet := convolve(append(append([]float64(nil), sc.near...), make([]float64, eqPre)...), h)
	return wet[eqPre:]
}

// The part of the estimated response kept, in samples before and after 0.
const (
	eqPre  = 1024
	eqPost = 3072
)

// allNearOnly reports whether every frame touching samples [from, to) is
// near-end only.
func allNearOnly(sc *scene, from, to int) bool {
	for fr := from / sc.frame; fr <= (to-1)/sc.frame && fr < len(sc.who); fr++ {
		if sc.who[fr] != nearOnly {
			return false
		}
	}
	return true
}
