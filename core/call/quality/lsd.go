package quality

import "math"

// Log-spectral distance's parameters.
const (
	lsdFrame   = 960  // 20 ms frames
	lsdHop     = 480  // half overlap
	lsdFFT     = 1024 // zero-padded transform size
	lsdFloorDB = 80   // powers below the reference's loudest bin minus this are floored
)

// LSD is the log-spectral distance in dB between ref and deg, which must
// already be aligned: over 20 ms Hann frames with half overlap where the
// reference is active (within 40 dB of its loudest frame), the root mean
// square over frequency bins of the difference of the two power spectra in
// dB, averaged over frames. Both spectra are floored 80 dB below the
// reference's loudest bin, so empty bands count as equal instead of as
// infinitely far apart. 0 means identical spectra; a copy at half the level
// is 6.02 dB away. It is NaN when the reference has no active frame.
func LSD(ref, deg []int16) float64 {
	n := min(len(ref), len(deg))
	if n < lsdFrame {
		return math.NaN()
	}
	r, d := floats(ref[:n]), floats(deg[:n])
	w := hann(lsdFrame)
	f := newFFT(lsdFFT)
	buf := make([]complex128, lsdFFT)
	frames := (n-lsdFrame)/lsdHop + 1

	// First pass: which reference frames are active, and the loudest bin.
	energy := make([]float64, frames)
	loudestFrame, loudestBin := 0.0, 0.0
	for i := range frames {
		x := r[i*lsdHop : i*lsdHop+lsdFrame]
		for _, v := range x {
			energy[i] += v * v
		}
		loudestFrame = max(loudestFrame, energy[i])
	}
	if loudestFrame == 0 {
		return math.NaN()
	}
	active := loudestFrame * math.Pow(10, -activeRangeDB/10.0)
	pr := make([]float64, lsdFFT/2+1)
	pd := make([]float64, lsdFFT/2+1)
	for i := range frames {
		if energy[i] < active {
			continue
		}
		power(f, buf, r[i*lsdHop:i*lsdHop+lsdFrame], w, pr)
		for _, p := range pr {
			loudestBin = max(loudestBin, p)
		}
	}
	floor := loudestBin * math.Pow(10, -lsdFloorDB/10.0)

	// Second pass: the distance over active frames.
	sum, count := 0.0, 0
	for i := range frames {
		if energy[i] < active {
			continue
		}
		power(f, buf, r[i*lsdHop:i*lsdHop+lsdFrame], w, pr)
		power(f, buf, d[i*lsdHop:i*lsdHop+lsdFrame], w, pd)
		acc := 0.0
		for k := range pr {
			diff := 10 * math.Log10(max(pr[k], floor)/max(pd[k], floor))
			acc += diff * diff
		}
		sum += math.Sqrt(acc / float64(len(pr)))
		count++
	}
	return sum / float64(count)
}

// power writes into p the power spectrum of frame x windowed by w and
// zero-padded to the FFT's size (bins 0 to n/2), using buf as scratch.
func power(f *fft, buf []complex128, x, w, p []float64) {
	clear(buf)
	for i, v := range x {
		buf[i] = complex(v*w[i], 0)
	}
	f.transform(buf, false)
	for k := range p {
		p[k] = real(buf[k])*real(buf[k]) + imag(buf[k])*imag(buf[k])
	}
}
