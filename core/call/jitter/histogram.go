package jitter

import "time"

const (
	histBucket = 5 * time.Millisecond // width of one histogram bucket
	histForget = 0.983                // weight kept per new sample in steady state (NetEQ's)
	histSeed   = 10                   // the initial guess weighs as much as this many samples
)

// histogram is a forgetting histogram of relative arrival delays, as in
// WebRTC NetEQ's delay manager: each sample scales the old probabilities by a
// forget factor and adds the rest to its bucket, so the distribution follows
// the recent past (a time constant of about 60 packets) and sums to 1. At the
// start the new samples weigh more, so a few of them outweigh the guess.
type histogram struct {
	p []float64 // probability per bucket; the last bucket holds everything beyond
	n int       // samples added since reset
}

// newHistogram makes a histogram reaching up to max.
func newHistogram(max time.Duration) histogram {
	return histogram{p: make([]float64, int(max/histBucket)+2)}
}

// reset forgets every sample and puts all the mass on guess.
func (h *histogram) reset(guess time.Duration) {
	clear(h.p)
	h.p[h.bucket(guess-1)] = 1
	h.n = 0
}

// bucket is the index of the bucket holding v.
func (h *histogram) bucket(v time.Duration) int {
	if v < 0 {
		return 0
	}
	return int(min(int64(v/histBucket), int64(len(h.p)-1)))
}

// add records one relative delay.
func (h *histogram) add(v time.Duration) {
	w := 1 / float64(h.n+histSeed+1)
	w = max(w, 1-histForget)
	for i := range h.p {
		h.p[i] *= 1 - w
	}
	h.p[h.bucket(v)] += w
	h.n++
}

// quantile is the upper edge of the bucket where the cumulative probability
// reaches q.
func (h *histogram) quantile(q float64) time.Duration {
	sum := 0.0
	for i, x := range h.p {
		sum += x
		if sum >= q-1e-9 {
			return time.Duration(i+1) * histBucket
		}
	}
	return time.Duration(len(h.p)) * histBucket
}

// shift moves the whole distribution n buckets up (n > 0) or down; the end
// buckets absorb what falls off.
func (h *histogram) shift(n int) {
	last := len(h.p) - 1
	switch {
	case n > 0:
		for i := last; i >= 0; i-- {
			j := min(i+n, last)
			if j != i {
				h.p[j] += h.p[i]
				h.p[i] = 0
			}
		}
	case n < 0:
		for i := 0; i <= last; i++ {
			j := max(i+n, 0)
			if j != i {
				h.p[j] += h.p[i]
				h.p[i] = 0
			}
		}
	}
}
