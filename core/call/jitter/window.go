package jitter

import "time"

const (
	winBuckets = 4  // buckets of a minWindow
	winBucket  = 25 // samples per bucket: the window spans 75 to 100 samples (1.5-2 s of packets)
)

// minWindow is the minimum of the most recent samples: it forgets an old
// minimum after 75 to 100 newer samples, so it follows a drifting clock or a
// changed path without storing every sample. It counts samples, not time, so
// a DTX gap does not empty it.
type minWindow struct {
	mins  [winBuckets]time.Duration
	cur   int // bucket being filled
	n     int // samples in the current bucket
	valid int // buckets holding samples
}

// add records one sample.
func (w *minWindow) add(v time.Duration) {
	switch {
	case w.valid == 0:
		w.cur, w.n, w.valid = 0, 0, 1
		w.mins[0] = v
	case w.n == winBucket:
		w.cur = (w.cur + 1) % winBuckets
		w.n = 0
		w.mins[w.cur] = v
		w.valid = min(w.valid+1, winBuckets)
	}
	w.mins[w.cur] = min(w.mins[w.cur], v)
	w.n++
}

// min is the smallest sample in the window; zero when it is empty.
func (w *minWindow) min() time.Duration {
	if w.valid == 0 {
		return 0
	}
	m := w.mins[w.cur]
	for i := 1; i < w.valid; i++ {
		m = min(m, w.mins[(w.cur-i+winBuckets)%winBuckets])
	}
	return m
}

// reset empties the window.
func (w *minWindow) reset() { *w = minWindow{} }
