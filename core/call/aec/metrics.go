package aec

import "math"

// Segmental SNR clamps each frame's SNR to this range, the usual practice
// (silent or hopeless frames would otherwise dominate the mean).
const (
	segSNRMin = -10.0
	segSNRMax = 35.0
)

// activeBelowPeakDB: a frame counts as speech when its clean energy is
// within this many dB of the loudest clean frame.
const activeBelowPeakDB = 35.0

// Quality compares the output with the clean near-end speech over the
// frames where the near end talks.
type Quality struct {
	SegSNR float64 // segmental SNR in dB after linear equalisation, mean of per-frame SNRs clamped to [-10, 35]
	LSD    float64 // log-spectral distance in dB, 100 Hz to 8 kHz, mean over frames
	Frames int     // frames measured
}

// spectra computes log power spectra of frames for the log-spectral distance.
type spectra struct {
	plan   *fftPlan
	window []float64
	buf    []complex128
	lo, hi int // bin range, 100 Hz to 8 kHz
}

func newSpectra(frame int) *spectra {
	n := 1
	for n < frame {
		n <<= 1
	}
	w := make([]float64, frame)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(frame))
	}
	return &spectra{plan: newFFT(n), window: w, buf: make([]complex128, n),
		lo: int(math.Ceil(100 * float64(n) / SampleRate)), hi: 8000 * n / SampleRate}
}

// lsd is the log-spectral distance between frames ref and got, with both
// spectra floored 50 dB below ref's peak bin. It transforms both at once
// (ref in the real part, got in the imaginary part) and splits the spectra
// by their symmetry.
func (s *spectra) lsd(ref, got []float64, pr, pg []float64) float64 {
	clear(s.buf)
	for i := range ref {
		s.buf[i] = complex(ref[i]*s.window[i], got[i]*s.window[i])
	}
	s.plan.forward(s.buf)
	n := len(s.buf)
	peak := 0.0
	for k := s.lo; k <= s.hi; k++ {
		z, zc := s.buf[k], s.buf[n-k]
		zc = complex(real(zc), -imag(zc))
		r, g := (z+zc)/2, (z-zc)/complex(0, 2)
		pr[k-s.lo] = real(r)*real(r) + imag(r)*imag(r)
		pg[k-s.lo] = real(g)*real(g) + imag(g)*imag(g)
		peak = max(peak, pr[k-s.lo])
	}
	floor := max(peak*1e-5, 1e-9)
	var sum float64
	for k := range pr {
		d := 10 * math.Log10(max(pr[k], floor)/max(pg[k], floor))
		sum += d * d
	}
	return math.Sqrt(sum / float64(len(pr)))
}

// quality measures got (aligned with the near end) over the frames whose
// talk is who and where the clean near end is active: its segmental SNR
// against eq (the near end through the processor's linear response) and its
// log-spectral distance from the near end itself.
func quality(sc *scene, got, eq []float64, who talk, sp *spectra, peak float64) Quality {
	f := sc.frame
	pr := make([]float64, sp.hi-sp.lo+1)
	pg := make([]float64, len(pr))
	var q Quality
	var snrSum, lsdSum float64
	for fr, w := range sc.who {
		if w != who {
			continue
		}
		clean := sc.near[fr*f : (fr+1)*f]
		if energy(clean) < peak*math.Pow(10, -activeBelowPeakDB/10) {
			continue
		}
		ref, out := eq[fr*f:(fr+1)*f], got[fr*f:(fr+1)*f]
		var errE float64
		for i, v := range ref {
			d := v - out[i]
			errE += d * d
		}
		snr := segSNRMax
		if errE > 0 {
			snr = max(segSNRMin, min(segSNRMax, 10*math.Log10(energy(ref)/errE)))
		}
		snrSum += snr
		lsdSum += sp.lsd(clean, out, pr, pg)
		q.Frames++
	}
	if q.Frames > 0 {
		q.SegSNR = snrSum / float64(q.Frames)
		q.LSD = lsdSum / float64(q.Frames)
	}
	return q
}

// energy is the sum of squares of x.
func energy(x []float64) float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	return e
}

// bestLag finds the delay, 0 to maxLag samples, at which got matches ref
// best over the first stretch of near-only frames (the latency a processor
// adds).
func bestLag(sc *scene, got []float64, maxLag int) int {
	from := 0
	for from < len(sc.who) && sc.who[from] != nearOnly {
		from++
	}
	to := from
	for to < len(sc.who) && sc.who[to] == nearOnly {
		to++
	}
	from, to = from*sc.frame, to*sc.frame
	size := 1
	for size < to-from+2*maxLag {
		size <<= 1
	}
	p := newFFT(size)
	a := make([]complex128, size)
	b := make([]complex128, size)
	for i := from; i < to; i++ {
		a[i-from] = complex(sc.near[i], 0)
	}
	// got may be late by up to maxLag: take that much more of it.
	for i := from; i < min(to+maxLag, len(got)); i++ {
		b[i-from] = complex(got[i], 0)
	}
	p.forward(a)
	p.forward(b)
	for i := range a {
		a[i] = complex(real(a[i]), -imag(a[i])) * b[i]
	}
	p.inverse(a)
	best, bestV := 0, math.Inf(-1)
	for lag := 0; lag <= maxLag; lag++ {
		if v := real(a[lag]); v > bestV {
			best, bestV = lag, v
		}
	}
	return best
}
