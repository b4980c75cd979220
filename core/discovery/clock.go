package discovery

import "time"

// Clock is the Elector's only source of time, so tests can run it on a fake one.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d has passed.
	NewTimer(d time.Duration) Timer
}

// Timer is a pending one-shot timer from a Clock.
type Timer interface {
	// C returns the channel on which the timer fires.
	C() <-chan time.Time
	// Stop cancels the timer; it reports whether the timer was still pending.
	Stop() bool
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (RealClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
