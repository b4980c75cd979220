// Package clocktest has a fake clock.Clock for tests: time moves only when
// the test calls Advance, and due timers run then, in order, on the
// caller's goroutine.
//
// It must never be imported by production code.
package clocktest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"tincan/core/clock"
)

// Fake is a manual clock.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	seq     int
	timers  []*timer
	changed chan struct{} // closed and replaced whenever a timer is added, stopped or run
}

type timer struct {
	f       *Fake
	at      time.Time
	seq     int
	fn      func()
	stopped bool
}

// New returns a fake clock at start.
func New(start time.Time) *Fake { return &Fake{now: start, changed: make(chan struct{})} }

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
	f.notifyLocked()
	return t
}

// Stop cancels the timer.
func (t *timer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	t.f.notifyLocked()
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
			f.notifyLocked()
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

// Deadlines returns when the pending timers fall due, earliest first.
func (f *Fake) Deadlines() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, t := range f.timers {
		if !t.stopped {
			out = append(out, t.at)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// WaitForTimers blocks until exactly n timers are pending or ctx is done:
// a test waits for the code under test to arm its timer before it Advances.
func (f *Fake) WaitForTimers(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		have, ch := 0, f.changed
		for _, t := range f.timers {
			if !t.stopped {
				have++
			}
		}
		f.mu.Unlock()
		if have == n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fake clock: %d timers pending, waiting for %d: %w", have, n, ctx.Err())
		}
	}
}

func (f *Fake) notifyLocked() {
	if f.changed == nil {
		f.changed = make(chan struct{})
	}
	close(f.changed)
	f.changed = make(chan struct{})
}
