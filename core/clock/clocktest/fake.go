// Package clocktest has a fake clock.Clock for tests: time moves only when
// the test calls Advance, and due timers run then, in order, on the
// caller's goroutine.
//
// It must never be imported by production code.
package clocktest

import (
	"sort"
	"sync"
	"time"

	"tincan/core/clock"
)

// Fake is a manual clock.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*timer
}

type timer struct {
	f       *Fake
	at      time.Time
	seq     int
	fn      func()
	stopped bool
}

// New returns a fake clock at start.
func New(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// AfterFunc schedules fn at Now()+d; it runs during the Advance that passes it.
func (f *Fake) AfterFunc(d time.Duration, fn func()) clock.Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	t := &timer{f: f, at: f.now.Add(d), seq: f.seq, fn: fn}
	f.timers = append(f.timers, t)
	return t
}

// Stop cancels the timer.
func (t *timer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock by d, running every timer that falls due in time
// order (timers that due timers schedule run too if they fall within d).
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	end := f.now.Add(d)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		sort.SliceStable(f.timers, func(i, j int) bool {
			if !f.timers[i].at.Equal(f.timers[j].at) {
				return f.timers[i].at.Before(f.timers[j].at)
			}
			return f.timers[i].seq < f.timers[j].seq
		})
		var next *timer
		for len(f.timers) > 0 {
			t := f.timers[0]
			if t.stopped {
				f.timers = f.timers[1:]
				continue
			}
			if t.at.After(end) {
				break
			}
			f.timers = f.timers[1:]
			t.stopped = true
			next = t
			break
		}
		if next == nil {
			f.now = end
			f.mu.Unlock()
			return
		}
		f.now = next.at
		f.mu.Unlock()
		next.fn()
	}
}

// Pending is the number of timers not yet run or stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, t := range f.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}
