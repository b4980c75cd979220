package quality

import "math"

// Segmental SNR's parameters.
const (
	segSamples    = 960 // 20 ms at 48 kHz
	segMinDB      = -10 // a segment's SNR is clamped to [segMinDB, segMaxDB]
	segMaxDB      = 35  //
	activeRangeDB = 40  // a reference segment or frame this far below the loudest is silent
)

// SegSNR is the segmental signal-to-noise ratio in dB of deg against ref,
// which must already be aligned (see Align and Overlap): the mean, over the
// 20 ms segments where the reference is active, of each segment's SNR
// clamped to [-10, 35] dB. A reference segment more than 40 dB below the
// loudest one (or all zero) is silent and skipped. Only the common length is
// compared. It is NaN when the reference has no active segment.
func SegSNR(ref, deg []int16) float64 {
	n := min(len(ref), len(deg)) / segSamples
	if n == 0 {
		return math.NaN()
	}
	sig := make([]float64, n)
	noise := make([]float64, n)
	loudest := 0.0
	for s := range n {
		for i := s * segSamples; i < (s+1)*segSamples; i++ {
			r, d := float64(ref[i]), float64(deg[i])
			sig[s] += r * r
			noise[s] += (r - d) * (r - d)
		}
		loudest = max(loudest, sig[s])
	}
	floor := loudest * math.Pow(10, -activeRangeDB/10.0)
	sum, count := 0.0, 0
	for s := range n {
		if sig[s] == 0 || sig[s] < floor {
			continue
		}
		snr := float64(segMaxDB)
		if noise[s] > 0 {
			snr = min(segMaxDB, max(segMinDB, 10*math.Log10(sig[s]/noise[s])))
		}
		sum += snr
		count++
	}
	if count == 0 {
		return math.NaN()
	}
	return sum / float64(count)
}
