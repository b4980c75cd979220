// Package clock is the one source of time for parts that must run on a fake
// clock in tests: Now and one-shot timers.
//
// It must never start a goroutine of its own beyond what time.AfterFunc does.
package clock

import "time"

// Clock gives the time and one-shot timers.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once after d, on a goroutine of the clock's choosing.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc calls f on its own goroutine after d (time.AfterFunc).
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
