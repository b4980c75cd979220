package overlay

import "time"

// Clock is the Node's only source of time: every timer, TTL and expiry goes
// through it, so a simulator can run the same code on a fake clock.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once after d. The caller of the Node guarantees that
	// f runs with the same exclusion as message handling.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc calls f on its own goroutine after d (time.AfterFunc).
func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
