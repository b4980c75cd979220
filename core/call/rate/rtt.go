package rate

import "time"

// rttFloor tracks the least round-trip time seen over the current window
// and the one before it (rttWindow each), the path's round-trip time
// without queueing. A path that moves to a longer route raises the floor
// after one to two windows.
type rttFloor struct {
	start     time.Time // of the current window
	cur, prev time.Duration
}

// add records rtt measured at now and returns the floor.
func (f *rttFloor) add(rtt time.Duration, now time.Time) time.Duration {
	if f.start.IsZero() || now.Sub(f.start) >= rttWindow || now.Before(f.start) {
		f.prev, f.cur, f.start = f.cur, 0, now
	}
	if f.cur == 0 || rtt < f.cur {
		f.cur = rtt
	}
	if f.prev > 0 && f.prev < f.cur {
		return f.prev
	}
	return f.cur
}
