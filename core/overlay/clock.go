package overlay

import "tincan/core/clock"

// Clock is the Node's only source of time: every timer, TTL and expiry goes
// through it, so a simulator can run the same code on a fake clock. The
// caller of the Node guarantees that AfterFunc's f runs with the same
// exclusion as message handling. It is the project's one clock interface.
type Clock = clock.Clock

// Timer is a pending AfterFunc call.
type Timer = clock.Timer

// RealClock is the wall clock.
type RealClock = clock.Real
