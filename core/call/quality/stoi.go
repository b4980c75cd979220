package quality

import "math"

// STOI's parameters, from Taal et al. 2011.
const (
	stoiRate     = 10000 // STOI works at 10 kHz
	stoiFrame    = 256   // samples per frame (25.6 ms)
	stoiHop      = 128   // 50% overlap
	stoiFFT      = 512   // zero-padded transform size
	stoiBands    = 15    // one-third octave bands
	stoiMinFreq  = 150   // centre of the lowest band, Hz
	stoiSegment  = 30    // frames per intermediate measure (384 ms)
	stoiBetaDB   = -15   // lower signal-to-distortion bound for clipping
	stoiDynRange = 40    // frames this far below the loudest are silent
)

// eps keeps divisions finite, as in the reference implementation.
const eps = 2.220446049250313e-16

// STOI is the short-time objective intelligibility of deg against ref, both
// at the given sample rate and already aligned (see Align and Overlap), after
// Taal, Hendriks, Heusdens and Jensen, "An Algorithm for Intelligibility
// Prediction of Time-Frequency Weighted Noisy Speech", IEEE TASLP 2011:
// resample to 10 kHz; drop frames where the reference is more than 40 dB
// below its loudest (256-sample Hann frames, 50% overlap); take 15
// one-third octave band envelopes from 150 Hz; over every 30-frame (384 ms)
// segment of each band, scale the degraded envelope to the reference's
// norm, clip it at 15 dB above the reference (β = -15 dB), and correlate the
// two; STOI is the mean correlation. It is about 1 for a clean copy and
// falls towards 0 as speech becomes unintelligible. Only the common length
// is compared. It is NaN when less than 30 frames of active speech remain
// or the rate is not positive.
func STOI(ref, deg []int16, rate int) float64 {
	n := min(len(ref), len(deg))
	if rate <= 0 || n == 0 {
		return math.NaN()
	}
	x := resample(floats(ref[:n]), rate, stoiRate)
	y := resample(floats(deg[:n]), rate, stoiRate)
	x, y = removeSilentFrames(x, y)
	xb, yb := bandEnvelopes(x), bandEnvelopes(y)
	frames := len(xb)
	if frames < stoiSegment {
		return math.NaN()
	}
	clip := 1 + math.Pow(10, -stoiBetaDB/20.0)
	xs := make([]float64, stoiSegment)
	ys := make([]float64, stoiSegment)
	sum := 0.0
	segments := frames - stoiSegment + 1
	for m := range segments {
		for j := range stoiBands {
			for t := range stoiSegment {
				xs[t], ys[t] = xb[m+t][j], yb[m+t][j]
			}
			alpha := norm(xs) / (norm(ys) + eps)
			for t := range ys {
				ys[t] = min(ys[t]*alpha, xs[t]*clip)
			}
			sum += correlation(xs, ys)
		}
	}
	return sum / float64(segments*stoiBands)
}

// removeSilentFrames drops the frames (256 samples, 50% overlap, Hann) of
// both signals where x is more than 40 dB below its loudest frame, and puts
// the rest back together by overlap-add.
func removeSilentFrames(x, y []float64) ([]float64, []float64) {
	w := hann(stoiFrame)
	var starts []int
	var energies []float64
	loudest := math.Inf(-1)
	for s := 0; s < len(x)-stoiFrame; s += stoiHop {
		e := 0.0
		for i, v := range x[s : s+stoiFrame] {
			e += (v * w[i]) * (v * w[i])
		}
		db := 20 * math.Log10(math.Sqrt(e)+eps)
		starts = append(starts, s)
		energies = append(energies, db)
		loudest = max(loudest, db)
	}
	var kept []int
	for i, e := range energies {
		if loudest-stoiDynRange-e < 0 {
			kept = append(kept, starts[i])
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	size := (len(kept)-1)*stoiHop + stoiFrame
	xo, yo := make([]float64, size), make([]float64, size)
	for k, s := range kept {
		o := k * stoiHop
		for i := range stoiFrame {
			xo[o+i] += x[s+i] * w[i]
			yo[o+i] += y[s+i] * w[i]
		}
	}
	return xo, yo
}

// bandEnvelopes returns, for each frame (256 samples, 50% overlap, Hann,
// 512-point FFT) of x, the magnitude in each one-third octave band.
func bandEnvelopes(x []float64) [][stoiBands]float64 {
	lo, hi := thirdOctaveBins()
	w := hann(stoiFrame)
	f := newFFT(stoiFFT)
	buf := make([]complex128, stoiFFT)
	p := make([]float64, stoiFFT/2+1)
	var out [][stoiBands]float64
	for s := 0; s < len(x)-stoiFrame; s += stoiHop {
		power(f, buf, x[s:s+stoiFrame], w, p)
		var b [stoiBands]float64
		for j := range stoiBands {
			e := 0.0
			for k := lo[j]; k < hi[j]; k++ {
				e += p[k]
			}
			b[j] = math.Sqrt(e)
		}
		out = append(out, b)
	}
	return out
}

// thirdOctaveBins returns each band's FFT bins [lo, hi): the bins nearest to
// the band's edges, 150 Hz · 2^((2k∓1)/6).
func thirdOctaveBins() (lo, hi [stoiBands]int) {
	nearest := func(freq float64) int {
		k := int(math.Round(freq * stoiFFT / stoiRate))
		return min(max(k, 0), stoiFFT/2)
	}
	for k := range stoiBands {
		lo[k] = nearest(stoiMinFreq * math.Pow(2, float64(2*k-1)/6))
		hi[k] = nearest(stoiMinFreq * math.Pow(2, float64(2*k+1)/6))
	}
	return lo, hi
}

// norm is the Euclidean norm of v.
func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// correlation is the sample correlation coefficient of a and b.
func correlation(a, b []float64) float64 {
	ma, mb := mean(a), mean(b)
	var ab, aa, bb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		ab += da * db
		aa += da * da
		bb += db * db
	}
	return ab / ((math.Sqrt(aa) + eps) * (math.Sqrt(bb) + eps))
}

// mean is the arithmetic mean of v.
func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
